"""The monthly report as a PDF, in the active language (``translation.override``): the
headline figures, homes by state, returns per month, the map of the places, the readiness
blockers, a table of the districts and one table per district of its complexes. The figures
keep codes; they are named here, when drawn, with the dashboard's own words
(``dashboard.views.labelled``, ``area_names``, ``state_names``).

Drawn with fpdf2; the charts are our own SVG (reports/svg.py) placed as vector images, in
the Roboto font the key receipts embed (handover/receipts.py), so Azerbaijani letters print.
"""

from __future__ import annotations

import copy
import io
from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from django.utils import dateformat, formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from fpdf import FPDF

from homecoming.dashboard.figures import HOME_STATES
from homecoming.dashboard.svg import STATE_CLASSES
from homecoming.dashboard.views import area_names, labelled, state_names
from homecoming.handover.receipts import font_files
from homecoming.reports import svg
from homecoming.reports.figures import ReportFigures

CONTENT_WIDTH = 180  # mm on A4 with 15 mm margins


def scope_label(figures: ReportFigures, names: dict[str, str]) -> str:
    if figures.district:
        return _("District: %(name)s") % {"name": names.get(figures.district, figures.district)}
    return _("Whole programme")


def month_label(figures: ReportFigures) -> str:
    return dateformat.format(figures.month, "F Y")


class ReportPDF(FPDF):
    footer_text = ""

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font("Body", "", 8)
        self.cell(0, 6, f"{self.footer_text} · {self.page_no()}/{{nb}}", align="C")


def _new_pdf(title: str, made: datetime) -> ReportPDF:
    pdf = ReportPDF(format="A4")
    regular, bold = font_files()
    pdf.add_font("Body", "", regular)
    pdf.add_font("Body", "B", bold)
    pdf.set_margins(15, 15, 15)
    pdf.set_auto_page_break(auto=True, margin=18)
    pdf.set_title(title)
    pdf.set_author(_("Homecoming"))
    pdf.set_lang(get_language() or "en")
    pdf.set_creation_date(made)
    pdf.footer_text = title
    return pdf


def _heading(pdf: FPDF, text: str, need: float = 30) -> None:
    """A section's title, on a new page when less than ``need`` mm (the title and the start
    of what follows) is left: no title alone at the foot of a page."""
    if pdf.get_y() + need > pdf.h - pdf.b_margin:
        pdf.add_page()
    pdf.ln(3)
    pdf.set_font("Body", "B", 12)
    pdf.cell(0, 8, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9)


def _table(
    pdf: FPDF, head: Sequence[str], rows: Sequence[Sequence[object]], widths: Sequence[int]
) -> None:
    """A table; the first column is text, the others numbers (aligned right)."""
    pdf.set_font("Body", "", 8)
    align = ("LEFT", *["RIGHT"] * (len(head) - 1))
    with pdf.table(col_widths=tuple(widths), text_align=align, line_height=5) as table:
        header = table.row()
        for text in head:
            header.cell(text)
        for values in rows:
            row = table.row()
            for value in values:
                row.cell(str(value))
    pdf.set_font("Body", "", 9)


def _image(pdf: FPDF, drawing: str, title: str) -> None:
    """A drawing the content's width, under its own title kept with it."""
    width, height = (float(v) for v in drawing.split('viewBox="0 0 ', 1)[1].split('"')[0].split())
    _heading(pdf, title, need=12 + CONTENT_WIDTH * height / width)
    pdf.image(io.BytesIO(drawing.encode()), w=CONTENT_WIDTH, alt_text=title)


def _headline(pdf: FPDF, f: ReportFigures) -> None:
    _heading(pdf, _("Figures"))
    rows = [
        (_("Families registered"), f.families["registered"]),
        (_("Families waiting"), f.families["waiting"]),
        (_("Families with an offer"), f.families["offered"]),
        (_("Families with a home allocated"), f.families["allocated"]),
        (_("Families returned"), f.families["moved_in"]),
        (_("Persons returned"), f.persons["moved_in"]),
        (_("Persons waiting"), f.persons["waiting"]),
        (_("Homes"), f.homes["total"]),
        (_("Homes ready"), f.homes["ready"]),
        (_("Homes occupied"), f.homes["occupied"]),
    ]
    _table(pdf, (_("Figure"), _("Number")), rows, (130, 50))


def _charts(pdf: FPDF, f: ReportFigures) -> None:
    title = _("Homes by state")
    names = state_names()
    parts = [(STATE_CLASSES[s], names[s], f.homes[s]) for s in HOME_STATES]
    _image(pdf, svg.stacked(parts, title), title)
    title = _("Families returned per month")
    _image(pdf, svg.bars([(m[2:], n) for m, n in f.returns], title), title)


def _stages(pdf: FPDF, named: dict[str, Any]) -> None:
    if not named["stages"]:
        return
    _heading(pdf, _("Returns against the targets of each stage"))
    head = (_("Stage"), _("Due by"), _("Target families"), _("Families returned"), "%")
    rows = [
        (
            f"{s['area_name']} · {s['number']}" + (f" · {s['name']}" if s["name"] else ""),
            formats.date_format(date.fromisoformat(s["ends_on"])),
            s["target_families"],
            s["returned_families"],
            f"{100 * s['returned_families'] / s['target_families']:.0f}"
            if s["target_families"]
            else "—",
        )
        for s in named["stages"]
    ]
    _table(pdf, head, rows, (80, 30, 25, 30, 15))


