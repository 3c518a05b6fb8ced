"""One append-only audit trail, written by the database itself.

Every domain table carries AFTER INSERT/UPDATE/DELETE row triggers that copy the row before
and after the write into `core_auditevent`. Writes that bypass the ORM's save() (querysets'
update(), bulk_create, bulk_update, raw SQL) are recorded the same way, because the database
records them, not Python code.

Who wrote, and from where, is the *audit context*: a contextvar set by the request middleware,
management commands, the job worker and the importers (`audit_context(...)`). The triggers
read it:
- on SQLite through an application-defined SQL function `hc_audit_context()` (the context as
  JSON) registered on every connection (`connection_created`);
- on PostgreSQL through the session setting `homecoming.audit_context` (JSON), pushed by an
  execute wrapper before the first query that runs under a context it has not pushed yet.

Triggers are (re)installed after every `migrate` and dropped before it, so they always match
the schema (SQLite's per-table triggers name every column). See docs/audit.md.
"""

from __future__ import annotations

import contextvars
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from typing import Any

from django.apps import apps
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model
from django.utils.functional import SimpleLazyObject, empty

from homecoming.accounts.privacy import CHANGED, HIDDEN

AUDIT_TABLE = "core_auditevent"
ACCESS_TABLE = "core_accessevent"
#: The programme's daily figures (dashboard.ProgrammeSnapshot): history that is kept.
SNAPSHOT_TABLE = "dashboard_programmesnapshot"
#: Tables the database keeps append-only: UPDATE refused, DELETE only under audit_maintenance()
#: (`flush`, and `homecoming purge` for access records past their retention period).
#: The monthly reports as printed (reports.MonthlyReport): kept unchanged, new versions beside.
REPORT_TABLE = "reports_monthlyreport"
APPEND_ONLY_TABLES = (AUDIT_TABLE, ACCESS_TABLE, SNAPSHOT_TABLE, REPORT_TABLE)
PG_SETTING = "homecoming.audit_context"
PG_MAINTENANCE = "homecoming.audit_maintenance"
PG_SCRUB = "homecoming.audit_scrub"
ERASURE_TABLE = "core_erasure"
TRIGGER_PREFIX = "hc_audit"

CHANNELS = ("ui", "api", "admin", "cli", "job", "import", "system")

#: Tables left out of the trail, and why (docs/audit.md repeats this list).
EXCLUDED_TABLES: dict[str, str] = {
    AUDIT_TABLE: "the trail itself",
    "core_job": "progress rows of background jobs, written several times a second",
    "handover_onetimecode": "sign-in codes: secrets, and short-lived",
    "core_idempotencykey": "replay protection of API requests, not data",
    "handover_signinattempt": "counters of family sign-in attempts (hashes only), not data",
    "handover_message": "the outbox holds message bodies (personal data, own retention)",
    ACCESS_TABLE: "the record of reads and exports: append-only itself, written on every read",
    "allocation_programmeplan": "plans derived from audited inputs, recomputed and kept whole",
    "allocation_runpiece": (
        "pieces of a fanned-out run, derived from its audited inputs: append-only, megabytes"
        " of JSON each; the run's stored result is audited"
    ),
    SNAPSHOT_TABLE: "daily figures derived from audited data: append-only themselves",
}

#: Columns whose values never enter the trail; only the fact that they changed does.
SECRET_COLUMNS: dict[str, tuple[str, ...]] = {
    "auth_user": ("password",),
    "accounts_apitoken": ("digest",),  # a token's hash: enough to recognise a stolen token
    # Search keys derived from the names (registry.search): the names' own events say it all.
    "registry_person": ("name_keys",),
    "registry_household": ("name_keys",),
    # A report's PDF bytes: its SHA-256, in the same row, is what the trail keeps of them.
    REPORT_TABLE: ("pdf",),
}
#: What an erased personal value becomes, in the rows and in their audit events.
ERASED = "[erased]"


# ---------------------------------------------------------------------------- context


