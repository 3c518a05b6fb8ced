"""The interface speaks Azerbaijani, English and Russian, and the catalogues are complete.

The catalogues are read as text: the test needs no gettext tools and no extra package.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from homecoming.core.testing import World

LOCALE = Path(settings.BASE_DIR) / "homecoming" / "locale"
TRANSLATED = ["az", "ru"]
PLURAL_FORMS = {"az": 2, "ru": 3}


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgctxt: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    obsolete: bool = False


def parse_po(text: str) -> list[Entry]:
    """The entries of a .po file (header included, as the entry with an empty msgid)."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", text.strip()):
        entry, current = Entry(), ""
        for raw in block.splitlines():
            line = raw.strip()
            if line.startswith("#~"):
                entry.obsolete = True
                line = line[2:].strip()
            if line.startswith("#,"):
                entry.flags |= {f.strip() for f in line[2:].split(",")}
                continue
            if not line or line.startswith("#"):
                continue
            keyword, _, rest = line.partition(" ")
            if line.startswith('"'):
                keyword, rest = current, line
            else:
                current = keyword
            value = ast.literal_eval(rest)
            if keyword == "msgid":
                entry.msgid += value
            elif keyword == "msgid_plural":
                entry.msgid_plural = (entry.msgid_plural or "") + value
            elif keyword == "msgctxt":
                entry.msgctxt = (entry.msgctxt or "") + value
            elif keyword.startswith("msgstr"):
                index = int(keyword[7:-1]) if "[" in keyword else 0
                entry.msgstr[index] = entry.msgstr.get(index, "") + value
        entries.append(entry)
    return entries


def catalogue(lang: str) -> list[Entry]:
    return parse_po((LOCALE / lang / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8"))


def messages(lang: str) -> list[Entry]:
    return [e for e in catalogue(lang) if e.msgid and not e.obsolete]


def placeholders(text: str) -> set[str]:
    return set(re.findall(r"%\(\w+\)[sdr]", text))


def test_the_po_parser_reads_plurals_contexts_and_flags() -> None:
    text = (
        'msgid ""\nmsgstr "Language: ru\\n"\n\n'
        '#, fuzzy, python-format\nmsgctxt "count"\nmsgid "%(n)s family"\n'
        'msgid_plural ""\n"%(n)s families"\nmsgstr[0] "%(n)s семья"\nmsgstr[1] ""\n'
    )
    header, entry = parse_po(text)
    assert header.msgid == "" and "Language: ru" in header.msgstr[0]
    assert entry.msgctxt == "count" and entry.msgid_plural == "%(n)s families"
    assert entry.flags == {"fuzzy", "python-format"}
    assert entry.msgstr == {0: "%(n)s семья", 1: ""}


def test_the_dashboard_speaks_azerbaijani_when_the_browser_asks_for_it(
    world: World, client: Any
) -> None:
    client.force_login(world.ayten)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="az").content.decode()
    assert '<html lang="az">' in page
    assert ">Ailələr</a>" in page
    assert ">Families</a>" not in page


def test_the_dashboard_speaks_russian_when_the_browser_asks_for_it(
    world: World, client: Any
) -> None:
    client.force_login(world.ayten)
    page = client.get(reverse("dashboard"), HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert '<html lang="ru">' in page
    assert ">Семьи</a>" in page
    assert ">Families</a>" not in page


@pytest.mark.parametrize(
    ("lang", "families"), [("az", "Ailələr"), ("ru", "Семьи"), ("en", "Families")]
)
def test_the_language_cookie_chooses_the_language_of_the_dashboard(
    world: World, client: Any, lang: str, families: str
) -> None:
    client.force_login(world.ayten)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = lang
    page = client.get(reverse("dashboard")).content.decode()
    assert f'<html lang="{lang}">' in page
    assert f">{families}</a>" in page


def test_the_language_switcher_sets_the_language_for_the_next_pages(
    world: World, client: Any
) -> None:
    client.force_login(world.ayten)
    response = client.post(reverse("set_language"), {"language": "ru", "next": "/"})
    assert response.status_code == 302
    assert ">Семьи</a>" in client.get(reverse("dashboard")).content.decode()


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_message_of_the_catalogue_is_translated_and_none_is_fuzzy(lang: str) -> None:
    entries = messages(lang)
    assert len(entries) > 100
    fuzzy = [e.msgid for e in catalogue(lang) if "fuzzy" in e.flags and not e.obsolete]
    untranslated = [
        e.msgid for e in entries if not e.msgstr or any(not s.strip() for s in e.msgstr.values())
    ]
    assert fuzzy == []
    assert untranslated == []


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_catalogue_declares_the_plural_forms_of_its_language(lang: str) -> None:
    header = next(e for e in catalogue(lang) if e.msgid == "" and not e.obsolete)
    assert f"Language: {lang}\n" in header.msgstr[0]
    assert f"nplurals={PLURAL_FORMS[lang]};" in header.msgstr[0]
    for e in messages(lang):
        if e.msgid_plural is not None:
            assert sorted(e.msgstr) == list(range(PLURAL_FORMS[lang])), e.msgid


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_every_placeholder_of_the_english_text(lang: str) -> None:
    for e in messages(lang):
        expected = placeholders(e.msgid) | placeholders(e.msgid_plural or "")
        for form in e.msgstr.values():
            # A singular form may say "one" in words, but may not invent a placeholder.
            assert placeholders(form) <= expected, e.msgid
            assert placeholders(form) >= expected - {"%(n)s", "%(n)d"}, e.msgid


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_every_catalogue_is_compiled_for_machines_without_gettext(lang: str) -> None:
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert mo.exists()
    assert mo.read_bytes()[:4] in (b"\xde\x12\x04\x95", b"\x95\x04\x12\xde")
