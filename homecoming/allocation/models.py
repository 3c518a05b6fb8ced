"""Allocation runs: which families get which homes, with inputs, seed and result kept.

A run freezes its inputs as the two CSV files of the allocation contract, so that the
published files, the revealed seed and `homecoming allocate --verify` are enough for anyone
to replay it byte for byte.
"""

from __future__ import annotations

import hashlib
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from homecoming.core.models import QuickLabels
from homecoming.core.scoping import DistrictScopedQuerySet


class Method(models.TextChoices):
    LOTTERY = "lottery", _("Lottery by apartment size (current practice)")
    OPTIMAL = "optimal", _("Optimiser (keeps groups together)")


class RunStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    APPROVED = "approved", _("Approved")


def seed_commitment(seed: int) -> str:
    """The SHA-256 of the seed's decimal text, published before the draw.

    >>> seed_commitment(42)[:16]
    '73475cb40a568e8d'
    """
    return hashlib.sha256(str(seed).encode("ascii")).hexdigest()


class AllocationRunQuerySet(DistrictScopedQuerySet["AllocationRun"]):
    """Rows of the district they belong to."""


#: A run's frozen inputs, outputs and report: megabytes of text on a large draw. A list
#: that shows a run's name beside each of many rows leaves them out
#: (``.defer(*run_heavy_fields("run__"))``): sorting thousands of rows that each carry
#: them took minutes on SQLite.
RUN_HEAVY_FIELDS = (
    "households_csv",
    "units_csv",
    "assignments_csv",
    "baseline_csv",
    "report",
    "policy",
)


def run_heavy_fields(prefix: str = "") -> list[str]:
    """The heavy fields of a run, seen through a relation (`prefix` like "run__").

    >>> run_heavy_fields("run__")[:2]
    ['run__households_csv', 'run__units_csv']
    """
    return [prefix + name for name in RUN_HEAVY_FIELDS]


