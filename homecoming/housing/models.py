"""Housing being rebuilt: settlement -> residential complex -> building -> unit."""

from __future__ import annotations

from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.identifiers import validate_identifier
from homecoming.core.scoping import DistrictScopedQuerySet


class ResidentialComplexQuerySet(DistrictScopedQuerySet["ResidentialComplex"]):
    district_lookup = "settlement__parent_id"


class ResidentialComplex(models.Model):
    """A residential complex, built and delivered in stages."""

    settlement = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        related_name="complexes",
        limit_choices_to={"level": "settlement"},
        verbose_name=_("settlement"),
    )
    code = models.CharField(_("code"), max_length=30, unique=True, validators=[validate_identifier])
    name = models.CharField(_("name"), max_length=120)
    stage = models.PositiveSmallIntegerField(_("programme stage"), default=1)
    area_ha = models.DecimalField(
        _("area (ha)"), max_digits=7, decimal_places=2, null=True, blank=True
    )
    planned_families = models.PositiveIntegerField(_("planned families"), null=True, blank=True)
    planned_start = models.DateField(_("planned start"), null=True, blank=True)
    planned_completion = models.DateField(_("planned completion"), null=True, blank=True)
    actual_completion = models.DateField(_("actual completion"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    objects = ResidentialComplexQuerySet.as_manager()

    class Meta:
        ordering = ["settlement__code", "stage", "code"]
        verbose_name = _("residential complex")
        verbose_name_plural = _("residential complexes")

    def __str__(self) -> str:
        return self.name


class BuildingKind(models.TextChoices):
    APARTMENT_BLOCK = "block", _("Apartment block")
    TOWNHOUSE = "townhouse", _("Townhouse")
    VILLAGE_HOUSE = "house", _("Village house")


class BuildingQuerySet(DistrictScopedQuerySet["Building"]):
    district_lookup = "complex__settlement__parent_id"


class Building(models.Model):
    complex = models.ForeignKey(
        ResidentialComplex,
        on_delete=models.PROTECT,
        related_name="buildings",
        verbose_name=_("residential complex"),
    )
    code = models.CharField(_("code"), max_length=20, validators=[validate_identifier])
    kind = models.CharField(_("kind"), max_length=10, choices=BuildingKind.choices)
    phase = models.PositiveSmallIntegerField(_("construction phase"), default=1)
    floors = models.PositiveSmallIntegerField(_("floors"), default=1)
    has_lift = models.BooleanField(_("lift"), default=False)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)

    objects = BuildingQuerySet.as_manager()

    class Meta:
        ordering = ["complex", "phase", "code"]
        verbose_name = _("building")
        verbose_name_plural = _("buildings")
        constraints = [
            models.UniqueConstraint(fields=["complex", "code"], name="building_code_per_complex")
        ]

    def __str__(self) -> str:
        return f"{self.complex.code}/{self.code}"


class Construction(models.TextChoices):
    """Where the works on a home stand. Separate from who it is given to (`UnitStatus`)."""

    PLANNED = "planned", _("Planned")
    UNDER_CONSTRUCTION = "under_construction", _("Under construction")
    BUILT = "built", _("Built")


class UnitStatus(models.TextChoices):
    """Who the home is given to (the allocation state), whatever its construction state."""

    FREE = "free", _("Free")
    OFFERED = "offered", _("Offered")
    ALLOCATED = "allocated", _("Allocated")
    KEYS_HANDED = "keys_handed", _("Keys handed")
    OCCUPIED = "occupied", _("Occupied")


#: A unit in one of these states has no family attached yet and may enter an allocation,
#: in any construction state (programmes draw lots for homes still being built).
ALLOCATABLE_STATUSES = (UnitStatus.FREE,)
#: A unit in one of these states is held for, or lived in by, one family.
TAKEN_STATUSES = (
    UnitStatus.OFFERED,
    UnitStatus.ALLOCATED,
    UnitStatus.KEYS_HANDED,
    UnitStatus.OCCUPIED,
)
#: Keys go only to a family whose home is built; the database holds the line.
HANDED_STATUSES = (UnitStatus.KEYS_HANDED, UnitStatus.OCCUPIED)


class UnitQuerySet(DistrictScopedQuerySet["Unit"]):
    district_lookup = "building__complex__settlement__parent_id"

    def allocatable(self) -> UnitQuerySet:
        return self.filter(status__in=ALLOCATABLE_STATUSES, household__isnull=True)


class Unit(models.Model):
    """An apartment or house: the thing a family is given."""

    building = models.ForeignKey(
        Building, on_delete=models.PROTECT, related_name="units", verbose_name=_("building")
    )
    number = models.CharField(_("number"), max_length=10, validators=[validate_identifier])
    rooms = models.PositiveSmallIntegerField(_("rooms"))
    area_m2 = models.DecimalField(
        _("area (m²)"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    floor = models.SmallIntegerField(_("floor"), default=1)
    step_free = models.BooleanField(_("step-free access"), default=False)
    construction = models.CharField(
        _("construction"),
        max_length=20,
        choices=Construction.choices,
        default=Construction.PLANNED,
    )
    status = models.CharField(
        _("allocation"), max_length=12, choices=UnitStatus.choices, default=UnitStatus.FREE
    )
    # The family living in (or allocated) this unit. A OneToOne so the database itself
    # refuses a second family in one home and a second home for one family.
    household = models.OneToOneField(
        "registry.Household",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home",
        verbose_name=_("household"),
    )

    objects = UnitQuerySet.as_manager()

    class Meta:
        ordering = ["building", "floor", "number"]
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        constraints = [
            models.UniqueConstraint(fields=["building", "number"], name="unit_number_per_building"),
            models.CheckConstraint(condition=Q(rooms__gte=1), name="unit_rooms_positive"),
            # A free home has no family; a home offered, allocated, handed or lived in has one.
            models.CheckConstraint(
                condition=Q(household__isnull=True, status="free")
                | Q(
                    household__isnull=False,
                    status__in=["offered", "allocated", "keys_handed", "occupied"],
                ),
                name="unit_household_matches_status",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=["keys_handed", "occupied"]) | Q(construction="built"),
                name="unit_keys_only_when_built",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.building}/{self.number}"

    @property
    def address(self) -> str:
        b = self.building
        c = b.complex
        return f"{c.settlement.name}, {c.name}, {b.code}, {self.number}"


def status_counts(prefix: str = "") -> dict[str, Count]:
    """Count(...) expressions, one per unit status, for annotate/aggregate.

    `prefix` reaches units through relations, e.g. "buildings__units__" from a complex.
    """
    return {
        s.value: Count(f"{prefix}pk", filter=Q(**{f"{prefix}status": s.value}), distinct=True)
        for s in UnitStatus
    }


def construction_counts(prefix: str = "") -> dict[str, Count]:
    """Count(...) expressions, one per construction state (planned, under construction,
    built); the names differ from the allocation statuses, so both fit in one annotate."""
    return {
        s.value: Count(f"{prefix}pk", filter=Q(**{f"{prefix}construction": s.value}), distinct=True)
        for s in Construction
    }
