"""Search keys of names in any script, and indexes for the families list (issue 13).

Adds `name_keys` to persons and households and fills them (registry.search), adds the
list's order indexes, and on PostgreSQL the pg_trgm extension with trigram GIN indexes on
the keys, the registration number and the phone (what `Household.objects.search` and
`Person.objects.search` ask with LIKE '%...%'). SQLite has no trigram index: it keeps the
columns and the b-tree indexes, and scans for a part of a word.
"""

from collections import defaultdict
from typing import Any

from django.db import migrations, models

from homecoming.registry.search import merged_keys, name_keys

CHUNK = 5000

#: (index name, table, indexed expression): trigram GIN indexes, PostgreSQL only.
TRIGRAM_INDEXES = (
    ("person_name_keys_trgm", "registry_person", "name_keys"),
    ("household_name_keys_trgm", "registry_household", "name_keys"),
    ("household_reg_number_trgm", "registry_household", "UPPER(reg_number::text)"),
    ("household_phone_trgm", "registry_household", "UPPER(phone::text)"),
)


def _write(schema_editor: Any, table: str, rows: list[tuple[int, str]]) -> None:
    if not rows:
        return
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor == "postgresql":
            values = ", ".join(["(%s, %s)"] * len(rows))
            cursor.execute(
                f"UPDATE {table} SET name_keys = v.k FROM (VALUES {values}) AS v(id, k) "  # noqa: S608 - table names are ours
                f"WHERE {table}.id = v.id",
                [x for pk, keys in rows for x in (pk, keys)],
            )
        else:
            cursor.executemany(
                f"UPDATE {table} SET name_keys = %s WHERE id = %s",  # noqa: S608 - ours
                [(keys, pk) for pk, keys in rows],
            )


def fill_keys(apps: Any, schema_editor: Any) -> None:
    """Every person's keys, then every family's from its members' (in chunks of ids)."""
    Person = apps.get_model("registry", "Person")
    persons = Person.objects.order_by("id").values_list(
        "id", "household_id", "surname", "given_name", "patronymic"
    )
    family: dict[int, list[str]] = defaultdict(list)
    cache: dict[tuple[str, str, str], str] = {}
    rows: list[tuple[int, str]] = []
    for pk, household_id, *names in persons.iterator(chunk_size=CHUNK):
        key = cache.get(tuple(names))  # type: ignore[arg-type]
        if key is None:
            key = cache[tuple(names)] = name_keys(*names)  # type: ignore[index]
        family[household_id].append(key)
        rows.append((pk, key))
        if len(rows) == CHUNK:
            _write(schema_editor, "registry_person", rows)
            rows = []
    _write(schema_editor, "registry_person", rows)
    households = sorted(family.items())
    for start in range(0, len(households), CHUNK):
        chunk = households[start : start + CHUNK]
        _write(schema_editor, "registry_household", [(pk, merged_keys(k)) for pk, k in chunk])


def add_trigram_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, expression in TRIGRAM_INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ({expression} gin_trgm_ops)"
        )


def drop_trigram_indexes(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _expression in TRIGRAM_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0007_identity_number_not_unique_across_districts"),
    ]

    operations = [
        migrations.AddField(
            model_name="household",
            name="name_keys",
            field=models.TextField(
                blank=True, db_default="", editable=False, verbose_name="name keys"
            ),
        ),
        migrations.AddField(
            model_name="person",
            name="name_keys",
            field=models.TextField(
                blank=True, db_default="", editable=False, verbose_name="name keys"
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                fields=["-priority", "registered_on", "reg_number", "id"],
                name="household_list_order",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                fields=["district", "-priority", "registered_on", "reg_number", "id"],
                name="household_district_order",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(fields=["reg_number", "id"], name="household_number_order"),
        ),
        migrations.RunPython(fill_keys, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(add_trigram_indexes, drop_trigram_indexes),
    ]
