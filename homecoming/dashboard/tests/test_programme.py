"""The programme dashboard: its numbers are the registry's and the housing's own, per scope
and filter; filters outside the reader's scope are refused; the map answers the same places;
the kept snapshots are append-only, taken once a day, and read back "as of" a day."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import DatabaseError, transaction
from django.test import Client
from django.utils import timezone

from homecoming.core.models import AppendOnly
from homecoming.dashboard.figures import Scope, compute
from homecoming.dashboard.history import (
    do_take_snapshot,
    national_reader,
    snapshot_if_due,
    take_snapshots,
)
from homecoming.dashboard.models import ProgrammeSnapshot
from homecoming.housing.models import Unit, UnitStatus
from homecoming.registry.models import Household, HouseholdStatus
from homecoming.testing import Scene, World, make_scene

pytestmark = pytest.mark.django_db


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def scene(world: World) -> Scene:
    return make_scene(world)


def _listed(client: Client, status: str) -> int:
    page = client.get("/households/", {"status": status}).context["page"]
    assert not page.capped
    return int(page.count)


@pytest.mark.parametrize("who", ["ayten", "kamran", "leyla", "sabina"])
def test_the_numbers_reconcile_with_the_registry_and_housing_pages(scene: Scene, who: str) -> None:
    client = client_of(getattr(scene.world, who))
    f = client.get("/").context["f"]
    for group, statuses in {
        "waiting": ["registered", "eligible"],
        "offered": ["offered"],
        "allocated": ["allocated", "keys_handed"],
        "moved_in": ["moved_in"],
    }.items():
        assert f["families"][group] == sum(_listed(client, s) for s in statuses), group
    assert f["families"]["registered"] == int(client.get("/households/").context["page"].count)
    tree = client.get("/housing/").context["tree"]
    housing = {c.code: c for node in tree for c in node["complexes"]}
    shown = {c["code"]: c for p in f["places"] for c in p["complexes"]}
    assert set(shown) == set(housing)
    for code, c in housing.items():
        homes = shown[code]["homes"]
        assert shown[code]["total"] == c.total
        assert homes["offered"] == c.offered
        assert homes["allocated"] == c.allocated + c.keys_handed
        assert homes["occupied"] == c.occupied
        assert homes["planned"] + homes["building"] + homes["built"] + homes["ready"] == c.free
    assert f["homes"]["total"] == sum(c.total for c in housing.values())


def test_with_a_home_allocated_counts_accepted_offers_not_open_ones(scene: Scene) -> None:
    f = client_of(scene.world.ayten).get("/").context["f"]
    assert (
        f["families"]["allocated"]
        == Household.objects.filter(
            status__in=[HouseholdStatus.ALLOCATED, HouseholdStatus.KEYS_HANDED]
        ).count()
    )
    assert f["families"]["offered"] == Household.objects.filter(status="offered").count()
    assert f["families"]["offered"] > 0


def test_returns_by_month_add_up_to_the_families_moved_in(scene: Scene) -> None:
    f = compute(national_reader(), Scope())
    assert sum(r["families"] for r in f["returns"]) == f["families"]["moved_in"] > 0


def test_a_district_filter_narrows_every_figure_to_the_district(scene: Scene) -> None:
    client = client_of(scene.world.ayten)
    f = client.get("/", {"district": scene.world.lachin.code}).context["f"]
    assert (
        f["families"]["registered"] == Household.objects.filter(district=scene.world.lachin).count()
    )
    assert {p["district"] for p in f["places"]} == {scene.world.lachin.code}


def test_an_officer_asking_for_another_district_gets_a_404(scene: Scene) -> None:
    client = client_of(scene.world.kamran)
    lachin = scene.world.lachin.code
    assert client.get("/", {"district": lachin}).status_code == 404
    assert client.get("/dashboard/map/data/", {"district": lachin}).status_code == 404
    assert client.get("/", {"district": scene.world.kalbajar.code}).status_code == 200


@pytest.mark.parametrize("query", [{"stage": "99"}, {"stage": "x"}, {"as_of": "yesterday"}])
def test_a_filter_value_that_does_not_exist_is_a_404(scene: Scene, query: dict[str, str]) -> None:
    assert client_of(scene.world.ayten).get("/", query).status_code == 404


def test_the_map_shows_only_the_readers_places(scene: Scene) -> None:
    data = client_of(scene.world.leyla).get("/dashboard/map/data/").json()
    codes = {feature["properties"]["label"] for feature in data["features"]}
    assert scene.world.lachin_complex.name in codes
    assert scene.world.kalbajar_complex.name not in codes


def test_a_snapshot_is_never_changed_or_deleted(scene: Scene) -> None:
    assert take_snapshots() >= 1
    kept = ProgrammeSnapshot.objects.filter(district__isnull=True).get()
    with pytest.raises(AppendOnly):
        kept.save()
    with pytest.raises(AppendOnly):
        kept.delete()
    for write in (
        lambda: ProgrammeSnapshot.objects.filter(pk=kept.pk).update(source="job"),
        lambda: ProgrammeSnapshot.objects.filter(pk=kept.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            write()
    assert ProgrammeSnapshot.objects.filter(pk=kept.pk, source="command").exists()


def test_a_day_keeps_its_first_snapshot(scene: Scene) -> None:
    first = take_snapshots()
    assert first >= 1
    assert take_snapshots() == 0
    today = timezone.localdate()
    figures = compute(national_reader(), Scope())
    assert do_take_snapshot(figures, today, None, "job") is None
    assert ProgrammeSnapshot.objects.filter(day=today, district__isnull=True).count() == 1


def test_the_command_takes_the_days_snapshots(scene: Scene, capsys: Any) -> None:
    call_command("snapshot")
    assert "snapshot(s) taken" in capsys.readouterr().out
    districts = set(ProgrammeSnapshot.objects.values_list("district__code", flat=True))
    assert {None, scene.world.kalbajar.code, scene.world.lachin.code} <= districts


def test_the_worker_queues_the_days_snapshot_once(
    scene: Scene, django_capture_on_commit_callbacks: Any
) -> None:
    # Jobs run at once in tests (when the transaction commits): the job takes the snapshot.
    with django_capture_on_commit_callbacks(execute=True):
        assert snapshot_if_due() == {"programme_snapshots": 1}
    assert ProgrammeSnapshot.objects.filter(district__isnull=True, source="job").exists()
    assert snapshot_if_due() == {"programme_snapshots": 0}


def test_as_of_shows_the_kept_figures_not_todays_after_a_correction(scene: Scene) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    figures = compute(national_reader(), Scope(), yesterday)
    do_take_snapshot(figures, yesterday, None, "job")
    kept_waiting = figures["families"]["waiting"]
    # A correction today: a waiting family withdraws.
    family = Household.objects.filter(status__in=["registered", "eligible"]).first()
    assert family is not None
    Household.objects.filter(pk=family.pk).update(status="withdrawn")
    client = client_of(scene.world.ayten)
    today = client.get("/").context["f"]
    past = client.get("/", {"as_of": yesterday.isoformat()})
    assert today["families"]["waiting"] == kept_waiting - 1
    assert past.context["f"]["families"]["waiting"] == kept_waiting
    assert past.context["kept"].day == yesterday
    before = client.get("/", {"as_of": (yesterday - timedelta(days=5)).isoformat()})
    assert before.context["f"] is None
    assert b"No figures were kept" in before.content


def test_an_officer_reads_only_their_districts_kept_figures(scene: Scene) -> None:
    yesterday = timezone.localdate() - timedelta(days=1)
    take_snapshots(day=yesterday)
    response = client_of(scene.world.leyla).get("/", {"as_of": yesterday.isoformat()})
    assert response.context["kept"].district == scene.world.lachin
    f = response.context["f"]
    assert (
        f["families"]["registered"] == Household.objects.filter(district=scene.world.lachin).count()
    )


def test_the_trend_is_drawn_from_the_kept_days(scene: Scene) -> None:
    today = timezone.localdate()
    for days in (30, 20, 10):
        take_snapshots(day=today - timedelta(days=days))
    response = client_of(scene.world.ayten).get("/")
    assert "trend-moved_in" in str(response.context["trend_chart"])


def test_a_blocker_is_ranked_by_the_families_it_holds_back(scene: Scene) -> None:
    f = compute(national_reader(), Scope(), date(2020, 1, 1))
    held = [b["families"] for b in f["blockers"]]
    assert held == sorted(held, reverse=True)
    assert all(b["complexes"] for b in f["blockers"])


def test_a_home_state_partition_covers_every_home(scene: Scene) -> None:
    f = compute(national_reader(), Scope())
    assert f["homes"]["total"] == Unit.objects.count()
    assert f["homes"]["occupied"] == Unit.objects.filter(status=UnitStatus.OCCUPIED).count()
