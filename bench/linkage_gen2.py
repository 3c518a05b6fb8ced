"""A second registry generator for duplicate detection, written apart from the engine's own.

    .venv/bin/python bench/linkage_gen2.py --n 10000 --seed 0 --out bench/out/gen2_10000

Issue 15 asks to measure recall per kind of variation on data the engine was not tuned on.
This generator was written from the linkage contract and knowledge of Azerbaijani names and
registries only, without reading the engine's own generator or name module: its name lists,
its transliterations and its error rates are its own.

How a registry is made here, and why it differs from "one error per record":

- **Clans in villages.** A grandfather's sons head households in the same origin village;
  they share the surname and the father's name (hard non-duplicates), boys are often named
  after their grandfather (cousins of the same name) and common names recur in a family
  (an uncle and his nephew), twins share a birth date, and a few heads are namesakes of a
  head in another village (same surname, given and father's name).
- **Sources, not records, carry the style.** A household is registered by a source of an
  epoch: Soviet-era lists (Cyrillic, Russian spelling, ``-ович`` patronymics, ``-ov``
  surnames, no personal ID) or modern ones (Azerbaijani Latin or ASCII, ``oğlu/qızı``,
  surname-law forms ``-li/-lı/-lu/-lü/-zadə`` for clans that took them, FİN mostly known).
  A household registered again by another source therefore differs in several correlated
  ways at once; two records of one source differ in little.
- **Duplicates come mostly by household** (a household registered again, most of its
  members with it), some by person (registered once more on their own, a married woman
  sometimes under her other surname) and a few by clerical repetition.

Outputs (``write``): ``persons.csv`` (the contract's columns), ``truth.csv``
(``person_id,entity_id``), ``pairs.csv`` (every true duplicate pair with the variations it
carries and its evidence class), ``hard_pairs.csv`` (relatives and namesakes, who are not
duplicates) and ``records.csv`` (how each record was written).

>>> data = generate(300, seed=1)
>>> len(data.records), data == generate(300, seed=1)
(300, True)
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import itertools
import random
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

# --- names ------------------------------------------------------------------------------
# (Azerbaijani Latin, Russian Cyrillic as Soviet documents wrote it, generation): "o" names
# of people born before about 1975, "n" after, "b" both. Roughly most common first.

MALE: tuple[tuple[str, str, str], ...] = (
    ("Məmməd", "Мамед", "o"), ("Əli", "Али", "b"), ("Hüseyn", "Гусейн", "b"),
    ("Həsən", "Гасан", "b"), ("Elvin", "Эльвин", "n"), ("Orxan", "Орхан", "n"),
    ("Tural", "Турал", "n"), ("Qasım", "Гасым", "o"), ("Heydər", "Гейдар", "o"),
    ("İsmayıl", "Исмаил", "b"), ("İbrahim", "Ибрагим", "b"), ("Rəşad", "Рашад", "n"),
    ("Elnur", "Эльнур", "n"), ("Rəhim", "Рагим", "o"), ("Cəfər", "Джафар", "o"),
    ("Vəli", "Вели", "o"), ("Kərim", "Керим", "o"), ("Musa", "Муса", "o"),
    ("Qulu", "Кули", "o"), ("Bayram", "Байрам", "o"), ("Novruz", "Новруз", "o"),
    ("Qurban", "Курбан", "o"), ("Səfər", "Сафар", "o"), ("Məhərrəm", "Магеррам", "o"),
    ("Əhməd", "Ахмед", "o"), ("Mustafa", "Мустафа", "b"), ("Yusif", "Юсиф", "b"),
    ("Süleyman", "Сулейман", "o"), ("Abbas", "Аббас", "o"), ("Nəcəf", "Наджаф", "o"),
    ("Zeynal", "Зейнал", "o"), ("Bağır", "Багир", "o"), ("Səməd", "Самед", "o"),
    ("Əziz", "Азиз", "o"), ("Xəlil", "Халил", "o"), ("Salman", "Салман", "o"),
    ("Talıb", "Талыб", "o"), ("Rüstəm", "Рустам", "o"), ("Oruc", "Орудж", "o"),
    ("Ələkbər", "Алекпер", "o"), ("Allahverdi", "Аллахверди", "o"), ("Əsgər", "Аскер", "o"),
    ("Mirzə", "Мирза", "o"), ("Kazım", "Казым", "o"), ("Sadıq", "Садых", "o"),
    ("Şükür", "Шукюр", "o"), ("Hümbət", "Гумбат", "o"), ("Arif", "Ариф", "o"),
    ("Vaqif", "Вагиф", "o"), ("Tofiq", "Тофик", "o"), ("Rasim", "Расим", "o"),
    ("Fikrət", "Фикрет", "o"), ("Hikmət", "Хикмет", "o"), ("Sabir", "Сабир", "o"),
    ("Nizami", "Низами", "o"), ("Ramiz", "Рамиз", "o"), ("Yaşar", "Яшар", "o"),
    ("Əkbər", "Акбер", "o"), ("Eldar", "Эльдар", "b"), ("Aydın", "Айдын", "b"),
    ("Azər", "Азер", "b"), ("İlham", "Ильхам", "b"), ("Rauf", "Рауф", "b"),
    ("Namiq", "Намик", "b"), ("Zaur", "Заур", "b"), ("Vüqar", "Вугар", "b"),
    ("Rövşən", "Ровшан", "b"), ("İlqar", "Ильгар", "b"), ("Elçin", "Эльчин", "b"),
    ("Anar", "Анар", "b"), ("Ramil", "Рамиль", "b"), ("Mirəli", "Мирали", "b"),
    ("Kamran", "Камран", "n"), ("Fərid", "Фарид", "n"), ("Nicat", "Ниджат", "n"),
    ("Murad", "Мурад", "n"), ("Səbuhi", "Сабухи", "n"), ("Ceyhun", "Джейхун", "n"),
    ("Emin", "Эмин", "n"), ("Samir", "Самир", "n"), ("Şahin", "Шахин", "n"),
    ("Elşən", "Эльшан", "n"), ("Mahir", "Махир", "n"), ("Elmir", "Эльмир", "n"),
    ("Toğrul", "Тогрул", "n"), ("Rəsul", "Расул", "n"), ("Ülvi", "Ульви", "n"),
    ("Kənan", "Кенан", "n"), ("Nurlan", "Нурлан", "n"), ("Fuad", "Фуад", "n"),
    ("Nihad", "Нихад", "n"), ("Cavid", "Джавид", "n"), ("Rüfət", "Руфат", "n"),
    ("Vüsal", "Вусал", "n"), ("Pərviz", "Парвиз", "n"), ("Ayxan", "Айхан", "n"),
)  # fmt: skip

FEMALE: tuple[tuple[str, str, str], ...] = (
    ("Leyla", "Лейла", "b"), ("Aygün", "Айгюн", "n"), ("Günel", "Гюнель", "n"),
    ("Nərgiz", "Наргиз", "b"), ("Sevinc", "Севиндж", "b"), ("Aynur", "Айнур", "b"),
    ("Gülnarə", "Гюльнара", "o"), ("Səbinə", "Сабина", "n"), ("Aysel", "Айсель", "n"),
    ("Nigar", "Нигяр", "b"), ("Könül", "Кёнуль", "b"), ("Ülviyyə", "Ульвия", "n"),
    ("Fidan", "Фидан", "n"), ("Lalə", "Лала", "b"), ("Zəhra", "Захра", "n"),
    ("Fatimə", "Фатима", "b"), ("Xədicə", "Хадиджа", "o"), ("Məryəm", "Марьям", "n"),
    ("Aytən", "Айтен", "b"), ("Şəbnəm", "Шабнам", "b"), ("Nərmin", "Нармин", "n"),
    ("Sevda", "Севда", "b"), ("Gülşən", "Гюльшан", "o"), ("Rəna", "Рена", "o"),
    ("Samirə", "Самира", "b"), ("Ülkər", "Улькер", "b"), ("Vüsalə", "Вусала", "n"),
    ("Kəmalə", "Камала", "o"), ("Sədaqət", "Садагат", "o"), ("Zümrüd", "Зумруд", "o"),
    ("Təranə", "Терана", "o"), ("Mehriban", "Мехрибан", "o"), ("Esmira", "Эсмира", "b"),
    ("Afaq", "Афаг", "o"), ("Elmira", "Эльмира", "o"), ("Nübar", "Нубар", "o"),
    ("Tamilla", "Тамилла", "o"), ("Səkinə", "Сакина", "o"), ("Zərifə", "Зарифа", "o"),
    ("Pərvin", "Парвин", "b"), ("Gülarə", "Гюляра", "o"), ("Həcər", "Гаджар", "o"),
    ("Validə", "Валида", "o"), ("Sürəyya", "Сурая", "o"), ("Rübabə", "Рубаба", "o"),
    ("Xanım", "Ханым", "o"), ("Solmaz", "Солмаз", "o"), ("Aybəniz", "Айбениз", "o"),
    ("Günay", "Гюнай", "n"), ("Arzu", "Арзу", "b"), ("Dilarə", "Диляра", "n"),
    ("İradə", "Ирада", "b"), ("Mələk", "Малак", "n"), ("Nazlı", "Назлы", "b"),
    ("Şəlalə", "Шалала", "b"), ("Yeganə", "Егана", "n"), ("Zərinə", "Зарина", "n"),
    ("Aidə", "Аида", "b"), ("Ayan", "Аян", "n"), ("Lamiyə", "Ламия", "n"),
    ("Fəridə", "Фарида", "o"), ("Humay", "Гумай", "n"),
)  # fmt: skip

# (root, Soviet male form, its Russian spelling, surname-law form, Russian root). The female
# Soviet form adds -a / -а; surname-law forms are the same for both sexes.
SURNAMES: tuple[tuple[str, str, str, str, str], ...] = (
    ("Məmməd", "Məmmədov", "Мамедов", "Məmmədli", "Мамед"),
    ("Əli", "Əliyev", "Алиев", "Əlizadə", "Али"),
    ("Hüseyn", "Hüseynov", "Гусейнов", "Hüseynli", "Гусейн"),
    ("Həsən", "Həsənov", "Гасанов", "Həsənli", "Гасан"),
    ("Qulu", "Quliyev", "Кулиев", "Quluzadə", "Кули"),
    ("Cəfər", "Cəfərov", "Джафаров", "Cəfərli", "Джафар"),
    ("İsmayıl", "İsmayılov", "Исмаилов", "İsmayıllı", "Исмаил"),
    ("Rəhim", "Rəhimov", "Рагимов", "Rəhimli", "Рагим"),
    ("Abbas", "Abbasov", "Аббасов", "Abbaslı", "Аббас"),
    ("Baba", "Babayev", "Бабаев", "Babazadə", "Баба"),
    ("Ağa", "Ağayev", "Агаев", "Ağazadə", "Ага"),
    ("Rza", "Rzayev", "Рзаев", "Rzazadə", "Рза"),
    ("Vəli", "Vəliyev", "Велиев", "Vəlili", "Вели"),
    ("Kərim", "Kərimov", "Керимов", "Kərimli", "Керим"),
    ("Nəcəf", "Nəcəfov", "Наджафов", "Nəcəfli", "Наджаф"),
    ("Qasım", "Qasımov", "Гасымов", "Qasımlı", "Гасым"),
    ("Heydər", "Heydərov", "Гейдаров", "Heydərli", "Гейдар"),
    ("İbrahim", "İbrahimov", "Ибрагимов", "İbrahimli", "Ибрагим"),
    ("Mustafa", "Mustafayev", "Мустафаев", "Mustafazadə", "Мустафа"),
    ("Əhməd", "Əhmədov", "Ахмедов", "Əhmədli", "Ахмед"),
    ("Oruc", "Orucov", "Оруджев", "Oruclu", "Орудж"),
    ("Zeynal", "Zeynalov", "Зейналов", "Zeynallı", "Зейнал"),
    ("Bağır", "Bağırov", "Багиров", "Bağırlı", "Багир"),
    ("Sadıq", "Sadıqov", "Садыхов", "Sadıqlı", "Садых"),
    ("Hacı", "Hacıyev", "Гаджиев", "Hacılı", "Гаджи"),
    ("Novruz", "Novruzov", "Новрузов", "Novruzlu", "Новруз"),
    ("Şükür", "Şükürov", "Шукюров", "Şükürlü", "Шукюр"),
    ("Əsgər", "Əsgərov", "Аскеров", "Əsgərli", "Аскер"),
    ("Allahverdi", "Allahverdiyev", "Аллахвердиев", "Allahverdili", "Аллахверди"),
    ("Mirzə", "Mirzəyev", "Мирзоев", "Mirzəzadə", "Мирза"),
    ("Ələkbər", "Ələkbərov", "Алекперов", "Ələkbərli", "Алекпер"),
    ("Paşa", "Paşayev", "Пашаев", "Paşazadə", "Паша"),
    ("Əziz", "Əzizov", "Азизов", "Əzizli", "Азиз"),
    ("Kazım", "Kazımov", "Казымов", "Kazımlı", "Казым"),
    ("Salman", "Salmanov", "Салманов", "Salmanlı", "Салман"),
    ("Talıb", "Talıbov", "Талыбов", "Talıblı", "Талыб"),
    ("Xəlil", "Xəlilov", "Халилов", "Xəlilli", "Халил"),
    ("Əmir", "Əmirov", "Амиров", "Əmirli", "Амир"),
    ("Vəzir", "Vəzirov", "Везиров", "Vəzirli", "Везир"),
    ("Məhərrəm", "Məhərrəmov", "Магеррамов", "Məhərrəmli", "Магеррам"),
    ("Rüstəm", "Rüstəmov", "Рустамов", "Rüstəmli", "Рустам"),
    ("Yusif", "Yusifov", "Юсифов", "Yusifli", "Юсиф"),
    ("Səfər", "Səfərov", "Сафаров", "Səfərli", "Сафар"),
    ("Bayram", "Bayramov", "Байрамов", "Bayramlı", "Байрам"),
    ("Qurban", "Qurbanov", "Курбанов", "Qurbanlı", "Курбан"),
    ("Murad", "Muradov", "Мурадов", "Muradlı", "Мурад"),
    ("Nağı", "Nağıyev", "Нагиев", "Nağızadə", "Наги"),
    ("Tağı", "Tağıyev", "Тагиев", "Tağızadə", "Таги"),
    ("Əsəd", "Əsədov", "Асадов", "Əsədli", "Асад"),
    ("Hümbət", "Hümbətov", "Гумбатов", "Hümbətli", "Гумбат"),
    ("Süleyman", "Süleymanov", "Сулейманов", "Süleymanlı", "Сулейман"),
    ("Musa", "Musayev", "Мусаев", "Musalı", "Муса"),
    ("Nəsir", "Nəsirov", "Насиров", "Nəsirli", "Насир"),
    ("Səməd", "Səmədov", "Самедов", "Səmədli", "Самед"),
    ("Eyvaz", "Eyvazov", "Эйвазов", "Eyvazlı", "Эйваз"),
    ("Cavad", "Cavadov", "Джавадов", "Cavadlı", "Джавад"),
    ("Seyid", "Seyidov", "Сеидов", "Seyidzadə", "Сеид"),
    ("İsgəndər", "İsgəndərov", "Искендеров", "İsgəndərli", "Искендер"),
    ("Ramazan", "Ramazanov", "Рамазанов", "Ramazanlı", "Рамазан"),
    ("Şahbaz", "Şahbazov", "Шахбазов", "Şahbazlı", "Шахбаз"),
    ("Qəhrəman", "Qəhrəmanov", "Кахраманов", "Qəhrəmanlı", "Кахраман"),
    ("Mehdi", "Mehdiyev", "Мехтиев", "Mehdizadə", "Мехти"),
    ("Nəbi", "Nəbiyev", "Набиев", "Nəbili", "Наби"),
    ("Hidayət", "Hidayətov", "Гидаятов", "Hidayətli", "Гидаят"),
    ("Məlik", "Məlikov", "Меликов", "Məlikli", "Мелик"),
    ("Həmid", "Həmidov", "Гамидов", "Həmidli", "Гамид"),
    ("Bəşir", "Bəşirov", "Баширов", "Bəşirli", "Башир"),
    ("Əliyar", "Əliyarov", "Алияров", "Əliyarlı", "Алияр"),
    ("Qafar", "Qafarov", "Гафаров", "Qafarlı", "Гафар"),
    ("Fərhad", "Fərhadov", "Фархадов", "Fərhadlı", "Фархад"),
    ("Sultan", "Sultanov", "Султанов", "Sultanlı", "Султан"),
    ("Kərəm", "Kərəmov", "Керамов", "Kərəmli", "Керам"),
    ("Camal", "Camalov", "Джамалов", "Camallı", "Джамал"),
    ("Dadaş", "Dadaşov", "Дадашев", "Dadaşlı", "Дадаш"),
    ("Zülfüqar", "Zülfüqarov", "Зульфугаров", "Zülfüqarlı", "Зульфугар"),
)
_RU_LAW = {"zadə": "заде", "li": "ли", "lı": "лы", "lu": "лу", "lü": "лю"}

GIVEN_RU = {az: ru for az, ru, _ in MALE + FEMALE}
#: Districts whose villages are origins (codes of this generator, not official P-codes).
DISTRICTS = ("KLB", "LAC", "AGD", "SUS", "ZNG", "QBL", "CBR", "FZL", "XJV")

# --- scripts ----------------------------------------------------------------------------

_AZ_CYR = dict(zip("abcçdeəfgğhxıijkqlmnoöprsştuüvyzABCÇDEƏFGĞHXIİJKQLMNOÖPRSŞTUÜVYZ",
                   "абҹчдеәфҝғһхыижкглмноөпрсштуүвјзАБҸЧДЕӘФҜҒҺХЫИЖКГЛМНОӨПРСШТУҮВЈЗ",
                   strict=True))  # fmt: skip
# Azerbaijani Cyrillic typed on a Russian keyboard: the letters it lacks become neighbours.
_CYR_PLAIN = dict(
    zip(
        "әғһҹҝөүјӘҒҺҸҜӨҮЈ",
        ["а", "г", "х", "дж", "к", "о", "у", "й", "А", "Г", "Х", "Дж", "К", "О", "У", "Й"],
        strict=True,
    )
)
_RU_ASCII = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "zh",
    "з": "z", "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch",
    "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip
_AZ_SPECIAL = "əğıöüşçİƏĞÖÜŞÇ"
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
SCRIPTS = ("az_latin", "az_cyr", "ru_cyr", "ascii_az", "ascii_ru")


@dataclass(frozen=True)
class Style:
    """How one registration's clerk writes what their script cannot spell the same way."""

    schwa: str = "a"  # ə in ASCII: Mammadov or Memmedov
    c: str = "j"  # c in ASCII: Jafarov or Cafarov
    q: str = "g"  # q in ASCII: Gasimov or Qasimov
    x: str = "kh"  # x in ASCII: Khalilov or Xalilov
    gh: str = "gh"  # ğ in ASCII: Aghayev or Agayev
    dzh: str = "dzh"  # дж in ASCII: Dzhafarov or Jafarov
    short_i: str = "y"  # й in ASCII: Guseynov or Guseinov
    kh: str = "kh"  # х in ASCII: Khalilov or Halilov
    ye: bool = True  # е after a vowel or first in ASCII: Aliyev, Yegana or Aliev, Egana
    cyr_plain: bool = False  # Azerbaijani Cyrillic on a Russian keyboard
    glued: bool = False  # Əlioğlu rather than Əli oğlu