@dataclass(frozen=True)
class AuditContext:
    """Who writes, and from where. `request` lets the actor be read late: DRF authenticates
    tokens inside the view, after the middleware has opened the context."""

    channel: str = "system"
    actor_id: int | None = None
    actor: str = ""
    ip: str = ""
    path: str = ""
    request_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    request: Any = None
    note: str = ""

    _cache: dict[Any, Any] = field(default_factory=dict, compare=False, repr=False)

    def payload(self) -> dict[str, Any]:
        """The values the triggers store; cheap to call for every row written."""
        actor_id, actor = self.actor_id, self.actor
        if not actor and self.request is not None:
            user = _resolved_user(self.request)
            if user is not None and getattr(user, "is_authenticated", False):
                actor_id, actor = user.pk, user.get_username()
        key = (actor_id, actor)
        cached: dict[str, Any] | None = self._cache.get(key)
        if cached is not None:
            return cached
        self._cache[key] = value = {
            "actor_id": actor_id,
            "actor": actor[:150],
            "channel": self.channel,
            "ip": self.ip[:45],
            "path": self.path[:300],
            "request_id": self.request_id,
            "note": self.note[:400],
        }
        return value

    def payload_json(self) -> str:
        payload = self.payload()
        key = ("json", payload["actor_id"], payload["actor"])
        if key not in self._cache:
            self._cache[key] = json.dumps(payload, separators=(",", ":"))
        text: str = self._cache[key]
        return text


def _resolved_user(request: Any) -> Any:
    """The request's user if someone already looked it up; never a query (the triggers call
    this from inside a statement, where a query on the same connection is not allowed)."""
    user = request.__dict__.get("user")
    if user is None:
        return None
    if isinstance(user, SimpleLazyObject):
        wrapped = user._wrapped
        return None if wrapped is empty else wrapped
    return user


_current: contextvars.ContextVar[AuditContext | None] = contextvars.ContextVar(
    "homecoming_audit_context", default=None
)
_maintenance: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "homecoming_audit_maintenance", default=False
)
_scrub: contextvars.ContextVar[ScrubPermit | None] = contextvars.ContextVar(
    "homecoming_audit_scrub", default=None
)


def current() -> AuditContext | None:
    return _current.get()


def current_payload() -> dict[str, Any] | None:
    ctx = _current.get()
    return None if ctx is None else ctx.payload()


@contextmanager
def audit_context(
    channel: str,
    *,
    actor: Any = None,
    actor_label: str = "",
    ip: str = "",
    path: str = "",
    request: Any = None,
) -> Iterator[AuditContext]:
    """Record writes inside the block as made by `actor` (a user) through `channel`."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {channel!r}")
    actor_id = None
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, actor_label = actor.pk, actor_label or actor.get_username()
    ctx = AuditContext(
        channel=channel, actor_id=actor_id, actor=actor_label, ip=ip, path=path, request=request
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


@contextmanager
def audit_channel(channel: str, path: str = "", actor: Any = None) -> Iterator[AuditContext]:
    """Mark the writes of the block with another channel (an import run by a job or the
    CLI), keeping the outer context's actor and address unless an actor is given."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown audit channel {channel!r}")
    outer = current_payload() or {}
    if actor is not None and getattr(actor, "is_authenticated", False):
        actor_id, label = actor.pk, actor.get_username()
    else:
        actor_id, label = outer.get("actor_id"), outer.get("actor", "")
    ctx = AuditContext(
        channel=channel,
        actor_id=actor_id,
        actor=label,
        ip=outer.get("ip", ""),
        path=path or outer.get("path", ""),
    )
    token = _current.set(ctx)
    try:
        yield ctx
    finally:
        _current.reset(token)


#: Between a note's untranslated sentence and its values (JSON): a printable sign that no
#: sentence of ours contains, so that exports of the trail stay plain text.
NOTE_VALUES = "\u241f"


def note_with(msgid: str, **values: str) -> str:
    """A note that names values, kept untranslated: each reader sees it in their own
    language (:func:`note_text`). A date is given in ISO form and shown in the reader's.

    >>> note_with("the home is ready: answer by %(date)s", date="2026-12-21")
    'the home is ready: answer by %(date)s\u241f{"date":"2026-12-21"}'
    """
    return msgid + NOTE_VALUES + json.dumps(values, separators=(",", ":"), ensure_ascii=False)


