"""The registry of displaced households, their members and the groups they form."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from homecoming.core.identifiers import validate_identifier
from homecoming.core.models import QuickLabels
from homecoming.core.scoping import DistrictScopedQuerySet

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


class GroupQuerySet(models.QuerySet["Group"]):
    def for_district(self, district_id: int | None) -> GroupQuerySet:
        """A group belongs to the district of its families: a district officer sees the
        groups none of whose families is another district's (so an empty group, just made,
        too), and may put families only in those."""
        if district_id is None:
            return self
        elsewhere = Household.objects.filter(group=OuterRef("pk")).exclude(district_id=district_id)
        return self.filter(~Exists(elsewhere))

    def for_profile(self, profile: Profile) -> GroupQuerySet:
        return self.for_district(profile.district_id)


class Group(models.Model):
    """Households that want to live together: relatives or former neighbours."""

    code = models.CharField(_("code"), max_length=30, unique=True, validators=[validate_identifier])
    kind = models.CharField(_("kind"), max_length=12, choices=GroupKind.choices)
    name = models.CharField(_("name"), max_length=120, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    objects = GroupQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("group")
        verbose_name_plural = _("groups")

    def __str__(self) -> str:
        return self.name or self.code


class HouseholdQuerySet(DistrictScopedQuerySet["Household"]):
    """Rows of the district they belong to."""

    def with_size(self) -> HouseholdQuerySet:
        """Each family's member count and step-free need, as subqueries per row: computed
        for the rows shown (a page), not by grouping the whole registry first."""
        members = Person.objects.filter(household=OuterRef("pk"))
        return self.annotate(
            size=Coalesce(
                Subquery(
                    members.order_by().values("household").annotate(n=Count("pk")).values("n")
                ),
                0,
            ),
            needs_step_free=Exists(members.filter(needs_step_free=True)),
        )

    def waiting(self) -> HouseholdQuerySet:
        """Households that may still be given a home."""
        return self.filter(status__in=[HouseholdStatus.REGISTERED, HouseholdStatus.ELIGIBLE])

    def search(self, text: str, personal: Collection[str] = ("national_id", "phone")) -> Self:
        """Families matching `text` by number or by the names of a member in any script
        (every word of the text, registry.search), and by identity number or phone only
        when those kinds are in `personal` (what the searching user may see: a search by
        a hidden field would answer whether a value exists).

        A text that is a family's registration number, or (for those who see them) a
        member's identity number, finds that family alone, through the unique and b-tree
        indexes; any other text is looked for inside numbers, names and phones, each
        through its trigram index on PostgreSQL, so no search reads every family."""
        from homecoming.registry.search import query_keys

        text = text.strip()
        if not text:
            return self
        exact = self.exact_matches(text, personal)
        if exact:
            return self.filter(pk__in=exact)
        match = Q(reg_number__icontains=text)
        keys = query_keys(text)
        if keys:
            match |= Q(*(Q(name_keys__contains=key) for key in keys))
        if "phone" in personal:
            match |= Q(phone__icontains=text)
        return self.filter(match)

    def exact_matches(self, text: str, personal: Collection[str]) -> list[int]:
        """Ids of the families in this queryset whose registration number is `text`, or
        with a member whose identity number is `text` if `personal` has identity numbers."""
        if " " in text:
            return []
        spellings = {text, text.upper()}
        ids = list(self.filter(reg_number__in=spellings).values_list("pk", flat=True))
        if "national_id" in personal:
            holders = Person.objects.filter(national_id__in=spellings).values("household_id")
            ids += self.filter(pk__in=holders).values_list("pk", flat=True)
        return ids


class Household(QuickLabels, models.Model):
    """A displaced family as registered by the programme."""

    reg_number = models.CharField(
        _("registration number"), max_length=30, unique=True, validators=[validate_identifier]
    )
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
    # Families are withdrawn, never deleted; why is kept beside the status.
    withdrawal_reason = models.CharField(
        _("reason for withdrawal"), max_length=400, blank=True, editable=False, db_default=""
    )
    # The members' name keys, for search in any script (registry.search); kept in sync by
    # the members' writes. Derived: the audit trail keeps only the fact that it changed.
    name_keys = models.TextField(_("name keys"), blank=True, editable=False, db_default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = HouseholdQuerySet.as_manager()

    class Meta:
        ordering = ["reg_number"]
        verbose_name = _("household")
        verbose_name_plural = _("households")
        indexes = [
            models.Index(fields=["district", "status"]),
            # The families list's order, nationally and for a district officer.
            # With the id last, a page's ids are read from the index alone (core.paging).
            models.Index(
                fields=["-priority", "registered_on", "reg_number", "id"],
                name="household_list_order",
            ),
            models.Index(
                fields=["district", "-priority", "registered_on", "reg_number", "id"],
                name="household_district_order",
            ),
            # The API's order (by number), read the same way.
            models.Index(fields=["reg_number", "id"], name="household_number_order"),
            # A national list filtered by status (who is offered, who waits) counts and pages
            # from the index instead of reading a quarter of a million families.
            models.Index(
                fields=["status", "-priority", "registered_on", "reg_number", "id"],
                name="household_status_order",
            ),
        ]
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


class PersonQuerySet(DistrictScopedQuerySet["Person"]):
    district_lookup = "household__district_id"

    def search(self, text: str, personal: Collection[str] = ("national_id",)) -> Self:
        """Persons whose names hold every word of `text` in any script (registry.search),
        or whose identity number is `text` when the reader sees identity numbers."""
        from homecoming.registry.search import query_keys

        text = text.strip()
        if not text:
            return self
        if "national_id" in personal and " " not in text:
            # an identity number finds its holder alone, through the b-tree index; looked
            # for as name parts too, its letters would ask every name (a trigram-less scan)
            holder = list(self.filter(national_id=text.upper()).values_list("pk", flat=True))
            if holder:
                return self.filter(pk__in=holder)
        branches = [Q(*(Q(name_keys__contains=key) for key in query_keys(text)))]
        if "national_id" in personal:
            branches.append(Q(national_id=text.upper()))
        if not branches[0]:  # no word of the text is a name
            branches.pop(0)
        if not branches:
            return self.none()
        match = branches[0]
        for branch in branches[1:]:
            match |= branch
        return self.filter(match)


#: A person's fields that make their name keys.
NAME_FIELDS = frozenset({"surname", "given_name", "patronymic"})


class Person(QuickLabels, models.Model):
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="members", verbose_name=_("household")
    )
    surname = models.CharField(_("surname"), max_length=80)
    given_name = models.CharField(_("given name"), max_length=80)
    patronymic = models.CharField(_("patronymic"), max_length=80, blank=True)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Not unique in the database: a number already held in another district is accepted
    # (refusing it would reveal it exists there) and the pair goes to the duplicate review.
    # Within one's scope the API and the importer refuse it. NULL (not "") for "no number",
    # as before, so existing rows and the importers' bulk writes keep one spelling.
    national_id = models.CharField(  # noqa: DJ001
        _("national ID (FIN)"), max_length=7, null=True, blank=True, db_index=True
    )
    relationship = models.CharField(
        _("relationship to head"), max_length=14, choices=Relationship.choices
    )
    needs_step_free = models.BooleanField(_("needs step-free access"), default=False)
    other_needs = models.CharField(_("other needs"), max_length=200, blank=True)
    # The names' keys, for search in any script (registry.search); set by save() and the
    # importer. Derived: the audit trail keeps only the fact that it changed.
    name_keys = models.TextField(_("name keys"), blank=True, editable=False, db_default="")

    objects = PersonQuerySet.as_manager()
    _saved_household_id: int | None = None

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

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # the family as read, whose keys a move to another family must refresh too
        self._saved_household_id = self.__dict__.get("household_id")

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Saved with its name keys; its family's keys (and a former family's) follow."""
        from homecoming.registry.search import name_keys, refresh_household_keys

        self.name_keys = name_keys(self.surname, self.given_name, self.patronymic)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and NAME_FIELDS & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "name_keys"}
        super().save(*args, **kwargs)
        refresh_household_keys([self.household_id, self._saved_household_id])
        self._saved_household_id = self.household_id

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        from homecoming.registry.search import refresh_household_keys

        household_id = self.household_id
        done = super().delete(*args, **kwargs)
        refresh_household_keys([household_id])
        return done

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.surname, self.given_name, self.patronymic) if p)

    def age_on(self, day: date) -> int | None:
        if self.birth_date is None:
            return None
        b = self.birth_date
        return day.year - b.year - ((day.month, day.day) < (b.month, b.day))


