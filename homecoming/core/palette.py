"""The colours of the server-drawn SVG charts and maps, read from the stylesheet's :root.

One palette for pages and drawings: `core/static/homecoming/app.css` declares each colour
once as a custom property (`--amber: #f0b429`), and the SVG code names it
(`PALETTE["amber"]`). An unknown name is a KeyError at import, not a silent black.

>>> PALETTE["amber"]
'#f0b429'
>>> "ink" in PALETTE
True
"""

from __future__ import annotations

import re
from pathlib import Path
from types import MappingProxyType

STYLESHEET = Path(__file__).resolve().parent / "static" / "homecoming" / "app.css"
_ROOT = re.compile(r":root\s*\{(?P<body>[^}]*)\}")
_COLOUR = re.compile(r"--(?P<name>[\w-]+)\s*:\s*(?P<value>#[0-9a-fA-F]{3,8})\s*;")


def read_palette(css: str) -> dict[str, str]:
    """Custom properties with a hex colour in the first :root block of `css`.

    >>> read_palette(":root { --ink: #1d2330; --gap: 4px; }")
    {'ink': '#1d2330'}
    """
    found = _ROOT.search(css)
    body = found.group("body") if found else ""
    return {m["name"]: m["value"].lower() for m in _COLOUR.finditer(body)}


PALETTE = MappingProxyType(read_palette(STYLESHEET.read_text(encoding="utf-8")))
