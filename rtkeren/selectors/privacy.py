"""Reads for Data Saya and the kelurahan's list of deletion requests."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from rtkeren import scopes
from rtkeren.models import (
    Activity,
    CommunityMembership,
    Consent,
    DeletionRequest,
    Kelurahan,
    Notification,
    NotificationPreference,
    OutboundMessage,
    Participation,
    PokmasMembership,
    Resident,
    ResidentInterest,
    Role,
    RoleAssignment,
    User,
)
from rtkeren.registry import (
    PersonalSection,
    participation_kinds,
    participation_subjects,
    personal_data,
)
from rtkeren.selectors.residents import own_entry


def consent_in_force(purpose: str, resident_ref: str = "resident") -> Exists:
    """Whether the resident at ``resident_ref`` of the outer query has ``purpose`` in force."""
    return Exists(
        Consent.objects.in_force().filter(purpose=purpose, resident=OuterRef(resident_ref))
    )


@dataclass
class ConsentState:
    purpose: str
    label: str
    text: str
    current: Consent | None
    #: Data held without a consent record (an imported phone number) still counts as given, so
    #: the resident can withdraw it.
    in_force: bool


def _confirmed_own_entry(user: User) -> QuerySet:
    return Resident.objects.filter(own_entry(user))


def has_own_data(user: User) -> bool:
    # The resident the user acts as is such an entry: when the request has read it already
    # (the home page's attention list does), there is nothing to ask.
    if getattr(user, scopes.ACTING_RESIDENT_ATTRIBUTE, None) is not None:
        return True
    return _confirmed_own_entry(user).exists()


def own_resident(user: User) -> Resident | None:
    """The user's own register entry (see ``own_entry``) with everything Data Saya shows, in a fixed
    number of queries."""
    return (
        _confirmed_own_entry(user)
        .with_places()
        .prefetch_related(
            Prefetch(
                "interest_links",
                queryset=ResidentInterest.objects.select_related("interest").order_by(
                    "kind", "interest__name"
                ),
            ),
            Prefetch(
                "consents",
                queryset=Consent.objects.select_related("recorded_by", "withdrawn_by"),
            ),
            "deletion_requests",
        )
        .first()
    )


def consent_states(resident: Resident) -> list[ConsentState]:
    consents = list(resident.consents.all())
    held = {
        Consent.Purpose.RELIGION: bool(resident.religion),
        Consent.Purpose.PHONE: bool(resident.phone),
    }
    states = []
    for purpose in Consent.Purpose:
        current = next(
            (c for c in consents if c.purpose == purpose and c.withdrawn_at is None), None
        )
        states.append(
            ConsentState(
                purpose=purpose.value,
                label=purpose.label,
                text=str(Consent.TEXTS[purpose]),
                current=current,
                in_force=current is not None or held.get(purpose, False),
            )
        )
    return states


def own_participations(resident: Resident) -> QuerySet:
    return Participation.objects.filter(resident=resident).select_related(
        "activity", "content_type"
    )


def named_participations(rows: Iterable[Participation]) -> list[Participation]:
    """``rows`` (from ``own_participations``), each with ``subject_name``: the potential, forum
    or round it is about as its app names it, else its activity's title, else "". One query per
    kind of record named, whatever the number of rows."""
    rows = list(rows)
    names = participation_subjects.names(rows)
    for row in rows:
        name = names.get((row.content_type_id, row.object_id))
        if name is None and row.activity is not None:
            name = row.activity.title
        row.subject_name = name or ""
    return rows


def own_notification_count(user: User) -> int:
    return Notification.objects.filter(recipient=user).count()


def own_role_assignments(user: User) -> QuerySet:
    return RoleAssignment.objects.filter(user=user).select_related(
        "kota", "kelurahan", "rw__kelurahan", "rt__rw__kelurahan", "community"
    )


def deletion_requests_for(user: User) -> QuerySet:
    """Requests from residents of the kelurahan(s) where the user is an officer."""
    return (
        DeletionRequest.objects.filter(
            resident__rt__rw__kelurahan_id__in=scopes.kelurahan_ids(user, Role.OFFICER)
        )
        .select_related("resident__rt__rw__kelurahan", "completed_by")
        .order_by("status", "-requested_at", "-pk")
    )


def _yes_no(flag: bool) -> str:
    return _("Yes") if flag else _("No")


def _account_section(user: User) -> PersonalSection:
    return PersonalSection(
        key="account",
        title=_("Account"),
        rows=[
            {
                _("Username"): user.username,
                _("Name"): user.get_full_name(),
                _("E-mail"): user.email,
                _("Language"): user.get_language_display(),
                _("Notifications by e-mail"): _yes_no(user.email_notifications),
                _("Daily digest"): _yes_no(user.notification_digest),
                _("Joined on"): user.date_joined,
                _("Last login"): user.last_login,
            }
        ],
    )


class OwnNik(str):
    """The person's own NIK among their data: written in full in the file and on paper, but on
    screen only once they ask for it, as on every page that shows it (``own_nik.html``)."""


def _resident_rows(residents: list[Resident]) -> list[dict]:
    return [
        {
            _("Name"): resident.name,
            _("NIK"): OwnNik(resident.reveal_nik()),
            _("Family card number (No. KK)"): resident.kk_number,
            _("Sex"): resident.get_sex_display(),
            _("Birth date"): resident.birth_date,
            _("Religion"): resident.get_religion_display() if resident.religion else "",
            _("Address"): resident.address,
            _("Phone"): resident.phone,
            _("Occupation"): resident.occupation,
            _("RT"): f"{resident.rt.number:03d}",
            _("RW"): f"{resident.rt.rw.number:03d}",
            _("Kelurahan"): resident.rt.rw.kelurahan.name,
            _("Status"): resident.get_status_display(),
            _("Verification"): resident.get_verification_display(),
            _("Verified at"): resident.verified_at,
            _("Recorded on"): resident.created_at,
        }
        for resident in residents
    ]


def _core_sections(user: User, residents: list[Resident]) -> list[PersonalSection]:
    resident_ids = [resident.pk for resident in residents]
    interests = ResidentInterest.objects.filter(resident_id__in=resident_ids).select_related(
        "interest"
    )
    communities = CommunityMembership.objects.filter(resident_id__in=resident_ids).select_related(
        "community"
    )
    pokmas = PokmasMembership.objects.filter(resident_id__in=resident_ids).select_related(
        "pokmas__rt__rw"
    )
    participations = named_participations(
        Participation.objects.filter(resident_id__in=resident_ids)
        .select_related("activity", "content_type")
        .order_by("occurred_on", "pk")
    )
    proposals = Activity.objects.filter(
        Q(author=user) | Q(proposed_as_id__in=resident_ids)
    ).order_by("created_at", "pk")
    consents = Consent.objects.filter(resident_id__in=resident_ids).order_by("given_at", "pk")
    deletions = DeletionRequest.objects.filter(resident_id__in=resident_ids).order_by(
        "requested_at", "pk"
    )
    notifications = Notification.objects.filter(recipient=user).order_by("created_at", "pk")
    preferences = NotificationPreference.objects.filter(user=user).order_by("kind", "channel")
    outgoing = OutboundMessage.objects.filter(user=user).order_by("created_at", "pk")
    return [
        PersonalSection(
            key="role_assignments",
            title=_("Roles"),
            rows=[
                {
                    _("Role"): str(assignment),
                    _("From"): assignment.starts_on,
                    _("Until"): assignment.ends_on,
                }
                for assignment in own_role_assignments(user).order_by("starts_on", "pk")
            ],
        ),
        PersonalSection(
            key="interests",
            title=_("Interests, talents and skills"),
            rows=[
                {_("Kind"): link.get_kind_display(), _("Name"): link.interest.name}
                for link in interests.order_by("kind", "interest__name", "pk")
            ],
        ),
        PersonalSection(
            key="memberships",
            title=_("Community memberships"),
            rows=[
                {
                    _("Community"): membership.community.name,
                    _("Position"): membership.get_position_display(),
                    _("From"): membership.starts_on,
                    _("Until"): membership.ends_on,
                }
                for membership in communities.order_by("starts_on", "pk")
            ]
            + [
                {
                    _("Community"): membership.pokmas.name or str(membership.pokmas.rt),
                    _("Position"): membership.get_position_display(),
                    _("From"): membership.starts_on,
                    _("Until"): membership.ends_on,
                }
                for membership in pokmas.order_by("starts_on", "pk")
            ],
        ),
        PersonalSection(
            key="participation",
            title=_("My participation"),
            rows=[
                {
                    _("Date"): row.occurred_on,
                    _("Stage"): row.get_stage_display(),
                    _("Kind"): participation_kinds.label_of(row.kind),
                    _("About"): row.subject_name,
                    _("Recorded on your behalf"): _yes_no(row.on_behalf),
                }
                for row in participations
            ],
        ),
        PersonalSection(
            key="proposals",
            title=_("Proposals written"),
            rows=[
                {
                    _("Title"): activity.title,
                    _("Description"): activity.description,
                    _("Status"): activity.get_status_display(),
                    _("Written at"): activity.created_at,
                }
                for activity in proposals
            ],
        ),
        PersonalSection(
            key="consents",
            title=_("Consents"),
            rows=[
                {
                    _("Purpose"): consent.get_purpose_display(),
                    _("Text consented to"): consent.text,
                    _("Given at"): consent.given_at,
                    _("Withdrawn at"): consent.withdrawn_at,
                }
                for consent in consents
            ],
        ),
        PersonalSection(
            key="deletion_requests",
            title=_("Deletion requests"),
            rows=[
                {
                    _("Requested at"): deletion.requested_at,
                    _("Reason"): deletion.reason,
                    _("Status"): deletion.get_status_display(),
                    _("Completed at"): deletion.completed_at,
                }
                for deletion in deletions
            ],
        ),
        PersonalSection(
            key="notifications",
            title=_("Notifications"),
            rows=[
                {
                    _("Sent at"): notification.created_at,
                    _("Message"): notification.message,
                    _("Read at"): notification.read_at,
                }
                for notification in notifications
            ],
        ),
        PersonalSection(
            key="notification_preferences",
            title=_("Notification settings"),
            rows=[
                {
                    _("Kind"): preference.get_kind_display(),
                    _("Channel"): preference.get_channel_display(),
                    _("On"): _yes_no(preference.enabled),
                    _("Changed at"): preference.changed_at,
                }
                for preference in preferences
            ],
        ),
        PersonalSection(
            key="outbound_messages",
            title=_("Messages sent outside the portal"),
            rows=[
                {
                    _("Channel"): message.get_channel_display(),
                    _("Kind"): message.get_kind_display(),
                    _("Sent to"): message.address,
                    _("Message"): message.text,
                    _("Status"): message.get_status_display(),
                    _("Queued at"): message.created_at,
                    _("Sent at"): message.sent_at,
                }
                for message in outgoing
            ],
        ),
    ]


@dataclass
class OwnData:
    """What ``own_data`` finds: the sections, and the kelurahan of the person's register entry
    (None without one), which the audit of the download names."""

    sections: list[PersonalSection]
    kelurahan: Kelurahan | None


def own_data(user: User) -> OwnData:
    """Everything the portal holds about ``user``: the account, the register entry the user is
    confirmed as (``own_entry``; an entry merely claimed may be someone else's, so it is left
    out), and each app's records about them (``rtkeren.registry.personal_data``). A fixed number
    of queries, whatever the number of records."""
    residents = list(_confirmed_own_entry(user).with_places().order_by("pk"))
    resident_ids = [resident.pk for resident in residents]
    sections = [
        _account_section(user),
        PersonalSection(key="residents", title=_("Register data"), rows=_resident_rows(residents)),
        *_core_sections(user, residents),
    ]
    for _name, provider in personal_data.items():
        sections.extend(provider(user, resident_ids))
    kelurahan = residents[0].rt.rw.kelurahan if residents else None
    return OwnData(sections=sections, kelurahan=kelurahan)