def note_text(note: str) -> str:
    """A note in the active language: a sentence of ours is translated, with its values
    (dates in the language's format); anything else (an officer's reason) is shown as written.

    >>> from django.utils import translation
    >>> with translation.override("ru"):
    ...     note_text(note_with("the home is ready: answer by %(date)s", date="2026-12-21"))
    'жильё готово: ответить до 21 декабря 2026 г.'
    """
    from django.utils.formats import date_format
    from django.utils.translation import gettext

    msgid, sep, raw = note.partition(NOTE_VALUES)
    if not sep:
        return gettext(msgid) if msgid else msgid
    try:
        values = json.loads(raw)
        shown = {k: _note_value(str(v), date_format) for k, v in values.items()}
        return gettext(msgid) % shown
    except (ValueError, TypeError, KeyError, AttributeError):
        return note  # a note somebody wrote by hand in that form: as written


def _note_value(value: str, date_format: Callable[..., str]) -> str:
    import datetime as dt

    try:
        return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
    except ValueError:
        return value


@contextmanager
def audit_note(note: str) -> Iterator[None]:
    """Say why: the writes of the block carry this note (a withdrawal's reason...)."""
    outer = _current.get() or AuditContext()
    token = _current.set(replace(outer, note=note, _cache={}))
    try:
        yield
    finally:
        _current.reset(token)


def set_actor(actor: Any = None, label: str = "") -> None:
    """Name the actor of the open context (e.g. the family once its session is read)."""
    ctx = _current.get()
    if ctx is None:
        return
    actor_id = actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None
    if actor_id is not None:
        label = label or actor.get_username()
    _current.set(replace(ctx, actor_id=actor_id, actor=label, request=None, _cache={}))


@contextmanager
def audit_maintenance() -> Iterator[None]:
    """Allow deleting audit rows (and stop recording) in this block. Only `flush`, which
    empties the whole database, uses it."""
    token = _maintenance.set(True)
    try:
        yield
    finally:
        _maintenance.reset(token)
        _push_now()


def _push_now() -> None:
    """Push the current context to every open PostgreSQL connection at once.

    Leaving maintenance must reach the session in the same transactional state as entering
    it did: pushed lazily, inside the next (test or request) transaction, the "off" would be
    undone by that transaction's rollback while the wrapper believes it sent.
    """
    for connection in connections.all(initialized_only=True):
        if connection.vendor == "postgresql" and connection.connection is not None:
            connection._hc_audit_pushed = None  # type: ignore[attr-defined]
            with connection.cursor() as cursor:
                cursor.execute("SELECT 1")  # the execute wrapper pushes the context


# ---------------------------------------------------------------------------- erasure scrub
#
# The trail's one allowed change: an erasure (registry/erasure.py) replaces the personal
# values of the rows it erases in the before/after of *their* events. The database checks
# it (the append-only trigger): an UPDATE of core_auditevent passes only while a permit is
# open in this transaction, names an erasure record that exists, is about a row the permit
# names, and changes nothing but the permit's keys of that row in `before`/`after`.


@dataclass(frozen=True)
class ScrubTarget:
    """Keys of one row whose values are erased in its audit events (see `erase_value`)."""

    table: str
    pk: str
    keys: frozenset[str]
    needles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScrubPermit:
    erasure_id: int
    rows: dict[str, frozenset[str]]  # "table pk" -> keys


def _longest_first(needles: tuple[str, ...]) -> tuple[str, ...]:
    """So that a value holding another is replaced whole."""
    return tuple(sorted(set(needles), key=len, reverse=True))


def _row_key(table: str, pk: str) -> str:
    return f"{table} {pk}"


def scrub_strings(value: Any, needles: tuple[str, ...]) -> Any:
    """`value` (JSON) with every needle replaced by ERASED inside its strings."""
    if isinstance(value, str):
        for needle in needles:
            if needle and needle in value:
                value = value.replace(needle, ERASED)
        return value
    if isinstance(value, list):
        return [scrub_strings(v, needles) for v in value]
    if isinstance(value, dict):
        return {k: scrub_strings(v, needles) for k, v in value.items()}
    return value