def _az_ascii(text: str, s: Style) -> str:
    table = {"ə": s.schwa, "ı": "i", "ö": "o", "ü": "u", "ş": "sh", "ç": "ch", "ğ": s.gh,
             "c": s.c, "q": s.q, "x": s.x}  # fmt: skip
    out = []
    for ch in text:
        if ch in "İI":  # str.lower() would give a dotted i and a combining dot
            out.append("I")
        elif ch.isupper():
            out.append(table.get(ch.lower(), ch.lower()).capitalize())
        else:
            out.append(table.get(ch, ch))
    return "".join(out)


def _ru_ascii(text: str, s: Style) -> str:
    out: list[str] = []
    i = 0
    while i < len(text):
        ch, low = text[i], text[i].lower()
        if text[i : i + 2].lower() == "дж":
            mapped, i = s.dzh, i + 2
        else:
            i += 1
            prev = out[-1][-1:] if out else ""
            if low == "е" and s.ye and (not out or prev in "aeiouy"):
                mapped = "ye"
            else:
                mapped = {"й": s.short_i, "х": s.kh}.get(low, _RU_ASCII.get(low, low))
        out.append(mapped.capitalize() if ch.isupper() else mapped)
    return "".join(out)


def _az_cyr(text: str, s: Style) -> str:
    cyr = "".join(_AZ_CYR.get(ch, ch) for ch in text)
    if s.cyr_plain:
        cyr = "".join(_CYR_PLAIN.get(ch, ch) for ch in cyr)
    return cyr


