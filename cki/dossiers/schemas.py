import marshmallow as ma
from marshmallow import fields, validate

from cki.certificates.schemas import CertificateSchema
from cki.core.schemas import StrictSchema, not_blank, not_in_future, scheme_in_force
from workflows.schemes import SCHEMES


class DossierCreateSchema(StrictSchema):
    company_id = fields.Int(required=True)
    scheme = fields.Str(required=True, validate=validate.OneOf(SCHEMES))
    applied_on = fields.Date(required=True, validate=not_in_future)
    branch_ids = fields.List(fields.Int(), metadata={
        "description": "Vestigingen in de aanvraag; standaard alle (het schema vereist alle vestigingen)."})

    @ma.validates_schema
    def _scheme_in_force(self, data, **_):
        """The dossier is judged by the scheme version in force on the application date."""
        if "scheme" in data and "applied_on" in data:
            scheme_in_force(data["scheme"], data["applied_on"], "applied_on")


class WithdrawalElsewhereSchema(StrictSchema):
    withdrawn_on = fields.Date(required=True, validate=not_in_future)
    false_information = fields.Bool(load_default=False)


class DeclarationSchema(StrictSchema):
    lock_version = fields.Int(required=True)
    declared_on = fields.Date(required=True, validate=not_in_future)
    held_or_applied_elsewhere = fields.Bool(required=True, metadata={
        "description": "Had bij een andere CKI een certificaat voor dit schema, of vroeg het daar aan, in de periode "
                       "waarover het schema terugkijkt (prior_cki_lookback)"})
    consent_to_transfer = fields.Bool(load_default=False, metadata={
        "description": "Schriftelijke toestemming dat de andere CKI zijn gegevens overdraagt"})
    withdrawals_elsewhere = fields.List(fields.Nested(WithdrawalElsewhereSchema), load_default=list)
    informed_of_rules = fields.Bool(load_default=False, metadata={
        "description": "De CKI heeft de aanvrager schriftelijk over zijn regels en procedures geïnformeerd"})


class AssessorSchema(StrictSchema):
    lock_version = fields.Int(required=True)
    user_id = fields.Int(required=True)


def _text(**kwargs):
    return fields.Str(validate=[not_blank, validate.Length(max=5000)], **kwargs)


class _Event(StrictSchema):
    lock_version = fields.Int(required=True, metadata={
        "description": "De lock_version van het dossier die u het laatst zag; een andere waarde geeft 409"})


class NoPayload(_Event):
    pass


class ReasonPayload(_Event):
    reason = _text(required=True)


class ReviewPayload(_Event):
    passed = fields.Bool(required=True)


class LocationRequestPayload(_Event):
    branch_id = fields.Int(required=True)
    address = fields.Str(required=True, validate=[not_blank, validate.Length(max=300)])


class PermissionPayload(_Event):
    location_id = fields.Int(required=True)
    granted = fields.Bool(required=True)
    on = fields.Date(metadata={"description": "Datum van het schriftelijke antwoord van SCA; standaard vandaag"})


class BranchAssessmentPayload(_Event):
    branch_id = fields.Int(required=True)
    passed = fields.Bool(required=True)
    on = fields.Date()
    notes = fields.Str(validate=validate.Length(max=5000))


class LocationAssessmentPayload(_Event):
    location_id = fields.Int(required=True)
    passed = fields.Bool(required=True)
    on = fields.Date()
    complete_result = fields.Bool(required=True, metadata={
        "description": "Een volledig inventarisatierapport (SC-540) of saneringswerk (SC-530) dat aan het "
                       "schema voldoet"})
    containment = fields.Bool(load_default=False, metadata={"description": "SC-530: werk in containment"})
    representative_reason = _text(required=True, metadata={
        "description": "Waarom de CKI deze projectlocatie representatief vond"})


class LocationPayload(_Event):
    location_id = fields.Int(required=True)


class WrongMeldingPayload(_Event):
    reason = _text()


class AdvicePayload(_Event):
    advice = _text(required=True, metadata={"description": "Het schriftelijke advies van de teamleider"})


class DecisionPayload(_Event):
    grant = fields.Bool(required=True)
    on = fields.Date(metadata={"description": "Datum van het besluit; standaard vandaag"})
    motivation = _text(required=True, metadata={"description": "Schriftelijke motivering (Awb 3:46)"})


class RestartPayload(_Event):
    redo_documentation_review = fields.Bool(required=True)


class RefusalSchema(ma.Schema):
    code = fields.Str()
    message = fields.Str()
    source = fields.Str()


