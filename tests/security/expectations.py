"""What every URL of the portal should answer to each demo account, keyed by URL name.

A URL name missing from ``EXPECTATIONS`` fails the crawler: a new page says who may see it
before it ships. ``allowed`` lists the accounts that get the page for an object of the home scope
(Kelurahan Blitar, the demo RT); every other logged-in account must get 403 or 404. For the
foreign scope (Kelurahan Pakunden) only the city-wide accounts in ``allowed`` may pass, unless
the URL is ``unscoped`` (a public page, the programme settings)."""

from dataclasses import dataclass, field

OK = "ok"  # the page, or a redirect that is not to the login page
DENIED = "denied"  # 403 or 404
REFUSED = "refused"  # 400, 409 or 429: a page that says why not
LOGIN = "login"  # a redirect to a login page
NOT_ALLOWED = "405"
ERROR = "500"


@dataclass(frozen=True)
class Expect:
    allowed: frozenset[str]
    # kwarg -> kind of object (see tests.security.world), or "=literal"
    kwargs: dict[str, str] = field(default_factory=dict)
    get: bool = True
    post: bool = False
    visitor: str = LOGIN
    # The object is not confined to a scope (a public page, the programme's settings).
    unscoped: bool = False
    query: str = ""
    # Who may POST, when fewer than may read the page.
    writers: frozenset[str] | None = None
    # Who may reach the foreign object, when it is not in Pakunden but in another RT of Blitar.
    foreign_allowed: frozenset[str] | None = None
    # Further answers acceptable from anyone.
    also: frozenset[str] = frozenset()


def accounts(names: str) -> frozenset[str]:
    return frozenset(names.split())


EVERYONE = accounts(
    "admin kota petugas pendamping ketua_rw ketua_rt ketua_rt2 komunitas warga petugas2 warga2 "
    "pendaftar1 pendaftar2 pendaftar3 pendaftar4 pengklaim"
)
# Waiting for the RT chair: self-registered, or claiming a register entry (pengklaim). Both are
# nobody yet and must get the same answers, or the portal tells whether a claim matched.
WAITING = accounts("pendaftar1 pendaftar2 pendaftar3 pendaftar4 pengklaim")
# Residents confirmed in the register: they have a Data Saya.
IN_THE_REGISTER = accounts("ketua_rt ketua_rt2 ketua_rw komunitas warga warga2")
# Everyone but those waiting for verification.
VERIFIED = EVERYONE - WAITING
NOBODY = frozenset()


