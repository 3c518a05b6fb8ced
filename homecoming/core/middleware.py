"""Opens the audit context of each request: channel, client address, path, user."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from homecoming.core.audit import audit_context


def channel_of(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/admin/"):
        return "admin"
    return "ui"


class AuditContextMiddleware:
    """Every write made while answering a request is recorded with who and from where.

    The user is read when a write happens, not here: DRF authenticates API tokens inside the
    view. Family self-service pages name the family as actor (handover.family)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with audit_context(
            channel_of(request.path),
            ip=request.META.get("REMOTE_ADDR", "") or "",
            path=f"{request.method} {request.path}",
            request=request,
        ):
            return self.get_response(request)
