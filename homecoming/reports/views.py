"""The reports page (the kept reports and the form that asks for one) and the download."""

from __future__ import annotations

import hashlib
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from homecoming.accounts.permissions import EDITORS, current_user, require_profile, require_role
from homecoming.core.access import do_record_access, require_export
from homecoming.core.models import AccessKind, Job, JobStatus
from homecoming.reports.forms import ReportForm
from homecoming.reports.jobs import KIND, request_report
from homecoming.reports.models import MonthlyReport

log = logging.getLogger(__name__)
PER_PAGE = 50


@login_required
def reports(request: HttpRequest) -> HttpResponse:
    """The reports the user may see, newest month first; editors ask for a new one here."""
    profile = require_profile(request)
    may_ask = profile.role in EDITORS
    form = ReportForm(request.POST or None, profile=profile)
    if request.method == "POST":
        require_role(request, EDITORS)
        if form.is_valid():
            data = form.cleaned_data
            with transaction.atomic():
                request_report(
                    current_user(request), data["month"], data["language"], data["district"]
                )
            messages.info(request, _("The report is being generated; it appears below when ready."))
            return redirect("reports:reports")
    kept = (
        MonthlyReport.objects.for_profile(profile)
        .select_related("district")
        .defer("pdf", "figures")
    )
    page = Paginator(kept, PER_PAGE).get_page(request.GET.get("page"))
    running = Job.objects.filter(
        kind=KIND,
        created_by=current_user(request),
        status__in=[JobStatus.QUEUED, JobStatus.RUNNING],
    ).order_by("-created_at")[:5]
    return render(
        request,
        "reports/reports.html",
        {"page": page, "form": form if may_ask else None, "running": list(running)},
    )


@login_required
def download(request: HttpRequest, pk: int) -> HttpResponse:
    """A kept report's PDF, exactly as it was generated: scoped (another district's report
    is a 404), an export of PDF (refused without the permission) and recorded."""
    profile = require_profile(request)
    report = get_object_or_404(MonthlyReport.objects.for_profile(profile), pk=pk)
    require_export(request, AccessKind.MONTHLY_REPORT, "pdf")
    content = bytes(report.pdf)
    if hashlib.sha256(content).hexdigest() != report.sha256:
        # The database refuses changes; a restored or tampered copy must not pass silently.
        log.error("monthly report %s: its PDF does not match its SHA-256", report.pk)
        raise RuntimeError(f"monthly report {report.pk}: the PDF does not match its SHA-256")
    do_record_access(
        request,
        AccessKind.MONTHLY_REPORT,
        fmt="pdf",
        object_type="reports.monthlyreport",
        ids=[report.pk],
    )
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{report.filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
