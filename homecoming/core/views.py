from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from homecoming.accounts.permissions import current_user, require_profile
from homecoming.core.htmx import is_htmx
from homecoming.core.models import Job


@login_required
def job_detail(request: HttpRequest, pk: str) -> HttpResponse:
    profile = require_profile(request)
    jobs = (
        Job.objects.all()
        if profile.district_id is None
        else Job.objects.filter(created_by=current_user(request))
    )
    job = get_object_or_404(jobs, pk=pk)
    template = "core/_job.html" if is_htmx(request) else "core/job.html"
    return render(request, template, {"job": job})
