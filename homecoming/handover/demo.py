"""Demo data of the handover: pick-up points where Kalbajar's families live now.

Offers, convoys and ceremonies are made live in the demo: approve a run, answer as a
family at /family/ (the code is printed by the console message backend), plan a convoy
and a ceremony, print the key receipts.
"""

from __future__ import annotations

from homecoming.geography.models import Area
from homecoming.handover.models import PickupPoint

#: Towns where displaced families of the demo live now (as in the demo registry), with the
#: usual gathering place of a convoy.
PICKUPS = [
    ("Bakı", "Koroğlu metro stansiyası yanında dayanacaq", 40.417, 49.918),
    ("Sumqayıt", "Dənizkənarı bulvarın girişi", 40.589, 49.668),
    ("Gəncə", "Heydər Əliyev meydanı", 40.683, 46.361),
    ("Göygöl", "şəhər mərkəzi", 40.587, 46.316),
    ("Naftalan", "sanatoriyaların qarşısı", 40.507, 46.825),
    ("Mingəçevir", "avtovağzal", 40.764, 47.059),
    ("Bərdə", "avtovağzal", 40.375, 47.126),
]


def load(district: Area) -> int:
    points = [
        PickupPoint(district=district, name=name, address=address, lat=lat, lon=lon)
        for name, address, lat, lon in PICKUPS
    ]
    PickupPoint.objects.bulk_create(points)
    return len(points)