def render(az: str, ru: str, script: str, style: Style) -> str:
    """A name known in both spellings, as a record in ``script`` writes it.

    >>> [render("Hüseyn", "Гусейн", s, Style()) for s in SCRIPTS]
    ['Hüseyn', 'Һүсејн', 'Гусейн', 'Huseyn', 'Guseyn']
    """
    if script == "az_latin":
        return az
    if script == "az_cyr":
        return _az_cyr(az, style)
    if script == "ru_cyr":
        return ru
    if script == "ascii_az":
        return _az_ascii(az, style)
    return _ru_ascii(ru, style)


def surname_forms(index: int, sex: str, law: bool) -> tuple[str, str]:
    """The surname in Azerbaijani and Russian spelling.

    >>> surname_forms(0, "F", False), surname_forms(0, "M", True)
    (('Məmmədova', 'Мамедова'), ('Məmmədli', 'Мамедли'))
    """
    _, az_m, ru_m, az_law, ru_root = SURNAMES[index]
    if law:
        suffix = next(k for k in _RU_LAW if az_law.endswith(k))
        return az_law, ru_root + _RU_LAW[suffix]
    return (az_m + "a", ru_m + "а") if sex == "F" else (az_m, ru_m)


def _ovich(ru: str, sex: str) -> str:
    """The Russian patronymic: Алиевич, Мамедовна, Оруджевич, Рамилевич."""
    soft = ru.endswith("ь") or ru[-1] in "аяиуеоыжшчщц"
    stem = (ru[:-1] if ru.endswith("ь") else ru) + ("ев" if soft else "ов")
    return stem + ("ич" if sex == "M" else "на")


