"""Co-commissioning: the register of local potentials and the forums that rank them.

Written only through ``commissioning.services``; read through ``commissioning.selectors``.
"""

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from rtkeren.models import RT, RW, ChoiceLabels, Interest, Kelurahan, Resident
from rtkeren.models.ledger_subjects import ledger_rows_relation
from rtkeren.places import with_held_places


class Category(models.TextChoices):
    CULTURE = "budaya", _("Culture (budaya)")
    ARTS = "seni", _("Arts (seni)")
    CULINARY = "kuliner", _("Culinary (kuliner)")
    CRAFTS = "kerajinan", _("Crafts (kerajinan)")
    RELIGIOUS = "keagamaan", _("Religious and interfaith")
    ECONOMY = "ekonomi", _("Economy")
    HUMAN_RESOURCES = "sdm", _("Human resources (SDM)")
    NATURE = "alam", _("Nature (alam)")
    OTHER = "lainnya", _("Other")


class PotentialQuerySet(models.QuerySet):
    def open(self):
        return self.filter(status=Potential.Status.OPEN)

    def with_places(self):
        """Its kelurahan and RT (with its RW), from the city's places (``rtkeren.places``)."""
        return with_held_places(self)


class Potential(ChoiceLabels, models.Model):
    """A potential of an RT or of the whole kelurahan (*potensi wilayah*)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Active")
        MERGED = "merged", _("Merged into another potential")
        ARCHIVED = "archived", _("Archived")

    kelurahan = models.ForeignKey(
        Kelurahan,
        verbose_name=_("kelurahan"),
        on_delete=models.PROTECT,
        related_name="potentials",
    )
    # Empty for a potential of the whole kelurahan.
    rt = models.ForeignKey(
        RT,
        verbose_name=_("RT"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="potentials",
    )
    title = models.CharField(_("title"), max_length=150)
    category = models.CharField(_("category"), max_length=12, choices=Category.choices)
    description = models.TextField(_("description"))
    interests = models.ManyToManyField(
        Interest, verbose_name=_("related interests"), blank=True, related_name="potentials"
    )
    photo = models.ImageField(_("photo"), upload_to="potensi/%Y/%m/", blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    # The author's entry in the resident register, when they have one: officers may have none.
    author_resident = models.ForeignKey(
        Resident,
        verbose_name=_("recorded by resident"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="potentials_recorded",
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.OPEN
    )
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_duplicates",
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    history = HistoricalRecords()
    objects = PotentialQuerySet.as_manager()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("potential")
        verbose_name_plural = _("potentials")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status="merged", merged_into__isnull=False)
                | (~models.Q(status="merged") & models.Q(merged_into__isnull=True)),
                name="potential_merged_has_target",
                violation_error_message=_("A merged potential names the one it was merged into."),
            ),
            models.CheckConstraint(
                condition=~models.Q(merged_into=models.F("pk")),
                name="potential_not_merged_into_itself",
                violation_error_message=_("A potential cannot be merged into itself."),
            ),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "status", "-created_at"], name="potential_kel"),
            models.Index(fields=["rt", "status"], name="potential_rt"),
        ]

    def __str__(self):
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN

    @property
    def place_name(self) -> str:
        return str(self.rt) if self.rt_id else _("Kelurahan %(name)s") % {"name": self.kelurahan}


class Endorsement(models.Model):
    """A resident saying "I endorse this" about a potential, once."""

    potential = models.ForeignKey(Potential, on_delete=models.CASCADE, related_name="endorsements")
    resident = models.ForeignKey(
        Resident, on_delete=models.CASCADE, related_name="potential_endorsements"
    )
    created_at = models.DateTimeField(_("endorsed at"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("endorsement")
        verbose_name_plural = _("endorsements")
        constraints = [
            models.UniqueConstraint(
                fields=["potential", "resident"],
                name="endorsement_once_per_resident",
                violation_error_message=_("You already endorse this potential."),
            )
        ]

    def __str__(self):
        return f"{self.resident} – {self.potential}"


class Element(models.TextChoices):
    """The elements of society a forum invites (*unsur masyarakat*)."""

    RELIGIOUS_LEADERS = "tokoh_agama", _("Religious leaders (tokoh agama)")
    COMMUNITY_LEADERS = "tokoh_masyarakat", _("Community leaders (tokoh masyarakat)")
    CHAIRS = "ketua_rt_rw", _("RT/RW chairs")
    LPMK = "lpmk", _("LPMK")
    PKK = "pkk", _("PKK")
    KARANG_TARUNA = "karang_taruna", _("Karang Taruna")
    CULTURAL_COMMUNITIES = "komunitas", _("Cultural communities")
    POKMAS = "pokmas", _("Pokmas")
    YOUTH = "pemuda", _("Youth (pemuda)")
    WOMEN = "perempuan", _("Women (perempuan)")
    ELDERLY = "lansia", _("Elderly (lansia)")
    DISABILITY = "disabilitas", _("People with disabilities")
    GENERAL = "warga_umum", _("Residents at large (warga umum)")


class ForumQuerySet(models.QuerySet):
    def with_places(self):
        """Its kelurahan, RW and RT (with its RW), from the city's places (``rtkeren.places``)."""
        return with_held_places(self)

    def upcoming(self, today: datetime.date | None = None):
        return self.filter(status=Forum.Status.SCHEDULED, date__gte=today or timezone.localdate())

    def covering_rt(self, rt: RT):
        """Forums of the RT itself, of its RW and of its whole kelurahan."""
        return self.filter(
            models.Q(rt=rt)
            | models.Q(rt__isnull=True, rw=rt.rw_id)
            | models.Q(rw__isnull=True, kelurahan=rt.rw.kelurahan_id)
        )