class AllocationRun(QuickLabels, models.Model):
    name = models.CharField(_("name"), max_length=120)
    method = models.CharField(_("method"), max_length=10, choices=Method.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.DRAFT
    )
    district = models.ForeignKey(
        "geography.Area",
        on_delete=models.PROTECT,
        related_name="allocation_runs",
        verbose_name=_("district"),
    )
    complexes = models.ManyToManyField(
        "housing.ResidentialComplex", related_name="allocation_runs", verbose_name=_("complexes")
    )
    # The seed stays secret until the run is done; the commitment is shown from the start.
    seed = models.BigIntegerField(_("seed"))
    seed_commitment = models.CharField(_("seed commitment (SHA-256)"), max_length=64)
    seed_revealed = models.BooleanField(_("seed revealed"), default=False)
    policy = models.TextField(_("policy (TOML)"), blank=True)
    households_csv = models.TextField(_("households input"), blank=True)
    units_csv = models.TextField(_("units input"), blank=True)
    # Families of the run's groups already housed by earlier runs: they pull their relatives
    # to their settlement and building (the contract's residents.csv); empty: none.
    residents_csv = models.TextField(_("residents input"), blank=True)
    inputs_sha256 = models.CharField(max_length=64, blank=True)
    assignments_csv = models.TextField(_("assignments output"), blank=True)
    # Today's practice (lottery by size) on the same inputs and seed, for comparison.
    baseline_csv = models.TextField(_("lottery baseline output"), blank=True)
    report = models.JSONField(_("report"), default=dict, blank=True)
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # The approval runs as a job too (offers for hundreds of families take seconds): the
    # page follows its progress, and a second approval waits for the first to end.
    approval_job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Fanned out (allocation.fanout): the optimiser's settlements in up to this many parts,
    # each a job of its own, taken by any worker; 0: the whole run in one job.
    fanout_parts = models.PositiveSmallIntegerField(_("parts"), default=0)
    # The job that merges the parts; set once, under the run's row lock, by the last piece.
    merge_job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AllocationRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("allocation run")
        verbose_name_plural = _("allocation runs")
        constraints = [
            models.CheckConstraint(condition=Q(seed__gte=0), name="allocation_seed_non_negative"),
            models.CheckConstraint(
                condition=Q(approved_at__isnull=True) | Q(status="approved"),
                name="allocation_approved_has_status",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def visible_seed(self) -> int | None:
        return self.seed if self.seed_revealed else None

    @property
    def finished(self) -> bool:
        return self.status in {RunStatus.DONE, RunStatus.FAILED, RunStatus.APPROVED}

    @property
    def shown_job(self) -> Any:
        """The job whose progress the run's page shows: the merge of a fanned-out run once
        it is queued, else the run's job."""
        return self.merge_job if self.merge_job_id is not None else self.job

    @property
    def approving(self) -> bool:
        """Its approval is queued or under way (a job not finished yet)."""
        job = self.approval_job
        return job is not None and not job.finished and self.status == RunStatus.DONE


class AllocationResult(models.Model):
    """One household's outcome in a run: a unit and why, or none and why not."""

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="results")
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="allocation_results"
    )
    unit = models.ForeignKey(
        "housing.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="allocation_results",
    )
    # The engine's English sentence (as in the published assignments.csv) and the same
    # reasons as data, rendered in the reader's language (allocation/reasons.py); runs made
    # before the data was kept have only the sentence.
    reason = models.CharField(_("reason"), max_length=400)
    reasons = models.JSONField(_("reasons"), default=list, blank=True)
    # Order of the families not housed, for the reserve list (1 = first to be offered).
    reserve_rank = models.PositiveIntegerField(_("reserve rank"), null=True, blank=True)

    class Meta:
        ordering = ["run", "reserve_rank", "id"]
        constraints = [
            models.UniqueConstraint(fields=["run", "household"], name="one_result_per_household"),
            models.UniqueConstraint(
                fields=["run", "unit"],
                condition=Q(unit__isnull=False),
                name="one_household_per_unit_in_run",
            ),
            models.CheckConstraint(
                condition=Q(unit__isnull=True) | Q(reserve_rank__isnull=True),
                name="housed_not_on_reserve",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.household_id} -> {self.unit_id}"


class RunPiece(models.Model):
    """A finished piece of a fanned-out run (allocation.fanout): the split, a part, the
    bound, the lottery baseline or the run without groups, as JSON.

    Append-only: written once by the job that computed it, never changed. The unique key
    makes a piece computed twice (a job run again after its worker was thought dead) a
    no-op, and the merge reads exactly one of each.
    """

    run = models.ForeignKey(AllocationRun, on_delete=models.CASCADE, related_name="pieces")
    kind = models.CharField(max_length=20)
    key = models.PositiveIntegerField(default=0)
    data = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["run", "kind", "key"], name="one_piece_per_key")
        ]

    def __str__(self) -> str:
        return f"{self.run_id}: {self.kind} {self.key}"


class ProgrammePlan(models.Model):
    """A plan of every stage ahead (allocation.plan): kept, never changed, superseded by the
    next one. Not binding: the real run still happens per stage."""

    created_at = models.DateTimeField(_("computed at"), auto_now_add=True)
    # The last audit event of the plan's inputs when it was computed: a later one makes
    # it stale.
    version = models.BigIntegerField(_("inputs version"))
    seconds = models.FloatField(_("seconds"), default=0.0)
    result = models.JSONField(_("plan"), default=dict)
    job = models.ForeignKey(
        "core.Job", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("programme plan")
        verbose_name_plural = _("programme plans")

    def __str__(self) -> str:
        return f"{self._meta.verbose_name} {self.created_at:%Y-%m-%d %H:%M}"

    def expected_for(self, reg_number: str) -> dict[str, Any] | None:
        found: dict[str, Any] | None = self.result.get("expected", {}).get(reg_number)
        return found