def erase_value(value: Any, needles: tuple[str, ...] = ()) -> Any:
    """A value erased. With `needles` (the erased values themselves, for a text or JSON that
    also holds other things: an import's errors, a family's appeal naming one member) only
    they are replaced. Without: a plain value becomes ERASED and JSON keeps its shape (keys,
    numbers, booleans) with every text in it ERASED. Empty stays empty: it says nothing."""
    if needles:
        return scrub_strings(value, needles)
    if value is None or value == "" or isinstance(value, bool):
        return value
    if isinstance(value, list):
        return [erase_value(v) for v in value]
    if isinstance(value, dict):
        return {k: erase_value(v) for k, v in value.items()}
    return ERASED


def _erased_row(row: Any, target: ScrubTarget) -> Any:
    if not isinstance(row, dict):
        return row
    return {k: erase_value(v, target.needles) if k in target.keys else v for k, v in row.items()}


def _sqlite_scrub_erasure() -> int | None:
    permit = _scrub.get()
    return None if permit is None else permit.erasure_id


def _sqlite_scrub_allowed(
    table: str, pk: str, old_before: Any, new_before: Any, old_after: Any, new_after: Any
) -> int:
    """1 when an audit row's new before/after differ from the old only in the keys the open
    permit names for that row (the trigger checks the other columns and the erasure)."""
    permit = _scrub.get()
    keys = None if permit is None else permit.rows.get(_row_key(table, pk))
    if keys is None:
        return 0
    for old_text, new_text in ((old_before, new_before), (old_after, new_after)):
        if old_text is None or new_text is None:
            if old_text is not new_text:
                return 0
            continue
        old, new = json.loads(old_text), json.loads(new_text)
        if not isinstance(old, dict) or not isinstance(new, dict) or set(old) != set(new):
            return 0
        if any(old[k] != new[k] for k in old if k not in keys):
            return 0
    return 1


@contextmanager
def scrub_permit(
    erasure_id: int, rows: dict[tuple[str, str], frozenset[str]], using: str = "default"
) -> Iterator[None]:
    """Open the database's permit to change these keys of these rows' audit events (and
    nothing else), inside the current transaction only. `scrub_events` uses it."""
    connection = connections[using]
    if not connection.in_atomic_block:
        raise RuntimeError("scrub audit events inside the erasure's transaction")
    permit = ScrubPermit(erasure_id, {_row_key(t, pk): keys for (t, pk), keys in rows.items()})
    token = _scrub.set(permit)
    try:
        if connection.vendor == "postgresql":
            # Local to the transaction: gone at its commit or rollback whatever happens.
            grant = {"erasure": erasure_id, "rows": {k: sorted(v) for k, v in permit.rows.items()}}
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, %s, true)", [PG_SCRUB, json.dumps(grant)])
        yield
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, '', true)", [PG_SCRUB])
    finally:
        _scrub.reset(token)


def scrub_events(erasure_id: int, targets: list[ScrubTarget], using: str = "default") -> int:
    """Erase the targets' keys in the before/after of their audit events; return how many
    events changed. Call it inside the erasure's transaction, after the rows are blanked
    (so the events of the blanking are scrubbed too), with the erasure record written."""
    from homecoming.core.models import AuditEvent  # the model module imports nothing here

    merged: dict[tuple[str, str], ScrubTarget] = {}
    for t in targets:
        old = merged.get((t.table, t.pk))
        merged[(t.table, t.pk)] = (
            t
            if old is None
            else ScrubTarget(
                t.table, t.pk, old.keys | t.keys, _longest_first(old.needles + t.needles)
            )
        )
    changed = 0
    with scrub_permit(erasure_id, {k: t.keys for k, t in merged.items()}, using):
        for target in merged.values():
            events = AuditEvent.objects.using(using).filter(table=target.table, object_pk=target.pk)
            for pk, before, after in events.values_list("pk", "before", "after"):
                new_before, new_after = _erased_row(before, target), _erased_row(after, target)
                if (new_before, new_after) != (before, after):
                    events.filter(pk=pk).update(before=new_before, after=new_after)
                    changed += 1
    return changed


# ---------------------------------------------------------------------------- connections


#: What the triggers store when no context is open.
SYSTEM_JSON = json.dumps(
    {
        "actor_id": None,
        "actor": "",
        "channel": "system",
        "ip": "",
        "path": "",
        "request_id": "",
        "note": "",
    },
    separators=(",", ":"),
)


