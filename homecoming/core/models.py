"""Background jobs as the user sees them: what runs, how far it is, what came out."""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models.functions import Cast
from django.utils.encoding import force_str
from django.utils.translation import gettext_lazy as _


class QuickLabels:
    """A model mixin: `get_FOO_display` looks its code up in a plain dict of the choices.

    Django's hashes every choice's label on each call, and a label in the reader's language
    is translated to be hashed: a list of 50 families with two such columns translated about
    a thousand labels per page. Here only the label shown is translated. Choice values are
    codes (strings, numbers), always hashable. The dict is made once per field: a model's
    choices are fixed when the class is made (the labels stay lazy, translated when shown)."""

    def _get_FIELD_display(self, field: Any) -> Any:
        labels = field.__dict__.get("_hc_labels")
        if labels is None:
            labels = field.__dict__["_hc_labels"] = dict(field.flatchoices)
        value = getattr(self, field.attname)
        return force_str(labels.get(value, value), strings_only=True)


class AppendOnly(Exception):
    """A kept row (a snapshot, a printed report) is never changed or deleted."""


class AppendOnlyModel(models.Model):
    """Rows that are kept as they were written: the model refuses to save a stored row or to
    delete one, and the database refuses UPDATE and DELETE too (list the table in
    ``core.audit.APPEND_ONLY_TABLES``)."""

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise AppendOnly(f"a {self._meta.verbose_name} is never changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise AppendOnly(f"a {self._meta.verbose_name} is never deleted")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


class Job(QuickLabels, models.Model):
    """One piece of long work (an allocation run, an import, a duplicate search).

    The task queue (django-tasks, database backend) only knows "run job X"; everything a
    person wants to see - progress, message, result, error - lives here so that any page
    can show it without knowing the queue.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    status = models.CharField(
        _("status"), max_length=10, choices=JobStatus.choices, default=JobStatus.QUEUED
    )
    progress = models.FloatField(_("progress"), default=0.0)
    message = models.CharField(_("message"), max_length=300, blank=True)
    params = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    # Written every few seconds while the job runs (jobs.Heartbeat): a running job whose
    # heartbeat is older than JOB_HEARTBEAT_TIMEOUT lost its process (jobs.sweep_stale).
    heartbeat_at = models.DateTimeField(_("last heartbeat"), null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__gte=0) & models.Q(progress__lte=1),
                name="job_progress_fraction",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def finished(self) -> bool:
        return self.status in {JobStatus.SUCCEEDED, JobStatus.FAILED}

    @property
    def percent(self) -> int:
        return round(self.progress * 100)


class IdempotencyKey(models.Model):
    """An API POST's Idempotency-Key and the answer given, replayed on a retry.

    Only hashes are kept: the key (whole, however long), the operation (method and path)
    and the request (query and body), so that a key is never cut short and a key reused
    for another body is recognised. The unique constraint is what makes two concurrent
    requests with one key do the work once: the second insert waits for the first
    transaction and then finds its answer.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    method = models.CharField(max_length=10)
    path = models.TextField()
    path_hash = models.CharField(max_length=64)
    key_hash = models.CharField(max_length=64)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    body = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("idempotency key")
        verbose_name_plural = _("idempotency keys")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "method", "path_hash", "key_hash"],
                name="idempotency_key_once_per_user_and_operation",
            )
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} {self.key_hash[:12]}"


class AuditAction(models.TextChoices):
    INSERT = "insert", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def of(self, rows: models.QuerySet[Any]) -> AuditEventQuerySet:
        """Events of the rows of a queryset (e.g. one district's), as one subquery."""
        keys = rows.annotate(_audit_pk=Cast("pk", models.CharField())).values("_audit_pk")
        return self.filter(table=rows.model._meta.db_table, object_pk__in=keys)


