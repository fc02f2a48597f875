"""Administrative units, identified by Kemendagri code (names repeat: "Blitar" is three places)."""

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class Kota(models.Model):
    code = models.CharField(
        _("Kemendagri code"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^\d{2}\.\d{2}$")],
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kota")
        verbose_name_plural = _("kota")

    def __str__(self):
        return self.name


class Kecamatan(models.Model):
    kota = models.ForeignKey(Kota, on_delete=models.PROTECT, related_name="kecamatan_set")
    code = models.CharField(
        _("Kemendagri code"),
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{2}\.\d{2}\.\d{2}$")],
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kecamatan")
        verbose_name_plural = _("kecamatan")

    def __str__(self):
        return self.name


class Kelurahan(models.Model):
    kecamatan = models.ForeignKey(Kecamatan, on_delete=models.PROTECT, related_name="kelurahan_set")
    code = models.CharField(
        _("Kemendagri code"),
        max_length=13,
        unique=True,
        validators=[RegexValidator(r"^\d{2}\.\d{2}\.\d{2}\.\d{4}$")],
    )
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("kelurahan")
        verbose_name_plural = _("kelurahan")

    def __str__(self):
        return self.name


class RW(models.Model):
    kelurahan = models.ForeignKey(Kelurahan, on_delete=models.PROTECT, related_name="rw_set")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])

    class Meta:
        ordering = ["kelurahan__code", "number"]
        verbose_name = _("RW")
        verbose_name_plural = _("RW")
        constraints = [
            models.UniqueConstraint(
                fields=["kelurahan", "number"],
                name="rw_unique_number",
                violation_error_message=_("This kelurahan already has an RW with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="rw_number_positive",
                violation_error_message=_("The RW number must be at least 1."),
            ),
        ]

    def __str__(self):
        return f"RW {self.number:03d}"


class RTQuerySet(models.QuerySet):
    def with_places(self):
        return self.select_related("rw__kelurahan__kecamatan")


class RT(models.Model):
    rw = models.ForeignKey(RW, on_delete=models.PROTECT, related_name="rt_set")
    number = models.PositiveSmallIntegerField(_("number"), validators=[MinValueValidator(1)])

    objects = RTQuerySet.as_manager()

    class Meta:
        ordering = ["rw__kelurahan__code", "rw__number", "number"]
        verbose_name = _("RT")
        verbose_name_plural = _("RT")
        constraints = [
            models.UniqueConstraint(
                fields=["rw", "number"],
                name="rt_unique_number",
                violation_error_message=_("This RW already has an RT with this number."),
            ),
            models.CheckConstraint(
                condition=models.Q(number__gte=1),
                name="rt_number_positive",
                violation_error_message=_("The RT number must be at least 1."),
            ),
        ]

    def __str__(self):
        return f"RT {self.number:03d} / RW {self.rw.number:03d}"

    @property
    def kelurahan(self) -> Kelurahan:
        return self.rw.kelurahan

    @property
    def kelurahan_id(self) -> int:
        return self.rw.kelurahan_id

    @property
    def full_name(self) -> str:
        return f"{self}, {self.rw.kelurahan}"
