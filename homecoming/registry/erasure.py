"""Erasure of one person's or one family's personal data on request (docs/operations.md).

An administrator erases, with a reason and the request's reference. The rows stay, with
their keys, so the allocation history keeps pointing at the family: its registration number,
status, results of every run, offers, the home it holds, convoys and ceremonies. What the
history needs to stay explainable stays too: each member's relationship (the household's
structure, one head), sex and step-free need (the size and needs the engine used); the
family's origin, shelter kind, priority and registration date (the ranking). What names or
reaches a person goes: names, patronymic, birth date, identity number, other needs, and for
the family its phone, current address and notes; their copies elsewhere (merge records,
duplicate-review notes, the outbox, sign-in codes, import errors and raw files, stored API
answers, the family's own words in appeals and declines; apps add theirs to
:data:`TRACE_ERASERS`); and the same values in the audit trail's before/after of those rows
(`core.audit.scrub_events`, under the database's permit). A `core.Erasure` records who, when,
why, which request and what was done; it and the blanking writes are in the trail.
"""

from __future__ import annotations

import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from homecoming.core.audit import (
    ERASED,
    ScrubTarget,
    audit_note,
    erase_value,
    note_with,
    scrub_events,
)
from homecoming.core.lifecycle import TransitionRefused
from homecoming.core.models import ErasedRecord, Erasure, IdempotencyKey
from homecoming.registry.models import (
    DuplicateCandidate,
    Household,
    Person,
    PersonMerge,
    RegistryImport,
)
from homecoming.registry.search import refresh_household_keys

#: A person's values after erasure (names keep a mark: they are required and shown).
PERSON_ERASED: dict[str, Any] = {
    "surname": ERASED,
    "given_name": ERASED,
    "patronymic": "",
    "birth_date": None,
    "national_id": None,
    "other_needs": "",
    "name_keys": "",  # the names' search keys (registry.search) go with the names
}
#: A family's own values after erasure (its members are erased with it).
HOUSEHOLD_ERASED: dict[str, Any] = {"phone": "", "shelter_address": "", "notes": ""}

#: Other apps' records of a family, erased with it: dotted paths of ``fn(work)``, as
#: core.retention lists purgers (the registry imports no later app).
TRACE_ERASERS: list[str] = ["homecoming.handover.erasure.erase_traces"]


class AlreadyErased(TransitionRefused):
    """Erasing again what is erased: answered like a refused step (409, a page message)."""


@dataclass
class ErasureWork:
    """One erasure in progress: what it erases and what it has done so far."""

    erasure: Erasure
    household: Household
    persons: list[Person]  # as they were, before blanking
    whole_family: bool
    #: The erased values themselves, to find them inside texts tied to the family.
    needles: tuple[str, ...]
    #: Those unique to the family (identity numbers, phone): safe to look for anywhere.
    distinctive: tuple[str, ...]
    targets: list[ScrubTarget] = field(default_factory=list)
    fields: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)

    def scrub(self, table: str, pk: Any, keys: set[str], needles: tuple[str, ...] = ()) -> None:
        """Erase these keys of this row in its audit events too (needles: only them)."""
        self.targets.append(ScrubTarget(table, str(pk), frozenset(keys), needles))
        self.fields.update(f"{table}.{k}" for k in keys)

    def text(self, value: str) -> str:
        """A free text about the family: gone when the whole family is erased, else the
        erased member's values in it replaced."""
        if not value:
            return value
        return ERASED if self.whole_family else str(erase_value(value, self.needles))

    @property
    def text_needles(self) -> tuple[str, ...]:
        return () if self.whole_family else self.needles


# ---------------------------------------------------------------------------- who is erased


def erasure_of(obj: Person | Household) -> Erasure | None:
    """The erasure that erased this person (itself, with its family or with a record merged
    with it) or this family."""
    found = Q(table=obj._meta.db_table, object_pk=str(obj.pk))
    if isinstance(obj, Person):
        found |= Q(table=Household._meta.db_table, object_pk=str(obj.household_id))
    record = ErasedRecord.objects.filter(found).select_related("erasure").first()
    return None if record is None else record.erasure


def erasures_of_family(household: Household) -> dict[str, Erasure]:
    """{"family": ..., "<person pk>": ...} for the family page, in one query."""
    person_pks = [str(p.pk) for p in household.members.all()]  # prefetched by the page
    found = Q(table=Household._meta.db_table, object_pk=str(household.pk)) | Q(
        table=Person._meta.db_table, object_pk__in=person_pks
    )
    return {
        "family" if r.table == Household._meta.db_table else r.object_pk: r.erasure
        for r in ErasedRecord.objects.filter(found).select_related("erasure")
    }


def _refuse_again(erasure: Erasure, message: str) -> AlreadyErased:
    return AlreadyErased(
        message % {"date": date_format(erasure.at, "DATE_FORMAT"), "reference": erasure.reference}
    )


