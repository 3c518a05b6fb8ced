"""The review band in the app (issue 15): uncertain pairs in the merge-review queue, decided
once, audited, scoped, and fed back into the next duplicate search."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from homecoming.core.models import AuditEvent
from homecoming.registry import adapter, services
from homecoming.registry.linkage.bands import ReviewPair
from homecoming.registry.models import (
    CandidateBand,
    CandidateStatus,
    DuplicateCandidate,
    Household,
    Person,
    PersonMerge,
)
from homecoming.registry.tests.test_review import find, give_real_names
from homecoming.testing import World

pytestmark = pytest.mark.django_db


def add_thin_pair(world: World) -> tuple[Person, Person]:
    """The same woman registered twice, the second time without her birth date and from
    another village: names and father agree, nothing else is known. An uncertain pair."""
    persons = []
    for reg, origin, born in (("KLB-81", world.zar, date(1979, 2, 2)),
                              ("KLB-82", world.kalbajar_city, None)):  # fmt: skip
        family = Household.objects.create(
            reg_number=reg,
            origin=origin,
            district=world.kalbajar,
            shelter_kind="tent",
            registered_on=date(1994, 3, 1),
        )
        persons.append(
            Person.objects.create(
                household=family,
                surname="Kərimova",
                given_name="Səbinə",
                patronymic="Arif qızı",
                sex="F",
                birth_date=born,
                relationship="head",
            )
        )
    return persons[0], persons[1]


def _review_pair(world: World, a: Person, b: Person, district: Any = None) -> DuplicateCandidate:
    rows = adapter.person_rows(Person.objects.filter(pk__in=[a.pk, b.pk]))
    review = [ReviewPair(str(a.pk), str(b.pk), 0.62, 0.62, agreements="agree: surname")]
    services.do_store_candidates(adapter.review_pairs(rows, review))
    return DuplicateCandidate.objects.get(person_a=min(a.pk, b.pk), person_b=max(a.pk, b.pk))


def test_duplicate_search_puts_uncertain_pairs_in_the_queue_with_what_agrees(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    give_real_names(world)
    first, second = add_thin_pair(world)
    job = find(world.kamran, django_capture_on_commit_callbacks)
    assert job.result["review_pairs"] >= 1
    pair = DuplicateCandidate.objects.get(person_a=first, person_b=second)
    assert pair.band == CandidateBand.REVIEW and 0.1 <= pair.probability < 0.97
    assert pair.agreements.startswith("agree: surname, given name, father")
    assert pair.benefit > 0
    assert pair.comparison["birth_date"] == adapter.MISSING
    client = Client()
    client.force_login(world.kamran)
    page = client.get(reverse("registry:duplicates"), {"band": "review"})
    shown = list(page.context["page"])
    assert [p.pk for p in shown] == [pair.pk]
    html = page.content.decode()
    assert 'data-band="review"' in html and "Uncertain" in html and "missing: Birth date" in html
    detail = client.get(reverse("registry:duplicate", args=[pair.pk])).content.decode()
    assert 'data-band="review"' in detail and 'data-key="a"' in detail and 'data-key="s"' in detail


def test_the_queue_lists_confident_pairs_first_then_uncertain_ones_by_benefit(
    world: World,
) -> None:
    first, second = add_thin_pair(world)
    head = world.kalbajar_family.head
    assert head is not None
    DuplicateCandidate.objects.create(
        person_a=head, person_b=first, probability=0.99, district=world.kalbajar
    )
    weak = _review_pair(world, first, second)
    DuplicateCandidate.objects.filter(pk=weak.pk).update(benefit=0.3)
    strong = DuplicateCandidate.objects.create(
        person_a=head, person_b=second, probability=0.5, band="review", benefit=0.5,
        district=world.kalbajar,
    )  # fmt: skip
    client = Client()
    client.force_login(world.kamran)
    shown = [p.band for p in client.get(reverse("registry:duplicates")).context["page"]]
    assert shown == ["auto", "review", "review"]
    review = client.get(reverse("registry:duplicates"), {"band": "review"}).context["page"]
    assert [p.pk for p in review] == [strong.pk, weak.pk]


def test_a_replayed_decision_is_refused_with_409_and_changes_nothing(world: World) -> None:
    first, second = add_thin_pair(world)
    pair = _review_pair(world, first, second)
    client = Client()
    client.force_login(world.kamran)
    url = reverse("registry:duplicate_decide", args=[pair.pk])
    assert client.post(url, {"decision": "keep_a"}).status_code == 302
    again = client.post(url, {"decision": "keep_b"})
    assert again.status_code == 409
    assert "already decided" in again.content.decode()
    assert client.post(url, {"decision": "different"}).status_code == 409
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.MERGED
    assert PersonMerge.objects.filter(candidate=pair).count() == 1
    assert PersonMerge.objects.get(candidate=pair).survivor == first


def test_a_pair_whose_record_merged_through_another_pair_is_refused(world: World) -> None:
    first, second = add_thin_pair(world)
    head = world.kalbajar_family.head
    assert head is not None
    pair = _review_pair(world, first, second)
    other = DuplicateCandidate.objects.create(
        person_a=head, person_b=second, probability=0.99, district=world.kalbajar
    )
    services.do_merge(other, head, world.kamran)
    with pytest.raises(services.AlreadyDecided):
        services.do_mark_different(pair, world.kamran)
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.OPEN


def test_each_decision_is_audited_with_who_decided(world: World) -> None:
    first, second = add_thin_pair(world)
    pair = _review_pair(world, first, second)
    client = Client()
    client.force_login(world.kamran)
    client.post(reverse("registry:duplicate_decide", args=[pair.pk]),
                {"decision": "different", "note": "two women"})  # fmt: skip
    event = AuditEvent.objects.filter(
        table="registry_duplicatecandidate", object_pk=str(pair.pk), action="update"
    ).first()
    assert event is not None and event.actor == "kamran"
    assert event.before is not None and event.after is not None
    assert event.before["status"] == "open" and event.after["status"] == "different"


def test_a_review_pair_of_another_district_is_neither_seen_nor_decided(world: World) -> None:
    first, second = add_thin_pair(world)
    pair = _review_pair(world, first, second)
    assert pair.district_id == world.kalbajar.pk
    client = Client()
    client.force_login(world.leyla)  # Lachin
    assert client.get(reverse("registry:duplicate", args=[pair.pk])).status_code == 404
    url = reverse("registry:duplicate_decide", args=[pair.pk])
    assert client.post(url, {"decision": "different"}).status_code == 404
    assert (
        list(client.get(reverse("registry:duplicates"), {"band": "review"}).context["page"]) == []
    )
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.OPEN


def test_next_pair_skips_to_the_following_open_pair_in_queue_order(world: World) -> None:
    first, second = add_thin_pair(world)
    head = world.kalbajar_family.head
    assert head is not None
    top = DuplicateCandidate.objects.create(
        person_a=head, person_b=first, probability=0.99, district=world.kalbajar
    )
    below = _review_pair(world, first, second)
    client = Client()
    client.force_login(world.kamran)
    page = client.get(reverse("registry:duplicate", args=[top.pk]))
    assert page.context["next_pk"] == below.pk
    assert client.get(reverse("registry:duplicate", args=[below.pk])).context["next_pk"] == top.pk


def test_decisions_feed_back_into_the_next_duplicate_search(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    give_real_names(world)
    first, second = add_thin_pair(world)
    find(world.kamran, django_capture_on_commit_callbacks)
    pair = DuplicateCandidate.objects.get(person_a=first, person_b=second)
    services.do_mark_different(pair, world.kamran, "sisters-in-law")
    labels = adapter.decided_labels(adapter.person_rows(Person.objects.all()))
    assert labels == {frozenset((str(first.pk), str(second.pk))): False}
    job = find(world.kamran, django_capture_on_commit_callbacks)
    assert job.result["decisions_learned_from"] == 1
    pair.refresh_from_db()
    assert pair.status == CandidateStatus.DIFFERENT
