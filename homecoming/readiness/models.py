"""Readiness of settlements and complexes: items, hazard areas, schools, stages, the audit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.identifiers import validate_identifier
from homecoming.core.scoping import DistrictScopedQuerySet, NationalQuerySet
from homecoming.readiness.kinds import kind_name

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile

#: Distance (metres) kept between any building and a hazard area that is not released, when
#: no readiness policy says otherwise.
DEFAULT_HAZARD_BUFFER_M = 100


class Scope(models.TextChoices):
    SETTLEMENT = "settlement", _("Settlement")
    COMPLEX = "complex", _("Residential complex")
    BOTH = "both", _("Settlement or complex")


class ItemKind(models.Model):
    """A kind of readiness item (electricity, water, mine clearance...). The list is data."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=80)
    scope = models.CharField(
        _("tracked for"), max_length=10, choices=Scope.choices, default=Scope.BOTH
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    objects = NationalQuerySet.as_manager()

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("readiness item kind")
        verbose_name_plural = _("readiness item kinds")

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The name in the reader's language (a default kind's name is translated)."""
        return kind_name(self.code, self.name)


class ItemStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    CERTIFIED = "certified", _("Certified")


#: An item in one of these states counts as finished for the gate.
FINISHED = (ItemStatus.DONE, ItemStatus.CERTIFIED)


class ItemQuerySet(models.QuerySet["ReadinessItem"]):
    def for_profile(self, profile: Profile) -> ItemQuerySet:
        if profile.district_id is None:
            return self
        return self.filter(
            Q(settlement__parent_id=profile.district_id)
            | Q(complex__settlement__parent_id=profile.district_id)
        )


class ReadinessItem(models.Model):
    """One thing that must be in place, for a whole settlement or for one complex."""

    kind = models.ForeignKey(
        ItemKind, on_delete=models.PROTECT, related_name="items", verbose_name=_("kind")
    )
    settlement = models.ForeignKey(
        "geography.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="readiness_items",
        limit_choices_to={"level": "settlement"},
        verbose_name=_("settlement"),
    )
    complex = models.ForeignKey(
        "housing.ResidentialComplex",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="readiness_items",
        verbose_name=_("residential complex"),
    )
    status = models.CharField(
        _("status"), max_length=12, choices=ItemStatus.choices, default=ItemStatus.NOT_STARTED
    )
    organisation = models.CharField(_("responsible organisation"), max_length=160, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_end = models.DateField(_("planned completion"), null=True, blank=True)
    actual_start = models.DateField(_("actual start"), null=True, blank=True)
    actual_end = models.DateField(_("actual completion"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["kind__order", "id"]
        verbose_name = _("readiness item")
        verbose_name_plural = _("readiness items")
        constraints = [
            # An item belongs to exactly one place: a settlement or a complex.
            models.CheckConstraint(
                condition=Q(settlement__isnull=True, complex__isnull=False)
                | Q(settlement__isnull=False, complex__isnull=True),
                name="readiness_item_one_place",
            ),
            models.UniqueConstraint(
                fields=["kind", "settlement"],
                condition=Q(settlement__isnull=False),
                name="readiness_item_kind_per_settlement",
            ),
            models.UniqueConstraint(
                fields=["kind", "complex"],
                condition=Q(complex__isnull=False),
                name="readiness_item_kind_per_complex",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} — {self.place}"

    @property
    def place(self) -> object:
        return self.complex if self.complex_id else self.settlement

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def district_id(self) -> int | None:
        if self.complex_id is not None:
            return self.complex.settlement.parent_id  # type: ignore[union-attr]
        return self.settlement.parent_id if self.settlement else None


def evidence_path(instance: Evidence, filename: str) -> str:
    return f"readiness/evidence/{instance.item_id}/{filename}"


class Evidence(models.Model):
    """A document proving an item: a certificate, an act of acceptance, a photo."""

    item = models.ForeignKey(
        ReadinessItem, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("item")
    )
    title = models.CharField(_("title"), max_length=160)
    file = models.FileField(_("file"), upload_to=evidence_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.title


class ReadinessPolicy(models.Model):
    """Which items must be finished before a complex may receive families.

    The most specific active policy applies: one for the complex's district and programme
    stage, else its district, else its stage, else the programme-wide one (no district, no
    stage). Without any policy no item is required; hazard areas always block.
    """

    name = models.CharField(_("name"), max_length=120)
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="readiness_policies",
        limit_choices_to={"level": "district"},
        verbose_name=_("district"),
        help_text=_("Empty: the whole programme."),
    )
    stage = models.PositiveSmallIntegerField(
        _("programme stage"), null=True, blank=True, help_text=_("Empty: every stage.")
    )
    required = models.ManyToManyField(
        ItemKind, related_name="policies", verbose_name=_("required items"), blank=True
    )
    hazard_buffer_m = models.PositiveIntegerField(
        _("distance kept from hazard areas (m)"), default=DEFAULT_HAZARD_BUFFER_M
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("readiness policy")
        verbose_name_plural = _("readiness policies")

    def __str__(self) -> str:
        return self.name


class HazardStatus(models.TextChoices):
    """IMAS land-release terms. Only a released area stops blocking."""

    SUSPECTED = "suspected", _("Suspected")
    CONFIRMED = "confirmed", _("Confirmed")
    CLEARED = "cleared", _("Cleared")
    RELEASED = "released", _("Released")


class HazardQuerySet(DistrictScopedQuerySet["HazardArea"]):
    """Rows of the district they belong to."""

    def unreleased(self) -> HazardQuerySet:
        return self.exclude(status=HazardStatus.RELEASED)


def certificate_path(instance: HazardArea, filename: str) -> str:
    return f"readiness/hazards/{instance.code}/{filename}"


class HazardArea(models.Model):
    """A suspected or confirmed hazardous area (mines, UXO), as a WGS 84 polygon.

    `geometry` is a GeoJSON Polygon or MultiPolygon (lon, lat). The bounding box is stored
    so the gate only loads areas near the buildings it checks.
    """

    code = models.CharField(_("code"), max_length=40, unique=True, validators=[validate_identifier])
    name = models.CharField(_("name"), max_length=160, blank=True)
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.CASCADE,
        related_name="hazard_areas",
        limit_choices_to={"level": "district"},
        verbose_name=_("district"),
    )
    status = models.CharField(_("status"), max_length=10, choices=HazardStatus.choices)
    geometry = models.JSONField(_("geometry (GeoJSON, WGS 84)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    released_on = models.DateField(_("released on"), null=True, blank=True)
    certificate = models.FileField(
        _("handover certificate"), upload_to=certificate_path, blank=True
    )
    source = models.CharField(_("imported from"), max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HazardQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("hazard area")
        verbose_name_plural = _("hazard areas")

    def __str__(self) -> str:
        return self.name or self.code


class SchoolKind(models.TextChoices):
    SCHOOL = "school", _("School")
    KINDERGARTEN = "kindergarten", _("Kindergarten")


#: Ages served, on the first day of the school year.
AGES = {SchoolKind.SCHOOL: (6, 17), SchoolKind.KINDERGARTEN: (1, 5)}


class SchoolQuerySet(DistrictScopedQuerySet["School"]):
    district_lookup = "settlement__parent_id"


class School(models.Model):
    """A school or kindergarten with its permanent building and a modular one meanwhile."""

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=SchoolKind.choices)
    settlement = models.ForeignKey(
        "geography.Area",
        on_delete=models.CASCADE,
        related_name="schools",
        limit_choices_to={"level": "settlement"},
        verbose_name=_("settlement"),
    )
    catchment = models.ManyToManyField(
        "geography.Area",
        related_name="catchment_schools",
        blank=True,
        limit_choices_to={"level": "settlement"},
        verbose_name=_("catchment"),
        help_text=_("Settlements whose children it serves; empty: its own settlement."),
    )
    permanent_capacity = models.PositiveIntegerField(_("permanent places"), default=0)
    permanent_opens_on = models.DateField(
        _("permanent building commissioned"), null=True, blank=True
    )
    modular_capacity = models.PositiveIntegerField(_("modular places"), default=0)
    modular_opens_on = models.DateField(_("modular building opened"), null=True, blank=True)

    objects = SchoolQuerySet.as_manager()

    class Meta:
        ordering = ["settlement__code", "kind", "name"]
        verbose_name = _("school or kindergarten")
        verbose_name_plural = _("schools and kindergartens")

    def __str__(self) -> str:
        return self.name


class StageQuerySet(DistrictScopedQuerySet["Stage"]):
    district_lookup = "settlement__parent_id"


class Stage(models.Model):
    """A programme stage for one settlement: its complexes and its targets for a period."""

    settlement = models.ForeignKey(
        "geography.Area",
        on_delete=models.CASCADE,
        related_name="stages",
        limit_choices_to={"level": "settlement"},
        verbose_name=_("settlement"),
    )
    number = models.PositiveSmallIntegerField(_("stage"))
    name = models.CharField(_("name"), max_length=120, blank=True)
    starts_on = models.DateField(_("period start"))
    ends_on = models.DateField(_("period end"))
    target_families = models.PositiveIntegerField(_("target families"), default=0)
    target_persons = models.PositiveIntegerField(_("target persons"), default=0)
    complexes = models.ManyToManyField(
        "housing.ResidentialComplex",
        related_name="programme_stages",
        blank=True,
        verbose_name=_("residential complexes"),
        help_text=_("Empty: the settlement's complexes of this stage number."),
    )

    objects = StageQuerySet.as_manager()

    class Meta:
        ordering = ["settlement__code", "number"]
        verbose_name = _("programme stage")
        verbose_name_plural = _("programme stages")
        constraints = [
            models.UniqueConstraint(fields=["settlement", "number"], name="stage_per_settlement"),
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="stage_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name or f"{self.settlement} — {self.number}"
