"""Offers may wait without a deadline until their home is ready; units' construction state
is refined from the offers.

Before the split of `Unit.status`, an offer recorded the unit's status before it was offered
(`unit_status_before`: planned, construction or ready). For a unit offered or allocated now,
the active offer's record is the best evidence of its construction state, so it replaces the
housing migration's guess (built when the complex has an actual completion date).
"""

from django.db import migrations, models

CONSTRUCTION = {"planned": "planned", "construction": "under_construction", "ready": "built"}


def refine(apps, schema_editor):  # type: ignore[no-untyped-def]
    Offer = apps.get_model("handover", "Offer")
    Unit = apps.get_model("housing", "Unit")
    active = Offer.objects.filter(
        status__in=["pending", "accepted"], unit__status__in=["offered", "allocated"]
    )
    for before, construction in CONSTRUCTION.items():
        units = active.filter(unit_status_before=before).values("unit_id")
        Unit.objects.filter(pk__in=units).update(construction=construction)


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0001_initial"),
        ("housing", "0002_unit_construction_state"),
    ]

    operations = [
        migrations.AlterField(
            model_name="offer",
            name="deadline",
            field=models.DateTimeField(blank=True, null=True, verbose_name="answer by"),
        ),
        migrations.AlterField(
            model_name="offer",
            name="unit_status_before",
            field=models.CharField(default="free", max_length=12),
        ),
        migrations.RunPython(refine, migrations.RunPython.noop),
    ]