def patronymic(father: str, sex: str, form: str, script: str, style: Style) -> str:
    """The patronymic of a person of ``sex`` whose father is ``father``, in ``form``.

    >>> patronymic("Əli", "M", "suffix", "az_latin", Style())
    'Əli oğlu'
    >>> patronymic("Əli", "F", "suffix", "ru_cyr", Style()), patronymic("Məmməd", "F", "ovich", "ascii_ru", Style())
    ('Али кызы', 'Mamedovna')
    """
    ru = GIVEN_RU[father]
    if form == "none":
        return ""
    if form == "bare":
        return render(father, ru, script, style)
    if form == "ovich":
        return render("", _ovich(ru, sex), script, style)
    az_word, ru_word = ("oğlu", "оглы") if sex == "M" else ("qızı", "кызы")
    glue = "" if style.glued and script in ("az_latin", "ascii_az") else " "
    return render(f"{father}{glue}{az_word}", f"{ru} {ru_word}", script, style)


# --- rates ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Epoch:
    """What a source of one epoch writes: scripts, patronymic forms, dates, IDs."""

    scripts: tuple[tuple[str, float], ...]
    #: patronymic forms for Azerbaijani and for Russian spelling
    forms_az: tuple[tuple[str, float], ...]
    forms_ru: tuple[tuple[str, float], ...]
    #: per record: date missing, partial (year only), mistyped, impossible
    date_missing: float
    date_partial: float
    date_typo: float
    date_impossible: float
    id_present: float  # of persons who have a FİN
    law_form: float  # of persons whose clan took a surname-law form
    #: the first lists (1993-94) hold no one born after them
    born_by: int = 2100


SOVIET_RU = Epoch(
    scripts=(("ru_cyr", 0.8), ("az_cyr", 0.1), ("ascii_ru", 0.1)),
    forms_az=(("suffix", 0.75), ("bare", 0.1), ("none", 0.15)),
    forms_ru=(("ovich", 0.5), ("suffix", 0.3), ("bare", 0.05), ("none", 0.15)),
    date_missing=0.12, date_partial=0.05, date_typo=0.07, date_impossible=0.02,
    id_present=0.05, law_form=0.0, born_by=1993,
)  # fmt: skip
SOVIET_AZ = Epoch(
    scripts=(("az_cyr", 0.75), ("ru_cyr", 0.25)),
    forms_az=SOVIET_RU.forms_az, forms_ru=SOVIET_RU.forms_ru,
    date_missing=0.12, date_partial=0.05, date_typo=0.07, date_impossible=0.02,
    id_present=0.05, law_form=0.0, born_by=1993,
)  # fmt: skip
_MODERN = Epoch(
    scripts=(),
    forms_az=(("suffix", 0.55), ("bare", 0.15), ("none", 0.30)),
    forms_ru=(("ovich", 0.3), ("suffix", 0.35), ("bare", 0.1), ("none", 0.25)),
    date_missing=0.05, date_partial=0.015, date_typo=0.05, date_impossible=0.01,
    id_present=0.8, law_form=0.85,
)  # fmt: skip
STATE = replace(_MODERN, scripts=(("az_latin", 0.88), ("ascii_az", 0.08), ("ru_cyr", 0.04)))
AGENCY = replace(_MODERN, scripts=(("ascii_az", 0.5), ("ascii_ru", 0.3), ("az_latin", 0.2)))
MUNICIPAL = replace(
    _MODERN, scripts=(("az_latin", 0.55), ("ascii_az", 0.2), ("ru_cyr", 0.15), ("az_cyr", 0.1))
)
#: Sources a registration comes from, with how often.
SOURCES: dict[str, tuple[Epoch, float]] = {
    "soviet_ru": (SOVIET_RU, 0.18), "soviet_az": (SOVIET_AZ, 0.10), "state": (STATE, 0.40),
    "agency": (AGENCY, 0.14), "municipal": (MUNICIPAL, 0.18),
}  # fmt: skip


@dataclass(frozen=True)
class Rates:
    """Duplicate and error rates. Defaults: see docs/linkage.md, "The second generator"."""

    household_dup: float = 0.30  # a household registered again by another source
    household_dup_twice: float = 0.15  # ... and of those, a third time
    member_kept: float = 0.85  # each member is on the household's later registration
    person_dup: float = 0.05  # a person registered once more on their own
    clerical_dup: float = 0.005  # the same person typed twice into one registration
    alt_surname: float = 0.15  # a married woman's record under her other surname
    law_adoption: float = 0.20  # clans that took a surname-law form (-li, -zadə)
    swap: float = 0.03  # given name and surname in each other's columns
    typo_surname: float = 0.035
    typo_given: float = 0.035
    typo_patronymic: float = 0.025
    empty_name: float = 0.012  # surname or given name left empty
    missing_sex: float = 0.08
    origin_missing: float = 0.07
    origin_wrong: float = 0.025  # another village of the same district
    id_typo: float = 0.015  # one character of the FİN changed
    fin_adult: float = 0.7  # persons born before 2006 who have a FİN
    fin_child: float = 0.45
    phone: float = 0.5  # registrations with a phone number
    namesake: float = 0.03  # clan heads sharing full name and father's name with another
    twins: float = 0.015
    married_surname: float = 0.6  # wives registered under their husband's surname
    #: sources by name: the epoch's scripts, forms and date and ID rates, and how often
    sources: dict[str, tuple[Epoch, float]] = field(default_factory=lambda: dict(SOURCES))


