"""A letter as a PDF in the house style of the certificate: addressee, date and reference, subject,
the text, the signatory, and for a besluit how to object."""
from datetime import date

from flask import Response

from cki.core.pdf import dutch_date, house_document


def render_letter(*, cki_name: str, addressee: str, reference: str, on: date | None, subject: str, body: str,
                  signatory: str | None, draft: bool) -> bytes:
    """``on`` is the dispatch date (the letter's date); a letter not yet sent prints as a draft."""
    pdf = house_document(title=subject, cki_name=cki_name)
    width = pdf.epw
    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width * 0.6, 6, addressee, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(8)
    pdf.set_font("DejaVu", "", 9)
    for label, value in (("Datum", dutch_date(on) if on else "nog niet verzonden (concept)"),
                         ("Ons kenmerk", reference)):
        pdf.cell(30, 5, label)
        pdf.cell(width - 30, 5, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "B", 11)
    pdf.multi_cell(width, 6, f"Onderwerp: {subject}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.set_font("DejaVu", "", 10.5)
    pdf.multi_cell(width, 5.5, body, new_x="LMARGIN", new_y="NEXT")
    if signatory:
        pdf.ln(2)
        pdf.multi_cell(width, 5.5, f"{signatory}\n{cki_name}", new_x="LMARGIN", new_y="NEXT")
    if draft:
        pdf.set_text_color(180, 30, 30)
        pdf.set_font("DejaVu", "B", 9)
        pdf.cell(width, 8, "CONCEPT – niet verzonden", align="R")
    return bytes(pdf.output())


def letter_response(pdf: bytes, reference: str) -> Response:
    name = reference.replace("/", "-")
    return Response(pdf, mimetype="application/pdf", headers={"Content-Disposition": f'inline; filename="brief-{name}.pdf"'})
