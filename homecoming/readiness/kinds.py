"""The readiness item kinds a new installation starts with (editable in the admin)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext, gettext_noop

#: (code, English name, tracked for, order); the names are translated when shown (see
#: :func:`kind_name`), the database keeps the English one.
DEFAULT_KINDS: list[tuple[str, str, str, int]] = [
    ("electricity", gettext_noop("Electricity"), "both", 10),
    ("water", gettext_noop("Water supply"), "both", 20),
    ("gas", gettext_noop("Gas supply"), "both", 30),
    ("sewerage", gettext_noop("Sewerage"), "both", 40),
    ("road", gettext_noop("Road access"), "both", 50),
    ("mine-clearance", gettext_noop("Mine clearance"), "both", 60),
    ("school", gettext_noop("School"), "settlement", 70),
    ("kindergarten", gettext_noop("Kindergarten"), "settlement", 80),
    ("clinic", gettext_noop("Clinic or medical point"), "settlement", 90),
    ("mobile", gettext_noop("Mobile network"), "settlement", 100),
]
DEFAULT_NAMES = {code: name for code, name, _scope, _order in DEFAULT_KINDS}


def kind_name(code: str, name: str) -> str:
    """A kind's name in the reader's language: a default kind keeping its default name is
    translated; a kind added or renamed by the programme is shown as written.

    >>> from django.utils import translation
    >>> with translation.override("ru"):
    ...     kind_name("water", "Water supply"), kind_name("water", "Drinking water")
    ('Водоснабжение', 'Drinking water')
    """
    return gettext(name) if DEFAULT_NAMES.get(code) == name else name


def ensure_default_kinds(item_kind_model: Any) -> None:
    """Create the default kinds that are missing (migration, demo and tests share this).

    Takes the model as an argument so the data migration can pass its historical model.
    """
    for code, name, scope, order in DEFAULT_KINDS:
        item_kind_model.objects.get_or_create(
            code=code, defaults={"name": name, "scope": scope, "order": order}
        )
