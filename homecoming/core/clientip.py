"""The address a request came from, for limits per client.

REMOTE_ADDR unless settings.TRUSTED_PROXY_COUNT says how many of our own proxies stand in
front: then the address our outermost proxy appended to X-Forwarded-For. Entries to its left
were written by the client and are never trusted; without the setting the header is ignored. IPv6 clients are counted per /64, the block
one subscriber gets, so walking through a /64 does not buy fresh addresses.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str:
    """The client's address as text ("" when none was given). Also the staff sign-in's
    lockout key (AXES_CLIENT_IP_CALLABLE), so lockouts and family limits count one client."""
    raw = str(request.META.get("REMOTE_ADDR", ""))
    proxies = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0))
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies > 0 and forwarded:
        # The same rule as DRF's NUM_PROXIES (and the staff sign-in's lockouts): the entry
        # TRUSTED_PROXY_COUNT places from the end, the one our outermost proxy appended.
        hops = [hop.strip() for hop in forwarded.split(",")]
        raw = hops[-min(proxies, len(hops))] or raw
    return raw.strip()


def client_key(request: HttpRequest) -> str:
    """The key limits are counted under: the address, or its /64 for IPv6."""
    raw = client_ip(request) or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return str(address)
