"""Every text colour of the stylesheet reads on its background at WCAG AA (4.5:1).

Pure: the colours are read from app.css as the pages get them (custom properties resolved
from :root, as core/palette.py reads them for the drawings). A rule that puts a background
behind text sets its colour in the same rule (status chips, readiness cells, buttons, tags,
messages, table heads), so each such rule is one pair; a rule that only sets a colour is
text on the page (white cards and the grey page) unless CONTEXT names where it stands.
"""

from __future__ import annotations

import re

import pytest

from homecoming.core.palette import PALETTE, STYLESHEET

AA = 4.5
_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_RULE = re.compile(r"(?P<selectors>[^{}]+)\{(?P<body>[^{}]*)\}")
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}\b")
_VAR = re.compile(r"var\(--(?P<name>[\w-]+)\)")

#: Text rules that stand on a background of their own, not on the page: the selectors of
#: the rules holding that background.
CONTEXT = {
    "header.top a": ["header.top"],
    "button.link": ["header.top"],
    ".rs small": [".rs-none", ".rs-not_started", ".rs-in_progress", ".rs-done", ".rs-certified"],
}
#: Where text without a background of its own stands: cards and the page.
PAGE = ["--card", "--bg"]


def luminance(colour: str) -> float:
    """Relative luminance of a #rgb or #rrggbb colour (WCAG 2.x)."""
    digits = colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    channels = [int(digits[i : i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    light, dark = sorted((luminance(a), luminance(b)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def colour_of(value: str) -> str | None:
    """The colour a declaration's value gives: a hex, or a custom property of :root."""
    found = _VAR.search(value)
    if found:
        return PALETTE[found["name"]]
    hexes = _HEX.findall(value)
    return hexes[0].lower() if hexes else None


def rules() -> list[tuple[str, dict[str, str]]]:
    """Each rule's selectors with the colour and background it sets, in the stylesheet's
    order, @media blocks included (every state a reader can see must read)."""
    css = _COMMENT.sub("", STYLESHEET.read_text(encoding="utf-8"))
    found = []
    for match in _RULE.finditer(css):
        declarations = {}
        for line in match["body"].split(";"):
            name, _, value = line.partition(":")
            name = name.strip()
            if name in ("color", "background", "background-color"):
                colour = colour_of(value)
                if colour:
                    declarations["background" if name != "color" else "color"] = colour
        for selector in match["selectors"].split(","):
            selector = " ".join(selector.split())
            if declarations and not selector.startswith(("@", ":root")):
                found.append((selector, declarations))
    return found


def pairs() -> list[tuple[str, str, str]]:
    """(what, text colour, background colour) for every text the stylesheet colours."""
    found = rules()
    backgrounds = {selector: rule["background"] for selector, rule in found if "background" in rule}
    out = []
    for selector, rule in found:
        text = rule.get("color")
        if text is None:
            continue
        if "background" in rule:
            out.append((selector, text, rule["background"]))
        elif selector in CONTEXT:
            out += [(f"{selector} on {c}", text, backgrounds[c]) for c in CONTEXT[selector]]
        else:
            out += [(f"{selector} on {p}", text, PALETTE[p[2:]]) for p in PAGE]
    return sorted(set(out))


def test_the_contrast_ratio_is_wcag_s() -> None:
    assert contrast("#000000", "#ffffff") == pytest.approx(21)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)
    assert contrast("#111", "#0b6e4f") == pytest.approx(3.02, abs=0.01)  # the old unit chip


def test_the_check_covers_chips_cells_buttons_tags_and_messages() -> None:
    checked = {what for what, _text, _bg in pairs()}
    for selector in (
        ".st-occupied",
        ".st-offered",
        ".st-allocated",
        ".st-keys_handed",
        ".st-free",
        ".rs-none",
        ".rs-done",
        "button.primary",
        ".button.primary",
        ".tag",
        ".msg",
        ".msg.error",
        "table.grid thead th",
        "header.top a on header.top",
        ".gate-no on --card",
    ):
        assert selector in checked, selector


@pytest.mark.parametrize(("what", "text", "background"), pairs())
def test_every_text_reads_on_its_background_at_aa(what: str, text: str, background: str) -> None:
    ratio = contrast(text, background)
    assert ratio >= AA, f"{what}: {text} on {background} is {ratio:.2f}:1, under {AA}:1"