# --- people -----------------------------------------------------------------------------


@dataclass
class Person:
    """One real person: what every record of them tries to say."""

    entity: int
    sex: str
    given: str
    father: str
    surname: int
    law: bool
    birth: dt.date
    fin: str
    origin: str
    alt: tuple[int, bool] | None = None  # a married woman's other surname


@dataclass
class Household:
    members: list[int]
    origin: str
    clan: int


@dataclass
class World:
    rng: random.Random
    rates: Rates
    villages: list[str]
    persons: list[Person] = field(default_factory=list)
    households: list[Household] = field(default_factory=list)
    hard: list[tuple[int, int, str]] = field(default_factory=list)
    heads: list[int] = field(default_factory=list)
    registrations: int = 0


def _cum(weights: Sequence[float]) -> list[float]:
    return list(itertools.accumulate(weights))


# Zipf exponents chosen so that the commonest surname (Məmmədov) is about 8% of people and
# the commonest given name of a generation 6-8% of its sex.
_SURNAME_CUM = _cum([1.0 / (i + 1) ** 0.6 for i in range(len(SURNAMES))])


def _names_for(sex: str, year: int) -> tuple[list[str], list[float]]:
    era = "o" if year < 1975 else "n"
    pool = [az for az, _, e in (MALE if sex == "M" else FEMALE) if e in (era, "b")]
    return pool, _cum([1.0 / (i + 1) ** 0.45 for i in range(len(pool))])


_GIVEN_POOLS = {(s, y): _names_for(s, y) for s in "MF" for y in (1900, 2000)}


def _given(rng: random.Random, sex: str, year: int, avoid: set[str]) -> str:
    pool, cum = _GIVEN_POOLS[(sex, 1900 if year < 1975 else 2000)]
    for _ in range(20):
        name = rng.choices(pool, cum_weights=cum)[0]
        if name not in avoid:
            return name
    return next(n for n in pool if n not in avoid)


_FIN_CHARS = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I or O: they read as 1 and 0


def _birth(rng: random.Random, year: int) -> dt.date:
    return dt.date(year, 1, 1) + dt.timedelta(days=rng.randrange(365))


def _person(w: World, sex: str, given: str, father: str, surname: int, law: bool,
            birth: dt.date, origin: str) -> int:  # fmt: skip
    r, rng = w.rates, w.rng
    has_fin = rng.random() < (r.fin_adult if birth.year < 2006 else r.fin_child)
    fin = "".join(rng.choice(_FIN_CHARS) for _ in range(7)) if has_fin else ""
    w.persons.append(Person(len(w.persons), sex, given, father, surname, law, birth, fin,
                            origin))  # fmt: skip
    return len(w.persons) - 1


def _pairs(ids: Sequence[int], kind: str) -> list[tuple[int, int, str]]:
    return [(a, b, kind) for a, b in itertools.combinations(ids, 2)]


def _wife(w: World, husband: Person, origin: str) -> int:
    """A wife from another clan, under her husband's surname or her own (the other kept)."""
    rng, r = w.rng, w.rates
    year = min(husband.birth.year + rng.randint(-2, 10), 2004)
    own = rng.choices(range(len(SURNAMES)), cum_weights=_SURNAME_CUM)[0]
    own_law = rng.random() < r.law_adoption
    father = _given(rng, "M", year - 28, set())
    mine, other = (own, own_law), (husband.surname, husband.law)
    if rng.random() < r.married_surname:
        mine, other = other, mine
    pid = _person(w, "F", _given(rng, "F", year, set()), father, mine[0], mine[1],
                  _birth(rng, year), origin)  # fmt: skip
    w.persons[pid].alt = other
    return pid


def _children(w: World, father: Person, mother: Person, grandfather: str) -> list[int]:
    """Children of a couple: no two share a name; the first son is often the grandfather's."""
    rng, r = w.rng, w.rates
    count = rng.choices(range(6), (12, 18, 28, 24, 12, 6))[0]
    first, last = mother.birth.year + 19, min(mother.birth.year + 42, 2023)
    if first > last:
        return []
    years = sorted(rng.randint(first, last) for _ in range(count))
    used = {father.given}  # no son is named after his living father
    kids: list[int] = []
    twins: set[tuple[int, int]] = set()
    twin_of: int | None = None
    for year in years:
        sex = rng.choice("MF")
        given = _given(rng, sex, year, used)
        if sex == "M" and grandfather not in used and rng.random() < 0.3:
            given = grandfather
        used.add(given)
        birth = w.persons[twin_of].birth if twin_of is not None else _birth(rng, year)
        kid = _person(w, sex, given, father.given, father.surname, father.law, birth,
                      father.origin)  # fmt: skip
        if twin_of is not None:
            twins.add((twin_of, kid))
        twin_of = kid if twin_of is None and rng.random() < r.twins else None
        kids.append(kid)
    w.hard.extend((a, b, "twin" if (a, b) in twins else k) for a, b, k in _pairs(kids, "sibling"))
    return kids


def _namesake(w: World, origin: str) -> tuple[int, Person] | None:
    """A head elsewhere whose surname, given and father's name the new clan's head takes."""
    rng = w.rng
    if not w.heads or rng.random() >= w.rates.namesake:
        return None
    for _ in range(5):
        other = w.persons[rng.choice(w.heads)]
        if other.origin != origin:
            return other.entity, other
    return None


def _clan(w: World, clan: int) -> None:
    """A grandfather's family: his sons' households in one village, his daughters at home."""
    rng, r = w.rng, w.rates
    origin = rng.choice(w.villages)
    surname = rng.choices(range(len(SURNAMES)), cum_weights=_SURNAME_CUM)[0]
    law = rng.random() < r.law_adoption
    gf_year = rng.randint(1915, 1962)
    grandfather = _given(rng, "M", gf_year, set())
    copied = _namesake(w, origin)
    if copied:
        surname, law, grandfather = copied[1].surname, copied[1].law, copied[1].father
    used = {grandfather}
    children: list[int] = []
    homes: list[list[int]] = []
    cousins: dict[str, list[int]] = defaultdict(list)
    for k in range(rng.choices((1, 2, 3, 4), (50, 25, 15, 10))[0]):
        year = min(gf_year + rng.randint(20, 42), 2001)
        given = _given(rng, "M", year, used)
        if k == 0 and copied:
            given = copied[1].given
            year = copied[1].birth.year if rng.random() < 0.4 else year
        used.add(given)
        son = _person(w, "M", given, grandfather, surname, law, _birth(rng, year), origin)
        children.append(son)
        w.heads.append(son)
        if k == 0 and copied:
            w.hard.append((copied[0], son, "namesake"))
        wife = _wife(w, w.persons[son], origin)
        kids = _children(w, w.persons[son], w.persons[wife], grandfather)
        for kid in kids:
            cousins[w.persons[kid].given].append(kid)
        # A son dead or away: his widow heads the household.
        homes.append(([son] if rng.random() >= 0.08 else []) + [wife, *kids])
    elders = _elders(w, grandfather, surname, law, gf_year, origin, used, children)
    if elders:
        if rng.random() < 0.5:
            homes[0].extend(elders)
        else:
            homes.append(elders)
    w.hard.extend(_pairs(children, "sibling"))
    # Siblings never share a name, so two grandchildren of one name are cousins; other
    # namesakes in the family are an uncle and his nephew, a grandfather and his grandson.
    labelled: set[tuple[int, int]] = set()
    for kids in cousins.values():
        w.hard.extend(_pairs(kids, "cousin_same_name"))
        labelled.update(itertools.combinations(kids, 2))
    by_name: dict[tuple[str, str], list[int]] = defaultdict(list)
    for pid in sorted(m for h in homes for m in h):
        by_name[(w.persons[pid].sex, w.persons[pid].given)].append(pid)
    for ids in by_name.values():
        w.hard.extend(p for p in _pairs(ids, "relative_same_name") if p[:2] not in labelled)
    w.households.extend(Household(h, origin, clan) for h in homes if h)


