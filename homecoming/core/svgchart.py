"""The frame of the charts drawn on the server as inline SVG (readiness timeline and school
places, the network's year chart). Maps are interactive: see ``core/maps.py`` and map.js.

>>> drawn = svg(10, 5, ['<rect width="1" height="1"/>'], "A & B")
>>> 'viewBox="0 0 10 5"' in drawn, 'aria-label="A &amp; B"' in drawn
(True, True)
"""

from __future__ import annotations

from collections.abc import Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


def svg(width: int, height: int, body: Sequence[str], title: str) -> SafeString:
    """An ``<svg>`` element of this size around ``body`` (already escaped SVG fragments)."""
    # Every value put inside is escaped or numeric.
    return mark_safe(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-label="{escape(title)}" '
        f'style="--width:{width}px;max-width:{width}px;font:12px system-ui,sans-serif">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )  # nosec B308 B703
