"""Print every status, its allowed transitions and who may make them (docs/lifecycles.md)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand
from django.utils import translation

from homecoming.core.lifecycle import REGISTRY, as_markdown


class Command(BaseCommand):
    help = "Print the lifecycle tables as Markdown (the page docs/lifecycles.md)."

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override("en"):
            self.stdout.write(as_markdown(REGISTRY.values()), ending="")
