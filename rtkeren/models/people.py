"""Residents and what they bring: interests, talents and skills."""

import datetime

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.core.validators import RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rtkeren import nik as nik_codec

from .choices import ChoiceLabels
from .wilayah import RT

ADULT_AGE = 17


class User(AbstractUser):
    """An account on the portal. What a person may do comes from their role assignments."""

    language = models.CharField(
        _("language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default=settings.LANGUAGE_CODE,
        help_text=_("The language the portal speaks to this person."),
    )
    email_notifications = models.BooleanField(
        _("notifications by e-mail"),
        default=True,
        help_text=_("Also send this person's notifications to their e-mail address, if any."),
    )
    notification_digest = models.BooleanField(
        _("daily digest"),
        default=False,
        help_text=_(
            "Send one message a day with everything new, instead of a message for each "
            "notification, by e-mail, WhatsApp and SMS."
        ),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.get_full_name() or self.username

    #: Where an account read from the cache keeps its session hash (``rtkeren.auth_backends``).
    CACHED_SESSION_HASH = "_cached_session_auth_hash"

    def get_session_auth_hash(self):
        """Django's HMAC of the password hash; for an account read from the cache, which holds
        no password hash, the HMAC computed when it was cached, as long as the password has
        not been loaded or set since."""
        if "password" not in self.__dict__ and self.CACHED_SESSION_HASH in self.__dict__:
            return self.__dict__[self.CACHED_SESSION_HASH]
        return super().get_session_auth_hash()


class Interest(models.Model):
    """A tag for minat, bakat or keterampilan, shared by residents and activities."""

    slug = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name = _("interest")
        verbose_name_plural = _("interests")

    def __str__(self):
        return self.name


def years_between(born: datetime.date, on: datetime.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def adult_born_on_or_before(on: datetime.date) -> datetime.date:
    """The latest birth date of someone who is ADULT_AGE or older on the given day."""
    try:
        return on.replace(year=on.year - ADULT_AGE)
    except ValueError:  # 29 February
        return on.replace(year=on.year - ADULT_AGE, day=28)


class ResidentQuerySet(models.QuerySet):
    def in_kelurahan(self, kelurahan):
        return self.filter(rt__rw__kelurahan=kelurahan)

    def active(self):
        return self.filter(status=Resident.Status.ACTIVE)

    def verified(self):
        return self.filter(verification=Resident.Verification.VERIFIED)

    def adults(self, on: datetime.date | None = None):
        on = on or timezone.localdate()
        return self.filter(birth_date__lte=adult_born_on_or_before(on))

    def with_places(self):
        return self.select_related("rt__rw__kelurahan")

    def with_nik(self, nik: str):
        return self.filter(nik_digest=nik_codec.nik_digest(nik))


class Resident(ChoiceLabels, models.Model):
    """A person in the resident register (*warga*), with or without an account."""

    class Sex(models.TextChoices):
        MALE = "L", _("Male")
        FEMALE = "P", _("Female")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        MOVED = "moved", _("Moved away")
        DECEASED = "deceased", _("Deceased")

    class Verification(models.TextChoices):
        PENDING = "pending", _("Waiting for verification")
        VERIFIED = "verified", _("Verified")
        REJECTED = "rejected", _("Rejected")

    class Religion(models.TextChoices):
        ISLAM = "1", _("Islam")
        KRISTEN = "2", _("Christian (Protestant)")
        KATOLIK = "3", _("Catholic")
        HINDU = "4", _("Hindu")
        BUDDHA = "5", _("Buddhist")
        KHONGHUCU = "6", _("Confucian")
        KEPERCAYAAN = "7", _("Belief in the One Almighty God (Kepercayaan)")
        UNDISCLOSED = "9", _("Prefer not to say")

    name = models.CharField(_("name"), max_length=150)
    # Both empty only for an anonymised resident, who keeps no NIK at all.
    nik_ciphertext = models.TextField(_("NIK (encrypted)"), blank=True, editable=False)
    nik_digest = models.CharField(_("NIK keyed hash"), max_length=64, blank=True, editable=False)
    kk_number = models.CharField(
        _("family card number (No. KK)"),
        max_length=16,
        blank=True,
        validators=[
            RegexValidator(
                r"^[1-9]\d{15}$",
                _("A family card number has 16 digits and does not start with 0."),
            )
        ],
    )
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    # Null only for an anonymised resident; forms still require it.
    birth_date = models.DateField(_("birth date"), null=True)
    rt = models.ForeignKey(
        RT, verbose_name=_("RT"), on_delete=models.PROTECT, related_name="residents"
    )
    address = models.CharField(_("address"), max_length=255, blank=True)
    phone = models.CharField(
        _("phone"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(r"^\+[1-9]\d{6,14}$", _("Enter a phone number."))],
        help_text=_("Stored in international form, e.g. +6281234567890."),
    )
    registration_phone = models.CharField(
        _("phone given at registration"),
        max_length=16,
        blank=True,
        validators=[RegexValidator(r"^\+[1-9]\d{6,14}$", _("Enter a phone number."))],
        help_text=_(
            "Held until the RT chair verifies the registration, then copied to the phone unless "
            "another account uses that number."
        ),
    )
    occupation = models.CharField(_("occupation"), max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    status_changed_on = models.DateField(
        _("status changed on"),
        null=True,
        blank=True,
        help_text=_("The day the resident moved away, moved to this RT or died, when recorded."),
    )
    religion = models.CharField(_("religion"), max_length=1, choices=Religion.choices, blank=True)
    religion_consent_at = models.DateTimeField(
        _("religion consent given at"), null=True, blank=True
    )
    interests = models.ManyToManyField(
        Interest,
        through="ResidentInterest",
        related_name="residents",
        verbose_name=_("interests, talents and skills"),
        blank=True,
    )
    verification = models.CharField(
        _("verification"),
        max_length=10,
        choices=Verification.choices,
        default=Verification.PENDING,
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=255, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident",
        verbose_name=_("account"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # The keyed hash tells the history that the NIK changed, without a digit of it.
    history = HistoricalRecords(excluded_fields=["nik_ciphertext"])
    objects = ResidentQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("resident")
        verbose_name_plural = _("residents")
        constraints = [
            # Pending self-registrations may repeat a NIK (the RT chair sorts them out); the
            # register itself never holds one NIK twice. Anonymised residents hold none.
            models.UniqueConstraint(
                fields=["nik_digest"],
                condition=models.Q(verification="verified") & ~models.Q(nik_digest=""),
                name="resident_unique_verified_nik",
                violation_error_message=_(
                    "A verified resident with this NIK is already in the register."
                ),
            ),
            models.CheckConstraint(
                condition=~models.Q(religion="") | models.Q(religion_consent_at__isnull=True),
                name="resident_no_religion_consent_without_religion",
                violation_error_message=_("Consent to record a religion needs the religion."),
            ),
            models.CheckConstraint(
                condition=models.Q(religion="") | models.Q(religion_consent_at__isnull=False),
                name="resident_religion_needs_consent",
                violation_error_message=_(
                    "A religion is recorded only with the resident's consent."
                ),
            ),
        ]
        indexes = [
            models.Index(fields=["nik_digest"], name="resident_nik_digest"),
            models.Index(fields=["rt", "status", "birth_date"], name="resident_rt_status_birth"),
            models.Index(fields=["rt", "verification"], name="resident_rt_verification"),
            # Names found in free text before it is published (``rtkeren.redact``).
            models.Index(Lower("name"), name="resident_name_lower"),
        ]

    def __str__(self):
        return self.name

    def set_nik(self, value: str) -> None:
        nik = nik_codec.normalize_nik(value)
        self.nik_ciphertext = nik_codec.encrypt_nik(nik)
        self.nik_digest = nik_codec.nik_digest(nik)

    def reveal_nik(self) -> str:
        """The full NIK ("" for an anonymised resident). Callers must have checked the right to
        see it and audited the reveal."""
        return nik_codec.decrypt_nik(self.nik_ciphertext) if self.nik_ciphertext else ""

    @property
    def has_nik(self) -> bool:
        return bool(self.nik_ciphertext)

    @property
    def is_verified(self) -> bool:
        return self.verification == self.Verification.VERIFIED

    def age(self, on: datetime.date | None = None) -> int | None:
        if self.birth_date is None:
            return None
        return years_between(self.birth_date, on or timezone.localdate())

    def is_adult(self, on: datetime.date | None = None) -> bool:
        age = self.age(on)
        return age is not None and age >= ADULT_AGE


class ResidentInterest(models.Model):
    class Kind(models.TextChoices):
        INTEREST = "minat", _("Interest (minat)")
        TALENT = "bakat", _("Talent (bakat)")
        SKILL = "keterampilan", _("Skill (keterampilan)")

    resident = models.ForeignKey(Resident, on_delete=models.CASCADE, related_name="interest_links")
    interest = models.ForeignKey(Interest, on_delete=models.PROTECT, related_name="resident_links")
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.INTEREST)

    class Meta:
        verbose_name = _("resident's interest")
        verbose_name_plural = _("residents' interests")
        constraints = [
            models.UniqueConstraint(
                fields=["resident", "interest", "kind"],
                name="resident_interest_unique",
                violation_error_message=_("This interest is already on the resident's list."),
            )
        ]

    def __str__(self):
        return f"{self.interest} ({self.get_kind_display()})"