def _sqlite_context() -> str | None:
    """The context as JSON (None: record nothing, during flush): one Python call per audited
    row, the fields parsed in SQL."""
    if _maintenance.get():
        return None
    context = _current.get()
    return SYSTEM_JSON if context is None else context.payload_json()


def _sqlite_live() -> int:
    return 0 if _maintenance.get() else 1


def _pg_wrapper(connection: BaseDatabaseWrapper) -> Callable[..., Any]:
    """Push the audit context to the PostgreSQL session when it differs from the last push.

    Every context carries a fresh request id, so a push undone by a rolled-back transaction
    (tests, failed requests) is never mistaken for the current one by the next context."""

    def wrapper(execute: Callable[..., Any], sql: str, params: Any, many: bool, ctx: Any) -> Any:
        context = _current.get()
        wanted = (
            "" if context is None else context.payload_json(),
            "on" if _maintenance.get() else "",
        )
        if getattr(connection, "_hc_audit_pushed", None) != wanted:
            # a plain cursor of its own: the query's may be a server-side (named) cursor
            with connection.connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
                    [PG_SETTING, wanted[0], PG_MAINTENANCE, wanted[1]],
                )
            connection._hc_audit_pushed = wanted  # type: ignore[attr-defined]
        return execute(sql, params, many, ctx)

    return wrapper


def on_connection_created(sender: Any, connection: BaseDatabaseWrapper, **kwargs: Any) -> None:
    if connection.vendor == "sqlite":
        raw = connection.connection
        raw.create_function("hc_audit_context", 0, _sqlite_context, deterministic=False)
        raw.create_function("hc_audit_live", 0, _sqlite_live, deterministic=False)
        raw.create_function("hc_audit_scrub_erasure", 0, _sqlite_scrub_erasure)
        raw.create_function("hc_audit_scrub_allowed", 6, _sqlite_scrub_allowed)
    elif connection.vendor == "postgresql":
        connection._hc_audit_pushed = ("", "")  # type: ignore[attr-defined]
        if not any(getattr(w, "_hc_audit", False) for w in connection.execute_wrappers):
            wrapper = _pg_wrapper(connection)
            wrapper._hc_audit = True  # type: ignore[attr-defined]
            connection.execute_wrappers.append(wrapper)


# ---------------------------------------------------------------------------- which tables


def audited_models() -> list[type[Model]]:
    """Every model of the homecoming apps, the user, and their many-to-many tables."""
    found: list[type[Model]] = []
    for model in apps.get_models(include_auto_created=True):
        meta = model._meta
        # an auto-created many-to-many table belongs to the model that declares the field
        source = meta.auto_created if isinstance(meta.auto_created, type) else model
        owner = source._meta
        is_ours = owner.app_config is not None and owner.app_config.name.startswith("homecoming.")
        is_user = owner.label == "auth.User"
        if not (is_ours or is_user) or not meta.managed or meta.proxy:
            continue
        if meta.db_table in EXCLUDED_TABLES:
            continue
        found.append(model)
    return sorted(found, key=lambda m: m._meta.db_table)


# ---------------------------------------------------------------------------- triggers

CONTEXT_COLUMNS = "actor_id, actor, channel, ip, path, request_id, note"
EVENT_COLUMNS = f'at, "table", object_pk, action, before, after, {CONTEXT_COLUMNS}'

# PostgreSQL: statement-level triggers with transition tables, so a bulk write (an import's
# COPY, a queryset update) is recorded by one INSERT ... SELECT, not one call per row.
# PL/pgSQL compiles a trigger function once per table, so the static SQL below is planned
# for each table's transition tables. TG_ARGV: the primary key column, then secret columns.
# SQL from strings (bandit B608, reviewed): trigger DDL built from constants of this module.
PG_FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION hc_audit_hide(b jsonb, a jsonb, secrets text[], side text)
RETURNS jsonb LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    secret text;
    result jsonb := CASE WHEN side = 'before' THEN b ELSE a END;
