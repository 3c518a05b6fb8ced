"""Registry writes that change several rows: imports, duplicate decisions, merges.

Each ``do_*`` function is one transaction and trusts its input (validated by the importer
or the view that calls it).
"""

from __future__ import annotations

import datetime as dt
import gc
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from homecoming.accounts.lifecycles import role_of
from homecoming.core.jobs import no_heartbeat
from homecoming.core.models import JobStatus
from homecoming.registry.adapter import shared_identity_pairs
from homecoming.registry.lifecycles import HOUSEHOLD
from homecoming.registry.models import (
    CandidateBand,
    CandidateStatus,
    DuplicateCandidate,
    Household,
    ImportStatus,
    Person,
    PersonMerge,
    RegistryImport,
)
from homecoming.registry.search import merged_keys, name_keys, refresh_household_keys

if TYPE_CHECKING:
    from homecoming.registry.importers.validation import NewHousehold, NewPerson, Plan

Progress = Callable[[float, str], None]

#: Rows per round trip (and per progress report) in the write phase.
CHUNK = 50_000

HOUSEHOLD_COLUMNS = (
    "reg_number", "origin_id", "district_id", "destination_id", "shelter_kind",
    "shelter_address", "priority", "registered_on", "status", "consent", "consent_on",
    "phone", "group_id", "notes", "created_at", "updated_at", "name_keys",
)  # fmt: skip
PERSON_COLUMNS = (
    "household_id", "surname", "given_name", "patronymic", "sex", "birth_date", "national_id",
    "relationship", "needs_step_free", "other_needs", "name_keys",
)  # fmt: skip


@contextmanager
def gc_paused() -> Iterator[None]:
    """No cyclic garbage collection inside (reference counting still frees memory).

    Bulk work keeps millions of objects alive; each collection would walk them all.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _batches(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    it = iter(rows)
    while batch := list(islice(it, size)):
        yield batch


def insert_rows(
    model: type[Model],
    columns: Sequence[str],
    rows: Iterable[tuple[Any, ...]],
    *,
    on_batch: Callable[[int], None] | None = None,
) -> int:
    """Insert plain tuples into ``model``'s table as fast as the database allows.

    PostgreSQL: ``COPY ... FROM STDIN`` (psycopg 3 adapts dates, booleans and NULLs).
    SQLite: ``executemany`` of one prepared INSERT. Constraints and triggers run as usual;
    the caller holds the transaction. Values must already be in the database's form for
    dates (see :func:`db_date`).
    """
    table = connection.ops.quote_name(model._meta.db_table)
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for batch in _batches(rows, CHUNK):
                with cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                    for row in batch:
                        copy.write_row(row)
                written += len(batch)
                if on_batch:
                    on_batch(written)
        else:
            marks = ", ".join(["%s"] * len(columns))
            # SQL from strings (bandit B608, reviewed): our table and column names; the values are bound parameters.
            sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"  # nosec B608
            for batch in _batches(rows, CHUNK):
                cursor.executemany(sql, batch)
                written += len(batch)
                if on_batch:
                    on_batch(written)
    return written


def db_date(value: Any) -> Any:
    """A date or datetime as the connection wants it in raw SQL (SQLite: ISO text)."""
    if value is None or connection.vendor == "postgresql":
        return value
    if hasattr(value, "hour"):
        return connection.ops.adapt_datetimefield_value(value)
    return connection.ops.adapt_datefield_value(value)


def _household_rows(
    households: Sequence[NewHousehold], keys: dict[str, str]
) -> Iterator[tuple[Any, ...]]:
    as_date = _identity if connection.vendor == "postgresql" else db_date
    now = db_date(timezone.now())
    for h in households:
        yield (
            h.reg_number, h.origin_id, h.district_id, h.destination_id, h.shelter_kind,
            h.shelter_address, h.priority, as_date(h.registered_on), h.status, h.consent,
            as_date(h.consent_on), h.phone, h.group_id, h.notes, now, now,
            keys.get(h.reg_number, ""),
        )  # fmt: skip


def _person_keys(persons: Sequence[NewPerson]) -> list[str]:
    """Each person's name keys (registry.search), cached by name: registries repeat them."""
    cache: dict[tuple[str, str, str], str] = {}
    out = []
    for p in persons:
        names = (p.surname, p.given_name, p.patronymic)
        key = cache.get(names)
        if key is None:
            key = cache[names] = name_keys(*names)
        out.append(key)
    return out


