"""A resident's ledger rows about every kind of record Data Saya names, as the stages write them."""

from assessment.services import KIND_EVALUATION_FORUM_ATTENDED
from commissioning.services import KIND_FORUM_ATTENDED, KIND_POTENTIAL_RECORDED
from delivery.services import KIND_ATTENDED
from designing.services import KIND_VOTED
from rtkeren.services.ledger import participation_record
from tests import factories
from tests.assessment.factories import EvaluationRoundFactory
from tests.commissioning.factories import ForumFactory, PotentialFactory
from tests.delivery.factories import AttendanceFactory
from tests.designing.factories import VotingRoundFactory


def take_part_in_everything(resident, period, *, number: int = 1) -> list[str]:
    """``number`` rows of each kind of record: a potential recorded, a forum and an evaluation
    forum attended, a vote cast in a round, a meeting of an activity attended. Gives the names
    the rows should show, the newest first."""
    rt = resident.rt
    kelurahan = rt.rw.kelurahan
    names = []
    for index in range(number):
        potential = PotentialFactory(rt=rt, title=f"Sanggar tari Kenanga {index}")
        forum = ForumFactory(rt=rt, title=f"Musyawarah potensi RT {index}")
        voting_round = VotingRoundFactory(rt=rt, period=period, title=f"Pemilihan usulan {index}")
        evaluation_round = EvaluationRoundFactory(
            kelurahan=kelurahan, period=period, title=f"Evaluasi triwulan {index}"
        )
        activity = factories.ActivityFactory(rt=rt, period=period, title=f"Kelas membatik {index}")
        attendance = AttendanceFactory(meeting__activity=activity, resident=resident)
        for kind, subject in (
            (KIND_POTENTIAL_RECORDED, potential),
            (KIND_FORUM_ATTENDED, forum),
            (KIND_VOTED, voting_round),
            (KIND_EVALUATION_FORUM_ATTENDED, evaluation_round),
        ):
            participation_record(resident=resident, kind=kind, subject=subject, period=period)
        participation_record(
            resident=resident, kind=KIND_ATTENDED, subject=attendance, activity=activity
        )
        names = [
            activity.title,
            evaluation_round.title,
            voting_round.title,
            forum.title,
            potential.title,
            *names,
        ]
    return names
