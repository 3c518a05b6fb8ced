"""One palette: the SVG drawings use the stylesheet's colours and no colour of their own."""

from __future__ import annotations

import re
from pathlib import Path

from homecoming.core.palette import PALETTE

ROOT = Path(__file__).resolve().parents[2]
HEX = re.compile(r"#[0-9a-fA-F]{3,8}\b")


def test_the_drawing_code_names_colours_from_the_stylesheet_only() -> None:
    drawing = [
        ROOT / "readiness" / "svg.py",
        ROOT / "network" / "svg.py",
        ROOT / "core" / "svgchart.py",
        ROOT / "reports" / "svg.py",
    ]
    literals = {str(p.relative_to(ROOT)): HEX.findall(p.read_text()) for p in drawing}
    assert {p: found for p, found in literals.items() if found} == {}
    names = set()
    for path in drawing:
        names |= set(re.findall(r'PALETTE\["([\w-]+)"\]', path.read_text()))
    assert names and names <= set(PALETTE), names - set(PALETTE)


def test_templates_carry_no_style_blocks() -> None:
    blocks = [
        str(p.relative_to(ROOT))
        for p in ROOT.rglob("templates/**/*.html")
        if "<style" in p.read_text()
    ]
    assert blocks == []