def _family_keys(persons: Sequence[NewPerson], keys: list[str]) -> dict[str, str]:
    """Each family's members' keys, merged (registry.search.merged_keys)."""
    members: dict[str, list[str]] = defaultdict(list)
    for p, key in zip(persons, keys, strict=True):
        members[p.household].append(key)
    return {reg: merged_keys(found) for reg, found in members.items()}


def _person_rows(
    persons: Sequence[NewPerson], pks: dict[str, int], keys: list[str]
) -> Iterator[tuple[Any, ...]]:
    as_date = _identity if connection.vendor == "postgresql" else db_date
    for p, key in zip(persons, keys, strict=True):
        yield (
            pks[p.household], p.surname, p.given_name, p.patronymic, p.sex,
            as_date(p.birth_date), p.national_id, p.relationship, p.needs_step_free,
            p.other_needs, key,
        )  # fmt: skip


def _identity(value: Any) -> Any:
    return value


def _chunks(items: Sequence[str], size: int = 5000) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def rows_for_keys(sql: str, keys: Collection[str], params: Sequence[Any] = ()) -> list[Any]:
    """The rows of ``sql`` whose key column is one of ``keys``, in one look-up.

    ``sql`` ends with the key column and ``{keys}``: ``... WHERE reg_number {keys}``;
    ``params`` are those of the query before it. PostgreSQL gets all the keys at once as
    one array (``= ANY(%s)``, a single parameter, however many keys); SQLite gets ``IN``
    lists of 5,000 (its limit on parameters).
    """
    if not keys:
        return []
    out: list[Any] = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(sql.format(keys="= ANY(%s)"), [*params, list(keys)])
            out = cursor.fetchall()
            return out
        for chunk in _chunks(list(keys)):
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(sql.format(keys=f"IN ({marks})"), [*params, *chunk])
            out += cursor.fetchall()
    return out


def household_pks(reg_numbers: Collection[str]) -> dict[str, int]:
    table = Household._meta.db_table
    # SQL from strings (bandit B608, reviewed): our table name; the keys are bound parameters.
    return dict(
        rows_for_keys(f"SELECT reg_number, id FROM {table} WHERE reg_number {{keys}}", reg_numbers)  # nosec B608
    )


@transaction.atomic
def do_write_import(plan: Plan, progress: Progress | None = None) -> tuple[int, int]:
    """Write a validated plan: new households, then their members. All or nothing.

    Returns (households created, persons created). An exception anywhere (a killed worker
    included) rolls the whole write back, so the registry is as it was before.
    """
    with gc_paused():
        return _write_import(plan, progress)


def _write_import(plan: Plan, progress: Progress | None) -> tuple[int, int]:
    report = progress or (lambda _f, _m: None)
    total = len(plan.households) + len(plan.persons) or 1
    n_h = len(plan.households)
    report(0.0, _("Writing households"))
    person_keys = _person_keys(plan.persons)
    insert_rows(
        Household,
        HOUSEHOLD_COLUMNS,
        _household_rows(plan.households, _family_keys(plan.persons, person_keys)),
        on_batch=lambda n: report(
            n / total, _("Writing households: %(n)s of %(total)s") % {"n": n, "total": n_h}
        ),
    )
    pks = dict(plan.existing)
    pks.update(household_pks([h.reg_number for h in plan.households]))
    n_p = len(plan.persons)
    report(n_h / total, _("Writing persons"))
    insert_rows(
        Person,
        PERSON_COLUMNS,
        _person_rows(plan.persons, pks, person_keys),
        on_batch=lambda n: report(
            (n_h + n) / total, _("Writing persons: %(n)s of %(total)s") % {"n": n, "total": n_p}
        ),
    )
    # Families already registered that gained members: their keys take the new names.
    refresh_household_keys(dict(plan.existing).values())
    return n_h, n_p