class Forum(ChoiceLabels, models.Model):
    """A *musyawarah* or *rembug warga* of an RT, an RW or the whole kelurahan.

    ``kelurahan`` is always set; ``rw`` for RW and RT forums; ``rt`` for RT forums only.
    """

    class Status(models.TextChoices):
        SCHEDULED = "scheduled", _("Scheduled")
        HELD = "held", _("Held")
        CANCELLED = "cancelled", _("Cancelled")

    title = models.CharField(_("title"), max_length=150)
    kelurahan = models.ForeignKey(
        Kelurahan, verbose_name=_("kelurahan"), on_delete=models.PROTECT, related_name="forums"
    )
    rw = models.ForeignKey(
        RW,
        verbose_name=_("RW"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forums",
    )
    rt = models.ForeignKey(
        RT,
        verbose_name=_("RT"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="forums",
    )
    date = models.DateField(_("date"))
    starts_at = models.TimeField(_("starts at"))
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    agenda = models.TextField(_("agenda"))
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.SCHEDULED
    )
    cancel_reason = models.CharField(_("reason for cancelling"), max_length=255, blank=True)
    minutes = models.TextField(_("minutes (berita acara)"), blank=True)
    decisions = models.TextField(_("decisions"), blank=True)
    minutes_recorded_at = models.DateTimeField(_("minutes recorded at"), null=True, blank=True)
    minutes_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("minutes recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    organiser = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)

    # The minutes and decisions are fields of the forum: their history is the forum's.
    history = HistoricalRecords()
    objects = ForumQuerySet.as_manager()

    # Its participation ledger rows go with it (``rtkeren.models.ledger_subjects``).
    ledger_rows = ledger_rows_relation()

    class Meta:
        ordering = ["-date", "-starts_at", "-pk"]
        verbose_name = _("forum")
        verbose_name_plural = _("forums")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rt__isnull=True) | models.Q(rw__isnull=False),
                name="forum_rt_forum_has_rw",
                violation_error_message=_("An RT's forum belongs to its RW too."),
            ),
            models.CheckConstraint(
                condition=models.Q(ends_at__isnull=True)
                | models.Q(ends_at__gt=models.F("starts_at")),
                name="forum_ends_after_start",
                violation_error_message=_("The forum must end after it starts."),
            ),
            models.CheckConstraint(
                condition=~models.Q(status="cancelled") | ~models.Q(cancel_reason=""),
                name="forum_cancel_has_reason",
                violation_error_message=_("Give the reason for cancelling the forum."),
            ),
        ]
        indexes = [
            models.Index(fields=["kelurahan", "status", "date"], name="forum_kel_status_date"),
        ]

    def __str__(self):
        return self.title

    @property
    def scope_name(self) -> str:
        if self.rt_id:
            return str(self.rt)
        if self.rw_id:
            return str(self.rw)
        return _("Kelurahan %(name)s") % {"name": self.kelurahan}


