from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from homecoming.accounts.permissions import ALLOCATORS, current_user, require_profile, require_role
from homecoming.allocation import chart, fairness, followers, plan, reasons, services, timeline
from homecoming.allocation.forms import RunForm
from homecoming.allocation.models import (
    AllocationResult,
    AllocationRun,
    ProgrammePlan,
    RunStatus,
)
from homecoming.core.access import do_record_access, require_export
from homecoming.core.htmx import is_htmx
from homecoming.core.models import AccessKind
from homecoming.geography.models import Area
from homecoming.housing.models import ResidentialComplex
from homecoming.readiness.models import Stage
from homecoming.registry.models import Household, ShelterKind


@login_required
def run_list(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    runs = AllocationRun.objects.for_profile(profile).select_related("district", "created_by")
    return render(
        request, "allocation/run_list.html", {"runs": runs, "can_allocate": profile.can_allocate}
    )


@login_required
def run_new(request: HttpRequest) -> HttpResponse:
    profile = require_role(request, ALLOCATORS)
    form = RunForm(request.POST or None, profile=profile)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        run = services.do_create_run(
            user=current_user(request),
            name=data["name"],
            method=data["method"],
            district=data["district"],
            complexes=list(data["complexes"]),
            policy=data["policy"],
        )
        messages.success(
            request, _("Run queued. Seed commitment: %(c)s") % {"c": run.seed_commitment}
        )
        return redirect("allocation:run", pk=run.pk)
    return render(request, "allocation/run_new.html", {"form": form})


def _visible_run(request: HttpRequest, pk: int) -> AllocationRun:
    profile = require_profile(request)
    return get_object_or_404(
        AllocationRun.objects.for_profile(profile).select_related(
            "district", "job", "created_by", "approval_job"
        ),
        pk=pk,
    )


@login_required
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    run = _visible_run(request, pk)
    profile = require_profile(request)
    results = run.results.select_related(
        "household", "unit__building__complex__settlement"
    ).order_by(
        "reserve_rank", "unit__building__complex__code", "unit__building__code", "unit__number"
    )
    show = request.GET.get("show", "housed")
    if show == "reserve":
        results = results.filter(unit__isnull=True)
    else:
        results = results.filter(unit__isnull=False)
    page = Paginator(results, 100).get_page(request.GET.get("page"))
    page.object_list = reasons.attach(page.object_list)
    earlier = (
        AllocationRun.objects.for_profile(profile)
        .filter(district=run.district, created_at__lt=run.created_at)
        .exclude(report={})
        .order_by("-created_at")[:4]
    )
    polled = is_htmx(request) and bool(request.GET.get("poll"))
    if polled and run.finished and not run.approving:
        # The run (or its approval) ended while the page waited: reload it whole, so the
        # results, the lottery comparison, fairness and the reserve list appear before
        # anyone can approve, and the approval's outcome once it is done.
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"
        return response
    template = "allocation/_run_status.html" if polled else "allocation/run_detail.html"
    return render(
        request,
        template,
        {
            "run": run,
            "page": page,
            "show": show,
            "complexes": run.complexes.select_related("settlement"),
            "can_approve": profile.can_allocate
            and run.status == RunStatus.DONE
            and not run.approving,
            "earlier": earlier,
            "metric_rows": METRIC_ROWS,
            "fairness": fairness_rows(run) if show == "fairness" and run.finished else [],
            "followers": follower_rows(run) if show == "followers" and run.finished else [],
            "chart": chart.bar_chart(chart.shares(run.report)) if run.report and not polled else "",
        },
    )


def follower_rows(run: AllocationRun) -> list[dict[str, Any]]:
    """The run's followers, those who did not join their relatives' complex first."""
    rows = followers.followers(
        run.households_csv, run.units_csv, run.residents_csv, run.assignments_csv
    )
    order = {name: i for i, name in enumerate(reversed(followers.JOINED))}
    rows.sort(key=lambda f: (order[f.joined], f.household_id))
    places = {p for f in rows for p in f.residents_in}
    # people's names for places, not codes
    settlement = {a.code: str(a) for a in Area.objects.filter(code__in={p[0] for p in places})}
    complex_ = {
        c.code: c.name for c in ResidentialComplex.objects.filter(code__in={p[1] for p in places})
    }
    building = _("building %(code)s")
    return [
        {
            "row": f,
            "residents_in": sorted(
                {
                    f"{settlement.get(s, s)} · {complex_.get(c, c)} · {building % {'code': b}}"
                    for s, c, b in f.residents_in
                }
            ),
        }
        for f in rows
    ]


def fairness_rows(run: AllocationRun) -> list[fairness.Row]:
    """Housed shares of the run's families by shelter, size and needs, beside the baseline."""
    families = {row["household_id"]: row for row in csv.DictReader(io.StringIO(run.households_csv))}
    shelter = dict(
        Household.objects.filter(reg_number__in=list(families)).values_list(
            "reg_number", "shelter_kind"
        )
    )
    labels = dict(ShelterKind.choices)
    rows = [
        fairness.Family(
            household_id=hid,
            shelter_kind=str(labels.get(shelter.get(hid, ""), "")),
            size=int(row["size"]),
            needs_step_free=row["needs_accessible"] == "1",
        )
        for hid, row in families.items()
    ]
    baseline = fairness.housed_ids(run.baseline_csv) if run.baseline_csv else None
    return fairness.fairness_table(rows, fairness.housed_ids(run.assignments_csv), baseline)


@login_required
@require_POST
def run_approve(request: HttpRequest, pk: int) -> HttpResponse:
    """Queue the approval (a job); the run page shows its progress, then its outcome."""
    require_role(request, ALLOCATORS)
    run = _visible_run(request, pk)
    if not request.POST.get("confirm"):
        messages.error(
            request,
            _("Not approved: tick the box to confirm that the offers may be sent."),
        )
        return redirect("allocation:run", pk=run.pk)
    try:
        job = services.do_queue_approval(run, current_user(request))
    except services.ApprovalError as exc:
        messages.error(request, _("The run cannot be approved: %(why)s") % {"why": exc})
    else:
        job.refresh_from_db()
        if not job.finished:  # else the run page says how it ended
            messages.info(request, _("Approval started: the offers are being made."))
    return redirect("allocation:run", pk=run.pk)


METRIC_ROWS = [
    ("housed", gettext_lazy("Families housed")),
    ("persons_housed", gettext_lazy("Persons housed")),
    ("units_used", gettext_lazy("Homes used")),
    ("groups_housed", gettext_lazy("Groups housed")),
    ("groups_in_one_building", gettext_lazy("Groups in one building")),
    ("groups_in_one_building_share", gettext_lazy("Share of housed groups in one building")),
    ("groups_in_one_complex", gettext_lazy("Groups in one complex")),
    ("ideal_rooms_share", gettext_lazy("Share in the ideal number of rooms")),
    ("same_origin_in_one_complex_share", gettext_lazy("Same-origin families in one complex")),
    ("priority_violations", gettext_lazy("Priority violations")),
    ("gap", gettext_lazy("Gap to the bound")),
    ("seconds", gettext_lazy("Seconds")),
]

FILES = {
    "households.csv": ("households_csv", "text/csv"),
    "units.csv": ("units_csv", "text/csv"),
    "residents.csv": ("residents_csv", "text/csv"),
    "assignments.csv": ("assignments_csv", "text/csv"),
}


@login_required
def run_file(request: HttpRequest, pk: int, name: str) -> HttpResponse:
    """The run's published files: inputs at once, output and report once it is done."""
    run = _visible_run(request, pk)
    fmt = "json" if name == "report.json" else "csv"
    if name != "report.json" and name not in FILES:
        raise Http404
    require_export(request, AccessKind.RUN_FILE, fmt)
    if name == "report.json":
        if not run.finished:
            raise Http404
        body = json.dumps(run.report, indent=2, sort_keys=True)
        response = HttpResponse(body, content_type="application/json")
    elif name in FILES:
        field, ctype = FILES[name]
        body = getattr(run, field)
        if not body:
            raise Http404
        response = HttpResponse(body, content_type=f"{ctype}; charset=utf-8")
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="run-{run.pk}-{name}"'
    # Records: the rows of a CSV file below its header; the report is one record.
    rows = max(body.count("\n") - 1, 0) if name in FILES else 1
    do_record_access(
        request,
        AccessKind.RUN_FILE,
        fmt=fmt,
        object_type="allocation.allocationrun",
        ids=[run.pk],
        count=rows,
    )
    return response


def family_history(household: Household, profile: Any) -> dict[str, Any]:
    """The allocation history section of a family's page (registered in AllocationConfig)."""
    results = (
        AllocationResult.objects.filter(household=household)
        .select_related("run", "unit__building__complex__settlement")
        .order_by("-run__created_at")
    )
    current = ProgrammePlan.objects.first()
    expected = current.expected_for(household.reg_number) if current else None
    stage = (
        Stage.objects.select_related("settlement").filter(pk=expected["stage"]).first()
        if expected
        else None
    )
    return {
        "results": reasons.attach(results),
        "plan": current,
        "expected_stage": stage,
        "expected_on": date.fromisoformat(expected["opens_on"])
        if expected and expected["opens_on"]
        else None,
    }


@login_required
def programme_plan(request: HttpRequest) -> HttpResponse:
    """Every stage ahead, per settlement: a timeline and a table (never binding)."""
    profile = require_profile(request)
    if request.method == "POST":
        require_role(request, ALLOCATORS)
        queued = plan.request_if_stale()["programme_plans"]
        if queued:
            messages.success(request, _("The plan is being recomputed."))
        else:
            messages.info(request, _("The plan is up to date, or already being recomputed."))
        return redirect("allocation:plan")
    current = ProgrammePlan.objects.first()
    stages = current.result.get("stages", []) if current else []
    district = profile.district.code if profile.district is not None else None
    if district is not None:
        stages = [s for s in stages if s["district"] == district]
    names = {
        a.code: str(a) for a in Area.objects.filter(code__in={s["settlement"] for s in stages})
    }
    by_settlement: dict[str, list[dict[str, Any]]] = {}
    for s in stages:
        by_settlement.setdefault(s["settlement"], []).append(s)
    lanes = [
        timeline.Lane(
            names.get(code, code),
            [
                (date.fromisoformat(s["opens_on"]), str(s["number"]), s["families"])
                for s in rows
                if s["opens_on"]
            ],
        )
        for code, rows in by_settlement.items()
    ]
    waiting = current.result.get("waiting", {}) if current else {}
    if district is not None:
        waiting = {k: v for k, v in waiting.items() if k == district}
    return render(
        request,
        "allocation/plan.html",
        {
            "plan": current,
            "stale": current is None or current.version < plan.inputs_version(),
            "settlements": [(names.get(code, code), rows) for code, rows in by_settlement.items()],
            "timeline": timeline.plan_timeline(lanes, timezone.localdate()) if lanes else "",
            "waiting": sum(waiting.values()),
            "can_recompute": profile.can_allocate,
        },
    )