@transaction.atomic
def do_fail_stale_imports(cutoff: dt.datetime) -> dict[str, int]:
    """Mark failed the imports a killed process left pending (a core.jobs sweeper).

    An import run by a job follows its job: once the job has ended (failed, or swept for
    want of a heartbeat) the import cannot finish. An import run by the CLI has no job and
    is judged by its own heartbeat. Its rows were written in one transaction that the
    database rolled back when the process died, so nothing else needs undoing.
    """
    stale = Q(job__isnull=True) & (
        Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff)
    )
    job_ended = Q(job__status__in=[JobStatus.FAILED, JobStatus.SUCCEEDED])
    found = list(
        RegistryImport.objects.filter(Q(status=ImportStatus.PENDING) & (stale | job_ended))
        .select_related("job")
        # A row locked by a live transaction (the import writing it) is not stale.
        .select_for_update(skip_locked=True, of=("self",))
    )
    now = timezone.now()
    for imp in found:
        if imp.job is not None:
            reason = _("Its background job stopped: %(reason)s") % {
                "reason": imp.job.message or imp.job.get_status_display()
            }
        else:
            reason = no_heartbeat(imp.heartbeat_at or imp.created_at)
        RegistryImport.objects.filter(pk=imp.pk).update(
            status=ImportStatus.FAILED, failure=reason, finished_at=now
        )
    return {"imports": len(found)}


# --- duplicates ---------------------------------------------------------------------------


@transaction.atomic
def do_store_candidates(pairs: Iterable[Any], job: Any = None) -> dict[str, int]:
    """Store candidate pairs found by duplicate detection; decided pairs stay decided.

    ``pairs`` yields objects with ``person_a``/``person_b`` (ids, a < b), ``probability``,
    ``comparison`` and ``district_id``. A pair already stored and open gets the new
    probability; a pair already merged or judged different is left alone (remembered).
    """
    pairs = list(pairs)
    existing = {
        (a, b): (pk, status)
        for pk, a, b, status in DuplicateCandidate.objects.filter(
            person_a_id__in={p.person_a for p in pairs}
        ).values_list("pk", "person_a_id", "person_b_id", "status")
    }
    merged = set(PersonMerge.objects.values_list("duplicate_id", flat=True))
    new, updated, remembered = [], 0, 0
    for p in pairs:
        if p.person_a in merged or p.person_b in merged:
            remembered += 1
            continue
        found = existing.get((p.person_a, p.person_b))
        if found is None:
            new.append(
                DuplicateCandidate(
                    person_a_id=p.person_a,
                    person_b_id=p.person_b,
                    district_id=p.district_id,
                    probability=p.probability,
                    comparison=p.comparison,
                    band=getattr(p, "band", CandidateBand.AUTO),
                    agreements=getattr(p, "agreements", ""),
                    benefit=getattr(p, "benefit", 0.0),
                    found_by=job,
                )
            )
        elif found[1] == CandidateStatus.OPEN:
            DuplicateCandidate.objects.filter(pk=found[0]).update(
                probability=p.probability,
                comparison=p.comparison,
                band=getattr(p, "band", CandidateBand.AUTO),
                agreements=getattr(p, "agreements", ""),
                benefit=getattr(p, "benefit", 0.0),
                found_by=job,
            )
            updated += 1
        else:
            remembered += 1
    DuplicateCandidate.objects.bulk_create(new, batch_size=2000)
    return {"new": len(new), "updated": updated, "already_decided": remembered}


@transaction.atomic
def do_flag_shared_identities(fins: Iterable[str | None]) -> dict[str, int]:
    """Send persons who share an identity number with someone to the duplicate review."""
    return do_store_candidates(shared_identity_pairs(f for f in fins if f))


