"""The certificate as a PDF a person would accept: Dutch, readable, in the CKI's house style."""
from datetime import date

from flask import Response
from fpdf.fonts import FontFace

from cki.core.pdf import dutch_date, house_document


def render_certificate(*, cki_name: str, number: str, scheme: str, scheme_title: str, scheme_version: str,
                       holder_name: str, holder_place: str, holder_kvk: str, branches: list[dict],
                       issued_on: date, valid_until: date, validity: str, objection_term: str,
                       changed_on: date | None = None) -> bytes:
    """``scheme_title`` is the scheme's subject, ``scheme_version`` the version's display name;
    ``validity`` and ``objection_term`` are the scheme's terms in words (``rules.describe``);
    ``changed_on``: the day the holder's data on it last changed (same number and validity)."""
    pdf = house_document(title=f"Procescertificaat {number}", cki_name=cki_name)
    width = pdf.epw

    pdf.set_font("DejaVu", "B", 24)
    pdf.cell(width, 12, "PROCESCERTIFICAAT", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 14)
    pdf.cell(width, 9, f"{scheme} – {scheme_title}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 7, f"Certificaatnummer {number}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(10)

    pdf.set_font("DejaVu", "", 11)
    pdf.multi_cell(width, 6, f"{cki_name} verklaart dat het proces van", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("DejaVu", "B", 15)
    pdf.multi_cell(width, 8, holder_name, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 11)
    pdf.cell(width, 6, f"te {holder_place} · KvK-nummer {holder_kvk}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    pdf.multi_cell(width, 6, (
        f"voldoet aan de eisen van het certificatieschema {scheme} ({scheme_title.lower()}), zoals vastgelegd in "
        f"{scheme_version}."), align="L",
        new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)

    pdf.set_font("DejaVu", "B", 11)
    pdf.cell(width, 7, "Vestigingen en filialen waarvoor dit certificaat geldt", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    with pdf.table(col_widths=(30, 50, 20), text_align="LEFT", line_height=6,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(238, 242, 244))) as table:
        table.row(("Naam", "Adres", "KvK-nummer"))
        for branch in branches:
            table.row((branch.get("name") or "—", branch["address"], branch.get("kvk_number") or "—"))
    pdf.ln(8)

    pdf.set_font("DejaVu", "", 11)
    dates = [("Datum van afgifte", dutch_date(issued_on)), ("Geldig tot en met", dutch_date(valid_until))]
    if changed_on is not None:
        dates.append(("Gegevens gewijzigd op", dutch_date(changed_on)))
    for label, value in dates:
        pdf.set_font("DejaVu", "B", 11)
        pdf.cell(55, 7, label)
        pdf.set_font("DejaVu", "", 11)
        pdf.cell(width - 55, 7, value, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    pdf.set_font("DejaVu", "", 9)
    pdf.set_text_color(80, 80, 80)
    pdf.multi_cell(width, 5, (
        f"Dit certificaat is ten hoogste {validity} geldig en blijft geldig zolang de houder voldoet aan de "
        "eisen van het schema, blijkend uit de periodieke beoordelingen. Het certificaat is opgenomen in het "
        f"certificatenregister van SCA. Tegen dit besluit kan binnen {objection_term} na de dag van verzending "
        f"bezwaar worden gemaakt bij {cki_name}."), align="L", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def certificate_response(certificate) -> Response:
    """The stored PDF as an inline download named after the certificate number."""
    name = certificate.number.replace("/", "-")
    return Response(certificate.pdf, mimetype="application/pdf",
                    headers={"Content-Disposition": f'inline; filename="certificaat-{name}.pdf"'})
