"""The patient's plan as a printable PDF (large type, one column, on the clinic's paper size:
Letter where that is the usual paper, else A4).

A Unicode TrueType font (DejaVu Sans, as installed by most Linux distributions) is used when one
is found, so any medicine name prints as entered; otherwise the PDF core font Helvetica is used
and characters outside Latin-1 are replaced.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from fpdf import FPDF
from fpdf.enums import XPos, YPos

from spinepath.preparation.patient_text import PatientPlan

_FONT_DIRS = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/Library/Fonts"),
)
_BODY = 13
_LINE = 7.0


def _unicode_font() -> tuple[Path, Path] | None:
    for folder in _FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.is_file() and bold.is_file():
            return regular, bold
    return None


class _PlanPdf(FPDF):
    def __init__(self, footer_text: str, paper: str = "A4") -> None:
        super().__init__(orientation="portrait", unit="mm", format=paper)
        self.footer_text = footer_text
        found = _unicode_font()
        if found is not None:
            self.add_font("Body", "", str(found[0]))
            self.add_font("Body", "B", str(found[1]))
            self.body_family = "Body"
            self.has_unicode_font = True
        else:
            self.body_family = "Helvetica"
            self.has_unicode_font = False
        self.set_margins(18, 16, 18)
        self.set_auto_page_break(auto=True, margin=18)

    def text_of(self, text: str) -> str:
        if self.has_unicode_font:
            return text
        plain = unicodedata.normalize("NFKD", text).replace("→", "->")
        return plain.encode("latin-1", "replace").decode("latin-1")

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(self.body_family, "", 9)
        self.cell(0, 5, self.text_of(f"{self.footer_text}   Page {self.page_no()}"), align="C")

    def block(
        self, text: str, *, size: float = _BODY, bold: bool = False, gap: float = 1.5
    ) -> None:
        self.set_font(self.body_family, "B" if bold else "", size)
        self.multi_cell(
            0,
            _LINE * size / _BODY,
            self.text_of(text),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(gap)

    def bullet(self, text: str) -> None:
        self.set_font(self.body_family, "", _BODY)
        self.set_x(self.l_margin + 4)
        self.multi_cell(
            0,
            _LINE,
            self.text_of(f"{'•' if self.has_unicode_font else '-'} {text}"),
            align="L",
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )
        self.ln(1)

    def heading(self, text: str) -> None:
        if self.get_y() > self.h - 50:
            self.add_page()
        self.ln(2)
        self.block(text, size=16, bold=True, gap=1)


def render_pdf(document: PatientPlan) -> bytes:
    pdf = _PlanPdf(footer_text=document.title, paper=document.paper_size)
    pdf.set_title(document.title)
    pdf.set_author("spinepath")
    pdf.set_creator("spinepath")
    pdf.add_page()
    pdf.block(document.title, size=20, bold=True, gap=2)
    pdf.block(f"For {document.patient_name}.", bold=True, gap=1)
    pdf.block(document.zone_note)
    for line in document.intro:
        pdf.block(line)
    for section in document.sections:
        pdf.heading(section.heading)
        for paragraph in section.paragraphs:
            pdf.block(paragraph)
        for medicine in section.medicines:
            pdf.block(medicine.name, bold=True, gap=0.5)
            for sentence in medicine.sentences:
                pdf.bullet(sentence)
            pdf.ln(1)
        for item in section.items:
            pdf.bullet(item)
        for line in section.after_items:
            pdf.block(line)
    pdf.ln(3)
    pdf.block(document.checked_by)
    return bytes(pdf.output())
