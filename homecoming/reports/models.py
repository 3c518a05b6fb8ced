"""The monthly reports that are kept: one row per PDF generated, never changed or deleted.

A month's report can be generated again (a correction, another language): each is a new
version beside the old, which stays as it was printed. The PDF's bytes are in the row with
their SHA-256, so the report of March opens in December byte for byte as it was made.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.models import AppendOnlyModel
from homecoming.core.scoping import DistrictScopedQuerySet


class ReportSource(models.TextChoices):
    REQUEST = "request", _("Asked for")
    SCHEDULE = "schedule", _("Monthly schedule")


class ReportQuerySet(DistrictScopedQuerySet["MonthlyReport"]):
    """A district officer sees their district's reports; the programme's (no district) and
    other districts' are not theirs."""

    district_lookup = "district_id"


class MonthlyReport(AppendOnlyModel):
    """One generated PDF of a month's figures, for the programme (no district) or one
    district, in one language. Append-only: the model refuses save() of a stored row and
    delete(), and the database refuses UPDATE and DELETE (core.audit, APPEND_ONLY_TABLES)."""

    month = models.DateField(_("month"))  # its first day
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("district"),
    )
    version = models.PositiveIntegerField(_("version"), default=1)
    #: The day the figures were taken (reports.figures: the kept snapshot's day in the month,
    #: or the day the report was made when they were computed then).
    as_of = models.DateField(_("figures as of"))
    pdf = models.BinaryField(_("PDF"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    #: The figures the PDF was printed from (reports.figures.ReportFigures as JSON).
    figures = models.JSONField(_("figures"), default=dict)
    source = models.CharField(_("source"), max_length=10, choices=ReportSource.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    # A copy, like the audit trail's: the record names who asked even if the account changes.
    requested_by_name = models.CharField(_("asked by"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("generated at"), auto_now_add=True)

    objects = ReportQuerySet.as_manager()

    class Meta:
        ordering = ["-month", "district__code", "language", "-version"]
        verbose_name = _("monthly report")
        verbose_name_plural = _("monthly reports")
        constraints = [
            models.UniqueConstraint(
                fields=["month", "language", "district", "version"],
                condition=Q(district__isnull=False),
                name="report_version_per_district",
            ),
            models.UniqueConstraint(
                fields=["month", "language", "version"],
                condition=Q(district__isnull=True),
                name="report_version_of_programme",
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="report_month_starts_on_the_first"
            ),
        ]

    def __str__(self) -> str:
        where = self.district.code if self.district_id and self.district else "programme"
        return f"{self.month:%Y-%m} {where} {self.language} v{self.version}"

    @property
    def filename(self) -> str:
        where = self.district.code if self.district_id and self.district else "programme"
        return f"homecoming-report-{self.month:%Y-%m}-{where}-{self.language}-v{self.version}.pdf"
