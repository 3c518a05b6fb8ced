"""The table of the shared cache (CACHE_URL=db, the production default; docs/scaling.md).

Made here, as Django's createcachetable makes it, so that no deployment needs an extra
command; made whatever CACHE_URL says, so switching to db later needs nothing either.
"""

from typing import Any

from django.core.management import call_command
from django.db import migrations

TABLE = "homecoming_cache"


def create(apps: Any, schema_editor: Any) -> None:
    call_command("createcachetable", TABLE, database=schema_editor.connection.alias, verbosity=0)


def drop(apps: Any, schema_editor: Any) -> None:
    schema_editor.execute(f"DROP TABLE IF EXISTS {schema_editor.quote_name(TABLE)}")


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0008_monthly_report_kind"),
    ]

    operations = [migrations.RunPython(create, drop)]
