import marshmallow as ma
from marshmallow import fields, validate

from cki.core.i18n import LANGUAGES
from cki.core.schemas import StrictSchema, not_blank
from cki.users.models import Role

SCHEMES = ("SC-540", "SC-530")
FUNCTIONS = ("assessor", "team_leader", "decider")


class TokenRequestSchema(StrictSchema):
    email = fields.Email(required=True)
    password = fields.Str(required=True, load_only=True)


class TokenSchema(ma.Schema):
    id = fields.Int(metadata={"description": "Om het later in te trekken: `DELETE /api/v1/auth/tokens/<id>`."})
    token = fields.Str(metadata={"description": "Meesturen als `Authorization: Bearer <token>`."})
    expires_at = fields.DateTime()


class TokenInfoSchema(ma.Schema):
    id = fields.Int()
    created_at = fields.DateTime()
    expires_at = fields.DateTime()
    current = fields.Bool(metadata={"description": "Het token waarmee dit verzoek is gedaan"})


class QualificationSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    scheme = fields.Str(required=True, validate=validate.OneOf(SCHEMES))
    function = fields.Str(required=True, validate=validate.OneOf(FUNCTIONS))
    valid_from = fields.Date(required=True)
    valid_to = fields.Date(allow_none=True)
    evidence = fields.Str(allow_none=True)

    @ma.validates_schema
    def _period(self, data, **_):
        if data.get("valid_to") and data["valid_to"] < data["valid_from"]:
            raise ma.ValidationError("Einddatum ligt voor de begindatum.", "valid_to")


class ConflictDeclarationSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    company_id = fields.Int(required=True)
    declared_on = fields.Date(required=True, metadata={"description": "Datum van de verklaring."})
    clear = fields.Bool(required=True, metadata={
        "description": "true: geen belangenverstrengeling met dit bedrijf; false: wel (mag het bedrijf niet beoordelen)."})
    note = fields.Str(allow_none=True, validate=validate.Length(max=2000))


class UserSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    email = fields.Email(required=True)
    name = fields.Str(required=True, validate=[not_blank, validate.Length(max=200)])
    kind = fields.Str(required=True, validate=validate.OneOf(("staff", "company")))
    company_id = fields.Int(allow_none=True)
    roles = fields.List(fields.Str(validate=validate.OneOf([r.value for r in Role])), load_default=list)
    outsourced = fields.Bool(load_default=False)
    active = fields.Bool(dump_only=True)
    password = fields.Str(required=True, load_only=True, validate=validate.Length(min=10, max=200))
    qualifications = fields.List(fields.Nested(QualificationSchema), dump_only=True)

    @ma.validates_schema
    def _kind(self, data, **_):
        if data.get("kind") == "company":
            if data.get("company_id") is None:
                raise ma.ValidationError("Een bedrijfsgebruiker hoort bij een bedrijf.", "company_id")
            if data.get("roles"):
                raise ma.ValidationError("Bedrijfsgebruikers hebben geen CKI-rollen.", "roles")
        elif data.get("company_id") is not None:
            raise ma.ValidationError("Alleen bedrijfsgebruikers horen bij een bedrijf.", "company_id")


class UserUpdateSchema(StrictSchema):
    name = fields.Str(validate=[not_blank, validate.Length(max=200)])
    roles = fields.List(fields.Str(validate=validate.OneOf([r.value for r in Role])))
    outsourced = fields.Bool()
    active = fields.Bool()
    password = fields.Str(load_only=True, validate=validate.Length(min=10, max=200))


class MeSchema(ma.Schema):
    user_id = fields.Int(allow_none=True)
    language = fields.Str(allow_none=True, metadata={"description": "Taal van de pagina's (nl of en); leeg: Nederlands."})
    client_id = fields.Int(allow_none=True)
    label = fields.Str()
    cki_id = fields.Int()
    company_id = fields.Int(allow_none=True)
    roles = fields.List(fields.Str())


class MeUpdateSchema(StrictSchema):
    language = fields.Str(required=True, validate=validate.OneOf(tuple(LANGUAGES)),
                          metadata={"description": "Taal van de pagina's: nl (Nederlands) of en (English)."})


def _in_future(value):
    from cki.core.db import utcnow

    if value <= utcnow():
        raise ma.ValidationError("Het verloopmoment ligt in het verleden.")


class ApiClientSchema(StrictSchema):
    id = fields.Int(dump_only=True)
    name = fields.Str(required=True, validate=[not_blank, validate.Length(max=200)])
    kind = fields.Str(required=True, validate=validate.OneOf(("sca_register", "company_system")))
    company_id = fields.Int(allow_none=True)
    active = fields.Bool(dump_only=True)
    expires_at = fields.AwareDateTime(validate=_in_future, metadata={
        "description": "Wanneer het token niet meer werkt; standaard na API_CLIENT_DAYS (365 dagen)"})
    rotated_at = fields.DateTime(dump_only=True, allow_none=True)
    token = fields.Str(dump_only=True, metadata={"description": "Eenmalig getoond, bij het aanmaken."})

    @ma.validates_schema
    def _company(self, data, **_):
        if (data.get("kind") == "company_system") != (data.get("company_id") is not None):
            raise ma.ValidationError("Een bedrijfssysteem hoort bij precies één bedrijf; "
                                     "het SCA-register bij geen.", "company_id")


class ApiClientUpdateSchema(StrictSchema):
    name = fields.Str(validate=[not_blank, validate.Length(max=200)])
    active = fields.Bool(metadata={"description": "false: het token werkt direct niet meer"})
    expires_at = fields.AwareDateTime(validate=_in_future)


class ApiClientTokenSchema(ApiClientSchema):
    token = fields.Str(metadata={"description": "Het nieuwe token, eenmalig getoond."})
