"""Finding families and persons by name in any script, through an index (issue 13).

A name is stored beside its spellings as *name keys* (`registry.linkage.names.name_key` of
each word, in Latin, lower case, phonetic classes folded): ``Məmmədov``, ``Мамедов``,
``Мәммәдов`` and ``Mammadov`` all give ``mamadov``. A search text is turned into keys the
same way and each key must occur in the stored keys (``LIKE '%key%'``), so a part of a name
("Məmməd") finds the whole one.

- `Person.name_keys`: the keys of the person's surname, given name and patronymic;
- `Household.name_keys`: the distinct keys of all its members, so a family is found by
  one indexed condition on one table (a million persons need not be joined).

Both are kept in sync by the model's save (`Person.save`, a member's deletion), the
importer's write, merges and erasure (`refresh_household_keys`). On PostgreSQL the key
columns, the registration number and the phone carry pg_trgm trigram GIN indexes
(migration 0008), which answer ``LIKE '%...%'`` without reading every row; SQLite scans.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from homecoming.registry.linkage.names import name_key, to_latin


def name_keys(*names: str) -> str:
    """The keys of every word of `names`, space-separated, in order, without repeats.

    >>> name_keys("Məmmədov", "Elvin", "Əli oğlu")
    'mamadov alvin ali oklu'
    >>> name_keys("Мамедова", "Айсель", "") == name_keys("Mammadova", "Aysel", "")
    True
    >>> name_keys("", "  ")
    ''
    """
    keys: dict[str, None] = {}
    for name in names:
        for word in to_latin(name).split():
            key = name_key(word)
            if key:
                keys[key] = None
    return " ".join(keys)


def query_keys(text: str) -> list[str]:
    """The keys a search text must match, one per word; a word with a digit (a
    registration, identity or phone number) is no name and gives none: its letters alone
    ("WV711ZY": "v", "zi") would match a great many names.

    >>> query_keys("Мамедов Elvin")
    ['mamadov', 'alvin']
    >>> query_keys("B-00012345"), query_keys("1101-001077"), query_keys("WV711ZY")
    ([], [], [])
    """
    words = [w for w in text.split() if not any(c.isdigit() for c in w)]
    return name_keys(*words).split()


def merged_keys(keys: Iterable[str]) -> str:
    """The distinct keys of several persons' `name_keys`, for their family.

    >>> merged_keys(["mamadov alvin", "mamadova aysal", ""])
    'mamadov alvin mamadova aysal'
    """
    return " ".join(dict.fromkeys(word for k in keys for word in k.split()))


def refresh_household_keys(household_ids: Iterable[int | None]) -> int:
    """Recompute `Household.name_keys` of these families from their members' keys; write
    only those that changed. Returns how many changed. Call it inside the write's
    transaction."""
    from homecoming.registry.models import Household, Person

    ids = sorted({pk for pk in household_ids if pk is not None})
    changed = 0
    for start in range(0, len(ids), 2000):
        chunk = ids[start : start + 2000]
        members: dict[int, list[str]] = defaultdict(list)
        for household_id, keys in (
            Person.objects.filter(household_id__in=chunk)
            .order_by("household_id", "id")
            .values_list("household_id", "name_keys")
        ):
            members[household_id].append(keys)
        stale = [
            Household(pk=pk, name_keys=merged_keys(members.get(pk, ())))
            for pk, current in Household.objects.filter(pk__in=chunk).values_list("pk", "name_keys")
            if current != merged_keys(members.get(pk, ()))
        ]
        Household.objects.bulk_update(stale, ["name_keys"], batch_size=500)
        changed += len(stale)
    return changed
