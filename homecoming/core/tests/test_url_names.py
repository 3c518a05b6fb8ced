"""Every URL name points at one place: a page named like an API action would have its forms
post to the API (as the family page's withdraw form once did)."""

from __future__ import annotations

import re
from collections import defaultdict

from django.urls import URLPattern, URLResolver, get_resolver

FORMAT_SUFFIX = r"\\\.\(\?P<format>\[a-z0-9\]\+\)/\?|<drf_format_suffix:format>"


def test_no_two_urls_share_a_name() -> None:
    routes: defaultdict[str, set[str]] = defaultdict(set)

    def walk(patterns: list[URLPattern | URLResolver], prefix: str, namespace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                inner = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, prefix + str(p.pattern), inner)
            elif p.name:
                # The router adds a format-suffix twin of each API route: the same place.
                route = re.sub(FORMAT_SUFFIX, "", prefix + str(p.pattern))
                routes[namespace + p.name].add(route.replace("^", "").replace("$", "").rstrip("/"))

    walk(get_resolver().url_patterns, "", "")
    shared = {name: sorted(places) for name, places in routes.items() if len(places) > 1}
    assert shared == {}
