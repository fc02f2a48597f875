"""What a proposal may come from: the records of other stages (co-commissioning's potentials and
forum priorities) that their apps offer through ``rtkeren.registry.origin_sources``. A proposal
links them generically (``ProposalOrigin``) with a snapshot of their title; while no app offers
any, proposals simply have none.
"""

from rtkeren.registry import Origin, origins_in

#: How many of each kind a form offers: the newest ones, so the list stays short on a phone.
CHOICE_LIMIT = 60


def origins_for(kelurahan_ids) -> list[Origin]:
    """What a proposal in the given kelurahans may come from (a query per source at most)."""
    return origins_in(kelurahan_ids, limit=CHOICE_LIMIT)
