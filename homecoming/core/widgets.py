"""Select widgets written out in Python, for forms drawn on every load of a hot page.

Django draws a ``<select>`` through two templates per option (the option and its
attributes): on the families list, whose filters offer every settlement of origin, that
was a quarter of the page's rendering time. These widgets give the same HTML (tested
against Django's own) from the same context, without the template engine.

>>> from django.conf import settings
>>> settings.configure() if not settings.configured else None
>>> str(QuickSelect(choices=[("", "---"), ("a", "A & B")]).render("kind", "a"))
'<select name="kind"><option value="">---</option><option value="a" selected>A &amp; B</option></select>'
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe


def render_select(widget: forms.Select, name: str, value: Any, attrs: Any = None) -> SafeString:
    """`widget` drawn as Django's select.html would, option groups included."""
    context = widget.get_context(name, value, attrs)["widget"]
    parts = []
    for group, options, _index in context["optgroups"]:
        rendered = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((str(o["value"]), flatatt(o["attrs"]), o["label"]) for o in options),
        )
        parts.append(
            format_html('<optgroup label="{}">{}</optgroup>', group, rendered)
            if group
            else rendered
        )
    # every part was escaped by format_html above
    body = mark_safe("".join(parts))  # nosec B308 B703
    return format_html('<select name="{}"{}>{}</select>', name, flatatt(context["attrs"]), body)


class QuickSelect(forms.Select):
    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return render_select(self, name, value, attrs)


class QuickNullBooleanSelect(forms.NullBooleanSelect):
    def render(self, name: str, value: Any, attrs: Any = None, renderer: Any = None) -> SafeString:
        return render_select(self, name, value, attrs)
