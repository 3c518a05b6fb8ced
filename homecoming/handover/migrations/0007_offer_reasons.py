"""Offers keep the reason the system wrote as data (`Offer.reasons`), rendered in the
reader's language; an exchange's reason written before (one sentence, in the language of
the officer who recorded it) is read back into data when it is one of the three."""

import re

from django.db import migrations, models

#: The sentence an exchange stored, in each language it could be written in.
EXCHANGED = [
    re.compile(r"^Exchanged with family (?P<reg>\S+) by consent of both\.$"),
    re.compile(r"^Hər iki ailənin razılığı ilə (?P<reg>\S+) ailəsi ilə dəyişdirildi\.$"),
    re.compile(r"^Обменяно с семьёй (?P<reg>\S+) с согласия обеих\.$"),
]


def exchanged_with(reason):
    """The other family's registration number if `reason` is an exchange's sentence.

    >>> exchanged_with("Обменяно с семьёй KLB-2 с согласия обеих.")
    'KLB-2'
    >>> exchanged_with("The family asked for a ground floor.") is None
    True
    """
    for pattern in EXCHANGED:
        found = pattern.match(reason.strip())
        if found:
            return found["reg"]
    return None


def exchanges_as_data(apps, schema_editor):
    Offer = apps.get_model("handover", "Offer")
    rows = Offer.objects.exclude(reason="").only("pk", "reason", "reasons").iterator()
    for offer in rows:
        reg = None if offer.reasons else exchanged_with(offer.reason)
        if reg is not None:
            Offer.objects.filter(pk=offer.pk).update(reasons=[{"code": "swapped", "with": reg}])


class Migration(migrations.Migration):
    dependencies = [
        ("handover", "0006_family_sign_in_limits"),
    ]

    operations = [
        migrations.AddField(
            model_name="offer",
            name="reasons",
            field=models.JSONField(blank=True, default=list, verbose_name="reasons"),
        ),
        migrations.RunPython(exchanges_as_data, migrations.RunPython.noop),
    ]
