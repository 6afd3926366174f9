"""``GET /search``: what the search box on every staff page finds, as JSON."""
from flask import abort
from marshmallow import Schema, fields, validate

from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.schemas import StrictSchema
from cki.search.finder import search
from cki.search.permissions import may_search

blp = Blueprint("search_api", __name__, tag="Zoeken", url_prefix="/api/v1",
                description="Zoeken: bedrijven, certificaten, meldingen en dossiers van de CKI.")


class SearchQuerySchema(StrictSchema):
    q = fields.Str(required=True, validate=validate.Length(min=1, max=100), metadata={
        "description": "Bedrijfsnaam of plaats, KvK-nummer, certificaatnummer, meldingnummer, postcode (met "
                       "huisnummer of straat), LAVS-projectnummer of dossiernummer"})


class HitSchema(Schema):
    kind = fields.Str(metadata={"description": "company, certificate, melding of dossier"})
    id = fields.Int()
    label = fields.Str()
    detail = fields.Str()
    url = fields.Str(metadata={"description": "De pagina in de app"})


@blp.route("/search")
@require(staff=True)
@blp.arguments(SearchQuerySchema, location="query")
@blp.response(200, HitSchema(many=True))
def find(args):
    """Zoeken in bedrijven, certificaten, meldingen en dossiers van de CKI

    Alleen voor de staf."""
    principal = current_principal()
    if not may_search(principal):
        abort(403)
    return search(args["q"], principal)
