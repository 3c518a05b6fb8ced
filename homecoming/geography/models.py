"""Administrative areas: country, region, district, settlement, with P-code style codes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from homecoming.core.identifiers import validate_identifier

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile


class Level(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("Economic region")
    DISTRICT = "district", _("District")
    SETTLEMENT = "settlement", _("Settlement")


class SettlementKind(models.TextChoices):
    CITY = "city", _("City")
    TOWN = "town", _("Town")
    VILLAGE = "village", _("Village")


class AreaQuerySet(models.QuerySet["Area"]):
    def settlements(self) -> AreaQuerySet:
        return self.filter(level=Level.SETTLEMENT)

    def districts(self) -> AreaQuerySet:
        return self.filter(level=Level.DISTRICT)

    def for_profile(self, profile: Profile) -> AreaQuerySet:
        """Areas a user may see: all, or for a district officer their district and below."""
        if profile.district_id is None:
            return self
        return self.filter(
            models.Q(pk=profile.district_id) | models.Q(parent_id=profile.district_id)
        )


class Area(models.Model):
    """An administrative area. Settlements hang under districts, districts under regions.

    `code` follows OCHA P-code style: country ISO code, then two digits per level
    (AZ, AZ09, AZ0904, AZ090401).
    """

    code = models.CharField(_("code"), max_length=20, unique=True, validators=[validate_identifier])
    level = models.CharField(_("level"), max_length=12, choices=Level.choices)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    kind = models.CharField(
        _("settlement kind"), max_length=10, choices=SettlementKind.choices, blank=True
    )
    name_az = models.CharField(_("name (Azerbaijani)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    name_ru = models.CharField(_("name (Russian)"), max_length=120, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    objects = AreaQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("administrative area")
        verbose_name_plural = _("administrative areas")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(lat__isnull=True) | models.Q(lat__gte=-90, lat__lte=90),
                name="area_lat_range",
            ),
            models.CheckConstraint(
                condition=models.Q(lon__isnull=True) | models.Q(lon__gte=-180, lon__lte=180),
                name="area_lon_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        lang = (get_language() or "en")[:2]
        value = {"az": self.name_az, "ru": self.name_ru}.get(lang, "")
        return str(value or self.name_en or self.name_az)

    @property
    def district_id_for_scope(self) -> int | None:
        """The district a settlement belongs to (itself for a district)."""
        if self.level == Level.DISTRICT:
            return self.pk
        if self.level == Level.SETTLEMENT:
            return self.parent_id
        return None
