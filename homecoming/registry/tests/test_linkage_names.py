"""Name normalisation: the same name in any script gives the same key."""

from __future__ import annotations

import doctest

import pytest

from homecoming.registry.linkage import cli, dedup, errors, names
from homecoming.registry.linkage.names import (
    Patronymic,
    is_valid_fin,
    name_key,
    normalise_fin,
    parse_patronymic,
    surname_sex_hint,
    surname_stem,
    to_latin,
)


@pytest.mark.parametrize(
    "spellings",
    [
        ["Məmmədov", "Мамедов", "Мәммәдов", "Mammadov", "Mamedov", "MƏMMƏDOV"],
        ["Əliyev", "Алиев", "Aliyev", "Aliev", "Әлијев"],
        ["Hüseynov", "Гусейнов", "Huseynov", "Guseynov", "Һүсејнов"],
        ["Quliyev", "Кулиев", "Guliyev", "Kuliyev", "Гулијев", "Kuliev"],
        ["Həsənov", "Гасанов", "Hasanov", "Gasanov"],
        ["Cəfərov", "Джафаров", "Jafarov", "Dzhafarov", "Ҹәфәров"],
        ["Xəlilov", "Халилов", "Khalilov", "Halilov"],
        ["Şükürov", "Шукюров", "Shukurov", "Shukyurov"],
        ["Ağayev", "Агаев", "Aghayev", "Agayev", "Ағајев"],
        ["Rəşid", "Рашид", "Rashid", "Rəşid "],
        ["Sevinc", "Севиндж", "Sevindzh", "Sevinj"],
        ["Laçın", "Лачын", "Lachin", "Lachyn"],
        ["Aygün", "Айгюн", "Aygun", "Aygyun", "Ајҝүн"],
        ["Elçin", "Эльчин", "Elchin", "Елчин"],
    ],
)
def test_every_spelling_of_a_name_gives_the_same_key(spellings: list[str]) -> None:
    assert len({name_key(s) for s in spellings}) == 1, {s: name_key(s) for s in spellings}


def test_different_names_keep_different_keys() -> None:
    keys = [name_key(s) for s in ("Məmmədov", "Əliyev", "Hüseynov", "Həsənov", "Quliyev")]
    assert len(set(keys)) == len(keys)


@pytest.mark.parametrize(
    "surnames",
    [
        ["Məmmədov", "Məmmədova", "Məmmədli", "Мамедова", "Mammadli", "Məmmədzadə", "Мамедов"],
        ["Əliyev", "Əliyeva", "Алиева", "Aliyeva", "Əlizadə", "Alizade"],
        ["Hüseynov", "Hüseynli", "Гусейнова", "Huseynli"],
        ["Musayev", "Musaev", "Musalı", "Мусаева", "Musali"],
        ["İsmayılov", "İsmayıllı", "Исмаилова", "Ismayilova"],
    ],
)
def test_surname_forms_share_a_stem(surnames: list[str]) -> None:
    assert len({surname_stem(s) for s in surnames}) == 1, {s: surname_stem(s) for s in surnames}


def test_to_latin_reads_both_cyrillic_alphabets() -> None:
    assert to_latin("Мәммәдов Ҹәфәр Һүсејн") == "məmmədov cəfər hüseyn"
    assert to_latin("Шукюров") == "şukyurov"
    assert to_latin("İSMAYILOV") == "ismayilov"
    assert to_latin("O'Neil-1") == "o neil"


@pytest.mark.parametrize(
    ("text", "father", "sex"),
    [
        ("Əli oğlu", "ali", "M"),
        ("Əli oglu", "ali", "M"),
        ("Али оглы", "ali", "M"),
        ("Ali ogly", "ali", "M"),
        ("Әли оғлу", "ali", "M"),
        ("Əlioğlu", "ali", "M"),
        ("Vəli qızı", "vali", "F"),
        ("Vali qizi", "vali", "F"),
        ("Вели кызы", "vali", "F"),
        ("Вәли гызы", "vali", "F"),
        ("Vali kyzy", "vali", "F"),
        ("Алиевич", "ali", "M"),
        ("Alievna", "ali", "F"),
        ("Гусейнович", "kusan", "M"),
        ("Huseynovna", "kusan", "F"),
        ("Рашидович", "rasid", "M"),
        ("Rəşid", "rasid", None),
        ("", "", None),
    ],
)
def test_patronymics_give_the_father_and_a_sex_hint(text: str, father: str, sex: str) -> None:
    assert parse_patronymic(text) == Patronymic(father, sex)  # type: ignore[arg-type]


def test_a_father_matches_his_name_however_the_patronymic_is_written() -> None:
    father = name_key("Hüseyn")
    for text in ("Hüseyn oğlu", "Гусейн оглы", "Гусейнович", "Huseynovna", "Һүсејн гызы"):
        assert parse_patronymic(text).father == father


def test_surname_endings_hint_at_sex_but_li_does_not() -> None:
    assert surname_sex_hint("Мамедова") == "F"
    assert surname_sex_hint("Hüseynov") == "M"
    assert surname_sex_hint("Hüseynli") is None
    assert surname_sex_hint("Rza") is None


@pytest.mark.parametrize("fin", ["94FMDDD", "5GXM4DZ", "5gxm4dz", "1234567", "ABCDEFG", "5gx m4dz"])
def test_well_formed_fins_are_accepted(fin: str) -> None:
    assert is_valid_fin(fin)


@pytest.mark.parametrize(
    "fin", ["", "94FMDD", "94FMDDDD", "94FMODD", "94FMIDD", "94FMİDD", "94FM_DD", "94FMДDD"]
)
def test_malformed_fins_and_the_letters_i_and_o_are_refused(fin: str) -> None:
    assert not is_valid_fin(fin)


def test_fins_are_normalised_to_upper_case_without_separators() -> None:
    assert normalise_fin(" 94fm-ddd ") == "94FMDDD"


@pytest.mark.parametrize("module", [names, dedup, errors, cli])
def test_the_docstring_examples_run(module: object) -> None:
    failed, _ = doctest.testmod(module, optionflags=doctest.ELLIPSIS)  # type: ignore[arg-type]
    assert failed == 0
