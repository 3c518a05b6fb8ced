"""The programme's history: one snapshot of the dashboard's figures per day and scope."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.models import AppendOnlyModel
from homecoming.core.scoping import DistrictScopedQuerySet


class SnapshotSource(models.TextChoices):
    JOB = "job", _("Daily job")
    COMMAND = "command", _("Command")
    DEMO = "demo", _("Demo history")


class SnapshotQuerySet(DistrictScopedQuerySet["ProgrammeSnapshot"]):
    district_lookup = "district_id"


class ProgrammeSnapshot(AppendOnlyModel):
    """The dashboard's figures of one day for the whole programme (no district) or one
    district, kept as they were: later corrections of the registry or the housing do not
    change them. Append-only: the database refuses UPDATE and DELETE (core.audit's
    APPEND_ONLY_TABLES), and so does the model."""

    day = models.DateField(_("day"))
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    #: The headline figures (for trends: read without the whole dict).
    headline = models.JSONField(_("headline figures"), default=dict)
    #: Everything the dashboard draws (``dashboard.figures.compute``).
    figures = models.JSONField(_("figures"), default=dict)
    source = models.CharField(_("source"), max_length=10, choices=SnapshotSource.choices)
    created_at = models.DateTimeField(_("taken at"), auto_now_add=True)

    objects = SnapshotQuerySet.as_manager()

    class Meta:
        ordering = ["-day"]
        verbose_name = _("programme snapshot")
        verbose_name_plural = _("programme snapshots")
        constraints = [
            models.UniqueConstraint(
                fields=["day", "district"],
                condition=Q(district__isnull=False),
                name="snapshot_per_day_and_district",
            ),
            models.UniqueConstraint(
                fields=["day"], condition=Q(district__isnull=True), name="snapshot_per_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.district or ''}".strip()
