"""The interface speaks Azerbaijani, English and Russian, and the catalogues are complete.

The catalogues are read as text; two tests use gettext's tools (makemessages in a copy of
the sources, msgfmt): the catalogues are up to date with the code and compiled.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from homecoming.testing import World

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


def keys(entries: list[Entry]) -> set[tuple[str | None, str]]:
    return {(e.msgctxt, e.msgid) for e in entries if e.msgid and not e.obsolete}


@pytest.fixture(scope="module")
def fresh_catalogue(tmp_path_factory: pytest.TempPathFactory) -> list[Entry]:
    """The Azerbaijani catalogue as makemessages makes it now from the code, in a copy of
    the sources (the repository is not touched): a few seconds."""
    if not (shutil.which("xgettext") and shutil.which("msgmerge")):
        pytest.skip("gettext's tools (xgettext, msgmerge) are not installed")
    copy = tmp_path_factory.mktemp("sources")
    root = Path(settings.BASE_DIR)
    for folder in ("homecoming", "config"):
        for path in (root / folder).rglob("*"):
            # every file the code reads (stylesheets, data), not the caches and catalogues
            if path.is_file() and not {"__pycache__", "locale"} & set(path.parts):
                target = copy / path.relative_to(root)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    po = copy / "homecoming" / "locale" / "az" / "LC_MESSAGES" / "django.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(LOCALE / "az" / "LC_MESSAGES" / "django.po", po)
    done = subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "az", "--no-obsolete"],
        cwd=copy,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "PYTHONPATH": str(copy)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return parse_po(po.read_text(encoding="utf-8"))


def test_the_catalogues_hold_every_message_of_the_code_and_no_other(
    fresh_catalogue: list[Entry],
) -> None:
    """Fails on a string added to the code and not to the catalogues (makemessages then
    translate), or one left in them after it left the code (makemessages --no-obsolete)."""
    wanted = keys(fresh_catalogue)
    for lang in ("az", "en", "ru"):
        have = keys(messages(lang))
        assert sorted(wanted - have, key=str) == [], f"{lang}: not in the catalogue"
        assert sorted(have - wanted, key=str) == [], f"{lang}: no longer in the code"
    # what makemessages merges in unmatched comes out fuzzy or empty: the test above sees it
    assert not [e.msgid for e in fresh_catalogue if "fuzzy" in e.flags and e.msgid]


@pytest.mark.parametrize("lang", ["az", "en", "ru"])
def test_every_compiled_catalogue_is_compiled_from_its_po_file(lang: str, tmp_path: Path) -> None:
    if not shutil.which("msgfmt"):
        pytest.skip("gettext's msgfmt is not installed")
    po = LOCALE / lang / "LC_MESSAGES" / "django.po"
    fresh = tmp_path / "django.mo"
    subprocess.run(["msgfmt", "--check", "-o", str(fresh), str(po)], check=True)
    assert fresh.read_bytes() == po.with_suffix(".mo").read_bytes(), "run msgfmt (compilemessages)"
