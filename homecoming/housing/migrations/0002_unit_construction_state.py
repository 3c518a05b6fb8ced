"""Split a home's construction state from its allocation state.

Before, `Unit.status` held both (planned, construction, ready, then offered, allocated,
keys_handed, occupied), so a home given to a family lost its construction state. Now
`construction` is planned / under_construction / built and `status` is free / offered /
allocated / keys_handed / occupied.

What the data migration assumes, for rows written before the split:
- planned -> free and planned; construction -> free and under construction; ready -> free
  and built;
- keys_handed and occupied -> built (a family holds the keys or lives there);
- offered and allocated -> built when the complex has an actual completion date, else under
  construction. A unit marked taken but with no family becomes free (the family link is the
  record). The handover migration that follows refines these from the offer's record of
  the unit's status before it was offered, where there is one.
"""

from django.db import migrations, models
from django.db.models import Q

OLD_FREE = {"planned": "planned", "construction": "under_construction", "ready": "built"}


def split(apps, schema_editor):  # type: ignore[no-untyped-def]
    Unit = apps.get_model("housing", "Unit")
    for old, construction in OLD_FREE.items():
        Unit.objects.filter(status=old).update(construction=construction, status="free")
    Unit.objects.filter(status__in=["keys_handed", "occupied"]).update(construction="built")
    taken = Unit.objects.filter(status__in=["offered", "allocated"])
    taken.filter(building__complex__actual_completion__isnull=False).update(construction="built")
    taken.filter(building__complex__actual_completion__isnull=True).update(
        construction="under_construction"
    )
    # The old constraint let a unit be "occupied" (or offered...) with no family, e.g. through
    # a PATCH of its status. Without a family it is free; its construction state stays.
    Unit.objects.filter(household__isnull=True).exclude(status="free").update(status="free")


def join(apps, schema_editor):  # type: ignore[no-untyped-def]
    Unit = apps.get_model("housing", "Unit")
    back = {v: k for k, v in OLD_FREE.items()}
    for construction, old in back.items():
        Unit.objects.filter(status="free", construction=construction).update(status=old)


class Migration(migrations.Migration):
    # PostgreSQL refuses to ALTER a table with deferred foreign-key checks still pending in
    # the same transaction (a unit updated twice by the data step queues them), so the data
    # step runs in its own transaction and each schema step in its own.
    atomic = False

    dependencies = [("housing", "0001_initial")]

    operations = [
        migrations.RemoveConstraint(model_name="unit", name="unit_with_household_is_taken"),
        migrations.AddField(
            model_name="unit",
            name="construction",
            field=models.CharField(
                choices=[
                    ("planned", "Planned"),
                    ("under_construction", "Under construction"),
                    ("built", "Built"),
                ],
                default="planned",
                max_length=20,
                verbose_name="construction",
            ),
        ),
        migrations.RunPython(split, join, atomic=True),
        migrations.AlterField(
            model_name="unit",
            name="status",
            field=models.CharField(
                choices=[
                    ("free", "Free"),
                    ("offered", "Offered"),
                    ("allocated", "Allocated"),
                    ("keys_handed", "Keys handed"),
                    ("occupied", "Occupied"),
                ],
                default="free",
                max_length=12,
                verbose_name="allocation",
            ),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.CheckConstraint(
                condition=Q(household__isnull=True, status="free")
                | Q(
                    household__isnull=False,
                    status__in=["offered", "allocated", "keys_handed", "occupied"],
                ),
                name="unit_household_matches_status",
            ),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.CheckConstraint(
                condition=~Q(status__in=["keys_handed", "occupied"]) | Q(construction="built"),
                name="unit_keys_only_when_built",
            ),
        ),
    ]
