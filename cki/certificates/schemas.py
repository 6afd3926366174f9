from flask import url_for
from marshmallow import fields, validate

from cki.core import schemas as _dutch  # noqa: F401  (Dutch messages before any field is declared)
from cki.core.schemas import MAX_INT, StrictSchema


class CertificateQuerySchema(StrictSchema):
    q = fields.Str(load_default=None, validate=validate.Length(max=100), metadata={
        "description": "Zoek op naam van de houder, KvK-nummer, certificaatnummer of plaats."})
    status = fields.Str(load_default=None, validate=validate.OneOf(("valid", "suspended", "withdrawn", "expired")))
    company_id = fields.Int(load_default=None, validate=validate.Range(1, MAX_INT))
    limit = fields.Int(load_default=200, validate=validate.Range(1, 1000))


class CertificateSchema(StrictSchema):
    id = fields.Int()
    number = fields.Str()
    scheme = fields.Str()
    company_id = fields.Int()
    dossier_id = fields.Int()
    holder_name = fields.Str()
    holder_place = fields.Str()
    holder_kvk = fields.Str()
    branches = fields.List(fields.Dict())
    issued_on = fields.Date()
    valid_until = fields.Date()
    status = fields.Str(metadata={"description": "valid (geldig), suspended (geschorst), withdrawn (ingetrokken), "
                                                 "expired (verlopen)"})
    status_label = fields.Str()
    withdrawn_on = fields.Date(allow_none=True)
    expired_on = fields.Date(allow_none=True)
    not_continuing_on = fields.Date(allow_none=True, metadata={
        "description": "Ontvangstdatum van de schriftelijke mededeling dat de houder niet voortzet."})
    pdf_url = fields.Function(lambda c: url_for("certificates_api.certificate_pdf", certificate_id=c.id))


class NotContinuingSchema(StrictSchema):
    received_on = fields.Date(required=True, metadata={"description": "Datum van ontvangst van de brief."})
    document = fields.Str(required=True, validate=validate.Length(min=1, max=2000), metadata={
        "description": "De brief: kenmerk in de postregistratie en korte inhoud."})


class IntendedInSchema(StrictSchema):
    kind = fields.Str(required=True, validate=validate.OneOf(("withdraw", "suspend")), metadata={
        "description": "withdraw (intrekking) of suspend (schorsing)"})
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    sent_on = fields.Date(metadata={"description": "Alleen als de brief al per post is verzonden: de postregistratie "
                                                   "legt die verzenddatum dan meteen vast. Zonder: de brief wacht op het "
                                                   "secretariaat, en de termijn loopt vanaf de verzenddatum."})


class IntendedSchema(StrictSchema):
    id = fields.Int()
    certificate_id = fields.Int()
    kind = fields.Str()
    reason = fields.Str()
    sent_on = fields.Date(allow_none=True, metadata={"description": "Verzenddatum van de brief (postregister); leeg "
                                                                    "zolang die wacht."})
    answer_due = fields.Date(allow_none=True, metadata={
        "description": "Laatste dag voor de zienswijze (schemagegevens, Atw art. 1), vanaf de verzenddatum."})
    letter_id = fields.Int(allow_none=True, metadata={"description": "De brief met het voornemen"})
    answered_on = fields.Date(allow_none=True)
    answer = fields.Str(allow_none=True)
    weighed_on = fields.Date(allow_none=True)
    weighing = fields.Str(allow_none=True)
    used = fields.Bool()


class ZienswijzeSchema(StrictSchema):
    text = fields.Str(required=True, validate=validate.Length(min=1, max=20000))
    received_on = fields.Date(load_default=None, allow_none=True, metadata={
        "description": "Secretariaat: de ontvangstdatum van een brief. Het bedrijf zelf geeft geen datum."})
    channel = fields.Str(load_default=None, allow_none=True, validate=validate.OneOf(("post", "email")), metadata={
        "description": "Secretariaat: hoe het stuk binnenkwam (postregister); standaard post."})


class WeighSchema(StrictSchema):
    weighing = fields.Str(required=True, validate=validate.Length(min=1, max=20000))


class WithdrawSchema(StrictSchema):
    on = fields.Date(required=True)
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    at_own_request = fields.Bool(load_default=False)
    false_information = fields.Bool(load_default=False, metadata={
        "description": "Valse informatie over een eerdere aanvraag of intrekking: intrekking direct; de termijn voor "
                       "een nieuwe aanvraag volgt uit het schema."})
    intended_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(1, MAX_INT))


class SuspendSchema(StrictSchema):
    start = fields.Date(required=True)
    end = fields.Date(load_default=None, allow_none=True)
    condition = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))
    scope = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=2000))
    reason = fields.Str(required=True, validate=validate.Length(min=1, max=10000))
    at_own_request = fields.Bool(load_default=False)
    intended_id = fields.Int(load_default=None, allow_none=True, validate=validate.Range(1, MAX_INT))


class LiftSchema(StrictSchema):
    on = fields.Date(required=True)
    reason = fields.Str(load_default=None, allow_none=True, validate=validate.Length(max=5000))
