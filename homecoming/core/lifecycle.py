"""Lifecycles as data: for every model with a status, the allowed transitions and who may make them.

Each capability app declares its lifecycles in its own `lifecycles.py` (imported by its
AppConfig) and registers them here. The same table is used three ways:

- the named actions (`do_*` services) call `Lifecycle.check(action, current, role)` before they
  change a status, and a refusal is a `TransitionRefused` (the API answers 409);
- the database refuses any other change of the status column: a trigger generated from the
  table (SQLite and PostgreSQL) aborts an UPDATE whose (before, after) pair is not in it, so a
  raw PATCH, an admin form, `queryset.update()` or a hand-written SQL statement cannot skip it;
- `homecoming lifecycles` prints the tables as the documentation page docs/lifecycles.md (a
  test keeps that page equal to the code).

Roles are plain strings (the accounts app's role values) because core imports no capability
app. `SYSTEM` is the role of work with no person behind it: jobs, scheduled commands.

>>> life = Lifecycle(
...     "demo.Door", states=(("shut", "Shut"), ("open", "Open")), initial=("shut",),
...     steps=(Step("open_door", ("shut",), ("open",), frozenset({"keeper"})),),
... )
>>> life.check("open_door", "shut", "keeper")
'open'
>>> life.check("open_door", "open", "keeper")
Traceback (most recent call last):
...
homecoming.core.lifecycle.TransitionRefused: Not allowed from “Open”: open door.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext

# Re-exported: the lifecycle tables name these actors beside the roles.
from homecoming.accounts.actors import FAMILY as FAMILY
from homecoming.accounts.actors import SYSTEM as SYSTEM

#: How the database guards' refusals begin (the API recognises them by it).
LIFECYCLE_GUARD = "lifecycle:"


class LifecycleError(Exception):
    """A programming error: an action or state the table does not know."""


class TransitionRefused(Exception):
    """A status change the table does not allow from the current state or for this role.

    The message says why in the user's language; the API answers 409, pages show a message.
    """


@dataclass(frozen=True)
class Step:
    """One named action: from any of `sources` to one of `targets`, made by one of `roles`.

    Most actions have one target; a few return a thing to where it was (a home released by a
    declined offer goes back to its construction state), so they name several.
    """

    action: str
    sources: tuple[str, ...]
    targets: tuple[str, ...]
    roles: frozenset[str]
    note: str = ""

    @property
    def label(self) -> str:
        return self.action.replace("_", " ")


@dataclass(frozen=True)
class Lifecycle:
    model: str  # "app_label.ModelName"
    states: Sequence[tuple[str, Any]]  # (value, label) pairs, e.g. a TextChoices' .choices
    initial: tuple[str, ...]
    steps: tuple[Step, ...]
    field: str = "status"
    note: str = ""
    _by_action: dict[str, Step] = dataclasses.field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        known = {value for value, _label in self.states}
        for step in self.steps:
            unknown = ({*step.targets, *step.sources} - known) if known else set()
            if unknown:
                raise LifecycleError(f"{self.model}.{step.action}: unknown states {unknown}")
            if step.action in self._by_action:
                raise LifecycleError(f"{self.model}: action {step.action} declared twice")
            self._by_action[step.action] = step
        if known and set(self.initial) - known:
            raise LifecycleError(f"{self.model}: unknown initial states")

    def label_of(self, state: str) -> str:
        return str(dict(self.states).get(state, state))

    def step(self, action: str) -> Step:
        try:
            return self._by_action[action]
        except KeyError:
            raise LifecycleError(f"{self.model} has no action {action!r}") from None

    def pairs(self) -> set[tuple[str, str]]:
        """Every (before, after) change of the status that some action may make."""
        return {(s, t) for step in self.steps for s in step.sources for t in step.targets if s != t}

    def allows(self, before: str, after: str) -> bool:
        """Whether some action leads from `before` to `after` (a form's check)."""
        return before == after or (before, after) in self.pairs()

    def may(self, action: str, role: str | None) -> bool:
        return (role or SYSTEM) in self.step(action).roles

    def check(self, action: str, current: str, role: str | None, target: str = "") -> str:
        """The state `action` leads to from `current`, or `TransitionRefused` saying why.

        `target` chooses among an action's targets; an action with one target needs none.
        """
        step = self.step(action)
        if target and target not in step.targets:
            raise LifecycleError(f"{self.model}.{action} cannot lead to {target!r}")
        if not target:
            if len(step.targets) != 1:
                raise LifecycleError(f"{self.model}.{action}: say which target")
            target = step.targets[0]
        if not self.may(action, role):
            raise TransitionRefused(
                gettext("Your role may not do this: %(action)s.") % {"action": step.label}
            )
        if current not in step.sources:
            raise TransitionRefused(
                gettext("Not allowed from “%(state)s”: %(action)s.")
                % {"state": self.label_of(current), "action": step.label}
            )
        return target

    def check_move(self, current: str, target: str, role: str | None) -> str:
        """Check a change asked for by its result (a form's new status): some action that
        `role` may make must lead from `current` to `target`. Returns that action's name."""
        if current == target:
            return ""
        fitting = [s for s in self.steps if current in s.sources and target in s.targets]
        for step in fitting:
            if (role or SYSTEM) in step.roles:
                return step.action
        if fitting:
            raise TransitionRefused(
                gettext("Your role may not do this: %(action)s.") % {"action": fitting[0].label}
            )
        raise TransitionRefused(
            gettext("A status cannot go from “%(before)s” to “%(after)s”.")
            % {"before": self.label_of(current), "after": self.label_of(target)}
        )

    def actions_from(self, current: str, role: str | None) -> list[Step]:
        """The actions `role` may take now (to show the right buttons)."""
        return [s for s in self.steps if current in s.sources and (role or SYSTEM) in s.roles]


#: Every lifecycle, by "app_label.Model.field" (a model may have several, e.g. a home's
#: construction state and its allocation state).
REGISTRY: dict[str, Lifecycle] = {}


def register(*lifecycles: Lifecycle) -> None:
    for life in lifecycles:
        REGISTRY[f"{life.model}.{life.field}"] = life


def lifecycles_of(model: str) -> list[Lifecycle]:
    """The lifecycles of one model ("app_label.Model")."""
    return [life for life in REGISTRY.values() if life.model == model]


# ---------------------------------------------------------------------------- documentation


def as_markdown(lifecycles: Iterable[Lifecycle]) -> str:
    """The page docs/lifecycles.md: every status, every allowed transition and its roles."""
    out = [
        "# Lifecycles",
        "",
        "Generated by `homecoming lifecycles` from the tables in each app's `lifecycles.py`;",
        "a test fails when this page and the code disagree. A status changes only through the",
        "named actions below (the `do_*` services check the table), and the database refuses",
        "any other change of the status column (a trigger generated from the same table).",
        f"`{SYSTEM}` is work with no person behind it: jobs and scheduled commands.",
        "",
    ]
    for life in sorted(lifecycles, key=lambda x: (x.model, x.field)):
        out += [f"## {life.model}.{life.field}", ""]
        if life.note:
            out += [life.note, ""]
        out += ["| state | value | initial |", "|---|---|---|"]
        for value, label in life.states:
            out.append(f"| {label} | `{value}` | {'yes' if value in life.initial else ''} |")
        out += ["", "| action | from | to | who |", "|---|---|---|---|"]
        for step in life.steps:
            sources = ", ".join(f"`{s}`" for s in step.sources)
            roles = ", ".join(sorted(step.roles))
            extra = f" ({step.note})" if step.note else ""
            targets = ", ".join(f"`{t}`" for t in step.targets)
            out.append(f"| `{step.action}`{extra} | {sources} | {targets} | {roles} |")
        out.append("")
    return "\n".join(out)


# ---------------------------------------------------------------------------- database guard


def trigger_name(table: str, column: str) -> str:
    return f"lifecycle_{table}_{column}"


def trigger_sql(vendor: str, table: str, column: str, pairs: set[tuple[str, str]]) -> list[str]:
    """Statements that (re)create the guard refusing any status change not in `pairs`.

    The values come from our own code (state names), never from users; they are quoted all
    the same. Both backends report the refusal as an integrity error.
    """
    name = trigger_name(table, column)
    allowed = sorted(pairs)

    def q(value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    message = f"{LIFECYCLE_GUARD} this change of {table}.{column} is not an allowed transition"
    if vendor == "sqlite":
        if allowed:
            rows = ", ".join(f"({q(a)}, {q(b)})" for a, b in allowed)
            test = f"(OLD.{column}, NEW.{column}) NOT IN (VALUES {rows})"
        else:
            test = "1"
        return [
            f"DROP TRIGGER IF EXISTS {name}",
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} "
            f"WHEN OLD.{column} IS NOT NEW.{column} AND {test} "
            f"BEGIN SELECT RAISE(ABORT, {q(message)}); END",
        ]
    if vendor == "postgresql":
        if allowed:
            rows = ", ".join(f"({q(a)}, {q(b)})" for a, b in allowed)
            test = f"(OLD.{column}, NEW.{column}) NOT IN ({rows})"
        else:
            test = "TRUE"
        return [
            f"DROP TRIGGER IF EXISTS {name} ON {table}",
            f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger AS $$ BEGIN "
            f"IF OLD.{column} IS DISTINCT FROM NEW.{column} AND {test} THEN "
            f"RAISE EXCEPTION USING ERRCODE = 'check_violation', MESSAGE = {q(message)}; "
            f"END IF; RETURN NEW; END $$ LANGUAGE plpgsql",
            f"CREATE TRIGGER {name} BEFORE UPDATE OF {column} ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}()",
        ]
    raise LifecycleError(f"no lifecycle guard for the {vendor} database")


@dataclass(frozen=True)
class Guard:
    """A rule across tables that no CHECK constraint can express, kept by a trigger.

    `statements` maps a database vendor to the statements that (re)create the trigger;
    `tables` are the tables it needs (it is installed once they all exist).
    """

    name: str
    tables: tuple[str, ...]
    statements: dict[str, tuple[str, ...]]  # the first one drops the trigger if it exists


GUARDS: dict[str, Guard] = {}


def register_guard(guard: Guard) -> None:
    GUARDS[guard.name] = guard


def drop_guards(connection: Any) -> None:
    """Remove every guard, before a migration changes the tables they read.

    SQLite refuses to drop or rename a column that a trigger names; the guards come back,
    matching the new tables, with `install_guards` after the migration.
    """
    from django.apps import apps

    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for guard in GUARDS.values():
            if set(guard.tables) <= tables:
                cursor.execute(guard.statements[connection.vendor][0])
        for life in REGISTRY.values():
            model = apps.get_model(life.model)
            table = model._meta.db_table
            if table in tables:
                column = model._meta.get_field(life.field).column
                cursor.execute(trigger_sql(connection.vendor, table, column, set())[0])


def install_guards(connection: Any, lifecycles: Iterable[Lifecycle] | None = None) -> int:
    """Create or refresh the database guard of every registered lifecycle, and the
    registered cross-table guards; returns how many lifecycle guards it installed."""
    from django.apps import apps

    count = 0
    with connection.cursor() as cursor:
        tables = set(connection.introspection.table_names(cursor))
        for guard in GUARDS.values():
            if set(guard.tables) <= tables:
                for statement in guard.statements[connection.vendor]:
                    cursor.execute(statement)
        for life in lifecycles if lifecycles is not None else REGISTRY.values():
            model = apps.get_model(life.model)
            table = model._meta.db_table
            if table not in tables:
                continue  # a migration that has not created it yet
            column = model._meta.get_field(life.field).column
            for statement in trigger_sql(connection.vendor, table, column, life.pairs()):
                cursor.execute(statement)
            count += 1
    return count
