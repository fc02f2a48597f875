from .accounts import PASSWORD_CODE_MAX_ATTEMPTS, PasswordCode
from .activities import (
    FINAL_STATUSES,
    Activity,
    ActivityShare,
    ActivityStatus,
    ActivityTransition,
    BudgetLine,
)
from .audit import ExportAudit, NikCheck, NikReveal, ResidentStatusChange
from .calendars import CalendarFeed
from .choices import ChoiceLabels
from .communities import Community, CommunityMembership, Pokmas, PokmasMembership, Position
from .imports import ImportJob
from .ledger import BaseEntry, Participation, Stage
from .notifications import (
    PHONE_CHANNELS,
    Channel,
    DeliveryReport,
    Notification,
    NotificationKind,
    NotificationPreference,
    OutboundMessage,
    ReminderSent,
)
from .offline import OfflineSubmission
from .people import ADULT_AGE, Interest, Resident, ResidentInterest, User
from .periods import Period, RtCeiling
from .privacy import Consent, DeletionRequest
from .roles import ROLE_SCOPE, Role, RoleAssignment
from .wilayah import RT, RW, Kecamatan, Kelurahan, Kota

__all__ = [
    "ChoiceLabels",
    "ADULT_AGE",
    "FINAL_STATUSES",
    "PASSWORD_CODE_MAX_ATTEMPTS",
    "ROLE_SCOPE",
    "RT",
    "RW",
    "Activity",
    "ActivityShare",
    "ActivityStatus",
    "ActivityTransition",
    "BaseEntry",
    "BudgetLine",
    "CalendarFeed",
    "Community",
    "CommunityMembership",
    "Consent",
    "DeletionRequest",
    "ExportAudit",
    "ImportJob",
    "Interest",
    "Kecamatan",
    "Kelurahan",
    "Kota",
    "NikCheck",
    "NikReveal",
    "Notification",
    "NotificationKind",
    "NotificationPreference",
    "OfflineSubmission",
    "OutboundMessage",
    "ReminderSent",
    "DeliveryReport",
    "Channel",
    "PHONE_CHANNELS",
    "Participation",
    "PasswordCode",
    "Period",
    "Pokmas",
    "PokmasMembership",
    "Position",
    "Resident",
    "ResidentInterest",
    "ResidentStatusChange",
    "Role",
    "RoleAssignment",
    "RtCeiling",
    "Stage",
    "User",
]