# --- Registry intake: imports, duplicate candidates and merges (issue 6) -------------------


class ImportFormat(models.TextChoices):
    CSV = "csv", _("CSV (households file and persons file)")
    XLSX = "xlsx", _("Excel workbook (households and persons sheets)")
    ODK = "odk", _("ODK Central or KoBoToolbox submission export")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    REJECTED = "rejected", _("Rejected: bad rows, nothing imported")
    IMPORTED = "imported", _("Imported")
    PARTIAL = "partial", _("Good rows imported, bad rows reported")
    UNCHANGED = "unchanged", _("Already imported: nothing changed")
    FAILED = "failed", _("Failed: nothing imported")


class RegistryImportQuerySet(DistrictScopedQuerySet["RegistryImport"]):
    """Rows of the district they belong to."""


class RegistryImport(models.Model):
    """One import of a registry file: what was asked, what was found, what was written.

    The files themselves are kept under MEDIA_ROOT/imports so that a background worker can
    read them and anyone can later see exactly what came in.
    """

    format = models.CharField(_("format"), max_length=4, choices=ImportFormat.choices)
    households_file = models.CharField(_("households file"), max_length=300)
    persons_file = models.CharField(_("persons file"), max_length=300, blank=True)
    original_name = models.CharField(_("file name"), max_length=200)
    sha256 = models.CharField(_("SHA-256 of the files"), max_length=64, db_index=True)
    partial = models.BooleanField(_("import the good rows and keep the report"), default=False)
    # Empty: UTF-8, the only encoding ever assumed; another one only when chosen.
    encoding = models.CharField(_("text encoding"), max_length=10, blank=True, default="")
    # The importer's district: a district officer may only bring in families of theirs.
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    households_read = models.PositiveIntegerField(_("household rows read"), default=0)
    persons_read = models.PositiveIntegerField(_("person rows read"), default=0)
    households_created = models.PositiveIntegerField(_("households created"), default=0)
    persons_created = models.PositiveIntegerField(_("persons created"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows already in the registry"), default=0)
    error_count = models.PositiveIntegerField(_("bad rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True)
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Written while the import runs (core.jobs.Heartbeat and the write loop): a pending
    # import whose process was killed is found by its old heartbeat and marked failed.
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    failure = models.TextField(_("why it failed"), blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # Set by the retention purge (registry.retention) when the stored files were deleted.
    files_purged_at = models.DateTimeField(_("files purged at"), null=True, blank=True)

    objects = RegistryImportQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("registry import")
        verbose_name_plural = _("registry imports")

    def __str__(self) -> str:
        return self.original_name


class CandidateStatus(models.TextChoices):
    OPEN = "open", _("To review")
    MERGED = "merged", _("Merged")
    DIFFERENT = "different", _("Different persons")


class CandidateBand(models.TextChoices):
    """The engine's band for the pair (see homecoming/registry/linkage/bands.py)."""

    AUTO = "auto", _("Confident")
    REVIEW = "review", _("Uncertain")


class DuplicateCandidateQuerySet(DistrictScopedQuerySet["DuplicateCandidate"]):
    """A district officer sees only pairs whose two persons are both of their district."""


class DuplicateCandidate(models.Model):
    """Two person records that duplicate detection judged to be one person.

    `person_a` is always the lower id, so a pair is stored once whichever way it was found;
    a decided pair (merged, different) keeps its row, which is how a pair judged different
    is never proposed again.
    """

    person_a = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("first person")
    )
    person_b = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("second person")
    )
    # Both persons' district when they share one; pairs across districts have none and are
    # seen by programme-wide roles only.
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    probability = models.FloatField(_("match probability"))
    # field -> "match" | "similar" | "differ" | "missing", as shown on the review page.
    comparison = models.JSONField(_("field comparison"), default=dict)
    # Auto-link band (the engine would link them) or review band (uncertain, issue 15).
    band = models.CharField(
        _("band"), max_length=6, choices=CandidateBand.choices, default=CandidateBand.AUTO
    )
    # What agrees and what does not, in the engine's words (review.csv's agreements).
    agreements = models.CharField(_("agreements"), max_length=300, blank=True)
    # Expected same-person pairs a decision adds (review band order; see linkage/bands.py).
    benefit = models.FloatField(_("expected benefit"), default=0.0)
    status = models.CharField(
        _("status"), max_length=10, choices=CandidateStatus.choices, default=CandidateStatus.OPEN
    )
    found_by = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    found_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    objects = DuplicateCandidateQuerySet.as_manager()

    class Meta:
        ordering = ["band", "-benefit", "-probability", "id"]
        verbose_name = _("duplicate candidate")
        verbose_name_plural = _("duplicate candidates")
        indexes = [models.Index(fields=["status", "district"])]
        constraints = [
            models.UniqueConstraint(fields=["person_a", "person_b"], name="one_candidate_per_pair"),
            models.CheckConstraint(
                condition=Q(person_a__lt=models.F("person_b")), name="candidate_pair_ordered"
            ),
            models.CheckConstraint(
                condition=Q(probability__gte=0) & Q(probability__lte=1),
                name="candidate_probability_fraction",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_a_id} ~ {self.person_b_id}"


class PersonMerge(models.Model):
    """A person record judged a duplicate of another: kept, never deleted, linked here.

    `changes` records every value the survivor took from the duplicate
    ({field: [before, after]}); nothing else moves.
    """

    duplicate = models.OneToOneField(
        Person,
        on_delete=models.PROTECT,
        related_name="merged_into",
        verbose_name=_("duplicate record"),
    )
    survivor = models.ForeignKey(
        Person, on_delete=models.PROTECT, related_name="absorbed", verbose_name=_("kept record")
    )
    candidate = models.ForeignKey(
        DuplicateCandidate, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    changes = models.JSONField(_("changes to the kept record"), default=dict, blank=True)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)

    class Meta:
        ordering = ["-merged_at"]
        verbose_name = _("person merge")
        verbose_name_plural = _("person merges")
        constraints = [
            models.CheckConstraint(
                condition=~Q(duplicate=models.F("survivor")), name="merge_not_into_itself"
            )
        ]

    def __str__(self) -> str:
        return f"{self.duplicate_id} -> {self.survivor_id}"
