import marshmallow as ma
from marshmallow import fields, validate

from cki.core.schemas import StrictSchema, not_blank, scheme_in_force
from workflows.schemes import SCHEMES

POSTCODE = validate.Regexp(r"^\s*\d{4}\s?[A-Za-z]{2}\s*$", error="Een postcode is 4 cijfers en 2 letters.")


class MeldingInSchema(StrictSchema):
    """A melding as a company submits it (content per RULES.md §5)."""

    scheme = fields.Str(required=True, validate=validate.OneOf(SCHEMES))
    certificate_number = fields.Str(validate=validate.Length(max=40), allow_none=True)
    street = fields.Str(required=True, validate=[not_blank, validate.Length(max=200)],
                        metadata={"description": "Straat en huisnummer van de projectlocatie"})
    postcode = fields.Str(required=True, validate=POSTCODE)
    place = fields.Str(required=True, validate=[not_blank, validate.Length(max=100)])
    description = fields.Str(validate=validate.Length(max=5000), allow_none=True)
    client = fields.Str(validate=validate.Length(max=200), allow_none=True, metadata={"description": "Opdrachtgever"})
    responsible_person = fields.Str(validate=validate.Length(max=200), allow_none=True,
                                    metadata={"description": "Verantwoordelijke DIA (SC-540) of DTA (SC-530)"})
    object_type = fields.Str(validate=validate.Length(max=100), allow_none=True)
    containment = fields.Bool(allow_none=True)
    estimated_amount = fields.Str(validate=validate.Length(max=200), allow_none=True)
    worker_count = fields.Int(validate=validate.Range(min=0, max=1000), allow_none=True)
    planned_start = fields.Date(required=True)
    planned_start_time = fields.Time(format="%H:%M", allow_none=True)
    planned_end = fields.Date(required=True)
    planned_end_time = fields.Time(format="%H:%M", allow_none=True)
    project_group = fields.Str(validate=validate.Length(max=100), allow_none=True, metadata={
        "description": "Een groot project: één melding per projectlocatie, alle met dit label"})
    part_label = fields.Str(validate=validate.Length(max=100), allow_none=True, metadata={
        "description": "Onderhoud voor een woningcorporatie, in delen gemeld"})
    calamity_motivation = fields.Str(validate=validate.Length(max=5000), allow_none=True, metadata={
        "description": "Alleen bij een calamiteit: waarom de meldtermijn korter is; aanvaard in afwachting van "
                       "goedkeuring door de staf"})
    client_reference = fields.Str(validate=validate.Length(max=100), allow_none=True, metadata={
        "description": "Uw eigen kenmerk; met hetzelfde kenmerk maakt een nieuwe poging nooit een tweede melding"})

    @ma.validates_schema
    def _period(self, data, **_):
        if "planned_start" in data and "planned_end" in data and data["planned_end"] < data["planned_start"]:
            raise ma.ValidationError("De einddatum ligt voor de startdatum.", "planned_end")

    @ma.validates_schema
    def _scheme_in_force(self, data, **_):
        """The lead time comes from the scheme version in force on the start date. A change
        without the scheme: every scheme must have a version in force then."""
        start = data.get("planned_start")
        if start is None:
            return
        for code in [data["scheme"]] if "scheme" in data else SCHEMES:
            scheme_in_force(code, start, "planned_start")


class MeldingChangeSchema(MeldingInSchema):
    """A change: any of the fields (the API loads it with ``partial=True``)."""


class FaxMeldingSchema(MeldingInSchema):
    company_id = fields.Int(required=True)
    received_on = fields.Date(required=True, metadata={"description": "Datum waarop de fax binnenkwam"})


class RevisionSchema(ma.Schema):
    number = fields.Int()
    source = fields.Str()
    kind = fields.Str()
    data = fields.Dict()
    created_at = fields.DateTime()


class MeldingSchema(ma.Schema):
    id = fields.Int()
    company_id = fields.Int()
    company_name = fields.Str(attribute="company.name")
    scheme = fields.Str()
    certificate_number = fields.Str(allow_none=True)
    channel = fields.Str()
    status = fields.Str()
    street = fields.Str()
    postcode = fields.Str()
    place = fields.Str()
    address = fields.Str()
    description = fields.Str(allow_none=True)
    client = fields.Str(allow_none=True)
    responsible_person = fields.Str(allow_none=True)
    object_type = fields.Str(allow_none=True)
    containment = fields.Bool(allow_none=True)
    estimated_amount = fields.Str(allow_none=True)
    worker_count = fields.Int(allow_none=True)
    permit_holder = fields.Str(allow_none=True)
    planned_start = fields.Date()
    planned_start_time = fields.Time(format="%H:%M", allow_none=True)
    planned_end = fields.Date()
    planned_end_time = fields.Time(format="%H:%M", allow_none=True)
    project_group = fields.Str(allow_none=True)
    part_label = fields.Str(allow_none=True)
    submitted_on = fields.Date()
    timeliness = fields.Str(metadata={"description": "on_time (tijdig), late_atw_only (met een waarschuwing aanvaard), "
                                                     "calamity (calamiteit), "
                                                     "late (te laat; alleen uit LAVS: voor de staf geregistreerd)"})
    warning = fields.Str(allow_none=True)
    calamity_motivation = fields.Str(allow_none=True)
    lavs_project_id = fields.Str(allow_none=True)
    client_reference = fields.Str(allow_none=True)
    merged_into_id = fields.Int(allow_none=True)


class MeldingDetailSchema(MeldingSchema):
    revisions = fields.List(fields.Nested(RevisionSchema))


class LookedAtSchema(ma.Schema):
    """Staff only: the first time a planner or team leader looked at a melding."""

    id = fields.Int()
    looked_at = fields.DateTime(allow_none=True)
    looked_at_by = fields.Str(allow_none=True)


class MeldingQuerySchema(ma.Schema):
    start_from = fields.Date(data_key="from")
    start_to = fields.Date(data_key="to")
    company_id = fields.Int()
    channel = fields.Str(validate=validate.OneOf(("email", "fax", "portal", "api", "lavs")))
    flag = fields.Str(validate=validate.OneOf(("late", "calamity", "cancelled")), metadata={
        "description": "late: te laat maar aanvaard (door Atw-feestdagen, of uit LAVS); "
                       "calamity: wacht op goedkeuring of is goedgekeurd"})
    after_id = fields.Int(metadata={
        "description": "Keyset-paginering: het id van de laatste melding op de vorige pagina"})
    limit = fields.Int(load_default=100, validate=validate.Range(1, 500))


class CancelSchema(StrictSchema):
    reason = fields.Str(validate=validate.Length(max=2000))


class ApprovalSchema(StrictSchema):
    approve = fields.Bool(required=True)
    note = fields.Str(required=True, validate=[not_blank, validate.Length(max=2000)])


class MergeSchema(StrictSchema):
    other_id = fields.Int(required=True)
    note = fields.Str(required=True, validate=[not_blank, validate.Length(max=2000)])


class SplitSchema(StrictSchema):
    street = fields.Str(required=True, validate=[not_blank, validate.Length(max=200)])
    postcode = fields.Str(required=True, validate=POSTCODE)
    place = fields.Str(required=True, validate=[not_blank, validate.Length(max=100)])
    part_label = fields.Str(allow_none=True)
    note = fields.Str(required=True, validate=[not_blank, validate.Length(max=2000)])
