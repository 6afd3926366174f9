"""Surveillance records through the API: SC-530 logbooks and project days, SC-540 project overviews
and their sample for result-oriented audits, and the pick of a melding for an unannounced audit."""
import marshmallow as ma
from flask_smorest import abort
from marshmallow import fields, validate

from cki.certificates.models import Certificate
from cki.companies.access import current_company
from cki.companies.models import Company
from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404, scoped_select
from cki.core.uploads import CSV_BODY, refuse, rows_from_request
from cki.meldingen.models import Melding
from cki.rules.schemas import ProjectDaysSchema
from cki.surveillance import records, uploads
from cki.surveillance.models import AuditSelection, ProjectOverviewEntry
from cki.surveillance.permissions import AUDIT_PICKERS
from cki.surveillance.uploads import OverviewRowSchema
from workflows import rules

blp = Blueprint("records_api", __name__, tag="Logboeken en projectoverzichten", url_prefix="/api/v1",
                description="Logboeken (SC-530, projectdagen), projectoverzichten (SC-540) en locaties gekozen "
                            "voor onaangekondigde beoordelingen.")


def _own_company() -> Company:
    p = current_principal()
    if p.company_id is None:
        abort(403, message="Alleen voor een bedrijf (portaalgebruiker of bedrijfssysteem).")
    return current_company()


# -- unannounced audit selection (staff only) -------------------------------------------

class AuditSelectionSchema(ma.Schema):
    id = fields.Int(dump_only=True)
    melding_id = fields.Int(dump_only=True)
    planned_on = fields.Date(required=True)
    note = fields.Str(validate=validate.Length(max=2000))


@blp.route("/meldingen/<int:melding_id>/audit-selection", methods=["POST"])
@require(*AUDIT_PICKERS)
@blp.arguments(AuditSelectionSchema)
@blp.response(201, AuditSelectionSchema)
def select_for_audit(data, melding_id):
    """De locatie van deze melding kiezen voor een onaangekondigde beoordeling

    Nooit zichtbaar voor het bedrijf."""
    selection = records.select_for_audit(get_or_404(Melding, melding_id), data["planned_on"], data.get("note"),
                                         current_principal().user_id)
    db.session.commit()
    return selection


@blp.route("/audit-selections", methods=["GET"])
@require(staff=True)
@blp.response(200, AuditSelectionSchema(many=True))
def list_audit_selections():
    """Locaties gekozen voor onaangekondigde beoordelingen

    Alleen voor de staf."""
    return db.session.scalars(scoped_select(AuditSelection).order_by(AuditSelection.planned_on)).all()


# -- SC-530 logbooks and project days ---------------------------------------------------

class LogbookResultSchema(ma.Schema):
    upload_id = fields.Str()
    entries = fields.Int()


@blp.route("/logbook", methods=["POST"])
@require()
@blp.doc(requestBody=CSV_BODY)
@blp.response(201, LogbookResultSchema)
def upload_logbook(**_):
    """SC-530-logboekregels uploaden

    CSV met de kolommen project, worker, date, start, end, activity, ppe, of JSON `{"entries": [...]}`. Eerst
    worden alle regels gecontroleerd: één foute regel weigert de hele upload, met de fouten van elke regel,
    zodat er nooit iets half wordt ingelezen."""
    try:
        upload_id, count = uploads.store_logbook(_own_company(), rows_from_request("entries"))
    except DomainError as error:
        refuse(error)
    db.session.commit()
    return {"upload_id": upload_id, "entries": count}


class ProjectDaysQuery(ma.Schema):
    from_ = fields.Date(data_key="from",
                        metadata={"description": "Begin van de periode; standaard: de vorige periode, geteld "
                                                 "vanaf de verlening van het SC-530-certificaat (RULES.md §4)"})
    works = fields.Int(validate=validate.Range(min=0), metadata={"description": "Gemelde en uitgevoerde werken"})


class CompanyProjectDaysSchema(ProjectDaysSchema):
    period_from = fields.Date()
    period_to = fields.Date()
    period_note = fields.Str(allow_none=True, metadata={
        "description": "Zonder `from`: welke periode is genomen (de vorige, geteld vanaf de verlening)"})
    location_audits = fields.Dict()


@blp.route("/companies/<int:company_id>/project-days")
@require()
@blp.arguments(ProjectDaysQuery, location="query")
@blp.response(200, CompanyProjectDaysSchema)
def company_project_days(args, company_id):
    """Projectdagen van een periode uit het opgeslagen logboek

    Met de beoordelingen volgens Tabel 4.3 die eruit volgen. Het lezen van logboekgegevens komt in het
    leeslog (AVG)."""
    company = get_or_404(Company, company_id)
    if args.get("from_"):
        (first, last), note = records.period_of(args["from_"]), None
    else:  # the period Table 4.3 plans by: the previous one counted from the grant
        grant = db.session.scalar(db.select(Certificate.issued_on).where(
            Certificate.company_id == company.id, Certificate.scheme == "SC-530").order_by(Certificate.issued_on.desc()))
        first, last, note = rules.previous_period("SC-530", grant, today())
    result = records.project_days_for(company, first, last).to_dict()
    works = args.get("works", len({row["project"] for row in result["rows"]}))
    audits = rules.location_audits_sc530(result["total"], works=works).to_dict()
    db.session.commit()  # the access log
    return {**result, "days": result.pop("rows"), "period_from": first, "period_to": last,
            "period_note": note, "location_audits": audits}


# -- SC-540 project overviews -----------------------------------------------------------

class OverviewEntrySchema(OverviewRowSchema):
    id = fields.Int()
    selected_for_audit = fields.Bool()


class SampleSchema(ma.Schema):
    n = fields.Int(required=True, validate=validate.Range(1, 100))
    seed = fields.Int(metadata={"description": "Om een eerdere trekking te herhalen; standaard willekeurig "
                                               "(vastgelegd in het logboek)"})


@blp.route("/project-overview", methods=["POST"])
@require()
@blp.doc(requestBody=CSV_BODY)
@blp.response(201, OverviewEntrySchema(many=True))
def upload_overview(**_):
    """Uw actuele projectoverzicht uploaden

    SC-540 §7.3; CSV met de kolommen location, responsible_dia, remediated, demolished, of JSON
    `{"projects": [...]}`. Het vervangt het huidige overzicht."""
    try:
        upload_id = uploads.replace_overview(_own_company(), rows_from_request("projects"))
    except DomainError as error:
        refuse(error)
    db.session.commit()
    return db.session.scalars(db.select(ProjectOverviewEntry).where(ProjectOverviewEntry.upload_id == upload_id)).all()


@blp.route("/companies/<int:company_id>/project-overview")
@require()
@blp.response(200, OverviewEntrySchema(many=True))
def get_overview(company_id):
    """Het actuele projectoverzicht van een bedrijf"""
    company = get_or_404(Company, company_id)
    return db.session.scalars(db.select(ProjectOverviewEntry).where(
        ProjectOverviewEntry.company_id == company.id, ProjectOverviewEntry.current.is_(True))
        .order_by(ProjectOverviewEntry.id)).all()


@blp.route("/companies/<int:company_id>/project-overview/sample", methods=["POST"])
@require(*AUDIT_PICKERS)
@blp.arguments(SampleSchema)
@blp.response(200, OverviewEntrySchema(many=True))
def sample(data, company_id):
    """Een steekproef van locaties voor resultaatgerichte beoordelingen

    Uit projecten die nog niet gesaneerd of gesloopt zijn."""
    chosen = records.sample_overview(get_or_404(Company, company_id), data["n"], data.get("seed"))
    db.session.commit()
    return chosen
