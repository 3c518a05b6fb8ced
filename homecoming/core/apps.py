from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "homecoming.core"
    label = "core"
    verbose_name = "Core"
