"""Duplicate detection on the registry, review and merge: audited, remembered, scoped."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecoming.core.models import Job, JobStatus
from homecoming.registry import adapter, services
from homecoming.registry.models import (
    CandidateStatus,
    DuplicateCandidate,
    Household,
    Person,
    PersonMerge,
)
from homecoming.testing import World

pytestmark = pytest.mark.django_db

GIVEN = ["Elvin", "Aysel", "Tural", "Nigar", "Rauf", "Səbinə", "Kənan", "Ləman", "Orxan", "Zaur"]


def give_real_names(world: World) -> None:
    """The world's persons are Member0..n; dedup rightly finds those all alike."""
    for i, p in enumerate(Person.objects.order_by("pk")):
        p.given_name = GIVEN[i % len(GIVEN)] + ("" if i < len(GIVEN) else "a")
        p.birth_date = date(1950 + i * 3 % 60, 1 + i % 12, 1 + i % 27)
        p.save()


def add_duplicate(world: World) -> tuple[Person, Person]:
    """Kalbajar's head of KLB-1, registered again by another agency in Cyrillic."""
    original = world.kalbajar_family.head
    assert original is not None
    family = Household.objects.create(
        reg_number="KLB-77",
        origin=world.zar,
        district=world.kalbajar,
        shelter_kind="tent",
        registered_on=date(1994, 3, 1),
    )
    copy = Person.objects.create(
        household=family,
        surname="Мамедова",
        given_name="Эльвин" if original.given_name == "Elvin" else original.given_name,
        patronymic="Вели кызы",
        sex=original.sex,
        birth_date=original.birth_date,
        relationship="head",
        needs_step_free=True,
    )
    return original, copy


def find(user: Any, capture: Any) -> Job:
    client = Client()
    client.force_login(user)
    with capture(execute=True):
        response = client.post(reverse("registry:duplicates_find"))
    assert response.status_code == 302
    job = Job.objects.filter(kind="registry_dedup").first()
    assert job is not None and job.status == JobStatus.SUCCEEDED, job and job.error
    return job


