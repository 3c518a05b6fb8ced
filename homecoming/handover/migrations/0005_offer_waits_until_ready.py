"""Offers may wait without a deadline until their home is ready; units' construction state
is refined from the offers.

Before the split of `Unit.status`, an offer recorded the unit's status before it was offered
(`unit_status_before`: planned, construction or ready). For a unit offered or allocated now,
the active offer's record is the best evidence of its construction state, so it replaces the
housing migration's guess (built when the complex has an actual completion date).

An open (pending) offer on a home recorded as not built loses its deadline: it waits until
the home is ready, like the offers made from now on. A home whose keys were handed (or that is lived in) must be built now (a database
constraint); where its offer had recorded it as planned or under construction, the old gate
let the keys through: the migration leaves a line in the unit's history (the audit trail,
actor "migration") asking an officer to check it on site.
"""

from django.db import migrations, models
from django.utils import timezone

CONSTRUCTION = {"planned": "planned", "construction": "under_construction", "ready": "built"}


def refine(apps, schema_editor):  # type: ignore[no-untyped-def]
    Offer = apps.get_model("handover", "Offer")
    Unit = apps.get_model("housing", "Unit")
    Event = apps.get_model("core", "AuditEvent")
    active = Offer.objects.filter(
        status__in=["pending", "accepted"], unit__status__in=["offered", "allocated"]
    )
    for before, construction in CONSTRUCTION.items():
        units = active.filter(unit_status_before=before).values("unit_id")
        Unit.objects.filter(pk__in=units).update(construction=construction)
    # An open offer on a home not built may not run against a deadline any more: it waits,
    # and do_start_deadlines gives it a new one once the home is ready.
    Offer.objects.filter(
        status="pending", unit_status_before__in=["planned", "construction"]
    ).update(deadline=None)
    # Keys handed (or a family living) in a home its offer recorded as not built: the old gate
    # let it through. The database now holds such a home to be built; leave a trace on the
    # unit's history so an officer can check it on site.
    doubtful = Offer.objects.filter(
        status="accepted",
        unit__status__in=["keys_handed", "occupied"],
        unit_status_before__in=["planned", "construction"],
    ).select_related("unit__building__complex__settlement")
    Event.objects.bulk_create(
        Event(
            at=timezone.now(),
            table="housing_unit",
            object_pk=str(o.unit_id),
            action="update",
            before={"construction": CONSTRUCTION[o.unit_status_before]},
            after={"construction": "built"},
            actor="migration",
            channel="system",
            path=f"migration handover.0005: {o.unit.building.complex.code}/"
            f"{o.unit.building.code}/{o.unit.number}"[:300],
            note=(
                "Keys were handed while the home was recorded as "
                f"{CONSTRUCTION[o.unit_status_before].replace('_', ' ')}; taken to be built "
                "now. Check it on site."
            ),
        )
        for o in doubtful
    )


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0004_audit_trail_replaces_transitions"),
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