def _elders(w: World, grandfather: str, surname: int, law: bool, year: int, origin: str,
            used: set[str], children: list[int]) -> list[int]:  # fmt: skip
    """The grandparents if alive, and their unmarried daughters (``children`` gains them)."""
    rng = w.rng
    if year < 1930 or rng.random() >= 0.5:
        return []
    gf = _person(w, "M", grandfather, _given(rng, "M", year - 30, set()), surname, law,
                 _birth(rng, year), origin)  # fmt: skip
    home = [gf]
    if rng.random() < 0.85:
        home.append(_wife(w, w.persons[gf], origin))
    for _ in range(rng.choices((0, 1, 2), (55, 30, 15))[0]):
        born = min(year + rng.randint(22, 45), 2005)
        given = _given(rng, "F", born, used)
        used.add(given)
        daughter = _person(w, "F", given, grandfather, surname, law, _birth(rng, born), origin)
        home.append(daughter)
        children.append(daughter)
    return home


# --- records ----------------------------------------------------------------------------


@dataclass
class Record:
    """One line of persons.csv, and how it was written."""

    entity: int
    source: str
    script: str  # one of SCRIPTS
    swapped: bool
    patronymic_form: str  # suffix, bare, ovich, none
    law_form: bool  # surname in its -li/-lı/-lu/-lü/-zadə form
    alt_surname: bool  # a married woman's other surname
    typo: str  # the name columns with a slip, "+"-joined (columns, after any swap)
    empty: str  # the name column left empty
    date_state: str  # ok, missing, partial, typo, impossible
    surname: str
    given_name: str
    patronymic: str
    sex: str
    birth_date: str
    national_id: str
    household_id: str
    origin: str
    phone: str
    person_id: str = ""

    @property
    def script_kind(self) -> str:
        """The four scripts a pair can differ in (both ASCII styles are one)."""
        return "ascii" if self.script.startswith("ascii") else self.script

    @property
    def spelling(self) -> str:
        return "ru" if self.script in ("ru_cyr", "ascii_ru") else "az"


_LATIN_AZ = "abcçdeəfgğhxıijkqlmnoöprsştuüvyz"
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_RU = "абвгдежзийклмнопрстуфхцчшщыэюя"
_AZ_CYR_LETTERS = "абҹчдеәфҝғһхыижкглмноөпрсштуүвјз"
_UNDOT = dict(zip("əüıöşçğ", "euioscg", strict=True))


def _typo(rng: random.Random, text: str, script: str) -> str:
    """One keying slip: a letter dropped, doubled, replaced or swapped, or a diacritic lost."""
    letters = {"az_latin": _LATIN_AZ, "az_cyr": _AZ_CYR_LETTERS, "ru_cyr": _RU}.get(script, _LATIN)
    for _ in range(10):
        i = rng.randrange(1, len(text)) if len(text) > 2 else rng.randrange(len(text))
        op = rng.choice(("drop", "double", "replace", "swap", "undot"))
        if op == "drop" and len(text) > 3:
            out = text[:i] + text[i + 1 :]
        elif op == "double":
            out = text[:i] + text[i] + text[i:]
        elif op == "replace" and text[i].isalpha():
            out = text[:i] + rng.choice(letters) + text[i + 1 :]
        elif op == "swap" and i + 1 < len(text):
            out = text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        elif op == "undot" and any(c in _UNDOT for c in text):
            j = next(k for k, c in enumerate(text) if c in _UNDOT)
            out = text[:j] + _UNDOT[text[j]] + text[j + 1 :]
        else:
            continue
        if out != text:
            return out
    return text + rng.choice(letters)


def _valid(y: int, m: int, d: int) -> bool:
    try:
        dt.date(y, m, d)
    except ValueError:
        return False
    return True


def _mistyped(rng: random.Random, birth: dt.date) -> str:
    """A real date, not the right one: two digits swapped, day and month swapped, the year
    off by one, a few days off, or 1 January for an unknown day."""
    y, m, d = birth.year, birth.month, birth.day
    other_year = y + rng.choice((-1, 1))
    options = [(other_year, m, d if _valid(other_year, m, d) else 28)]
    if d <= 12 and d != m:
        options.append((y, d, m))
    swapped_day = int(f"{d:02d}"[::-1])
    if swapped_day != d and _valid(y, m, swapped_day):
        options.append((y, m, swapped_day))
    swapped_year = int(f"{y}"[:2] + f"{y}"[:1:-1])
    if swapped_year != y and swapped_year <= 2024 and _valid(swapped_year, m, d):
        options.append((swapped_year, m, d))
    near = birth + dt.timedelta(days=rng.choice((-3, -2, -1, 1, 2, 3)))
    options.append((near.year, near.month, near.day))
    if (m, d) != (1, 1):
        options.append((y, 1, 1))
    yy, mm, dd = rng.choice(options)
    return f"{yy:04d}-{mm:02d}-{dd:02d}"


def _impossible(rng: random.Random, birth: dt.date) -> str:
    """A date no calendar has: 1955-11-92 (day digits swapped), 1961-02-30, 1970-00-12."""
    y, m, d = birth.year, birth.month, birth.day
    ms, ds = f"{m:02d}", f"{d:02d}"
    options = [f"{y}-{rng.choice((13, 14, 21, 31))}-{ds}"]
    if not _valid(y, m, int(ds[::-1])):
        options.append(f"{y}-{ms}-{ds[::-1]}")
    if not _valid(y, int(ms[::-1]), d):
        options.append(f"{y}-{ms[::-1]}-{ds}")
    if m in (2, 4, 6, 9, 11):
        options.append(f"{y}-{ms}-{31 if m != 2 else rng.choice((30, 31))}")
    return rng.choice(options)


def _date(rng: random.Random, birth: dt.date, epoch: Epoch) -> tuple[str, str]:
    """The birth date column and its state."""
    x = rng.random()
    for state, p in (("missing", epoch.date_missing), ("partial", epoch.date_partial),
                     ("typo", epoch.date_typo), ("impossible", epoch.date_impossible)):  # fmt: skip
        if x < p:
            if state == "missing":
                return state, ""
            if state == "partial":
                return state, f"{birth.year}" if rng.random() < 0.6 else f"{birth.year}-00-00"
            if state == "typo":
                return state, _mistyped(rng, birth)
            return state, _impossible(rng, birth)
        x -= p
    return "ok", birth.isoformat()