# ---------------------------------------------------------------------------- services


@transaction.atomic
def do_erase_person(person: Person, actor: Any, reason: str, reference: str) -> Erasure:
    """Erase one member's personal data; refused (AlreadyErased) if already erased."""
    household = Household.objects.select_for_update().get(pk=person.household_id)
    locked = Person.objects.select_for_update().get(pk=person.pk)
    done = erasure_of(locked)
    if done is not None:
        raise _refuse_again(
            done, _("This person's data was already erased on %(date)s (request %(reference)s).")
        )
    label = f"{household.reg_number} person {locked.pk}"
    persons = _with_merged_records([locked])
    return _erase(household, persons, actor, reason, reference, label, whole_family=False)


@transaction.atomic
def do_erase_household(household: Household, actor: Any, reason: str, reference: str) -> Erasure:
    """Erase a family's personal data and all its members'; refused if already erased."""
    locked = Household.objects.select_for_update().get(pk=household.pk)
    done = erasure_of(locked)
    if done is not None:
        raise _refuse_again(
            done, _("This family's data was already erased on %(date)s (request %(reference)s).")
        )
    persons = _with_merged_records(
        list(Person.objects.select_for_update().filter(household=locked).order_by("pk"))
    )
    return _erase(locked, persons, actor, reason, reference, locked.reg_number, whole_family=True)


def _with_merged_records(persons: list[Person]) -> list[Person]:
    """The persons and every record merged with them, either way (a merge says two records
    are one person: the request is that person's), wherever they are registered."""
    found = {p.pk: p for p in persons}
    frontier = set(found)
    while frontier:
        links = PersonMerge.objects.filter(Q(duplicate__in=frontier) | Q(survivor__in=frontier))
        linked = {pk for pair in links.values_list("duplicate", "survivor") for pk in pair}
        frontier = linked - set(found)
        for other in Person.objects.select_for_update().filter(pk__in=frontier):
            found[other.pk] = other
    return sorted(found.values(), key=lambda p: p.pk)


def _values(person: Person) -> list[str]:
    out = [person.surname, person.given_name, person.patronymic, person.other_needs]
    out += [person.national_id or "", person.birth_date.isoformat() if person.birth_date else ""]
    return out


def _erase(
    household: Household,
    persons: list[Person],
    actor: Any,
    reason: str,
    reference: str,
    label: str,
    *,
    whole_family: bool,
) -> Erasure:
    erasure = Erasure.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        actor_name=actor.get_username() if actor is not None else "",
        reason=reason,
        reference=reference,
        table=(Household if whole_family else Person)._meta.db_table,
        object_pk=str(household.pk if whole_family else persons[0].pk),
        label=label,
    )
    subjects = [(Person._meta.db_table, str(p.pk)) for p in persons]
    if whole_family:
        subjects.append((Household._meta.db_table, str(household.pk)))
    already = set(
        ErasedRecord.objects.filter(
            table=Person._meta.db_table, object_pk__in=[pk for _t, pk in subjects]
        ).values_list("table", "object_pk")
    )
    ErasedRecord.objects.bulk_create(
        ErasedRecord(erasure=erasure, table=t, object_pk=pk)
        for t, pk in subjects
        if (t, pk) not in already
    )
    values = [v for p in persons for v in _values(p)]
    distinctive = [p.national_id for p in persons if p.national_id]
    if whole_family:
        values += [household.phone, household.shelter_address, household.notes]
        distinctive += [household.phone] if household.phone else []
    # Longest first, so a value containing another is replaced whole.
    needles = tuple(sorted({v for v in values if v and v != ERASED}, key=len, reverse=True))
    work = ErasureWork(
        erasure, household, persons, whole_family, needles, tuple(sorted(set(distinctive)))
    )
    # The trail's note is read in each reader's language (core.audit.note_text).
    note = note_with(
        gettext_noop("erasure #%(number)s, request %(reference)s"),
        number=str(erasure.pk),
        reference=reference,
    )
    with audit_note(note):
        _erase_persons(work)
        _erase_household(work)
        _erase_merges_and_pairs(work)
        _erase_imports(work)
        _erase_stored_answers(work)
        for path in TRACE_ERASERS:
            import_string(path)(work)
        work.counts["audit events"] = scrub_events(erasure.pk, work.targets)
        erasure.fields = sorted(work.fields)
        erasure.counts = {k: v for k, v in sorted(work.counts.items()) if v}
        erasure.save(update_fields=["fields", "counts"])
    return erasure


def _erase_persons(work: ErasureWork) -> None:
    pks = [p.pk for p in work.persons]
    Person.objects.filter(pk__in=pks).update(**PERSON_ERASED)
    refresh_household_keys({p.household_id for p in work.persons})
    for pk in pks:
        work.scrub(Person._meta.db_table, pk, set(PERSON_ERASED))
    work.counts["persons"] += len(pks)