class AlreadyDecided(Exception):
    """The pair was decided already, or one of its records was merged through another pair.

    A decision is taken once: a replayed or concurrent one is refused, never applied twice.
    """


def _lock_open(candidate: DuplicateCandidate) -> DuplicateCandidate:
    locked = DuplicateCandidate.objects.select_for_update().get(pk=candidate.pk)
    merged = PersonMerge.objects.filter(
        duplicate_id__in=[locked.person_a_id, locked.person_b_id]
    ).exists()
    if locked.status != CandidateStatus.OPEN or merged:
        raise AlreadyDecided(candidate.pk)
    return locked


@transaction.atomic
def do_mark_different(candidate: DuplicateCandidate, user: Any, note: str = "") -> None:
    """Record that the two records are different persons; the pair is never proposed again.

    Raises :class:`AlreadyDecided` for a pair no longer open.
    """
    _lock_open(candidate)
    DuplicateCandidate.objects.filter(pk=candidate.pk).update(
        status=CandidateStatus.DIFFERENT, decided_by=user, decided_at=timezone.now(), note=note
    )
    candidate.refresh_from_db()


#: Fields the kept record may take from the duplicate when it has none (recorded).
FILLABLE = ("patronymic", "birth_date", "other_needs")


@transaction.atomic
def do_merge(
    candidate: DuplicateCandidate, survivor: Person, user: Any, note: str = ""
) -> PersonMerge:
    """Merge the pair's other person into ``survivor``; both records stay.

    The duplicate is linked to the survivor (PersonMerge), never deleted or moved. The
    survivor takes from the duplicate only the values it lacks (:data:`FILLABLE`, and a
    step-free need), and each such change is recorded as ``{field: [before, after]}``.
    Raises :class:`AlreadyDecided` for a pair no longer open.
    """
    locked = _lock_open(candidate)
    assert survivor.pk in (locked.person_a_id, locked.person_b_id)
    duplicate_id = locked.person_b_id if survivor.pk == locked.person_a_id else locked.person_a_id
    persons = Person.objects.select_for_update().in_bulk([survivor.pk, duplicate_id])
    kept, dup = persons[survivor.pk], persons[duplicate_id]
    changes: dict[str, list[Any]] = {}
    for name in FILLABLE:
        before, other = getattr(kept, name), getattr(dup, name)
        if before in (None, "") and other not in (None, ""):
            setattr(kept, name, other)
            changes[name] = [_jsonable(before), _jsonable(other)]
    if dup.needs_step_free and not kept.needs_step_free:
        kept.needs_step_free = True
        changes["needs_step_free"] = [False, True]
    if changes:
        kept.save(update_fields=list(changes))
    merge = PersonMerge.objects.create(
        duplicate=dup, survivor=kept, candidate=locked, changes=changes, merged_by=user
    )
    locked.status = CandidateStatus.MERGED
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.note = note
    locked.save(update_fields=["status", "decided_by", "decided_at", "note"])
    candidate.refresh_from_db()
    return merge


def _jsonable(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


@transaction.atomic
def do_withdraw_household(household: Household, reason: str, user: Any) -> Household:
    """Take a waiting family out of the programme, with the reason; nothing is deleted.

    Raises `TransitionRefused` unless the family is waiting and the user's role may do it."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    household.status = HOUSEHOLD.check("withdraw", household.status, role_of(user))
    household.withdrawal_reason = reason
    household.save(update_fields=["status", "withdrawal_reason", "updated_at"])
    return household


@transaction.atomic
def do_reinstate_household(household: Household, user: Any) -> Household:
    """Bring a withdrawn family back as registered (its checks start again)."""
    household = Household.objects.select_for_update().get(pk=household.pk)
    household.status = HOUSEHOLD.check("reinstate", household.status, role_of(user))
    household.save(update_fields=["status", "updated_at"])
    return household
