"""Object permissions of the core, as named ``rules`` predicates that every app reuses.

Each predicate takes ``(user, obj)`` where ``obj`` is anything ``scopes.place_of`` understands: a
kelurahan, RW, RT, resident, community, activity, or a stage object with one of those.
"""

import rules

from rtkeren import scopes, transitions
from rtkeren.models import ActivityStatus, Resident, Role
from rtkeren.selectors.activities import home_kelurahan_ids
from rtkeren.selectors.audit import account_kelurahan_ids
from rtkeren.selectors.residents import is_confirmed_as


@rules.predicate
def is_admin(user):
    return scopes.is_admin(user)


@rules.predicate
def is_city_viewer(user):
    return scopes.has_role(user, Role.CITY_VIEWER)


@rules.predicate
def is_officer(user):
    return scopes.has_role(user, Role.OFFICER)


@rules.predicate
def is_staff_of_any_scope(user):
    return scopes.has_role(
        user,
        Role.ADMIN,
        Role.CITY_VIEWER,
        Role.OFFICER,
        Role.FACILITATOR,
        Role.RW_CHAIR,
        Role.RT_CHAIR,
    ) or scopes.is_admin(user)


@rules.predicate
def is_officer_of(user, obj):
    place = scopes.place_of(obj)
    return place.kelurahan_id in scopes.kelurahan_ids(user, Role.OFFICER)


@rules.predicate
def is_facilitator_of(user, obj):
    place = scopes.place_of(obj)
    return place.kelurahan_id in scopes.kelurahan_ids(user, Role.FACILITATOR)


@rules.predicate
def is_rw_chair_of(user, obj):
    place = scopes.place_of(obj)
    return place.rw_id is not None and place.rw_id in scopes.rw_ids(user, Role.RW_CHAIR)


@rules.predicate
def is_rt_chair_of(user, obj):
    place = scopes.place_of(obj)
    return place.rt_id is not None and place.rt_id in scopes.rt_ids(user, Role.RT_CHAIR)


@rules.predicate
def is_pokmas_member_of(user, obj):
    place = scopes.place_of(obj)
    return place.rt_id is not None and place.rt_id in scopes.rt_ids(user, Role.POKMAS_MEMBER)


@rules.predicate
def is_community_lead_of(user, obj):
    place = scopes.place_of(obj)
    return place.community_id is not None and place.community_id in scopes.community_ids(user)


@rules.predicate
def is_resident_of_rt(user, obj):
    """A verified, active resident of the object's RT (needs a resident role assignment)."""
    place = scopes.place_of(obj)
    return place.rt_id is not None and place.rt_id in scopes.rt_ids(user, Role.RESIDENT)


@rules.predicate
def is_resident_of_kelurahan(user, obj):
    place = scopes.place_of(obj)
    if place.kelurahan_id is None:
        return False
    return any(
        assignment.role == Role.RESIDENT and assignment.rt.rw.kelurahan_id == place.kelurahan_id
        for assignment in scopes.current_assignments(user)
    )


@rules.predicate
def is_self(user, resident):
    """The user's own resident record (other objects with a ``user`` are not "self"): the entry
    they are confirmed as, by the rule of ``rtkeren.selectors.residents.own_entry``. A claimed or
    self-typed entry waiting for the RT chair is not yet anybody's "self"."""
    return isinstance(resident, Resident) and is_confirmed_as(user, resident)


sees_city = is_admin | is_city_viewer
is_government_of = is_officer_of | is_facilitator_of
is_chair_of = is_rt_chair_of | is_rw_chair_of
is_staff_of = sees_city | is_government_of | is_chair_of

# Residents: staff of the scope read; the officer of the kelurahan and the RT chair edit register
# data; only the officer of the kelurahan reveals a NIK (and each reveal is audited).
rules.add_perm("rtkeren.view_resident", is_staff_of | is_self)
rules.add_perm("rtkeren.change_resident", is_admin | is_officer_of | is_rt_chair_of)
rules.add_perm("rtkeren.verify_resident", is_officer_of | is_rt_chair_of)
# A move away, a move to another RT or a death is recorded where the resident lives now: by the
# chair of their RT or an officer of their kelurahan. The chair of the RT they move to then
# confirms their account there, as for a new registration.
rules.add_perm("rtkeren.record_resident_status", is_officer_of | is_rt_chair_of)
rules.add_perm("rtkeren.reveal_nik", is_officer_of)
# Finding a resident by a typed NIK tells whether that NIK is theirs: an officer searches by one
# only among the residents whose NIK they may reveal (their kelurahan's); the administrator, who
# finds a resident by exact NIK in the Django admin as well, the whole register
# (rtkeren.selectors.residents.resident_list).
rules.add_perm("rtkeren.search_nik", is_officer | is_admin)
# A birth date, next to the kecamatan, is most of a NIK: everyone else sees an age.
rules.add_perm("rtkeren.view_birth_date", is_officer_of | is_self)
rules.add_perm("rtkeren.view_history", is_admin | is_officer_of)
rules.add_perm("rtkeren.list_residents", is_staff_of_any_scope)
rules.add_perm("rtkeren.view_activity_history", is_admin | is_officer_of)


@rules.predicate
def manages_periods_in_admin(user):
    """A superuser, or staff allowed to change periods in the admin (the model permission)."""
    return bool(user.is_authenticated and user.is_active) and (
        user.is_superuser or (user.is_staff and user.has_perm("rtkeren.change_period"))
    )


# Closing a period freezes its scorecard for good: only those who run the admin's Period page.
rules.add_perm("rtkeren.close_period", manages_periods_in_admin)