def test_duplicate_search_stores_the_pair_with_what_matched_and_what_did_not(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    give_real_names(world)
    original, copy = add_duplicate(world)
    job = find(world.ayten, django_capture_on_commit_callbacks)
    pair = DuplicateCandidate.objects.get(person_a=original, person_b=copy)
    assert pair.probability >= 0.9 and pair.found_by == job
    assert pair.district == world.kalbajar
    assert pair.comparison["surname"] == "partial"  # Məmmədov / Мамедова
    assert pair.comparison["given_name"] in ("same", "match")
    assert pair.comparison["birth_date"] == "same"
    assert pair.comparison["household"] == "differ"
    assert pair.comparison["patronymic"] == "missing"
    assert job.result["candidate_pairs"] == DuplicateCandidate.objects.count()


def test_the_duplicate_search_runs_on_the_engine_the_settings_name(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any, monkeypatch: Any
) -> None:
    from homecoming.registry.linkage import dedup as engine

    real, engines = engine.dedup, []

    def recording(*args: Any, **kwargs: Any) -> Any:
        engines.append(kwargs["engine"])
        return real(*args, **{**kwargs, "engine": "duckdb"})  # Spark is tested on its own

    monkeypatch.setattr(engine, "dedup", recording)
    settings.DEDUP_ENGINE = "spark"
    give_real_names(world)
    add_duplicate(world)
    find(world.ayten, django_capture_on_commit_callbacks)
    assert engines == ["spark"]


def test_a_pair_judged_different_is_not_proposed_again(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    give_real_names(world)
    original, copy = add_duplicate(world)
    find(world.kamran, django_capture_on_commit_callbacks)
    pair = DuplicateCandidate.objects.get(person_a=original, person_b=copy)
    client = Client()
    client.force_login(world.kamran)
    client.post(reverse("registry:duplicate_decide", args=[pair.pk]), {"decision": "different"})
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.DIFFERENT and pair.decided_by == world.kamran
    assert pair.decided_at is not None
    job = find(world.kamran, django_capture_on_commit_callbacks)
    assert job.result["already_decided"] >= 1
    assert DuplicateCandidate.objects.filter(person_a=original, person_b=copy).count() == 1
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.DIFFERENT
    page = client.get(reverse("registry:duplicates"))
    assert pair.pk not in [p.pk for p in page.context["page"]]


def test_a_merge_keeps_both_records_links_them_and_records_what_changed(world: World) -> None:
    original, copy = add_duplicate(world)
    assert original.patronymic == "" and not original.needs_step_free
    pair = DuplicateCandidate.objects.create(
        person_a=original, person_b=copy, probability=0.99, district=world.kalbajar
    )
    merge = services.do_merge(pair, original, world.kamran, "same FIN card seen")
    assert Person.objects.filter(pk=copy.pk).exists()  # never deleted
    assert merge.duplicate == copy and merge.survivor == original
    assert merge.changes == {"patronymic": ["", "Вели кызы"], "needs_step_free": [False, True]}
    original.refresh_from_db()
    assert original.patronymic == "Вели кызы" and original.needs_step_free
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.MERGED and pair.decided_by == world.kamran
    assert PersonMerge.objects.get(duplicate=copy).merged_by == world.kamran
    # A merged record is not compared again.
    rows = adapter.person_rows(Person.objects.all())
    assert copy.pk not in {r["pk"] for r in rows}


def test_a_district_officer_sees_and_decides_only_pairs_of_their_district(world: World) -> None:
    original, copy = add_duplicate(world)
    pair = DuplicateCandidate.objects.create(
        person_a=original, person_b=copy, probability=0.99, district=world.kalbajar
    )
    client = Client()
    client.force_login(world.leyla)
    assert client.get(reverse("registry:duplicate", args=[pair.pk])).status_code == 404
    response = client.post(
        reverse("registry:duplicate_decide", args=[pair.pk]), {"decision": "keep_a"}
    )
    assert response.status_code == 404
    assert list(client.get(reverse("registry:duplicates")).context["page"]) == []
    client.force_login(world.sabina)  # the auditor reads, does not decide
    assert client.get(reverse("registry:duplicate", args=[pair.pk])).status_code == 200
    response = client.post(
        reverse("registry:duplicate_decide", args=[pair.pk]), {"decision": "different"}
    )
    assert response.status_code == 403
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.OPEN


def test_pairs_across_districts_are_for_programme_wide_roles_only(world: World) -> None:
    a = world.kalbajar_family.head
    b = world.lachin_family.head
    assert a is not None and b is not None
    pairs = adapter.pairs_from_clusters(
        adapter.person_rows(Person.objects.filter(pk__in=[a.pk, b.pk])),
        [_Assignment(str(a.pk), "x", 0.95), _Assignment(str(b.pk), "x", 0.97)],
    )
    assert len(pairs) == 1 and pairs[0].district_id is None and pairs[0].probability == 0.95
    services.do_store_candidates(pairs)
    client = Client()
    client.force_login(world.kamran)
    assert list(client.get(reverse("registry:duplicates")).context["page"]) == []
    client.force_login(world.ayten)
    assert len(client.get(reverse("registry:duplicates")).context["page"]) == 1


class _Assignment:
    def __init__(self, person_id: str, cluster_id: str, p: float) -> None:
        self.person_id, self.cluster_id, self.match_probability = person_id, cluster_id, p


def test_the_import_pages_show_the_report_and_scope_it(
    world: World, django_capture_on_commit_callbacks: Any, settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = Client()
    client.force_login(world.kamran)
    upload = SimpleUploadedFile(
        "families.csv",
        b"reg_number,origin,shelter_kind,registered_on\nKLB-300,AZ110201,tent,2001-01-01\n",
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:imports"), {"households_file": upload})
    assert response.status_code == 302
    page = client.get(response["Location"])
    assert page.context["imp"].status == "rejected"
    assert "outside yours" in page.content.decode()
    client.force_login(world.leyla)
    assert client.get(response["Location"]).status_code == 404
    client.force_login(world.sabina)
    upload.seek(0)
    assert client.post(reverse("registry:imports"), {"households_file": upload}).status_code == 403
