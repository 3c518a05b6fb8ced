"""Least privilege on personal data: which kinds of personal field a user sees, which export
formats a user may take away.

Each role gets what its work needs (docs/security.md, "Roles and their fields"); anything
more is a Django permission an administrator grants to one user or a group in the admin
("accounts | profile | May see identity numbers"...). Grants only add: a role's floor is
never taken away, so a district officer can always call the families of their district.

A field a user may not see is *masked*: pages show a "hidden" mark, the API gives an empty
value and names the field in `masked_fields`. Searching by a masked kind of field is not
offered either (a search is a read).

>>> sorted(ROLE_FIELDS["allocation_officer"])
['needs']
>>> see_permission(PersonalField.PHONE)
'see_phone'
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _


class PersonalField(models.TextChoices):
    """Kinds of personal data; each covers one or more model fields."""

    NATIONAL_ID = "national_id", _("identity numbers")
    PHONE = "phone", _("phone numbers")
    BIRTH_DATE = "birth_date", _("birth dates")
    ADDRESS = "address", _("current addresses")
    NEEDS = "needs", _("health and vulnerability needs")
    NOTES = "notes", _("notes")


class ExportFormat(models.TextChoices):
    CSV = "csv", _("CSV files")
    XLSX = "xlsx", _("Excel files")
    PDF = "pdf", _("PDF documents (manifests, receipts)")
    JSON = "json", _("JSON files")


# Role values spelled here (not accounts.models.Role) because models.py imports PERMISSIONS.
ADMINISTRATOR, DISTRICT_OFFICER = "administrator", "district_officer"
ALLOCATION_OFFICER, AUDITOR = "allocation_officer", "auditor"


ALL_FIELDS = frozenset(PersonalField.values)
ALL_FORMATS = frozenset(ExportFormat.values)

#: What each role's work needs. District officers register and serve the families of their
#: district in person; allocation officers need the needs that decide a home (step-free
#: access); auditors check the process, not the people.
ROLE_FIELDS: dict[str, frozenset[str]] = {
    ADMINISTRATOR: ALL_FIELDS,
    DISTRICT_OFFICER: ALL_FIELDS,
    ALLOCATION_OFFICER: frozenset({PersonalField.NEEDS.value}),
    AUDITOR: frozenset(),
}

#: Export formats each role takes away by default. District officers print manifests and
#: receipts and export the lists of their district; allocation officers take run files;
#: auditors export the audit trail.
ROLE_FORMATS: dict[str, frozenset[str]] = {
    ADMINISTRATOR: ALL_FORMATS,
    DISTRICT_OFFICER: ALL_FORMATS,
    ALLOCATION_OFFICER: frozenset({ExportFormat.CSV.value, ExportFormat.JSON.value}),
    AUDITOR: frozenset({ExportFormat.CSV.value, ExportFormat.JSON.value}),
}

#: Model field -> kind of personal data (registry.Household, registry.Person, registry.Group).
MODEL_FIELDS: dict[str, str] = {
    "national_id": PersonalField.NATIONAL_ID,
    "phone": PersonalField.PHONE,
    "birth_date": PersonalField.BIRTH_DATE,
    "shelter_address": PersonalField.ADDRESS,
    "needs_step_free": PersonalField.NEEDS,
    "other_needs": PersonalField.NEEDS,
    "notes": PersonalField.NOTES,
}


def see_permission(kind: str) -> str:
    return f"see_{kind}"


def export_permission(fmt: str) -> str:
    return f"export_{fmt}"


#: Declared on accounts.Profile (Meta.permissions), so the admin lists them. English, not
#: translated: the names are stored by the migration.
PERMISSIONS: tuple[tuple[str, str], ...] = (
    (see_permission("national_id"), "May see identity numbers"),
    (see_permission("phone"), "May see phone numbers"),
    (see_permission("birth_date"), "May see birth dates"),
    (see_permission("address"), "May see current addresses"),
    (see_permission("needs"), "May see health and vulnerability needs"),
    (see_permission("notes"), "May see notes"),
    (export_permission("csv"), "May export CSV"),
    (export_permission("xlsx"), "May export Excel files"),
    (export_permission("pdf"), "May export PDF manifests and receipts"),
    (export_permission("json"), "May export JSON"),
)


def _granted(user: Any, prefix: str, values: frozenset[str]) -> frozenset[str]:
    if not getattr(user, "is_active", False):
        return frozenset()
    return frozenset(v for v in values if user.has_perm(f"accounts.{prefix}{v}"))


def visible_fields(user: Any) -> frozenset[str]:
    """Kinds of personal data `user` sees (cached on the user object for the request)."""
    from homecoming.accounts.models import profile_of

    cached = getattr(user, "_hc_visible_fields", None)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    profile = profile_of(user)
    if profile is None:
        result: frozenset[str] = frozenset()
    else:
        floor = ROLE_FIELDS.get(profile.role, frozenset())
        result = floor | _granted(user, "see_", ALL_FIELDS - floor)
    if user is not None:
        user._hc_visible_fields = result
    return result


def export_formats(user: Any) -> frozenset[str]:
    """Formats `user` may export (their role's, plus those granted)."""
    from homecoming.accounts.models import profile_of

    profile = profile_of(user)
    if profile is None:
        return frozenset()
    floor = ROLE_FORMATS.get(profile.role, frozenset())
    return floor | _granted(user, "export_", ALL_FORMATS - floor)


def may_see(user: Any, kind: str) -> bool:
    return kind in visible_fields(user)


def may_export(user: Any, fmt: str) -> bool:
    return fmt in export_formats(user)


def masked_model_fields(user: Any, names: list[str] | tuple[str, ...]) -> list[str]:
    """Of the model fields `names`, those `user` may not see."""
    shown = visible_fields(user)
    return [n for n in names if n in MODEL_FIELDS and MODEL_FIELDS[n] not in shown]


#: Columns of the audit trail's rows that hold personal data, by table (kinds from MODEL_FIELDS).
PERSONAL_COLUMNS: dict[str, dict[str, str]] = {
    table: {column: MODEL_FIELDS[column] for column in columns}
    for table, columns in {
        "registry_person": ("national_id", "birth_date", "needs_step_free", "other_needs"),
        "registry_household": ("phone", "shelter_address", "notes"),
        "registry_group": ("notes",),
    }.items()
}
#: Columns holding {model field: [before, after]} of persons (a merge's changes).
NESTED_COLUMNS: dict[str, str] = {"registry_personmerge": "changes"}
#: A value the reader may not see, and one that changed, in the audit trail (core.audit
#: writes the same marks for secret columns).
HIDDEN, CHANGED = "[hidden]", "[changed]"


def mask_row_pair(
    table: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    shown: frozenset[str],
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """An audited row's values before/after a write, with the personal columns the reader
    does not see replaced: "[hidden]", and "[changed]" on the after side when the value
    changed (so the reader still sees *that* it changed).

    >>> mask_row_pair("registry_household", {"phone": "1", "priority": 2},
    ...               {"phone": "3", "priority": 2}, frozenset())
    ({'phone': '[hidden]', 'priority': 2}, {'phone': '[changed]', 'priority': 2})
    """
    columns = {c: k for c, k in PERSONAL_COLUMNS.get(table, {}).items() if k not in shown}
    nested = NESTED_COLUMNS.get(table)
    old, new = dict(before or {}), dict(after or {})
    for side in (old, new):
        if nested and isinstance(side.get(nested), dict):
            side[nested] = {
                name: HIDDEN if MODEL_FIELDS.get(name, name) in ALL_FIELDS - shown else change
                for name, change in side[nested].items()
            }
    for column in columns:
        differ = before and after and before.get(column) != after.get(column)
        if column in old:
            old[column] = HIDDEN
        if column in new:
            new[column] = CHANGED if differ else HIDDEN
    return (old if before is not None else None), (new if after is not None else None)