class InvitedElement(models.Model):
    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="invited_elements")
    element = models.CharField(_("element of society"), max_length=20, choices=Element.choices)

    class Meta:
        ordering = ["pk"]
        verbose_name = _("invited element")
        verbose_name_plural = _("invited elements")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "element"],
                name="invited_element_once",
                violation_error_message=_("This element of society is already invited."),
            ),
            models.CheckConstraint(
                condition=models.Q(element__in=Element.values),
                name="invited_element_known",
                violation_error_message=_("Choose an element of society from the list."),
            ),
        ]

    def __str__(self):
        return self.get_element_display()


class Attendance(models.Model):
    """Someone present at a forum: a resident from the register, or a named guest."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="attendances")
    resident = models.ForeignKey(
        Resident,
        verbose_name=_("resident"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="forum_attendances",
    )
    guest_name = models.CharField(_("guest's name"), max_length=150, blank=True)
    guest_origin = models.CharField(_("institution or origin"), max_length=150, blank=True)
    element = models.CharField(_("represents"), max_length=20, choices=Element.choices)
    # The resident's age on the forum's date, kept so that the share of young people stays what
    # it was at the forum, whoever reads it later.
    resident_age = models.PositiveSmallIntegerField(_("age at the forum"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    history = HistoricalRecords()

    class Meta:
        ordering = ["pk"]
        verbose_name = _("attendance")
        verbose_name_plural = _("attendances")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "resident"],
                condition=models.Q(resident__isnull=False),
                name="attendance_once_per_resident",
                violation_error_message=_("This resident is already on the attendance list."),
            ),
            models.CheckConstraint(
                condition=(
                    models.Q(resident__isnull=False, guest_name="", resident_age__isnull=False)
                    | (
                        models.Q(resident__isnull=True, resident_age__isnull=True)
                        & ~models.Q(guest_name="")
                    )
                ),
                name="attendance_resident_or_guest",
                violation_error_message=_("Someone present is either a resident or a named guest."),
            ),
            models.CheckConstraint(
                condition=models.Q(element__in=Element.values),
                name="attendance_element_known",
                violation_error_message=_("Choose an element of society from the list."),
            ),
        ]

    def __str__(self):
        return self.guest_name or str(self.resident)

    @property
    def name(self) -> str:
        return self.resident.name if self.resident_id else self.guest_name


class PriorityItem(models.Model):
    """One rank of a forum's priority list (*daftar skala prioritas*)."""

    forum = models.ForeignKey(Forum, on_delete=models.CASCADE, related_name="priorities")
    rank = models.PositiveSmallIntegerField(_("rank"))
    title = models.CharField(_("priority"), max_length=150)
    potential = models.ForeignKey(
        Potential,
        verbose_name=_("potential"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="priority_items",
    )
    note = models.CharField(_("note"), max_length=500, blank=True)

    class Meta:
        ordering = ["forum", "rank"]
        verbose_name = _("priority")
        verbose_name_plural = _("priority list")
        constraints = [
            models.UniqueConstraint(
                fields=["forum", "rank"],
                name="priority_rank_once",
                violation_error_message=_("Each rank is given once."),
            ),
            models.CheckConstraint(
                condition=models.Q(rank__gte=1),
                name="priority_rank_positive",
                violation_error_message=_("A rank starts at 1."),
            ),
        ]

    def __str__(self):
        return f"{self.rank}. {self.title}"
