"""The registry of displaced households, their members and the groups they form."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from homecoming.accounts.models import Profile


class ShelterKind(models.TextChoices):
    """Where a family lives now. The first kinds are 'difficult and dangerous conditions'."""

    TENT = "tent", _("Tent camp")
    DORMITORY = "dormitory", _("Dormitory")
    SANATORIUM = "sanatorium", _("Sanatorium")
    CHILDRENS_CAMP = "childrens_camp", _("Children's camp")
    ADMINISTRATIVE = "administrative", _("Administrative building")
    PUBLIC_BUILDING = "public_building", _("Adapted public building (school, kindergarten)")
    UNFINISHED = "unfinished", _("Unfinished building")
    RENTED = "rented", _("Rented flat")
    RELATIVES = "relatives", _("With relatives")
    OWN = "own", _("Own or state-provided flat")


#: Shelter kinds that put a family in the first line (brief: "difficult and dangerous
#: conditions"); used by the demo and by default priority rules.
DIFFICULT_SHELTER = frozenset(
    {
        ShelterKind.TENT,
        ShelterKind.DORMITORY,
        ShelterKind.SANATORIUM,
        ShelterKind.CHILDRENS_CAMP,
        ShelterKind.ADMINISTRATIVE,
        ShelterKind.PUBLIC_BUILDING,
        ShelterKind.UNFINISHED,
    }
)


class HouseholdStatus(models.TextChoices):
    REGISTERED = "registered", _("Registered")
    ELIGIBLE = "eligible", _("Eligible")
    ALLOCATED = "allocated", _("Home allocated")
    OFFERED = "offered", _("Offer made")
    KEYS_HANDED = "keys_handed", _("Keys handed")
    MOVED_IN = "moved_in", _("Moved in")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class GroupKind(models.TextChoices):
    RELATIVES = "relatives", _("Relatives")
    NEIGHBOURS = "neighbours", _("Former neighbours")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Relationship(models.TextChoices):
    HEAD = "head", _("Head of household")
    SPOUSE = "spouse", _("Spouse")
    CHILD = "child", _("Child")
    PARENT = "parent", _("Parent")
    SIBLING = "sibling", _("Brother or sister")
    GRANDCHILD = "grandchild", _("Grandchild")
    CHILD_IN_LAW = "child_in_law", _("Son- or daughter-in-law")
    OTHER = "other", _("Other relative")


class Group(models.Model):
    """Households that want to live together: relatives or former neighbours."""

    code = models.CharField(_("code"), max_length=30, unique=True)
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name or self.code


class HouseholdQuerySet(models.QuerySet["Household"]):
    def for_profile(self, profile: Profile) -> HouseholdQuerySet:
        if profile.district_id is None:
            return self
        return self.filter(district_id=profile.district_id)

    def with_size(self) -> HouseholdQuerySet:
        return self.annotate(
            size=Count("members", distinct=True),
            needs_step_free=Exists(
                Person.objects.filter(household=OuterRef("pk"), needs_step_free=True)
            ),
        )

    def waiting(self) -> HouseholdQuerySet:
        """Households that may still be given a home."""
        return self.filter(status__in=[HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE])

    def search(self, text: str) -> HouseholdQuerySet:
        text = text.strip()
        if not text:
            return self
        return self.filter(
            Q(reg_number__icontains=text)
            | Q(members__surname__icontains=text)
            | Q(members__given_name__icontains=text)
            | Q(members__national_id__iexact=text)
            | Q(phone__icontains=text)
        ).distinct()


class Household(models.Model):
    """A displaced family as registered by the programme."""

    reg_number = models.CharField(_("registration number"), max_length=30, unique=True)
    origin = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        related_name="displaced_households",
        verbose_name=_("origin settlement"),
        limit_choices_to={"level": "settlement"},
    )
    # The district of origin decides which district officer handles the family. Stored so
    # that scoping is one indexed filter; do_* services keep it equal to origin.parent.
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        related_name="district_households",
        verbose_name=_("district"),
        limit_choices_to={"level": "district"},
        editable=False,
    )
    destination = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="chosen_by_households",
        verbose_name=_("chosen destination"),
        limit_choices_to={"level": "settlement"},
    )
    shelter_kind = models.CharField(
        _("temporary shelter"), max_length=20, choices=ShelterKind.choices
    )
    shelter_address = models.CharField(_("current address"), max_length=200, blank=True)
    priority = models.PositiveSmallIntegerField(
        _("priority"), default=0, help_text=_("Higher is served first.")
    )
    registered_on = models.DateField(_("registered on"))
    status = models.CharField(
        _("status"),
        max_length=12,
        choices=HouseholdStatus.choices,
        default=HouseholdStatus.REGISTERED,
    )
    consent = models.BooleanField(_("consent to data processing"), default=False)
    consent_on = models.DateField(_("consent given on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    group = models.ForeignKey(
        Group,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="households",
        verbose_name=_("group"),
    )
    notes = models.TextField(_("notes"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["reg_number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [models.Index(fields=["district", "status"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(consent=False) | Q(consent_on__isnull=False),
                name="household_consent_has_date",
            )
        ]

    def __str__(self) -> str:
        return self.reg_number

    @property
    def head(self) -> Person | None:
        for person in self.members.all():
            if person.relationship == Relationship.HEAD:
                return person
        return None

    @property
    def in_difficult_conditions(self) -> bool:
        return self.shelter_kind in DIFFICULT_SHELTER


class PersonQuerySet(models.QuerySet["Person"]):
    def for_profile(self, profile: Profile) -> PersonQuerySet:
        if profile.district_id is None:
            return self
        return self.filter(household__district_id=profile.district_id)


class Person(models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    surname = models.CharField(_("surname"), max_length=80)
    given_name = models.CharField(_("given name"), max_length=80)
    patronymic = models.CharField(_("patronymic"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    national_id = models.CharField(
        _("national ID (FIN)"), max_length=7, null=True, blank=True, unique=True
    )
    relationship = models.CharField(
        _("relationship to head"), max_length=14, choices=Relationship.choices
    )
    needs_step_free = models.BooleanField(_("needs step-free access"), default=False)
    other_needs = models.CharField(_("other needs"), max_length=200, blank=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["household", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("persons")
        constraints = [
            models.UniqueConstraint(
                fields=["household"],
                condition=Q(relationship="head"),
                name="one_head_per_household",
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))
