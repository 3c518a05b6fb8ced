from django.db import migrations


def add_kinds(apps, schema_editor):
    from homecoming.readiness.kinds import ensure_default_kinds

    ensure_default_kinds(apps.get_model("readiness", "ItemKind"))


class Migration(migrations.Migration):
    dependencies = [("readiness", "0001_initial")]

    operations = [migrations.RunPython(add_kinds, migrations.RunPython.noop)]
