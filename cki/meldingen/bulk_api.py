"""Bulk meldingen through the API: a CSV or JSON list, a report per row."""
import marshmallow as ma
from marshmallow import fields

from cki.companies.access import current_company
from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.uploads import CSV_BODY, refuse, rows_from_request
from cki.meldingen import uploads

blp = Blueprint("bulk_api", __name__, tag="Meldingen in bulk", url_prefix="/api/v1", description="Veel meldingen tegelijk (CSV of JSON).")


def _own_company() :
    from flask_smorest import abort

    p = current_principal()
    if p.company_id is None:
        abort(403, message="Alleen voor een bedrijf (portaalgebruiker of bedrijfssysteem).")
    return current_company()



class BulkRowSchema(ma.Schema):
    row = fields.Int()
    status = fields.Str(metadata={"description": "accepted (aanvaard), repeat (al bekend: gekoppeld, of een "
                                                 "herhaling van hetzelfde verzoek), refused (geweigerd)"})
    melding_id = fields.Int(allow_none=True)
    errors = fields.Dict(allow_none=True)
    warning = fields.Str(allow_none=True)


class BulkReportSchema(ma.Schema):
    accepted = fields.Int()
    repeats = fields.Int()
    refused = fields.Int()
    rows = fields.List(fields.Nested(BulkRowSchema))


@blp.route("/meldingen/bulk", methods=["POST"])
@require()
@blp.doc(requestBody=CSV_BODY)
@blp.response(200, BulkReportSchema)
def bulk(**_):
    """Veel meldingen tegelijk

    CSV met de velden van een melding als kolommen, of JSON `{"meldingen": [...]}`, met een verslag per
    regel. Elke regel wordt in zijn geheel aanvaard of geweigerd; mislukt de upload zelf, dan wordt er niets
    opgeslagen."""
    try:
        report = uploads.submit_many(_own_company(), rows_from_request("meldingen"),
                                     channel="api" if current_principal().client_id else "portal")
    except DomainError as error:
        refuse(error)
    db.session.commit()
    return report