def _pick(rng: random.Random, weighted: Sequence[tuple[str, float]]) -> str:
    return rng.choices([k for k, _ in weighted], [p for _, p in weighted])[0]


def _style(rng: random.Random) -> Style:
    c = rng.random
    return Style(
        schwa="e" if c() < 0.2 else "a", c="j" if c() < 0.7 else "c", q="g" if c() < 0.4 else "q",
        x="kh" if c() < 0.5 else "x", gh="gh" if c() < 0.5 else "g",
        dzh="j" if c() < 0.4 else "dzh", short_i="i" if c() < 0.3 else "y",
        kh="h" if c() < 0.2 else "kh", ye=c() < 0.6, cyr_plain=c() < 0.15, glued=c() < 0.1,
    )  # fmt: skip


def _phone(rng: random.Random) -> str:
    op, num = rng.choice(("50", "51", "55", "70", "77", "99")), f"{rng.randrange(10**7):07d}"
    return rng.choice((f"+994{op}{num}", f"0{op} {num[:3]} {num[3:5]} {num[5:]}",
                       f"({op}) {num}"))  # fmt: skip


@dataclass(frozen=True)
class Registration:
    """One source's line for a household: its epoch, clerk's style, ids and phone."""

    source: str
    epoch: Epoch
    style: Style
    household_id: str
    origin: str
    phone: str


def _names(w: World, p: Person, reg: Registration) -> tuple[Record, dict[str, str]]:
    """The record's name columns as the source writes them, before slips."""
    rng, r = w.rng, w.rates
    script = _pick(rng, reg.epoch.scripts)
    spelling = "ru" if script in ("ru_cyr", "ascii_ru") else "az"
    alt = p.alt is not None and rng.random() < r.alt_surname
    surname, law = p.alt if (alt and p.alt) else (p.surname, p.law)
    law_form = law and rng.random() < reg.epoch.law_form
    form = _pick(rng, reg.epoch.forms_ru if spelling == "ru" else reg.epoch.forms_az)
    az, ru = surname_forms(surname, p.sex, law_form)
    names = {
        "surname": render(az, ru, script, reg.style),
        "given_name": render(p.given, GIVEN_RU[p.given], script, reg.style),
        "patronymic": patronymic(p.father, p.sex, form, script, reg.style),
    }
    rec = Record(p.entity, reg.source, script, False, form, law_form, alt, "", "", "ok",
                 "", "", "", "", "", "", reg.household_id, reg.origin, reg.phone)  # fmt: skip
    return rec, names


def _record(w: World, p: Person, reg: Registration) -> Record:
    """A record of ``p`` by ``reg``'s source, with this generator's slips."""
    rng, r = w.rng, w.rates
    rec, names = _names(w, p, reg)
    if rng.random() < r.swap:
        rec.swapped = True
        names["surname"], names["given_name"] = names["given_name"], names["surname"]
    typos = []
    for col, rate in (("surname", r.typo_surname), ("given_name", r.typo_given),
                      ("patronymic", r.typo_patronymic)):  # fmt: skip
        if names[col] and rng.random() < rate:
            names[col] = _typo(rng, names[col], rec.script)
            typos.append(col)
    if rng.random() < r.empty_name:
        rec.empty = rng.choice(("surname", "given_name"))
        names[rec.empty] = ""
        typos = [t for t in typos if t != rec.empty]
    rec.typo = "+".join(typos)
    rec.surname, rec.given_name, rec.patronymic = (names["surname"], names["given_name"],
                                                   names["patronymic"])  # fmt: skip
    rec.date_state, rec.birth_date = _date(rng, p.birth, reg.epoch)
    if p.fin and rng.random() < reg.epoch.id_present:
        rec.national_id = p.fin
        if rng.random() < r.id_typo:
            i = rng.randrange(7)
            other = rng.choice(_FIN_CHARS.replace(p.fin[i], ""))
            rec.national_id = p.fin[:i] + other + p.fin[i + 1 :]
    rec.sex = "" if rng.random() < r.missing_sex else p.sex
    if rng.random() < r.origin_missing:
        rec.origin = ""
    elif rng.random() < r.origin_wrong:
        rec.origin = rng.choice([v for v in w.villages if v[:3] == reg.origin[:3]])
    return rec


def _registration(w: World, members: Sequence[int], origin: str, out: list[Record],
                  source: str | None = None) -> set[int]:  # fmt: skip
    """One source registers ``members`` as one household; return those it could list."""
    rng, r = w.rng, w.rates
    sources = r.sources
    source = source or rng.choices(list(sources), [p for _, p in sources.values()])[0]
    epoch = sources[source][0]
    listed = {m for m in members if w.persons[m].birth.year <= epoch.born_by}
    if not listed:
        return listed
    w.registrations += 1
    reg = Registration(source, epoch, _style(rng), f"H{w.registrations:07d}",
                       origin, _phone(rng) if rng.random() < r.phone else "")  # fmt: skip
    for m in members:
        if m in listed:
            out.append(_record(w, w.persons[m], reg))
            if rng.random() < r.clerical_dup:
                out.append(_record(w, w.persons[m], reg))
    return listed


def _register(w: World, hh: Household, out: list[Record]) -> None:
    """A household's registrations: once, sometimes again by other sources; some members
    once more on their own."""
    rng, r = w.rng, w.rates
    times = 1
    if rng.random() < r.household_dup:
        times += 2 if rng.random() < r.household_dup_twice else 1
    listed: set[int] = set()
    for k in range(times):
        kept = hh.members if k == 0 else [m for m in hh.members if rng.random() < r.member_kept]
        listed |= _registration(w, kept, hh.origin, out)
    # Born after the first lists: registered by the state's registry then.
    unlisted = [m for m in hh.members if m not in listed]
    if unlisted:
        _registration(w, unlisted, hh.origin, out, source="state")
    for m in hh.members:
        if rng.random() < r.person_dup:
            _registration(w, [m], hh.origin, out)


@dataclass
class Dataset:
    """Records in file order (person_id set), and the hard non-duplicate entity pairs."""

    records: list[Record]
    hard: list[tuple[int, int, str]]


