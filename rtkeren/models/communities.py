"""Cultural communities and the Pokmas of each RT, with their members' positions."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .people import Interest, Resident
from .wilayah import RT, Kelurahan


class Position(models.TextChoices):
    CHAIR = "ketua", _("Chair (Ketua)")
    VICE_CHAIR = "wakil_ketua", _("Vice chair (Wakil Ketua)")
    SECRETARY = "sekretaris", _("Secretary (Sekretaris)")
    TREASURER = "bendahara", _("Treasurer (Bendahara)")
    MEMBER = "anggota", _("Member (Anggota)")


class MembershipQuerySet(models.QuerySet):
    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(
            models.Q(ends_on__isnull=True) | models.Q(ends_on__gte=on), starts_on__lte=on
        )


class Membership(models.Model):
    resident = models.ForeignKey(Resident, on_delete=models.PROTECT, verbose_name=_("resident"))
    position = models.CharField(
        _("position"), max_length=12, choices=Position.choices, default=Position.MEMBER
    )
    starts_on = models.DateField(_("from"), default=timezone.localdate)
    ends_on = models.DateField(_("until"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        abstract = True

    def clean(self):
        if self.ends_on and self.starts_on and self.ends_on < self.starts_on:
            raise ValidationError({"ends_on": _("The end date cannot be before the start date.")})


class Community(models.Model):
    class Kind(models.TextChoices):
        CULTURAL = "kebudayaan", _("Cultural community")
        SANGGAR = "sanggar", _("Sanggar (arts studio)")
        KARANG_TARUNA = "karang_taruna", _("Karang Taruna (youth)")
        PKK = "pkk", _("PKK")
        MAJELIS_TAKLIM = "majelis_taklim", _("Majelis taklim")
        INTERFAITH = "lintas_iman", _("Interfaith forum")
        OTHER = "lainnya", _("Other")

    name = models.CharField(_("name"), max_length=150)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    kelurahan = models.ForeignKey(
        Kelurahan, on_delete=models.PROTECT, related_name="communities", verbose_name=_("kelurahan")
    )
    rt = models.ForeignKey(
        RT,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="communities",
        verbose_name=_("RT"),
        help_text=_("Leave empty for a community of the whole kelurahan."),
    )
    description = models.TextField(_("description"), blank=True)
    interests = models.ManyToManyField(
        Interest, blank=True, related_name="communities", verbose_name=_("interests")
    )
    members = models.ManyToManyField(
        Resident, through="CommunityMembership", related_name="communities", blank=True
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("community")
        verbose_name_plural = _("communities")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "name"],
                name="community_unique_name",
                violation_error_message=_("A community with this name already exists here."),
            )
        ]

    def __str__(self):
        return self.name

    def clean(self):
        if self.rt_id and self.kelurahan_id and self.rt.rw.kelurahan_id != self.kelurahan_id:
            raise ValidationError({"rt": _("This RT is not in the community's kelurahan.")})


class CommunityMembership(Membership):
    community = models.ForeignKey(Community, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("community member")
        verbose_name_plural = _("community members")
        constraints = [
            models.UniqueConstraint(
                fields=["community", "resident", "starts_on"],
                name="community_member_unique",
                violation_error_message=_("This resident is already a member of the community."),
            )
        ]

    def __str__(self):
        return f"{self.resident} – {self.get_position_display()}"


class Pokmas(models.Model):
    """The community group (kelompok masyarakat) that manages an RT's RT Keren funds."""

    rt = models.OneToOneField(RT, on_delete=models.PROTECT, related_name="pokmas")
    name = models.CharField(_("name"), max_length=150, blank=True)
    decree_number = models.CharField(_("decree number (SK)"), max_length=100, blank=True)
    decree_date = models.DateField(_("decree date"), null=True, blank=True)
    members = models.ManyToManyField(
        Resident, through="PokmasMembership", related_name="pokmas_set", blank=True
    )

    class Meta:
        verbose_name = _("Pokmas")
        verbose_name_plural = _("Pokmas")

    def __str__(self):
        return self.name or f"Pokmas {self.rt}"


class PokmasMembership(Membership):
    pokmas = models.ForeignKey(Pokmas, on_delete=models.CASCADE, related_name="memberships")

    class Meta:
        verbose_name = _("Pokmas member")
        verbose_name_plural = _("Pokmas members")
        constraints = [
            models.UniqueConstraint(
                fields=["pokmas", "resident", "starts_on"],
                name="pokmas_member_unique",
                violation_error_message=_("This resident is already a member of the Pokmas."),
            )
        ]

    def __str__(self):
        return f"{self.resident} – {self.get_position_display()}"
