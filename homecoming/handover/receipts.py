"""Key receipts as PDF, in Azerbaijani and English, one per family or one per ceremony.

The core PDF fonts lack Azerbaijani letters (ə), so a TrueType font is embedded: Roboto
from the `font-roboto` package (installed with Homecoming), else DejaVu from the system.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path

from django.utils import timezone
from fpdf import FPDF

from homecoming.handover.models import Invitation

SYSTEM_FONTS = Path("/usr/share/fonts/truetype/dejavu")


@cache
def font_files() -> tuple[str, str]:
    """Regular and bold TTF files that cover Azerbaijani, Russian and English."""
    try:
        import font_roboto

        files = font_roboto.font_files
        return files["Roboto"], files["RobotoBold"]
    except (ImportError, KeyError):
        regular = SYSTEM_FONTS / "DejaVuSans.ttf"
        if regular.exists():
            return str(regular), str(SYSTEM_FONTS / "DejaVuSans-Bold.ttf")
    raise RuntimeError("no font with Azerbaijani letters: pip install font-roboto")


def _new_pdf() -> FPDF:
    pdf = FPDF(format="A4")
    regular, bold = font_files()
    pdf.add_font("Body", "", regular)
    pdf.add_font("Body", "B", bold)
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.set_title("Açar qəbzi / Key receipt")
    return pdf


def _line(pdf: FPDF, az: str, en: str, value: str) -> None:
    pdf.set_font("Body", "B", 10)
    pdf.cell(70, 7, f"{az} / {en}:")
    pdf.set_font("Body", "", 11)
    pdf.multi_cell(0, 7, value, new_x="LMARGIN", new_y="NEXT")


def _receipt_page(pdf: FPDF, invitation: Invitation, birth_dates: bool) -> None:
    household = invitation.household
    unit = invitation.unit
    ceremony = invitation.ceremony
    pdf.add_page()
    pdf.set_font("Body", "B", 16)
    pdf.cell(0, 10, "Mənzilin açarlarının təhvil-təslim qəbzi", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 12)
    pdf.cell(0, 8, "Receipt for the keys of a home", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    _line(pdf, "Qeydiyyat nömrəsi", "Registration number", household.reg_number)
    _line(pdf, "Ünvan", "Address", unit.address)
    _line(pdf, "Mənzil", "Unit", f"{unit.building.code} / {unit.number}")
    _line(pdf, "Otaq sayı", "Rooms", str(unit.rooms))
    _line(pdf, "Mərtəbə", "Floor", str(unit.floor))
    if unit.area_m2:
        _line(pdf, "Sahə", "Area", f"{unit.area_m2} m²")
    when = timezone.localtime(ceremony.held_at).strftime("%d.%m.%Y %H:%M")
    _line(pdf, "Mərasim", "Ceremony", f"{ceremony.place}, {when}")
    pdf.ln(3)
    pdf.set_font("Body", "B", 11)
    pdf.cell(0, 8, "Ailə üzvləri / Family members", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 10)
    for i, person in enumerate(household.members.all(), start=1):
        # A reader whose role hides birth dates prints the receipt without them.
        born = person.birth_date.strftime("%d.%m.%Y") if person.birth_date and birth_dates else "—"
        pdf.cell(
            0,
            6,
            f"{i}. {person.full_name} ({person.get_relationship_display()}), {born}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    pdf.ln(6)
    pdf.set_font("Body", "", 10)
    pdf.multi_cell(
        0,
        6,
        "Yuxarıda göstərilən mənzilin açarlarını tam dəstdə təhvil aldım.\n"
        "I have received the complete set of keys of the home above.",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(10)
    head = household.head
    for az, en, name in (
        ("Ailə başçısı", "Head of household", head.full_name if head else ""),
        ("Təhvil verən məsul şəxs", "Officer handing over", ""),
    ):
        pdf.set_font("Body", "", 10)
        pdf.cell(0, 6, f"{az} / {en}: {name}", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)
        pdf.cell(95, 6, "İmza / Signature: ______________________")
        pdf.cell(0, 6, "Tarix / Date: ______________", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(6)


def receipts_pdf(invitations: Iterable[Invitation], birth_dates: bool = True) -> bytes:
    """One PDF with a page per family (select_related unit, prefetch members first)."""
    pdf = _new_pdf()
    for invitation in invitations:
        _receipt_page(pdf, invitation, birth_dates)
    if pdf.page == 0:
        pdf.add_page()
    return bytes(pdf.output())