def _villages(n: int) -> list[str]:
    count = max(20, n // 250)
    return [f"{DISTRICTS[i % len(DISTRICTS)]}-{i // len(DISTRICTS) + 1:03d}" for i in range(count)]


def generate(n: int, *, seed: int, rates: Rates | None = None) -> Dataset:
    """``n`` records of persons in clans and households, with duplicates; same seed, same data."""
    rng = random.Random(seed)
    w = World(rng, rates or Rates(), _villages(n))
    records: list[Record] = []
    clan = 0
    while len(records) < n:
        first = len(w.households)
        _clan(w, clan)
        clan += 1
        for hh in w.households[first:]:
            _register(w, hh, records)
    records = records[:n]
    rng.shuffle(records)
    for i, rec in enumerate(records):
        rec.person_id = f"P{i + 1:07d}"
    return Dataset(records, w.hard)


# --- pairs ------------------------------------------------------------------------------

#: Variation kinds a true pair can carry (see pair_variations).
KINDS = ("script", "russian_spelling", "swapped", "patronymic_form", "missing_patronymic",
         "surname_law", "other_surname", "missing_date", "date_typo", "impossible_date",
         "partial_date", "missing_id", "id_typo", "name_typo", "empty_name", "origin")  # fmt: skip
#: Evidence classes: what the two records have in common to be linked by.
EVIDENCE = ("id", "date", "father_no_date", "names_only")
_PARTIAL = re.compile(r"^\d{4}(-00-00)?$")


def date_kind(text: str) -> str:
    """missing, partial, impossible or full.

    >>> [date_kind(t) for t in ("", "1955", "1955-00-00", "1955-11-92", "1955-11-29")]
    ['missing', 'partial', 'partial', 'impossible', 'full']
    """
    if not text:
        return "missing"
    if _PARTIAL.match(text):
        return "partial"
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return "impossible"
    return "full"


def pair_variations(a: Record, b: Record) -> list[str]:
    """The kinds of variation between two records of one person, in KINDS order.

    A ``missing_*`` kind means at least one record lacks the value; the others mean the two
    records differ in that way.
    """
    kinds = {
        "script": a.script_kind != b.script_kind,
        "russian_spelling": a.spelling != b.spelling,
        "swapped": a.swapped != b.swapped,
        "patronymic_form": "none" not in (a.patronymic_form, b.patronymic_form)
        and a.patronymic_form != b.patronymic_form,
        "missing_patronymic": not (a.patronymic and b.patronymic),
        "surname_law": a.law_form != b.law_form,
        "other_surname": a.alt_surname != b.alt_surname,
        "name_typo": bool(a.typo or b.typo),
        "empty_name": bool(a.empty or b.empty),
        "origin": a.origin != b.origin,
        "missing_id": not (a.national_id and b.national_id),
        "id_typo": bool(a.national_id and b.national_id and a.national_id != b.national_id),
    }
    da, db = date_kind(a.birth_date), date_kind(b.birth_date)
    kinds["missing_date"] = "missing" in (da, db)
    kinds["impossible_date"] = "impossible" in (da, db)
    kinds["partial_date"] = "partial" in (da, db)
    kinds["date_typo"] = da == db == "full" and a.birth_date != b.birth_date
    return [k for k in KINDS if kinds[k]]


def evidence(a: Record, b: Record) -> str:
    """The strongest evidence two records share: the same ID, both a birth date, both a
    father's name (the date missing on one side), or the names only."""
    if a.national_id and a.national_id == b.national_id:
        return "id"
    if a.birth_date and b.birth_date:
        return "date"
    if a.patronymic and b.patronymic:
        return "father_no_date"
    return "names_only"


def _by_entity(records: Sequence[Record]) -> dict[int, list[Record]]:
    groups: dict[int, list[Record]] = defaultdict(list)
    for rec in records:
        groups[rec.entity].append(rec)
    return groups


def true_pairs(data: Dataset) -> Iterator[tuple[Record, Record]]:
    """Every pair of records of one person, the smaller person_id first."""
    for group in _by_entity(data.records).values():
        group.sort(key=lambda r: r.person_id)
        yield from itertools.combinations(group, 2)


def hard_pairs(data: Dataset) -> Iterator[tuple[Record, Record, str]]:
    """Record pairs of relatives and namesakes (not duplicates), with their kind."""
    groups = _by_entity(data.records)
    for a, b, kind in data.hard:
        for ra in groups.get(a, ()):
            for rb in groups.get(b, ()):
                yield (ra, rb, kind) if ra.person_id < rb.person_id else (rb, ra, kind)


PERSON_COLUMNS = ("person_id", "surname", "given_name", "patronymic", "sex", "birth_date",
                  "national_id", "household_id", "origin", "phone")  # fmt: skip
STATE_COLUMNS = ("person_id", "entity_id", "source", "script", "swapped", "patronymic_form",
                 "law_form", "alt_surname", "typo", "empty", "date_state")  # fmt: skip


def _entity(rec: Record) -> str:
    return f"E{rec.entity:07d}"


def _write(path: Path, header: Sequence[str], rows: Iterator[Sequence[object]]) -> int:
    count = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        for row in rows:
            out.writerow(row)
            count += 1
    return count


def write(data: Dataset, directory: Path) -> dict[str, int]:
    """Write the five files into ``directory``; return the row count of each."""
    directory.mkdir(parents=True, exist_ok=True)
    recs = data.records
    counts = {
        "persons.csv": _write(directory / "persons.csv", PERSON_COLUMNS,
                              ([getattr(r, c) for c in PERSON_COLUMNS] for r in recs)),
        "truth.csv": _write(directory / "truth.csv", ("person_id", "entity_id"),
                            ((r.person_id, _entity(r)) for r in recs)),
        "pairs.csv": _write(directory / "pairs.csv",
                            ("person_id_l", "person_id_r", "variations", "evidence"),
                            ((a.person_id, b.person_id, ";".join(pair_variations(a, b)),
                              evidence(a, b)) for a, b in true_pairs(data))),
        "hard_pairs.csv": _write(directory / "hard_pairs.csv",
                                 ("person_id_l", "person_id_r", "kind"),
                                 ((a.person_id, b.person_id, k) for a, b, k in hard_pairs(data))),
        "records.csv": _write(directory / "records.csv", STATE_COLUMNS,
                              ((r.person_id, _entity(r), r.source, r.script, int(r.swapped),
                                r.patronymic_form, int(r.law_form), int(r.alt_surname), r.typo,
                                r.empty, r.date_state) for r in recs)),
    }  # fmt: skip
    return counts


def rates_from(settings: Sequence[str]) -> Rates:
    """Rates with some defaults replaced, from ``NAME=VALUE`` strings.

    >>> rates_from(["swap=0.1"]).swap
    0.1
    """
    known = {f for f in Rates.__dataclass_fields__ if f != "sources"}
    changes: dict[str, float] = {}
    for setting in settings:
        name, _, value = setting.partition("=")
        if name not in known:
            raise ValueError(f"unknown rate {name!r}; known: {', '.join(sorted(known))}")
        changes[name] = float(value)
    return replace(Rates(), **changes)  # type: ignore[arg-type]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n", type=int, default=10_000, help="records to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, required=True, help="directory for the files")
    parser.add_argument("--rate", action="append", default=[], metavar="NAME=VALUE",
                        help="replace a default rate of Rates, e.g. household_dup=0.5")  # fmt: skip
    args = parser.parse_args(argv)
    data = generate(args.n, seed=args.seed, rates=rates_from(args.rate))
    counts = write(data, args.out)
    entities = len({r.entity for r in data.records})
    print(f"{args.out}: {counts['persons.csv']} records of {entities} persons, "
          f"{counts['pairs.csv']} true pairs, {counts['hard_pairs.csv']} hard non-duplicate pairs")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
