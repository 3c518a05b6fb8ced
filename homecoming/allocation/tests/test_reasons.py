"""Why this home, in the reader's language: the engine's reasons rendered with the names of
places and complexes, never their codes; runs stored before reasons were data still read."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import translation

from homecoming.allocation import reasons, services
from homecoming.allocation.engine.reasons import Reason, english_one
from homecoming.allocation.models import AllocationResult, AllocationRun
from homecoming.registry.models import Household
from homecoming.testing import World, english_runs

pytestmark = pytest.mark.django_db

COMPLEX_NAME = "Kəlbəcər yaşayış kompleksi 1"

#: One example of every reason code the engine gives (settlement and complex codes of the
#: test world), with the words each language must show.
EXAMPLES: list[dict[str, Any]] = [
    {"code": "rooms_ideal", "rooms": 3, "persons": 4},
    {"code": "rooms_other", "rooms": 2, "persons": 5, "ideal": 3},
    {"code": "step_free"},
    {"code": "place", "building": "B1", "complex": "KLB-RC1", "settlement": "AZ110101"},
    {"code": "group_building", "others": 2, "building": "B1"},
    {"code": "group_building", "others": 1, "building": "B1"},
    {"code": "group_complex", "households": 3, "complex": "KLB-RC1", "buildings": 2},
    {"code": "group_settlement", "households": 5, "settlement": "AZ110101", "complexes": 2},
    {"code": "origin", "others": 4, "origin": "AZ110104"},
    {"code": "priority"},
    {"code": "group_conflict"},
    {"code": "no_destination", "destination": "AZ110101"},
    {"code": "no_destination", "destination": "AZ110101", "follows": True},
    {"code": "none_left", "destination": "AZ110101", "follows": True},
    {"code": "none_exists", "rooms": "4-5", "step_free": False, "destination": "AZ110101"},
    {"code": "none_exists", "rooms": "2-3", "step_free": True},
    {"code": "none_left_step_free", "rooms": "2-3"},
    {"code": "none_left_step_free", "rooms": "2-3", "destination": "AZ110101"},
    {"code": "none_left_size", "rooms": "3-4"},
    {"code": "none_left_size", "rooms": "3-4", "destination": "AZ110101"},
    {"code": "group_all_or_none", "households": 3},
    {"code": "group_no_room", "households": 3},
    {"code": "group_no_room", "households": 2, "destination": "AZ110101"},
    {"code": "group_member_unfit", "households": 4},
    {"code": "none_left"},
    {"code": "none_left", "destination": "AZ110101"},
    {"code": "no_home"},
    {"code": "relatives_building", "building": "B4", "complex": "KLB-RC1"},
    {"code": "relatives_complex", "complex": "KLB-RC1"},
    {"code": "relatives_settlement", "settlement": "AZ110101"},
]


@pytest.fixture
def places(world: World) -> reasons.Places:
    world.kalbajar_complex.name = COMPLEX_NAME
    world.kalbajar_complex.save()
    return reasons.Places.of([EXAMPLES])


def test_every_reason_code_has_an_example_here() -> None:
    import homecoming.allocation.engine.reasons as engine_reasons

    documented = {
        line.split("|")[1].strip()
        for line in (engine_reasons.__doc__ or "").splitlines()
        if line.startswith("| ") and not line.startswith("| code") and "---" not in line
    }
    assert documented == {e["code"] for e in EXAMPLES}


@pytest.mark.parametrize("language", ["az", "ru"])
def test_every_reason_reads_in_the_language_with_names_not_codes(
    places: reasons.Places, language: str
) -> None:
    for example in EXAMPLES:
        with translation.override("en"):
            english = reasons.phrase(example, places)
        with translation.override(language):
            text = reasons.phrase(example, places)
        assert text != english, example
        assert english_runs(text) == [], (example, text)
        for code in ("AZ110101", "AZ110104", "KLB-RC1"):
            assert code not in text, (example, text)


def test_the_english_rendering_names_places_where_the_file_has_codes(
    places: reasons.Places,
) -> None:
    example = EXAMPLES[3]
    with translation.override("en"):
        text = reasons.phrase(example, places)
    assert text == f"building B1 of {COMPLEX_NAME}, Kalbajar"
    assert english_one(Reason.from_dict(example)) == "building B1, complex KLB-RC1, AZ110101"


def test_a_placement_is_one_sentence_in_the_reader_s_grammar(places: reasons.Places) -> None:
    placed = [EXAMPLES[0], EXAMPLES[3], EXAMPLES[4], EXAMPLES[8], EXAMPLES[9]]
    with translation.override("az"):
        az = reasons.sentence(placed, True, places)
    with translation.override("ru"):
        ru = reasons.sentence(placed, True, places)
        refused = reasons.sentence(
            [
                {"code": "none_left_size", "rooms": "3-4"},
                {"code": "group_all_or_none", "households": 3},
            ],
            False,
            places,
        )
    assert az == (
        "4 nəfər üçün 3 otaq, ideal ölçü; Kəlbəcər, Kəlbəcər yaşayış kompleksi 1, B1 binası; "
        "qrupunuzun digər 2 ailəsi ilə birlikdə, B1 binasında; bu kompleksdə Zar yaşayış "
        "məntəqəsindən olan daha 4 ailə ilə birlikdə; daha aşağı prioritetli ailələrdən əvvəl"
    )
    assert ru.startswith("3 комнаты для семьи из 4 человек, идеальный размер; Кельбаджар, ")
    assert "вместе с 2 другими семьями вашей группы" in ru
    assert refused.startswith("Не получает жильё в этом запуске распределения: ")
    assert "ваша группа из 3 семей переезжает только вместе" in refused


def test_russian_counts_take_their_plural_forms(places: reasons.Places) -> None:
    def rooms(n: int) -> str:
        return reasons.phrase({"code": "rooms_ideal", "rooms": n, "persons": 1}, places)

    with translation.override("ru"):
        assert [rooms(n).split(" для")[0] for n in (1, 2, 5, 21)] == [
            "1 комната",
            "2 комнаты",
            "5 комнат",
            "21 комната",
        ]


def test_an_unknown_place_code_is_shown_as_it_is(world: World) -> None:
    gone = {"code": "no_destination", "destination": "AZ999999"}
    with translation.override("az"):
        text = reasons.phrase(gone, reasons.Places.of([[gone]]))
    assert "AZ999999" in text


def test_a_run_keeps_its_reasons_as_data_and_pages_show_them_translated(
    world: World, django_capture_on_commit_callbacks: Any, client: Any
) -> None:
    world.kalbajar_complex.name = COMPLEX_NAME
    world.kalbajar_complex.save()
    with django_capture_on_commit_callbacks(execute=True):
        run = services.do_create_run(
            user=world.orkhan,
            name="Draw 1",
            method="optimal",
            district=world.kalbajar,
            complexes=[world.kalbajar_complex],
        )
    result = AllocationResult.objects.get(run=run, household=world.kalbajar_family)
    assert [r["code"] for r in result.reasons][:2] == ["rooms_ideal", "place"]
    # the contract's English sentence is kept as it was
    assert result.reason.startswith("3 rooms for 4 persons, the ideal size; building B1")
    client.force_login(world.orkhan)
    client.cookies["django_language"] = "az"
    page = client.get(reverse("allocation:run", args=[run.pk])).content.decode()
    family = client.get(reverse("household", args=["KLB-1"])).content.decode()
    for html in (page, family):
        assert "4 nəfər üçün 3 otaq, ideal ölçü; Kəlbəcər, Kəlbəcər yaşayış kompleksi 1" in html
        assert "the ideal size" not in html and "AZ110104" not in html


def test_a_result_stored_before_reasons_were_data_shows_its_sentence(world: World) -> None:
    run = AllocationRun.objects.create(
        name="Old",
        method="lottery",
        district=world.kalbajar,
        seed=1,
        seed_commitment="x",
        created_by=world.orkhan,
    )
    old = AllocationResult.objects.create(
        run=run,
        household=Household.objects.get(reg_number="KLB-2"),
        reason="not housed in this run: no home left",
        reserve_rank=1,
    )
    with translation.override("ru"):
        assert reasons.explain([old]) == ["not housed in this run: no home left"]
