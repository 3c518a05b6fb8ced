"""Pages for registry intake: file imports with their reports, duplicate review and merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from homecoming.accounts.permissions import EDITORS, current_user, require_profile, require_role
from homecoming.core import jobs
from homecoming.core.access import do_record_access, file_export_format, require_export
from homecoming.core.exports import SafeDictWriter
from homecoming.core.files import ENCODINGS, LimitedFileField, attachment
from homecoming.core.htmx import is_htmx
from homecoming.core.models import AccessKind, Job
from homecoming.registry import adapter, importers, services
from homecoming.registry.models import (
    CandidateBand,
    CandidateStatus,
    DuplicateCandidate,
    ImportFormat,
    Person,
    PersonMerge,
    RegistryImport,
)


class ImportForm(forms.Form):
    households_file = LimitedFileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy(
            "Households CSV, a workbook with households and persons sheets, or an ODK Central "
            "(.zip) or KoBoToolbox (.xlsx) export of the registration form."
        ),
    )
    persons_file = LimitedFileField(
        label=gettext_lazy("Persons file"),
        required=False,
        help_text=gettext_lazy("Persons CSV, or the members file of an ODK export (optional)."),
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[("", gettext_lazy("Recognise from the file")), *ImportFormat.choices],
        required=False,
    )
    encoding = forms.ChoiceField(
        label=gettext_lazy("Text encoding"),
        choices=[("", ENCODINGS["utf-8"]), *((k, v) for k, v in ENCODINGS.items() if k != "utf-8")],
        required=False,
        help_text=gettext_lazy(
            "CSV files must be UTF-8 unless you choose their encoding here; a byte that is not "
            "valid in it refuses the file, naming the line and the byte."
        ),
    )
    partial = forms.BooleanField(
        label=gettext_lazy("Import the good rows and keep the report of the bad ones"),
        required=False,
        help_text=gettext_lazy("Otherwise a file with any bad row imports nothing."),
    )


@login_required
def import_list(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST":
        require_role(request, EDITORS)
        if form.is_valid():
            user = current_user(request)
            data = form.cleaned_data
            main = importers.save_upload(data["households_file"])
            persons = importers.save_upload(data["persons_file"]) if data["persons_file"] else None
            with transaction.atomic():
                imp = importers.create_import(
                    main,
                    persons,
                    fmt=data["format"],
                    partial=data["partial"],
                    encoding=data["encoding"],
                    user=user,
                    original_name=data["households_file"].name or main.name,
                )
                imp.job = jobs.enqueue(
                    "registry_import",
                    _("Import of %(name)s") % {"name": imp.original_name},
                    {"import_id": imp.pk},
                    user,
                )
                imp.save(update_fields=["job"])
            return redirect("registry:import", pk=imp.pk)
    imports = RegistryImport.objects.for_profile(profile).select_related("created_by", "job")
    return render(
        request,
        "registry/import_list.html",
        {
            "form": form,
            "imports": imports[:50],
            "can_import": profile.can_edit_registry,
        },
    )


@login_required
def import_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_profile(request)
    imp = get_object_or_404(
        RegistryImport.objects.for_profile(profile).select_related("job", "created_by"), pk=pk
    )
    errors = Paginator(imp.errors, 200).get_page(request.GET.get("page"))
    template = "registry/_import_status.html" if is_htmx(request) else "registry/import_detail.html"
    return render(request, template, {"imp": imp, "job": imp.job, "errors": errors})


@login_required
def import_errors(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_profile(request)
    imp = get_object_or_404(RegistryImport.objects.for_profile(profile), pk=pk)
    require_export(request, AccessKind.IMPORT_ERRORS, "csv")
    do_record_access(
        request,
        AccessKind.IMPORT_ERRORS,
        fmt="csv",
        object_type="registry.registryimport",
        ids=[imp.pk],
        count=len(imp.errors),
    )
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="import-{imp.pk}-errors.csv"'
    writer = SafeDictWriter(response, fieldnames=["file", "row", "field", "message"])
    writer.writeheader()
    writer.writerows(imp.errors)
    return response


@login_required
def import_file(request: HttpRequest, pk: int, which: str) -> FileResponse:
    """An imported file as it came in, to whoever may see the import; always a download."""
    profile = require_profile(request)
    imp = get_object_or_404(RegistryImport.objects.for_profile(profile), pk=pk)
    stored = {"households": imp.households_file, "persons": imp.persons_file}.get(which, "")
    path = Path(stored) if stored else None
    media = Path(settings.MEDIA_ROOT).resolve()
    # A CLI import records the operator's own path: it is served only from MEDIA_ROOT.
    if path is None or not path.resolve().is_relative_to(media) or not path.is_file():
        raise Http404
    name = imp.original_name if which == "households" else path.name.split("-", 1)[-1]
    fmt = file_export_format(path.name)
    require_export(request, AccessKind.IMPORT_FILE, fmt)
    do_record_access(
        request,
        AccessKind.IMPORT_FILE,
        fmt=fmt,
        object_type="registry.registryimport",
        ids=[imp.pk],
        count=imp.households_read if which == "households" else imp.persons_read,
    )
    return attachment(path.open("rb"), f"import-{imp.pk}-{name}")


# --- duplicates ---------------------------------------------------------------------------


def _merged(prefix: str) -> Q:
    return Q(**{f"{prefix}__merged_into__isnull": False})


@login_required
def duplicate_list(request: HttpRequest) -> HttpResponse:
    profile = require_profile(request)
    show = request.GET.get("show", CandidateStatus.OPEN)
    if show not in CandidateStatus.values:
        show = CandidateStatus.OPEN
    band = request.GET.get("band", "")
    pairs = (
        DuplicateCandidate.objects.for_profile(profile)
        .filter(status=show)
        .select_related("person_a__household", "person_b__household", "decided_by")
    )
    if band in CandidateBand.values:
        pairs = pairs.filter(band=band)
    else:
        band = ""
    if show == CandidateStatus.OPEN:
        # A record merged through another pair is out of the queue.
        pairs = pairs.exclude(_merged("person_a") | _merged("person_b"))
    page = Paginator(pairs, 50).get_page(request.GET.get("page"))
    for pair in page:
        pair.summary = summary(pair.comparison)  # type: ignore[attr-defined]
    last_job = (
        Job.objects.filter(kind="registry_dedup", created_by=current_user(request)).first()
        if profile.can_edit_registry
        else None
    )
    return render(
        request,
        "registry/duplicate_list.html",
        {
            "page": page,
            "show": show,
            "band": band,
            "bands": CandidateBand.choices,
            "statuses": CandidateStatus.choices,
            "can_decide": profile.can_edit_registry,
            "job": last_job,
        },
    )


@login_required
@require_POST
def duplicate_find(request: HttpRequest) -> HttpResponse:
    profile = require_role(request, EDITORS)
    user = current_user(request)
    scope = profile.district.name_en if profile.district else _("whole registry")
    with transaction.atomic():
        jobs.enqueue(
            "registry_dedup",
            _("Duplicate search: %(scope)s") % {"scope": scope},
            {"district_id": profile.district_id},
            user,
        )
    messages.info(request, _("Duplicate search started."))
    return redirect("registry:duplicates")


ROW_LABELS = {
    "surname": gettext_lazy("Surname"),
    "given_name": gettext_lazy("Given name"),
    "patronymic": gettext_lazy("Patronymic"),
    "sex": gettext_lazy("Sex"),
    "birth_date": gettext_lazy("Birth date"),
    "national_id": gettext_lazy("National ID (FIN)"),
    "household": gettext_lazy("Household"),
    "origin": gettext_lazy("Origin"),
    "phone": gettext_lazy("Phone"),
}
VERDICTS = {
    adapter.SAME: gettext_lazy("same"),
    adapter.MATCH: gettext_lazy("same after normalising"),
    adapter.PARTIAL: gettext_lazy("close"),
    adapter.DIFFER: gettext_lazy("differs"),
    adapter.MISSING: gettext_lazy("missing on one side"),
}


#: The list's summary groups verdicts: what agrees, what is close, what differs, what lacks.
SUMMARY_GROUPS = (
    ((adapter.SAME, adapter.MATCH), gettext_lazy("agree")),
    ((adapter.PARTIAL,), gettext_lazy("close")),
    ((adapter.DIFFER,), gettext_lazy("differ")),
    ((adapter.MISSING,), gettext_lazy("missing")),
)


def summary(comparison: dict[str, str]) -> list[dict[str, Any]]:
    """What agrees and what does not, grouped, for the queue: [{verdict, label, fields}]."""
    out = []
    for verdicts, label in SUMMARY_GROUPS:
        names = [str(ROW_LABELS[f]) for f in ROW_LABELS if comparison.get(f) in verdicts]
        if names:
            out.append({"verdict": verdicts[0], "label": label, "fields": ", ".join(names)})
    return out


def _person_fields(p: Person) -> dict[str, Any]:
    return {
        "surname": p.surname,
        "given_name": p.given_name,
        "patronymic": p.patronymic,
        "sex": p.get_sex_display(),
        "birth_date": p.birth_date,
        "national_id": p.national_id,
        "household": p.household.reg_number,
        "origin": p.household.origin,
        "phone": p.household.phone,
    }


def _open_queue(profile: Any) -> Any:
    """Open pairs the profile may see, in queue order (band, benefit, probability)."""
    return (
        DuplicateCandidate.objects.for_profile(profile)
        .filter(status=CandidateStatus.OPEN)
        .exclude(_merged("person_a") | _merged("person_b"))
    )


def _next_open(profile: Any, after: int) -> int | None:
    """The open pair after ``after`` in queue order (the first one again at the end)."""
    pks = list(_open_queue(profile).values_list("pk", flat=True)[:5000])
    others = [pk for pk in pks if pk != after]
    if not others:
        return None
    if after in pks:
        following = pks[pks.index(after) + 1 :]
        if following:
            return int(following[0])
    return int(others[0])


def _render_pair(
    request: HttpRequest, profile: Any, pair: DuplicateCandidate, status: int = 200
) -> HttpResponse:
    a, b = _person_fields(pair.person_a), _person_fields(pair.person_b)
    rows = [
        {
            "field": name,
            "label": label,
            "a": a[name],
            "b": b[name],
            "verdict": pair.comparison.get(name, adapter.MISSING),
            "verdict_label": VERDICTS.get(pair.comparison.get(name, ""), ""),
        }
        for name, label in ROW_LABELS.items()
    ]
    do_record_access(
        request,
        AccessKind.DUPLICATE_PAIR,
        fmt="html",
        object_type="registry.person",
        ids=[pair.person_a_id, pair.person_b_id],
    )
    merges = {
        m.duplicate_id: m
        for m in PersonMerge.objects.filter(
            duplicate_id__in=[pair.person_a_id, pair.person_b_id]
        ).select_related("survivor", "merged_by")
    }
    return render(
        request,
        "registry/duplicate_detail.html",
        {
            "pair": pair,
            "rows": rows,
            "summary": summary(pair.comparison),
            "merges": list(merges.values()),
            "next_pk": _next_open(profile, pair.pk),
            "can_decide": profile.can_edit_registry
            and pair.status == CandidateStatus.OPEN
            and not merges,
        },
        status=status,
    )


def _visible_pair(profile: Any, pk: int) -> DuplicateCandidate:
    return get_object_or_404(
        DuplicateCandidate.objects.for_profile(profile).select_related(
            "person_a__household__origin", "person_b__household__origin", "decided_by"
        ),
        pk=pk,
    )


@login_required
def duplicate_detail(request: HttpRequest, pk: int) -> HttpResponse:
    profile = require_profile(request)
    return _render_pair(request, profile, _visible_pair(profile, pk))


@login_required
@require_POST
def duplicate_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Decide a pair once: a replayed or concurrent decision is refused with 409."""
    profile = require_role(request, EDITORS)
    pair = _visible_pair(profile, pk)
    decision = request.POST.get("decision", "")
    note = request.POST.get("note", "")[:300]
    user = current_user(request)
    if decision not in ("different", "keep_a", "keep_b"):
        messages.error(request, _("Choose a decision."))
        return redirect("registry:duplicate", pk=pair.pk)
    try:
        if decision == "different":
            services.do_mark_different(pair, user, note)
            messages.success(
                request, _("Marked as different persons; this pair will not come back.")
            )
        else:
            survivor = pair.person_a if decision == "keep_a" else pair.person_b
            merge = services.do_merge(pair, survivor, user, note)
            changed = ", ".join(merge.changes) or _("nothing")
            messages.success(
                request,
                _(
                    "Merged into %(name)s; the other record is kept and linked. "
                    "Filled in: %(changed)s."
                )
                % {"name": survivor.full_name, "changed": changed},
            )
    except services.AlreadyDecided:
        messages.error(
            request, _("This pair was already decided, or one of its records already merged.")
        )
        pair.refresh_from_db()
        return _render_pair(request, profile, pair, status=409)
    following = _next_open(profile, pair.pk)
    if following is not None:
        return redirect("registry:duplicate", pk=following)
    return redirect("registry:duplicates")


@login_required
def xlsform(request: HttpRequest) -> FileResponse:
    require_profile(request)
    from homecoming.registry.xlsform.build import FORM

    return FileResponse(FORM.open("rb"), as_attachment=True, filename=FORM.name)