class ActionSchema(ma.Schema):
    event = fields.Str()
    label = fields.Str()
    path = fields.Str()
    allowed = fields.Bool()
    refusals = fields.List(fields.Nested(RefusalSchema))


class ExplainedDate(ma.Schema):
    label = fields.Str(metadata={"description": "Wat de termijn is (omschrijving in het Nederlands)"})
    date = fields.Str()
    rule = fields.Str()
    section = fields.Str(allow_none=True)
    working_days = fields.Int(allow_none=True)
    skipped = fields.List(fields.Dict())
    warnings = fields.List(fields.Str())


class BranchAssessmentSchema(ma.Schema):
    branch_id = fields.Int()
    passed = fields.Bool()
    assessed_on = fields.Date()
    reset = fields.Bool()
    notes = fields.Str(allow_none=True)


class LocationSchema(ma.Schema):
    id = fields.Int()
    branch_id = fields.Int()
    address = fields.Str()
    extra = fields.Bool()
    requested_on = fields.Date(metadata={"description": "Datum van het verzoek aan SCA"})
    permission = fields.Str()
    permission_on = fields.Date(allow_none=True)
    passed = fields.Bool(allow_none=True)
    assessed_on = fields.Date(allow_none=True)
    complete_result = fields.Bool()
    containment = fields.Bool()
    representative_reason = fields.Str(allow_none=True)
    reset = fields.Bool()


class DossierBranchSchema(ma.Schema):
    branch_id = fields.Int()
    name = fields.Str(allow_none=True, attribute="branch.name")
    address = fields.Str(attribute="branch.address")


class DossierLetterSchema(ma.Schema):
    """A letter of the dossier; the post register (/letters/{id}) has all of it."""

    id = fields.Int()
    reference = fields.Str()
    kind = fields.Str()
    is_decision = fields.Bool(metadata={"description": "Een besluit (met bezwaarclausule), anders een "
                                                       "tussentijdse brief"})
    subject = fields.Str()
    body = fields.Str()
    due_on = fields.Date(allow_none=True)
    status = fields.Str(metadata={"description": "waiting (te verzenden) of sent (verzonden)"})
    sent_on = fields.Date(allow_none=True)
    objection_due = fields.Date(allow_none=True)
    created_at = fields.DateTime()


class DossierSchema(ma.Schema):
    """What the company sees of its own application: state, results, certificate, letters."""

    id = fields.Int()
    company_id = fields.Int()
    company_name = fields.Str(attribute="company.name")
    scheme = fields.Str()
    scheme_version = fields.Str()
    state = fields.Str()
    state_label = fields.Str()
    lock_version = fields.Int()
    applied_on = fields.Date()
    branches = fields.List(fields.Nested(DossierBranchSchema))
    branch_assessments = fields.List(fields.Nested(BranchAssessmentSchema))
    locations = fields.List(fields.Nested(LocationSchema))
    deadlines = fields.Dict(keys=fields.Str(), values=fields.Nested(ExplainedDate))
    notices = fields.List(fields.Str())
    decision = fields.Str(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    closing_reason = fields.Str(allow_none=True)
    letters = fields.List(fields.Nested(DossierLetterSchema))
    certificate = fields.Nested(CertificateSchema, allow_none=True)


class StaffDossierSchema(DossierSchema):
    """The staff view adds the declaration, advice, assessors and the next possible actions."""

    prior_declared_on = fields.Date(allow_none=True)
    prior_held_or_applied_elsewhere = fields.Bool(allow_none=True)
    prior_consent_to_transfer = fields.Bool(allow_none=True)
    prior_withdrawals = fields.List(fields.Dict())
    informed_of_rules = fields.Bool()
    documentation_review_passed = fields.Bool(allow_none=True)
    documentation_reviewed_on = fields.Date(allow_none=True)
    assessment_completed_on = fields.Date(allow_none=True)
    advice = fields.Str(allow_none=True)
    advised_on = fields.Date(allow_none=True)
    decision_motivation = fields.Str(allow_none=True)
    decision_recorded_on = fields.Date(allow_none=True)
    decision_late = fields.Bool(metadata={"description": "Vastgelegd na de termijn voor de besluitbrief"})
    assessor_ids = fields.List(fields.Int())
    actions = fields.List(fields.Nested(ActionSchema))


class DossierQuerySchema(ma.Schema):
    state = fields.Str()
    scheme = fields.Str(validate=validate.OneOf(SCHEMES))
    company_id = fields.Int()
