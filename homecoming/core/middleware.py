"""Request middleware: the audit context of each request, and checks that hold for every
page and API call before any view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _

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


API_PREFIX = "/api/"


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith(API_PREFIX)


def error_response(request: HttpRequest, message: str, status: int) -> HttpResponse:
    """An error in the form the caller reads: JSON `detail` for the API, text for pages."""
    if is_api(request):
        return JsonResponse({"detail": message}, status=status)
    return HttpResponse(message, status=status, content_type="text/plain; charset=utf-8")


def has_nul(request: HttpRequest) -> bool:
    """Whether the path, the query string (keys too) or a header holds a NUL character."""
    if "\x00" in request.path or "\x00" in request.path_info:
        return True
    for key, values in request.GET.lists():
        if "\x00" in key or any("\x00" in v for v in values):
            return True
    return any(
        "\x00" in value
        for name, value in request.META.items()
        if name.startswith("HTTP_") and isinstance(value, str)
    )


class RefuseNulMiddleware:
    """Answer 400 to a request whose path, query string or headers carry a NUL character.

    PostgreSQL refuses NUL in text, even in a WHERE clause, so a NUL reaching a lookup (a
    registration number in the path, a filter, a search, an API token, a session key)
    would be a server error. Bodies are checked by the API's parsers and by Django's form
    fields.
    """

    def __init__(self, get_response: Callable[[HttpRequest], Any]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> Any:
        if has_nul(request):
            return error_response(
                request, _("The request may not contain the NUL character (0x00)."), 400
            )
        return self.get_response(request)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if is_api(request):
        return error_response(request, _("Bad request."), 400)
    from django.views.defaults import bad_request as page

    return page(request, exception or Exception())


def not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """Django's 404 page, but JSON under /api/ (e.g. a path no API route matches)."""
    if is_api(request):
        return error_response(request, _("Not found."), 404)
    from django.views.defaults import page_not_found

    return page_not_found(request, exception or Exception())


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A refused form (its security token missing or stale) in the app's layout, saying
    what to do; Django's own page is bare and technical. (The API's views check their
    token themselves and answer in JSON.)"""
    message = _(
        "This form has expired or did not come from this site, so nothing was saved. "
        "Go back, reload the page and send the form again."
    )
    from django.shortcuts import render

    return render(request, "403.html", {"exception": message}, status=403)


def server_error(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return error_response(request, _("Server error."), 500)
    from django.views.defaults import server_error as page

    return page(request)