# Activities. Who may see an activity, and who may make each transition of its state machine.
# When a transition may happen (status, frozen content, evaluation window, stage guards) is
# decided by rtkeren.transitions. can_view_activity and
# rtkeren.selectors.activities.activity_filter say the same, object by object, for every demo
# account (tests/core/test_filters_follow_rules.py).


@rules.predicate
def is_activity_author(user, activity):
    return activity is not None and user.is_authenticated and activity.author_id == user.pk


@rules.predicate
def is_activity_coordinator(user, activity):
    return activity is not None and transitions.is_coordinator(user, activity)


@rules.predicate
def is_before_approval(user, activity):
    return activity is not None and activity.status in (
        ActivityStatus.DRAFT,
        ActivityStatus.PROPOSED,
    )


@rules.predicate
def is_draft(user, activity):
    return activity is not None and activity.status == ActivityStatus.DRAFT


@rules.predicate
def is_kelurahan_wide(user, activity):
    return activity is not None and activity.rt_id is None


@rules.predicate
def lives_or_works_in_kelurahan(user, obj):
    place = scopes.place_of(obj)
    return place.kelurahan_id is not None and place.kelurahan_id in home_kelurahan_ids(user)


can_view_activity = (
    sees_city
    | is_government_of
    | is_chair_of
    | is_activity_author
    | (
        ~is_draft
        & (
            is_resident_of_rt
            | is_pokmas_member_of
            | is_community_lead_of
            | (is_kelurahan_wide & lives_or_works_in_kelurahan)
        )
    )
)
delivers_activity = is_rt_chair_of | is_activity_coordinator | is_officer_of

rules.add_perm("rtkeren.view_activity", can_view_activity)
rules.add_perm("rtkeren.propose_activity", is_activity_author)
rules.add_perm("rtkeren.withdraw_activity", is_activity_author)
rules.add_perm("rtkeren.approve_activity", is_officer_of)
rules.add_perm("rtkeren.reject_activity", is_officer_of)
# Which RTs pay how much of a kelurahan-wide activity (``activity_shares_set`` checks when).
rules.add_perm("rtkeren.share_activity", is_officer_of & is_kelurahan_wide)
rules.add_perm("rtkeren.start_delivery_activity", delivers_activity)
rules.add_perm("rtkeren.mark_delivered_activity", delivers_activity)
rules.add_perm("rtkeren.mark_evaluated_activity", is_officer_of)
rules.add_perm("rtkeren.cancel_activity", (is_activity_author & is_before_approval) | is_officer_of)

# Accounts: the lists of registrations to decide and of residents who may get a one-time
# password code (for those without e-mail) belong to RT chairs and officers; each decision and
# each code is for the chair of the resident's RT or an officer of the kelurahan.


@rules.predicate
def is_rt_chair_or_officer(user):
    return scopes.has_role(user, Role.RT_CHAIR, Role.OFFICER)


rules.add_perm("rtkeren.list_registrations", is_rt_chair_or_officer)
rules.add_perm("rtkeren.list_password_code_residents", is_rt_chair_or_officer)
rules.add_perm("rtkeren.issue_password_code", is_officer_of | is_rt_chair_of)

# Printable reports: the people who account for the RT's activities (its chair and Pokmas) and
# the kelurahan staff who check them; an activity's report also to its coordinators.
reads_rt_reports = sees_city | is_government_of | is_rt_chair_of | is_pokmas_member_of
rules.add_perm("rtkeren.view_activity_report", reads_rt_reports | is_activity_coordinator)
rules.add_perm("rtkeren.view_rt_report", reads_rt_reports)

# Exports: spreadsheets of a kelurahan for its officers, of the whole city (no permission
# object) for city viewers and admins. Each download is audited (rtkeren.services.exports).
rules.add_perm("rtkeren.list_exports", is_admin | is_city_viewer | is_officer)
rules.add_perm("rtkeren.export_data", sees_city | is_officer_of)

# Resident import: an officer imports residents into their own kelurahan. Asked without an
# object (the menu link, the upload page), the question is whether they are an officer at all.


@rules.predicate
def is_officer_of_or_any(user, obj):
    if obj is None:
        return is_officer(user)
    return is_officer_of(user, obj)


rules.add_perm("rtkeren.import_residents", is_officer_of_or_any)

# Audit: NIK reveals and exports are read by officers (their kelurahan's events only, see
# rtkeren.selectors.audit), city viewers and admins. The breach reach of an account (the residents
# whose data it could read) is for admins, and for an officer when every role and the resident
# record of the account sit in the officer's kelurahan: its reach then lies within data the officer
# already holds. Asked without an account (the page itself), the question is whether they are an
# officer at all.


@rules.predicate
def is_officer_of_account_reach(user, account):
    if account is None:
        return is_officer(user)
    kelurahan = account_kelurahan_ids(account)
    return bool(kelurahan) and kelurahan <= scopes.kelurahan_ids(user, Role.OFFICER)


rules.add_perm("rtkeren.view_audit", sees_city | is_officer)
rules.add_perm("rtkeren.view_breach_reach", is_admin | is_officer_of_account_reach)

# Privacy: the officers of the kelurahan list and complete residents' deletion requests (the
# object is the resident). Data Saya itself is always the logged-in person's own entry.
rules.add_perm("rtkeren.list_deletion_requests", is_officer)
rules.add_perm("rtkeren.complete_deletion_request", is_officer_of)

# Outgoing WhatsApp and SMS messages: the officers of the kelurahan see those to its residents
# (rtkeren.selectors.messages), the failed ones first, and send a failed one again.
rules.add_perm("rtkeren.list_outbound_messages", is_officer)
rules.add_perm("rtkeren.retry_outbound_message", is_officer_of)
