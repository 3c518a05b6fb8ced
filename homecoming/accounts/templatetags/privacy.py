"""`{% personal value "phone" %}`: a personal value, or a "hidden" mark for a user whose role
does not include that kind of data (homecoming.accounts.privacy)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from homecoming.accounts.privacy import ALL_FIELDS, MODEL_FIELDS, may_see

register = template.Library()


def hidden_mark() -> SafeString:
    return format_html(
        '<span class="masked" data-masked title="{}">{}</span>',
        _("Your role does not include this kind of personal data."),
        _("hidden"),
    )


@register.simple_tag(takes_context=True)
def personal(context: template.Context, value: Any, kind: str, empty: str = "—") -> Any:
    """`kind` is a kind of personal data or a model field name ("shelter_address"); a field
    that is neither (a surname) is shown to all who see the page."""
    request = context.get("request")
    if not sees(getattr(request, "user", None), kind):
        return hidden_mark()
    if value is None or value == "":
        return empty
    return localize(value)


@register.filter
def sees(user: Any, kind: str) -> bool:
    """`{% if request.user|sees:"needs" %}`"""
    kind = MODEL_FIELDS.get(kind, kind)
    return kind not in ALL_FIELDS or may_see(user, kind)