def _table() -> dict[str, Expect]:
    E = Expect  # noqa: N806
    pk = {"pk": "activity"}
    return {
        # Pages of the core.
        "home": E(EVERYONE, visitor=OK),
        "healthz": E(EVERYONE, visitor=OK),
        "web-manifest": E(EVERYONE, visitor=OK),
        "service-worker": E(EVERYONE, visitor=OK),
        "offline": E(EVERYONE, visitor=OK),
        # Read from the phone itself: nothing personal on the page.
        "offline-queue": E(EVERYONE, visitor=OK),
        # Meta's delivery reports: no account passes; only a call signed with the app secret
        # (none in the tests) is read, and the handshake needs the verify token.
        "whatsapp-webhook": E(NOBODY, post=True, visitor=DENIED),
        "language-set": E(EVERYONE, get=False, post=True, visitor=OK),
        "login": E(EVERYONE, post=True, visitor=OK),
        "logout": E(EVERYONE, get=False, post=True, visitor=OK),
        "account-register": E(EVERYONE, post=True, visitor=OK),
        "account-profile": E(EVERYONE, post=True),
        # The feed's secret address is its only credential: whoever holds it reads the feed,
        # logged in or not (the world's address is warga's).
        "calendar-feed": E(EVERYONE, {"token": "calendar_token"}, unscoped=True, visitor=OK),
        "calendar-feed-create": E(EVERYONE, get=False, post=True),
        "calendar-feed-revoke": E(EVERYONE, get=False, post=True),
        "account-code-redeem": E(EVERYONE, post=True, visitor=OK),
        "account-code-phone": E(EVERYONE, post=True, visitor=OK),
        "account-code-list": E(accounts("ketua_rt ketua_rt2 petugas petugas2")),
        "account-code-issue": E(
            accounts("ketua_rt petugas"), {"pk": "account_resident"}, get=False, post=True
        ),
        "verification-list": E(accounts("ketua_rt ketua_rt2 petugas petugas2")),
        # The foreign registration waits in the other RT of Blitar: its chair and the
        # kelurahan's officer decide it.
        "verification-verify": E(
            accounts("ketua_rt petugas"),
            {"pk": "pending_resident"},
            get=False,
            post=True,
            foreign_allowed=accounts("ketua_rt2 petugas"),
        ),
        "verification-reject": E(
            accounts("ketua_rt petugas"),
            {"pk": "pending_resident"},
            post=True,
            foreign_allowed=accounts("ketua_rt2 petugas"),
        ),
        "verification-nik-check": E(
            accounts("ketua_rt petugas"),
            {"pk": "pending_resident"},
            post=True,
            foreign_allowed=accounts("ketua_rt2 petugas"),
        ),
        "password_change": E(EVERYONE, post=True),
        "password_change_done": E(EVERYONE),
        "password_reset": E(EVERYONE, post=True, visitor=OK),
        "password_reset_done": E(EVERYONE, visitor=OK),
        "password_reset_confirm": E(
            EVERYONE, {"uidb64": "=MQ", "token": "=set-password"}, post=True, visitor=OK
        ),
        "password_reset_complete": E(EVERYONE, visitor=OK),
        "resident-import": E(accounts("petugas petugas2"), post=True),
        "resident-import-template": E(accounts("petugas petugas2"), {"file_format": "=csv"}),
        "resident-import-detail": E(accounts("petugas"), {"pk": "import_job"}),
        "resident-import-run": E(accounts("petugas"), {"pk": "import_job"}, get=False, post=True),
        "resident-list": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw kota pendamping petugas petugas2"),
            post=True,
            # Only officers and the administrator search by NIK, among the residents whose
            # NIK they may reveal.
            writers=accounts("admin petugas petugas2"),
        ),
        "resident-detail": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas"), {"pk": "resident"}
        ),
        "resident-history": E(accounts("admin petugas"), {"pk": "resident"}),
        "resident-nik-reveal": E(accounts("petugas"), {"pk": "resident"}, get=False, post=True),
        # A move or a death is recorded by the chair of the resident's RT or an officer of the
        # kelurahan; the superuser uses the admin.
        "resident-status-change": E(accounts("ketua_rt petugas"), {"pk": "resident"}, post=True),
        "notification-list": E(EVERYONE),
        "notification-read-all": E(EVERYONE, get=False, post=True),
        "notification-read": E(accounts("warga"), {"pk": "notification"}, get=False, post=True),
        # Always the logged-in account's own choices (no id in the URL).
        "notification-preferences": E(EVERYONE, post=True),
        "activity-list": E(EVERYONE),
        "activity-detail": E(accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), pk),
        "activity-transition": E(
            accounts("petugas"), {"pk": "activity", "to_status": "=cancelled"}, get=False, post=True
        ),
        "activity-history": E(accounts("admin petugas"), pk),
        # The change history of a stage record: the kelurahan's officer and the administrator.
        "spending-history": E(accounts("admin petugas"), {"pk": "spending"}),
        "output-history": E(accounts("admin petugas"), {"pk": "output"}),
        "meeting-history": E(accounts("admin petugas"), {"pk": "meeting"}),
        "forum-history": E(accounts("admin petugas"), {"pk": "forum"}),
        "potential-history": E(accounts("admin petugas"), {"pk": "potential"}),
        "export-list": E(accounts("admin kota petugas petugas2")),
        "export-download": E(
            accounts("admin kota petugas"), {"name": "export_name"}, query="?kelurahan={kelurahan}"
        ),
        # The API: open data for anyone; the exports as JSON for the same people as the sheets
        # (a visitor gets 401, which the crawler counts as denied).
        "api-v1:api-root": E(EVERYONE, visitor=DENIED, also=frozenset({DENIED})),
        "api-v1:openapi-json": E(EVERYONE, visitor=OK),
        "api-v1:datasets": E(EVERYONE, visitor=OK),
        "api-v1:dataset": E(EVERYONE, {"name": "=scorecards"}, visitor=OK, unscoped=True),
        "api-v1:export_list": E(EVERYONE, visitor=DENIED),
        "api-v1:export": E(
            accounts("admin kota petugas"),
            {"name": "export_name"},
            query="?kelurahan={kelurahan}",
            visitor=DENIED,
        ),
        "audit-nik-reveals": E(accounts("admin kota petugas petugas2")),
        "audit-exports": E(accounts("admin kota petugas petugas2")),
        "audit-breach-reach": E(accounts("admin petugas petugas2")),
        "report-activity": E(accounts("admin ketua_rt kota pendamping petugas"), pk),
        "report-rt": E(accounts("admin ketua_rt kota pendamping petugas"), {"pk": "rt"}),
        "public-kelurahan-list": E(EVERYONE, visitor=OK),
        "open-data": E(EVERYONE, visitor=OK),
        "search": E(EVERYONE, query="?q=warga"),
        "open-data-download": E(
            EVERYONE, {"name": "=activities", "file_format": "=json"}, visitor=OK, unscoped=True
        ),
        "public-kelurahan": E(EVERYONE, {"code": "kelurahan_code"}, visitor=OK, unscoped=True),
        "public-spending": E(EVERYONE, {"code": "kelurahan_code"}, visitor=OK, unscoped=True),
        # Not every attendee of the demo meeting agreed to photos: its photo is public to none.
        "public-photo": E(NOBODY, {"pk": "meeting_photo"}, visitor=DENIED),
        "privacy-notice": E(EVERYONE, visitor=OK),
        "data-saya": E(IN_THE_REGISTER),
        # Always about the logged-in account (no id in the URL): an account without a register
        # entry takes its account data away.
        "own-data": E(EVERYONE),
        "own-data-file": E(EVERYONE),
        "consent-change": E(
            IN_THE_REGISTER,
            get=False,
            post=True,
        ),
        "correction-request": E(
            IN_THE_REGISTER,
            get=False,
            post=True,
        ),
        "deletion-request-create": E(
            IN_THE_REGISTER,
            get=False,
            post=True,
        ),
        "deletion-request-list": E(accounts("petugas petugas2")),
        # Outgoing WhatsApp and SMS messages to the kelurahan's residents, and sending a failed
        # one again: its officers.
        "outbound-message-list": E(accounts("petugas petugas2")),
        "outbound-message-retry": E(
            accounts("petugas"), {"pk": "outbound_message"}, get=False, post=True
        ),
        "deletion-request-complete": E(
            accounts("petugas"), {"pk": "deletion_request"}, get=False, post=True
        ),
        # Co-commissioning.
        "commissioning:kelurahan-list": E(EVERYONE),
        "commissioning:kelurahan-detail": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "kelurahan"},
        ),
        "commissioning:potential-list": E(EVERYONE),
        "commissioning:potential-create": E(
            accounts("ketua_rt ketua_rt2 ketua_rw komunitas petugas petugas2 warga warga2"),
            post=True,
        ),
        "commissioning:potential-detail": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "potential"},
        ),
        "commissioning:potential-photo": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "potential"},
        ),
        "commissioning:potential-update": E(
            accounts("petugas warga"), {"pk": "potential"}, post=True
        ),
        "commissioning:potential-endorse": E(
            accounts("ketua_rt ketua_rt2 ketua_rw komunitas"),
            {"pk": "potential"},
            get=False,
            post=True,
        ),
        "commissioning:potential-unendorse": E(
            accounts("ketua_rt ketua_rt2 ketua_rw komunitas"),
            {"pk": "potential"},
            get=False,
            post=True,
        ),
        "commissioning:potential-merge": E(accounts("petugas"), {"pk": "potential"}, post=True),
        "commissioning:potential-archive": E(
            accounts("petugas"), {"pk": "potential"}, get=False, post=True
        ),
        "commissioning:forum-list": E(EVERYONE),
        "commissioning:forum-create": E(
            accounts("ketua_rt ketua_rt2 ketua_rw petugas petugas2"), post=True
        ),
        "commissioning:forum-detail": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "forum"},
        ),
        "commissioning:forum-calendar": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "forum"},
        ),
        "commissioning:forum-update": E(NOBODY, {"pk": "forum"}, post=True),
        "commissioning:forum-cancel": E(NOBODY, {"pk": "forum"}, get=False, post=True),
        "commissioning:forum-attendance": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "forum"}, post=True
        ),
        "commissioning:forum-attendance-submit": E(
            accounts("ketua_rt ketua_rw petugas"),
            {"pk": "forum"},
            get=False,
            post=True,
            also=frozenset({REFUSED}),
        ),
        "commissioning:forum-minutes": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "forum"}, post=True
        ),
        "commissioning:forum-priorities": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "forum"}, post=True
        ),
        "commissioning:forum-print-attendance": E(
            accounts("admin ketua_rt ketua_rw pendamping petugas"), {"pk": "forum"}
        ),
        "commissioning:forum-print-minutes": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "forum"},
        ),
        # Co-designing.
        "designing:proposal-list": E(EVERYONE),
        "designing:proposal-create": E(
            accounts("ketua_rt ketua_rt2 ketua_rw komunitas warga warga2"), post=True
        ),
        "designing:proposal-detail": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"pk": "proposal"}
        ),
        "designing:proposal-update": E(NOBODY, {"pk": "proposal"}, post=True),
        "designing:proposal-status": E(
            accounts("ketua_rt"), {"pk": "proposal", "to_status": "=draft"}, get=False, post=True
        ),
        "designing:proposal-review": E(
            accounts("petugas"), {"pk": "proposal"}, get=False, post=True
        ),
        # Only the kelurahan's officer decides the shares (the administrator changes them in the
        # Django admin).
        "designing:proposal-shares": E(accounts("petugas"), {"pk": "wide_proposal"}, post=True),
        "designing:comment-create": E(
            accounts("ketua_rt ketua_rw pendamping petugas warga"),
            {"pk": "proposal"},
            get=False,
            post=True,
        ),
        "designing:comment-hide": E(accounts("petugas"), {"pk": "comment"}, get=False, post=True),
        "designing:comment-restore": E(
            accounts("petugas"), {"pk": "comment"}, get=False, post=True
        ),
        "designing:budgetplan-list": E(EVERYONE),
        "designing:budgetplan-detail": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"rt": "rt"}
        ),
        "designing:budgetplan-download": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"rt": "rt"}
        ),
        "designing:round-list": E(EVERYONE),
        "designing:round-create": E(accounts("petugas petugas2"), post=True),
        "designing:round-detail": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "voting_round"},
        ),
        "designing:vote-create": E(
            accounts("ketua_rt warga"),
            {"pk": "voting_round", "activity": "round_proposal"},
            get=False,
            post=True,
        ),
        "designing:vote-delete": E(
            accounts("ketua_rt warga"),
            {"pk": "voting_round", "activity": "round_proposal"},
            get=False,
            post=True,
        ),
        "designing:round-announce": E(NOBODY, {"pk": "voting_round"}, get=False, post=True),
        # Only the officer who opened the round.
        "designing:round-update": E(accounts("petugas"), {"pk": "voting_round"}, post=True),
        "designing:round-cancel": E(
            accounts("petugas"), {"pk": "voting_round"}, get=False, post=True
        ),
        # Co-delivery.
        "delivery:activity-list": E(EVERYONE),
        "delivery:activity-detail": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), pk
        ),
        "delivery:activity-transition": E(
            accounts("ketua_rt petugas"),
            {"pk": "activity", "to": "=delivered"},
            get=False,
            post=True,
        ),
        "delivery:meeting-create": E(accounts("ketua_rt petugas"), pk, post=True),
        "delivery:implementer-list": E(accounts("ketua_rt petugas"), pk, post=True),
        "delivery:output-create": E(accounts("ketua_rt petugas"), pk, post=True),
        "delivery:committee": E(
            accounts("admin ketua_rt kota pendamping petugas"),
            pk,
            post=True,
            writers=accounts("ketua_rt petugas"),
        ),
        "delivery:spending-list": E(
            accounts("admin ketua_rt kota pendamping petugas"),
            pk,
            post=True,
            writers=accounts("ketua_rt petugas"),
        ),
        "delivery:meeting-detail": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"pk": "meeting"}
        ),
        "delivery:meeting-calendar": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"pk": "meeting"}
        ),
        "delivery:meeting-update": E(accounts("ketua_rt petugas"), {"pk": "meeting"}, post=True),
        "delivery:meeting-attendance": E(
            accounts("ketua_rt petugas"),
            {"pk": "meeting"},
            post=True,
            writers=accounts("ketua_rt petugas"),
        ),
        # JSON for the phone's offline queue: an empty body is refused (400) to those allowed.
        "delivery:meeting-attendance-submit": E(
            accounts("ketua_rt petugas"),
            {"pk": "meeting"},
            get=False,
            post=True,
            also=frozenset({REFUSED}),
        ),
        "delivery:meeting-qr": E(accounts("ketua_rt petugas"), {"pk": "meeting"}),
        # Found by the signed token of its QR code, not within a scope; outside the meeting's
        # hours everyone gets a page that says so.
        "delivery:meeting-checkin": E(
            NOBODY,
            {"pk": "meeting", "token": "checkin_token"},
            post=True,
            unscoped=True,
            also=frozenset({REFUSED}),
        ),
        "delivery:meeting-print": E(
            accounts("admin ketua_rt kota pendamping petugas"), {"pk": "meeting"}
        ),
        "delivery:photo-create": E(
            accounts("ketua_rt petugas"), {"pk": "meeting"}, get=False, post=True
        ),
        # The demo meeting's attendees have not all agreed to photos being shown: its photos
        # stay with those who keep the records.
        "delivery:photo-file": E(
            accounts("admin ketua_rt kota pendamping petugas"), {"pk": "meeting_photo"}
        ),
        "delivery:receipt-file": E(
            accounts("admin ketua_rt kota pendamping petugas"), {"pk": "spending"}
        ),
        "delivery:implementer-delete": E(
            accounts("ketua_rt petugas"), {"pk": "implementer"}, get=False, post=True
        ),
        "delivery:output-update": E(accounts("ketua_rt petugas"), {"pk": "output"}, post=True),
        "delivery:task-list": E(EVERYONE),
        "delivery:task-done": E(
            accounts("ketua_rt petugas warga"), {"pk": "task"}, get=False, post=True
        ),
        "delivery:rt-spending": E(accounts("admin ketua_rt kota pendamping petugas"), {"pk": "rt"}),
        "delivery:report-lpj": E(accounts("admin ketua_rt kota pendamping petugas"), {"pk": "rt"}),
        # Co-assessment.
        "assessment:evaluation-list": E(EVERYONE),
        "assessment:evaluation-summary": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"),
            {"pk": "delivered_activity"},
        ),
        "assessment:evaluation-edit": E(
            accounts("ketua_rt ketua_rw pendamping petugas warga"),
            {"pk": "delivered_activity"},
            post=True,
        ),
        "assessment:evaluation-submit": E(
            accounts("ketua_rt ketua_rw pendamping petugas warga"),
            {"pk": "delivered_activity"},
            get=False,
            post=True,
            also=frozenset({REFUSED}),
        ),
        "assessment:evaluation-record": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "delivered_activity"}, post=True
        ),
        "assessment:evaluation-update": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "evaluation"}, post=True
        ),
        "assessment:followup-create": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "delivered_activity"}, post=True
        ),
        "assessment:followup-list": E(EVERYONE),
        "assessment:followup-detail": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"pk": "followup"}
        ),
        "assessment:followup-update": E(
            accounts("ketua_rt ketua_rw petugas"), {"pk": "followup"}, post=True
        ),
        "assessment:round-list": E(EVERYONE),
        "assessment:round-create": E(accounts("petugas petugas2"), post=True),
        "assessment:round-detail": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "evaluation_round"},
        ),
        "assessment:round-attendance": E(
            accounts("petugas"),
            {"pk": "evaluation_round"},
            post=True,
            writers=accounts("petugas"),
        ),
        "assessment:round-close": E(
            accounts("petugas"), {"pk": "evaluation_round"}, get=False, post=True
        ),
        "assessment:scorecard-home": E(VERIFIED),
        "assessment:scorecard-city": E(accounts("admin kota")),
        "assessment:scorecard-kelurahan": E(
            accounts("admin ketua_rt ketua_rt2 ketua_rw komunitas kota pendamping petugas warga"),
            {"pk": "kelurahan"},
        ),
        "assessment:scorecard-rt": E(
            accounts("admin ketua_rt ketua_rw kota pendamping petugas warga"), {"pk": "rt"}
        ),
        # One programme period for the whole city: only the administrator sets its thresholds.
        "assessment:scorecard-thresholds": E(
            accounts("admin"), {"pk": "period"}, post=True, unscoped=True
        ),
    }


EXPECTATIONS = _table()
