"""The house style of every PDF the CKI sends (certificates, letters): A4, the CKI's name over a
blue rule, DejaVu embedded (fpdf2's core fonts cannot print "€" or "–")."""
from datetime import date
from pathlib import Path

from fpdf import FPDF

FONTS = Path(__file__).resolve().parent.parent / "static" / "fonts"
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september",
          "oktober", "november", "december")


def dutch_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def house_document(*, title: str, cki_name: str) -> FPDF:
    """A new A4 document with its first page begun under the CKI's letterhead."""
    pdf = FPDF(format="A4")
    pdf.set_title(title)
    pdf.set_author(cki_name)
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(22, 20, 22)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 13)
    pdf.cell(pdf.epw, 8, cki_name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_draw_color(11, 95, 138)
    pdf.set_line_width(0.8)
    pdf.line(pdf.l_margin, pdf.get_y() + 2, pdf.l_margin + pdf.epw, pdf.get_y() + 2)
    pdf.ln(14)
    return pdf