BEGIN
    IF result IS NULL THEN
        RETURN NULL;
    END IF;
    FOREACH secret IN ARRAY secrets LOOP
        result := jsonb_set(result, ARRAY[secret], to_jsonb(CASE
            WHEN side = 'before' OR b IS NULL OR (a -> secret) IS NOT DISTINCT FROM (b -> secret)
            THEN '{HIDDEN}' ELSE '{CHANGED}' END));
    END LOOP;
    RETURN result;
END $$;

CREATE OR REPLACE FUNCTION hc_audit_stmt() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ctx jsonb;
    pk text := TG_ARGV[0];
    secrets text[] := TG_ARGV[1:];
BEGIN
    IF current_setting('{PG_MAINTENANCE}', true) = 'on' THEN
        RETURN NULL;
    END IF;
    ctx := COALESCE(NULLIF(current_setting('{PG_SETTING}', true), ''), '{SYSTEM_JSON}')::jsonb;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO {AUDIT_TABLE} ({EVENT_COLUMNS})
        SELECT clock_timestamp(), TG_TABLE_NAME, r.a ->> pk, 'insert', NULL,
               hc_audit_hide(NULL, r.a, secrets, 'after'),
               (ctx ->> 'actor_id')::bigint, ctx ->> 'actor', ctx ->> 'channel', ctx ->> 'ip',
               ctx ->> 'path', ctx ->> 'request_id', ctx ->> 'note'
        FROM (SELECT to_jsonb(n) AS a FROM hc_new n) r;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO {AUDIT_TABLE} ({EVENT_COLUMNS})
        SELECT clock_timestamp(), TG_TABLE_NAME, r.b ->> pk, 'delete',
               hc_audit_hide(r.b, NULL, secrets, 'before'), NULL,
               (ctx ->> 'actor_id')::bigint, ctx ->> 'actor', ctx ->> 'channel', ctx ->> 'ip',
               ctx ->> 'path', ctx ->> 'request_id', ctx ->> 'note'
        FROM (SELECT to_jsonb(o) AS b FROM hc_old o) r;
    ELSE
        INSERT INTO {AUDIT_TABLE} ({EVENT_COLUMNS})
        SELECT clock_timestamp(), TG_TABLE_NAME, na.a ->> pk, 'update',
               hc_audit_hide(ob.b, na.a, secrets, 'before'),
               hc_audit_hide(ob.b, na.a, secrets, 'after'),
               (ctx ->> 'actor_id')::bigint, ctx ->> 'actor', ctx ->> 'channel', ctx ->> 'ip',
               ctx ->> 'path', ctx ->> 'request_id', ctx ->> 'note'
        FROM (SELECT to_jsonb(o) AS b FROM hc_old o) ob
        JOIN (SELECT to_jsonb(n) AS a FROM hc_new n) na ON na.a -> pk = ob.b -> pk
        WHERE na.a <> ob.b;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION hc_audit_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    permit jsonb;
    row_keys jsonb;
    erased text[];
BEGIN
    IF TG_OP IN ('DELETE', 'TRUNCATE')
       AND current_setting('{PG_MAINTENANCE}', true) = 'on' THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NULL END;
    END IF;
    -- An erasure's scrub (audit.scrub_events): a permit local to its transaction, naming
    -- an erasure record that exists, the rows and their keys; nothing else may change.
    IF TG_OP = 'UPDATE' AND TG_TABLE_NAME = '{AUDIT_TABLE}' THEN
        permit := NULLIF(current_setting('{PG_SCRUB}', true), '')::jsonb;
        row_keys := permit -> 'rows' -> (OLD."table" || ' ' || OLD.object_pk);
        IF row_keys IS NOT NULL
           AND EXISTS (SELECT 1 FROM {ERASURE_TABLE} e WHERE e.id = (permit ->> 'erasure')::bigint)
           AND (to_jsonb(NEW) - 'before' - 'after') = (to_jsonb(OLD) - 'before' - 'after') THEN
            erased := ARRAY(SELECT jsonb_array_elements_text(row_keys));
            IF (OLD.before - erased) IS NOT DISTINCT FROM (NEW.before - erased)
               AND (OLD.after - erased) IS NOT DISTINCT FROM (NEW.after - erased) THEN
                RETURN NEW;
            END IF;
        END IF;
    END IF;
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END $$;

