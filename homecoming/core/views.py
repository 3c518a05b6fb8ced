from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.templatetags.static import static

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


def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page links: send them to the app's icon."""
    return HttpResponsePermanentRedirect(static("homecoming/favicon.svg"))