class AuditEvent(QuickLabels, models.Model):
    """One row written to a domain table: which, when, by whom, from where, before/after.

    Written only by database triggers (homecoming.core.audit); the database refuses to
    update or delete it. `actor` and `actor_id` are plain copies, not a foreign key, so the
    record outlives any account.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), db_index=True)
    table = models.CharField(_("table"), max_length=100)
    object_pk = models.CharField(_("object id"), max_length=64)
    action = models.CharField(_("action"), max_length=6, choices=AuditAction.choices)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor = models.CharField(_("who"), max_length=150, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="system")
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    path = models.CharField(_("path or command"), max_length=300, blank=True)
    request_id = models.CharField(_("request id"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=400, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [
            models.Index(fields=["table", "object_pk"], name="audit_object"),
            models.Index(fields=["actor"], name="audit_actor"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.object_pk} {self.action} ({self.actor or self.channel})"

    @property
    def old(self) -> dict[str, Any]:
        """The row before the write ({} for an insert)."""
        return dict(self.before or {})

    @property
    def new(self) -> dict[str, Any]:
        """The row after the write ({} for a delete)."""
        return dict(self.after or {})

    @property
    def changed(self) -> list[str]:
        """Fields whose value differs between before and after (all fields on insert/delete)."""
        before, after = self.old, self.new
        if not before or not after:
            return sorted(set(before) | set(after))
        return sorted(k for k in set(before) | set(after) if before.get(k) != after.get(k))

    def diff(self) -> list[tuple[str, Any, Any]]:
        before, after = self.old, self.new
        return [(k, before.get(k), after.get(k)) for k in self.changed]


class AccessKind(models.TextChoices):
    """What was read or exported (the "Reads and exports" page filters by it)."""

    HOUSEHOLD_PAGE = "household_page", _("family page")
    HOUSEHOLD_LIST = "household_list", _("list of families")
    DUPLICATE_PAIR = "duplicate_pair", _("duplicate pair")
    HOUSEHOLDS_API = "households_api", _("households API")
    PERSONS_API = "persons_api", _("persons API")
    MANIFEST = "manifest", _("bus manifest")
    RECEIPTS = "receipts", _("key receipts")
    RUN_FILE = "run_file", _("allocation run file")
    AUDIT_EXPORT = "audit_export", _("audit trail export")
    ACCESS_EXPORT = "access_export", _("export of reads and exports")
    IMPORT_ERRORS = "import_errors", _("import error report")
    IMPORT_FILE = "import_file", _("imported file")
    EVIDENCE = "evidence", _("readiness evidence")
    HAZARD_CERTIFICATE = "hazard_certificate", _("hazard area certificate")
    OPENDATA_EXPORT = "opendata_export", _("open data export")
    MONTHLY_REPORT = "monthly_report", _("monthly report")


class AccessFormat(models.TextChoices):
    HTML = "html", _("web page")
    JSON = "json", "JSON"
    CSV = "csv", "CSV"
    XLSX = "xlsx", "XLSX"
    PDF = "pdf", "PDF"
    FILE = "file", _("stored file")


class AccessEvent(QuickLabels, models.Model):
    """One read of personal data, or one export: who, when, from where, what, how many.

    Written explicitly by `core.access.do_record_access` at each read point (not by
    triggers: a read changes no row). Like the audit trail, the database refuses to update
    or delete it (homecoming.core.audit, APPEND_ONLY_TABLES), except `homecoming purge`
    past RETENTION_ACCESS_EVENT_DAYS. `actor` and `actor_id` are copies, not a foreign key.
    `object_ids` keeps at most MAX_IDS ids; `count` is the whole number of records.
    """

    id = models.BigAutoField(primary_key=True)
    at = models.DateTimeField(_("when"), db_index=True)
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor = models.CharField(_("who"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=24, blank=True)
    channel = models.CharField(_("channel"), max_length=10, default="ui")
    ip = models.CharField(_("IP address"), max_length=45, blank=True)
    path = models.CharField(_("path"), max_length=300, blank=True)
    kind = models.CharField(_("what"), max_length=30, choices=AccessKind.choices)
    format = models.CharField(_("format"), max_length=5, choices=AccessFormat.choices)
    object_type = models.CharField(_("object type"), max_length=100, blank=True)
    object_ids = models.JSONField(_("object ids"), default=list, blank=True)
    count = models.PositiveIntegerField(_("records"), default=0)
    refused = models.BooleanField(_("refused"), default=False)

    MAX_IDS = 200

    class Meta:
        ordering = ["-id"]
        verbose_name = _("read or export")
        verbose_name_plural = _("reads and exports")
        indexes = [
            # the bulk-read check: one user's records over the last hour
            models.Index(fields=["actor_id", "at"], name="access_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.actor or '?'} {self.kind} {self.count} ({self.at:%Y-%m-%d %H:%M})"


class BulkReadAlert(models.Model):
    """One user read more records in an hour than BULK_READ_ALERT_PER_HOUR: at most one
    alert per user per rolling hour (and per clock hour, held by the constraint)."""

    at = models.DateTimeField(_("when"), db_index=True)
    hour = models.DateTimeField(_("clock hour"))
    actor_id = models.BigIntegerField(_("user id"), null=True, blank=True)
    actor = models.CharField(_("who"), max_length=150, blank=True)
    records = models.PositiveIntegerField(_("records read in the hour"))
    threshold = models.PositiveIntegerField(_("threshold"))

    class Meta:
        ordering = ["-at"]
        verbose_name = _("bulk-read alert")
        verbose_name_plural = _("bulk-read alerts")
        constraints = [
            models.UniqueConstraint(
                fields=["actor_id", "hour"], name="bulk_read_alert_once_an_hour"
            )
        ]

    def __str__(self) -> str:
        return f"{self.actor}: {self.records} records ({self.at:%Y-%m-%d %H:%M})"


class Erasure(models.Model):
    """One person's or family's personal data erased on request: who, when, why, which
    request, and what was scrubbed where.

    The erased rows stay (their keys, the family's registration number and the facts the
    allocation history needs); their personal values are replaced, in the rows and in the
    audit trail's before/after of those rows (`homecoming.core.audit.scrub_events`, the one
    change the trail allows, and only while this record's transaction holds a permit).
    Written in the same transaction as the erasure; its own insert is in the trail.
    """

    at = models.DateTimeField(_("erased at"), auto_now_add=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("erased by"),
    )
    # A plain copy, like the trail's: the record outlives the account.
    actor_name = models.CharField(_("erased by"), max_length=150)
    reason = models.CharField(_("reason"), max_length=400)
    reference = models.CharField(_("request reference"), max_length=100)
    table = models.CharField(_("table"), max_length=100)
    object_pk = models.CharField(_("object id"), max_length=64)
    label = models.CharField(_("what was erased"), max_length=100)
    #: "table.column" of every value blanked, in the rows and in their audit events.
    fields = models.JSONField(_("fields scrubbed"), default=list, blank=True)
    #: What was done, by kind: {"persons": 4, "audit events": 31, "messages": 2, ...}.
    counts = models.JSONField(_("counts"), default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("erasure")
        verbose_name_plural = _("erasures")
        indexes = [models.Index(fields=["table", "object_pk"], name="erasure_object")]

    def __str__(self) -> str:
        return f"{self.label} erased {self.at:%Y-%m-%d}"


class ErasedRecord(models.Model):
    """A person or family record an erasure erased: how a page knows a record is erased, and
    when (an erasure also erases the records merged with a person, wherever they are)."""

    erasure = models.ForeignKey(Erasure, on_delete=models.PROTECT, related_name="records")
    table = models.CharField(_("table"), max_length=100)
    object_pk = models.CharField(_("object id"), max_length=64)

    class Meta:
        verbose_name = _("erased record")
        verbose_name_plural = _("erased records")
        constraints = [
            models.UniqueConstraint(fields=["table", "object_pk"], name="erased_once"),
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.object_pk}"