def _erase_household(work: ErasureWork) -> None:
    h = work.household
    table = Household._meta.db_table
    if work.whole_family:
        Household.objects.filter(pk=h.pk).update(**HOUSEHOLD_ERASED)
        work.scrub(table, h.pk, set(HOUSEHOLD_ERASED))
        work.counts["families"] += 1
    elif h.notes:
        # A member erased alone: the family's notes may name them.
        Household.objects.filter(pk=h.pk).update(notes=work.text(h.notes))
        work.scrub(table, h.pk, {"notes"}, work.needles)


def _erase_merges_and_pairs(work: ErasureWork) -> None:
    pks = [p.pk for p in work.persons]
    for merge in PersonMerge.objects.filter(Q(duplicate__in=pks) | Q(survivor__in=pks)):
        if merge.changes:
            # {field: [before, after]}: the values go, which fields moved stays.
            PersonMerge.objects.filter(pk=merge.pk).update(changes=erase_value(merge.changes))
            work.counts["merge records"] += 1
        work.scrub(PersonMerge._meta.db_table, merge.pk, {"changes"})
    pairs = DuplicateCandidate.objects.filter(Q(person_a__in=pks) | Q(person_b__in=pks))
    # The comparison holds labels only ("match", "differ"), not values; a decision's note may.
    for pair in pairs:
        if pair.note:
            DuplicateCandidate.objects.filter(pk=pair.pk).update(note=ERASED)
            work.counts["duplicate-review notes"] += 1
        work.scrub(DuplicateCandidate._meta.db_table, pair.pk, {"note"})


def _erase_imports(work: ErasureWork) -> None:
    """Import errors quoting the family's identity numbers or phone lose them; raw import
    files that hold the family's rows are deleted, as the retention purge would (the import
    record stays, marked)."""
    reg = work.household.reg_number.encode()
    media = Path(settings.MEDIA_ROOT).resolve()
    now = timezone.now()
    for imp in RegistryImport.objects.select_for_update().filter(
        Q(error_count__gt=0) | Q(files_purged_at__isnull=True)
    ):
        changes: dict[str, Any] = {}
        if work.distinctive and imp.errors:
            errors = erase_value(imp.errors, work.distinctive)
            if errors != imp.errors:
                changes["errors"] = errors
                work.scrub(RegistryImport._meta.db_table, imp.pk, {"errors"}, work.distinctive)
        if imp.files_purged_at is None:
            paths = [Path(f) for f in (imp.households_file, imp.persons_file) if f]
            if any(_file_mentions(p, reg) for p in paths):
                for path in paths:
                    if path.resolve().is_relative_to(media):
                        path.unlink(missing_ok=True)
                changes["files_purged_at"] = now
                work.counts["import files"] += 1
        if changes:
            RegistryImport.objects.filter(pk=imp.pk).update(**changes)
            work.counts["imports"] += 1


def _file_mentions(path: Path, needle: bytes) -> bool:
    """Whether a stored import file (CSV, or a zip: XLSX, ODK export) holds `needle`."""
    try:
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                # Within the limits the upload already checked (core.files).
                return any(needle in archive.read(name) for name in archive.namelist())
        return needle in path.read_bytes()
    except OSError:
        return False


#: Keys of a person or family in an API answer, blanked in stored answers.
_ANSWER_KEYS = {**PERSON_ERASED, **HOUSEHOLD_ERASED}


def _erase_answer(value: Any, work: ErasureWork, person_pks: set[int]) -> Any:
    if isinstance(value, list):
        return [_erase_answer(v, work, person_pks) for v in value]
    if not isinstance(value, dict):
        return erase_value(value, work.distinctive) if work.distinctive else value
    is_person = value.get("id") in person_pks and "surname" in value
    is_family = work.whole_family and value.get("reg_number") == work.household.reg_number
    out = {}
    for k, v in value.items():
        if (is_person or is_family) and k in _ANSWER_KEYS and v not in (None, ""):
            out[k] = _ANSWER_KEYS[k] if k in PERSON_ERASED else ""
        else:
            out[k] = _erase_answer(v, work, person_pks)
    return out


def _erase_stored_answers(work: ErasureWork) -> None:
    """Answers kept for API retries (core.IdempotencyKey) that show the person or family."""
    person_pks = {p.pk for p in work.persons}
    for key in IdempotencyKey.objects.filter(body__isnull=False).filter(
        Q(path__startswith="/api/persons") | Q(path__startswith="/api/households")
    ):
        body = _erase_answer(key.body, work, person_pks)
        if body != key.body:
            IdempotencyKey.objects.filter(pk=key.pk).update(body=body)
            work.counts["stored API answers"] += 1
