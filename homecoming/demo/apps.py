from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemoConfig(AppConfig):
    """The demo scenario and the `homecoming demo` command (the top layer: it fills every app)."""

    name = "homecoming.demo"
    label = "demo"
    verbose_name = _("Demo")