def _waiting(pdf: FPDF, named: dict[str, Any]) -> None:
    if not named["waiting_by_shelter"]:
        return
    _heading(pdf, _("Families waiting, by where they live now"))
    rows = [(r["label"], r["families"], r["persons"]) for r in named["waiting_by_shelter"]]
    _table(pdf, (_("Current shelter"), _("Families waiting"), _("Persons")), rows, (110, 40, 30))


def _map(pdf: FPDF, named: dict[str, Any]) -> None:
    title = _("Places by readiness")
    points: list[tuple[float, float, bool, str, bool]] = []
    for p in named["places"]:
        if p["lat"] is not None and p["lon"] is not None:
            points.append((p["lat"], p["lon"], bool(p["ready"]), p["area_name"], True))
        points += [
            (c["lat"], c["lon"], c["ready"], "", False)
            for c in p["complexes"]
            if c["lat"] is not None and c["lon"] is not None
        ]
    legend = (_("Ready for families"), _("Not ready yet"))
    _image(pdf, svg.place_map(points, legend, title), title)
    pdf.set_font("Body", "", 8)
    pdf.cell(
        0,
        5,
        _("Large points are settlements, small ones residential complexes."),
        new_x="LMARGIN",
        new_y="NEXT",
    )


def _blockers(pdf: FPDF, named: dict[str, Any]) -> None:
    _heading(pdf, _("What keeps places closed"))
    if not named["blockers"]:
        pdf.cell(0, 6, _("Every place is ready."), new_x="LMARGIN", new_y="NEXT")
        return
    rows = [
        (f"{b['what']} ({b['reason']})", b["place"], b["families"], len(b["complexes"]))
        for b in named["blockers"][:15]
    ]
    head = (_("Blocker"), _("Where"), _("Families held back"), _("Complexes"))
    _table(pdf, head, rows, (85, 45, 30, 20))


def _districts(pdf: FPDF, f: ReportFigures, names: dict[str, str]) -> None:
    """The districts' table (no families waiting: not in the dashboard's figures per
    district)."""
    _heading(pdf, _("Districts"))
    states = state_names()
    shown = ("ready", "offered", "allocated", "occupied")
    head = (
        _("District"),
        _("Families returned"),
        _("Persons returned"),
        _("Homes"),
        *(states[s] for s in shown),
        _("Complexes ready"),
    )
    rows = [
        (
            f"{names.get(d.code, d.code)} ({d.code})",
            d.returned_families,
            d.returned_persons,
            d.total,
            *(d.homes[s] for s in shown),
            f"{d.complexes_ready}/{d.complexes}",
        )
        for d in f.districts
    ]
    _table(pdf, head, rows, (36, 18, 18, 18, 18, 18, 18, 18, 18))


def _complexes(pdf: FPDF, f: ReportFigures, names: dict[str, str]) -> None:
    head = (
        _("Residential complex"),
        _("Stage"),
        _("Homes"),
        _("Homes ready"),
        _("Families returned"),
        _("Ready from"),
    )
    for d in f.districts:
        rows = [
            (
                f"{c['name']} ({c['code']})",
                c["stage"] or "—",
                c["total"],
                c["homes"]["ready"],
                c["returned_families"],
                _("ready")
                if c["ready"]
                else (
                    formats.date_format(date.fromisoformat(c["forecast"])) if c["forecast"] else "—"
                ),
            )
            for p in f.dashboard["places"]
            if p["district"] == d.code
            for c in p["complexes"]
        ]
        if rows:
            name = names.get(d.code, d.code)
            _heading(pdf, _("%(district)s: residential complexes") % {"district": name})
            _table(pdf, head, rows, (70, 15, 20, 22, 25, 28))


def _stamp(pdf: FPDF, f: ReportFigures, version: int, made: datetime) -> None:
    """When the figures were taken, and, for a past month none was kept of, that they are
    not the month's own."""
    stamp = formats.date_format(timezone.localtime(made), "SHORT_DATETIME_FORMAT")
    day = formats.date_format(f.figures_of)
    pdf.cell(
        0,
        6,
        _("Figures as of %(day)s · version %(version)s · generated %(when)s")
        % {"day": day, "version": version, "when": stamp},
        new_x="LMARGIN",
        new_y="NEXT",
    )
    if f.source == "live" and f.on < f.figures_of:
        pdf.set_font("Body", "B", 9)
        pdf.cell(
            0,
            6,
            _("Figures as of %(day)s, no figures were kept for this month.") % {"day": day},
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_font("Body", "", 9)


def render_pdf(f: ReportFigures, version: int, made: datetime | None = None) -> bytes:
    """The report of ``f`` in the active language, as PDF bytes."""
    made = made or timezone.now()
    # Words for the codes the figures keep, in the active language, as the dashboard does.
    named = labelled(copy.deepcopy(f.dashboard))
    names = area_names({f.district, *(d.code for d in f.districts)})
    title = _("Monthly report %(month)s") % {"month": month_label(f)}
    pdf = _new_pdf(f"{_('Homecoming')} · {title} · {scope_label(f, names)}", made)
    pdf.add_page()
    pdf.set_font("Body", "B", 18)
    pdf.cell(0, 11, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 11)
    pdf.cell(0, 7, scope_label(f, names), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9)
    _stamp(pdf, f, version, made)
    _headline(pdf, f)
    _charts(pdf, f)
    _stages(pdf, named)
    _map(pdf, named)
    _blockers(pdf, named)
    _waiting(pdf, named)
    pdf.add_page()
    _districts(pdf, f, names)
    _complexes(pdf, f, names)
    return bytes(pdf.output())