DROP FUNCTION IF EXISTS hc_audit_row();
"""  # nosec B608


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sqlite_json(columns: list[tuple[str, bool]], row: str, masked: dict[str, str]) -> str:
    """json_object over a row's columns, in chunks (SQLite caps a function's arguments)."""
    pairs = []
    for column, is_json in columns:
        if column in masked:
            value = masked[column]
        elif is_json:
            value = f"json({row}.{_q(column)})"
        else:
            value = f"{row}.{_q(column)}"
        pairs.append((column, value))
    chunks = [pairs[i : i + 40] for i in range(0, len(pairs), 40)] or [[]]
    expr = "json_object(" + ", ".join(f"{_lit(c)}, {v}" for c, v in chunks[0]) + ")"
    for chunk in chunks[1:]:
        args = ", ".join(f"{_lit('$.' + json.dumps(c))}, {v}" for c, v in chunk)
        expr = f"json_set({expr}, {args})"
    return expr


def _sqlite_triggers(model: type[Model]) -> list[str]:
    """Three row triggers naming every column (SQLite has no row-to-JSON function)."""
    meta = model._meta
    table = meta.db_table
    columns = [
        (str(f.column), f.get_internal_type() == "JSONField") for f in meta.local_concrete_fields
    ]
    pk = _q(str(meta.pk.column))
    secrets = SECRET_COLUMNS.get(table, ())
    hidden = {c: _lit(HIDDEN) for c in secrets}
    after_update = {
        c: f"CASE WHEN OLD.{_q(c)} IS NEW.{_q(c)} THEN {_lit(HIDDEN)} ELSE {_lit(CHANGED)} END"
        for c in secrets
    }
    context = ", ".join(
        f"json_extract(c.j, '$.{k}')" for k in CONTEXT_COLUMNS.replace(" ", "").split(",")
    )
    now = "strftime('%Y-%m-%d %H:%M:%f', 'now')"

    def insert(pk_sql: str, action: str, before: str, after: str) -> str:
        # SQL from strings (bandit B608, reviewed): trigger DDL from model metadata; literals quoted by _lit.
        return (
            f"INSERT INTO {AUDIT_TABLE} ({EVENT_COLUMNS}) SELECT {now}, {_lit(table)}, "
            f"CAST({pk_sql} AS TEXT), '{action}', {before}, {after}, {context} "
            "FROM (SELECT hc_audit_context() AS j) AS c WHERE c.j IS NOT NULL;"  # nosec B608
        )

    changed = " OR ".join(f"OLD.{_q(c)} IS NOT NEW.{_q(c)}" for c, _ in columns)
    name = f"{TRIGGER_PREFIX}_{table}"
    return [
        f"CREATE TRIGGER {_q(name + '_ins')} AFTER INSERT ON {_q(table)} FOR EACH ROW BEGIN "
        + insert(f"NEW.{pk}", "insert", "NULL", _sqlite_json(columns, "NEW", hidden))
        + " END",
        f"CREATE TRIGGER {_q(name + '_upd')} AFTER UPDATE ON {_q(table)} FOR EACH ROW "
        f"WHEN {changed} BEGIN "
        + insert(
            f"NEW.{pk}",
            "update",
            _sqlite_json(columns, "OLD", hidden),
            _sqlite_json(columns, "NEW", after_update),
        )
        + " END",
        f"CREATE TRIGGER {_q(name + '_del')} AFTER DELETE ON {_q(table)} FOR EACH ROW BEGIN "
        + insert(f"OLD.{pk}", "delete", _sqlite_json(columns, "OLD", hidden), "NULL")
        + " END",
    ]


#: Columns of an audit row an erasure's scrub leaves as they are (all but before/after).
_KEPT = ("id", "at", "table", "object_pk", "action", *CONTEXT_COLUMNS.replace(" ", "").split(","))

#: The audit trail's UPDATE is allowed only as an erasure's scrub (audit.scrub_events); the
#: permit comes from this connection's Python functions, so a connection without them (the
#: sqlite3 shell) cannot run the check and is refused.
_SCRUB_ALLOWED = (
    "NOT ("
    + " AND ".join(f"NEW.{_q(c)} IS OLD.{_q(c)}" for c in _KEPT)
    # SQL from strings (bandit B608, reviewed): trigger DDL from this module's constants.
    + f" AND EXISTS (SELECT 1 FROM {ERASURE_TABLE} WHERE id = hc_audit_scrub_erasure())"  # nosec B608
    ' AND hc_audit_scrub_allowed(OLD."table", OLD.object_pk, OLD.before, NEW.before,'
    " OLD.after, NEW.after))"
)


def _sqlite_refuse(table: str) -> list[str]:
    update_when = f" WHEN {_SCRUB_ALLOWED}" if table == AUDIT_TABLE else ""
    return [
        f"CREATE TRIGGER {TRIGGER_PREFIX}_refuse_update_{table} BEFORE UPDATE ON {table}"
        f"{update_when} "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)'); END",
        f"CREATE TRIGGER {TRIGGER_PREFIX}_refuse_delete_{table} BEFORE DELETE ON {table} "
        "WHEN hc_audit_live() "
        "BEGIN SELECT RAISE(ABORT, 'audit events are append-only (DELETE refused)'); END",
    ]


def drop_triggers(using: str = "default") -> None:
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(
                "SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE %s",
                [TRIGGER_PREFIX + "%"],
            )
            for (name,) in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)}")
        elif connection.vendor == "postgresql":
            cursor.execute(
                "SELECT t.tgname, c.relname FROM pg_trigger t "
                "JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE %s AND pg_table_is_visible(c.oid)",
                [TRIGGER_PREFIX + "%"],
            )
            for name, table in cursor.fetchall():
                cursor.execute(f"DROP TRIGGER IF EXISTS {_q(name)} ON {_q(table)}")


def install_triggers(using: str = "default") -> int:
    """Drop and recreate every audit trigger; returns how many tables are audited."""
    connection = connections[using]
    if connection.vendor not in {"sqlite", "postgresql"}:
        return 0
    existing = set(connection.introspection.table_names())
    if AUDIT_TABLE not in existing:
        return 0
    models = [m for m in audited_models() if m._meta.db_table in existing]
    drop_triggers(using)
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for model in models:
                for sql in _sqlite_triggers(model):
                    cursor.execute(sql)
            for table in APPEND_ONLY_TABLES:
                for sql in _sqlite_refuse(table) if table in existing else []:
                    cursor.execute(sql)
        else:
            cursor.execute(PG_FUNCTIONS)
            for model in models:
                table = model._meta.db_table
                pk = str(model._meta.pk.column)
                args = ", ".join(_lit(a) for a in (pk, *SECRET_COLUMNS.get(table, ())))
                # transition tables allow one event per trigger
                for event, tables in (
                    ("INSERT", "NEW TABLE AS hc_new"),
                    ("UPDATE", "OLD TABLE AS hc_old NEW TABLE AS hc_new"),
                    ("DELETE", "OLD TABLE AS hc_old"),
                ):
                    cursor.execute(
                        f"CREATE TRIGGER {TRIGGER_PREFIX}_{event.lower()} AFTER {event} "
                        f"ON {_q(table)} REFERENCING {tables} FOR EACH STATEMENT "
                        f"EXECUTE FUNCTION hc_audit_stmt({args})"
                    )
            for table in APPEND_ONLY_TABLES:
                if table not in existing:
                    continue
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER_PREFIX}_refuse BEFORE UPDATE OR DELETE ON "
                    f"{table} FOR EACH ROW EXECUTE FUNCTION hc_audit_refuse()"
                )
                cursor.execute(
                    f"CREATE TRIGGER {TRIGGER_PREFIX}_refuse_truncate BEFORE TRUNCATE ON "
                    f"{table} FOR EACH STATEMENT EXECUTE FUNCTION hc_audit_refuse()"
                )
    return len(models)


def on_pre_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    # Migrations rebuild and alter tables; per-table triggers naming old columns would break
    # them on SQLite. They come back, matching the new schema, at post_migrate.
    if AUDIT_TABLE in connections[using].introspection.table_names():
        drop_triggers(using)


def on_post_migrate(sender: Any, using: str = "default", **kwargs: Any) -> None:
    install_triggers(using)
