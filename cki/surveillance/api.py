from datetime import date, timedelta

from flask import Response, abort, current_app, jsonify, request
from flask.views import MethodView

from cki.certificates.models import Certificate
from cki.core.api import Blueprint
from cki.core.auth import admits, current_principal, require
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404
from cki.surveillance import board, operations
from cki.surveillance.models import Audit, AuditPhoto, WithdrawalProposal
from cki.surveillance.permissions import (
    CATCH_UP,
    DECIDERS,
    FIGURES,
    PLANNERS,
    READERS,
    RECORDERS,
    may_record_done,
    visible_audits,
    visible_proposals,
)
from cki.surveillance.schemas import (
    AuditCancelSchema,
    AuditDoneSchema,
    AuditPlanSchema,
    AuditQuerySchema,
    AuditSchema,
    BoardQuerySchema,
    BoardSchema,
    CatchUpResultSchema,
    CatchUpSchema,
    ChecklistQuerySchema,
    ChecklistSchema,
    CoverageSchema,
    FiguresResultSchema,
    FiguresSchema,
    PhotoSchema,
    ProgrammeSchema,
    ProposalDecisionSchema,
    ProposalQuerySchema,
    ProposalSchema,
    ReportReviewSchema,
    ReportSaveSchema,
    ReportSchema,
    ReportSubmitSchema,
    StaffAuditSchema,
)
from cki.users.models import Role

blp = Blueprint("surveillance_api", __name__, tag="Toezicht en beoordelingen", url_prefix="/api/v1",
                description="Toezicht na verlening: programma per periode, beoordelingen, inhalen, "
                            "voorstellen tot intrekking.")


def load_audit(audit_id: int) -> Audit:
    """The audit if the principal may see it (a company: never a secret one before it took place), else 404."""
    audit = db.session.scalar(visible_audits().where(Audit.id == audit_id))
    if audit is None:
        abort(404)
    return audit


def _for_staff(audit: Audit) -> Audit:
    """The audit with what staff see besides: whether its melding still fits it."""
    audit.melding_alert = operations.melding_alert(audit)
    return audit


@blp.route("/certificates/<int:certificate_id>/programme")
@require(*READERS)
@blp.response(200, ProgrammeSchema)
def programme(certificate_id):
    """Het toezichtprogramma per periode

    Wat elke vestiging nodig heeft (Tabel 1 / Tabel 4.3, vestigingsbeoordelingen met de beoordeling van
    projectdossiers), gepland tegenover uitgevoerd, wat achterloopt, en wat is ingehaald. Voor de staf."""
    certificate = get_or_404(Certificate, certificate_id)
    return {"certificate_id": certificate.id, "periods": [v.to_dict() for v in operations.overview(certificate)]}


@blp.route("/certificates/<int:certificate_id>/figures", methods=["POST"])
@require()
@blp.arguments(FiguresSchema)
@blp.response(200, FiguresResultSchema)
def declare_figures(data, certificate_id):
    """Kengetallen van de houder opgeven

    De cijfers die de houder per periode en vestiging opgeeft (SC-540: gemiddeld aantal DIA's en rapporten
    per jaar; SC-530: projectdagen en werken); ze bepalen de beoordelingen op locatie van de volgende
    periode. Een bedrijfsgebruiker of -systeem geeft de eigen cijfers op; de staf legt vast wat een bedrijf
    stuurde. Het antwoord bevat waarschuwingen waar de cijfers afwijken van wat het systeem weet."""
    principal = current_principal()
    if principal.is_staff and not admits(principal, FIGURES):
        abort(403)
    row, warnings = operations.declare_figures(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    return {"period_index": row.period_index, "branch_id": row.branch_id, "figures": row.figures,
            "works": row.works, "declared_on": row.declared_on, "warnings": warnings}


@blp.route("/certificates/<int:certificate_id>/catch-ups", methods=["POST"])
@require(*CATCH_UP)
@blp.arguments(CatchUpSchema)
@blp.response(201, CatchUpResultSchema)
def catch_up(data, certificate_id):
    """Het tekort van een periode inhalen in de volgende periode

    Met de reden. Eén keer toegestaan binnen het venster van opeenvolgende perioden van het schema; een
    tweede keer wordt het geweigerd (422) en gaat er een voorstel tot intrekking naar een beslisser (het id
    staat in het antwoord); er wordt niets vanzelf ingetrokken."""
    result = operations.request_catch_up(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    if result.catch_up is None:
        refused = jsonify({"code": 422, "status": "Unprocessable Entity", "message": result.decision.reason,
                           "errors": {"json": {"period_index": [result.decision.reason]}},
                           "withdrawal_proposal_id": result.proposal.id})
        refused.status_code = 422
        return refused
    return result.catch_up


@blp.route("/audits")
class Audits(MethodView):
    @require(outsourced=True)
    @blp.arguments(AuditQuerySchema, location="query")
    @blp.response(200, AuditSchema(many=True))
    def get(self, args):
        """Beoordelingen die u mag zien, op datum

        Een bedrijf: de aangekondigde beoordelingen, en onaangekondigde pas nadat ze hebben plaatsgevonden;
        een ingehuurde beoordelaar: de beoordelingen die aan hem zijn toegewezen."""
        stmt = visible_audits()
        if args["certificate_id"]:
            stmt = stmt.where(Audit.certificate_id == args["certificate_id"])
        if args["start"]:
            stmt = stmt.where(Audit.planned_on >= args["start"])
        if args["end"]:
            stmt = stmt.where(Audit.planned_on <= args["end"])
        if args["status"]:
            stmt = stmt.where(Audit.status == args["status"])
        return db.session.scalars(stmt.order_by(Audit.planned_on, Audit.id).limit(args["limit"])).all()

    @require(*PLANNERS)
    @blp.arguments(AuditPlanSchema)
    @blp.response(201, StaffAuditSchema)
    def post(self, data):
        """Een beoordeling plannen

        Geweigerd (422, met de reden) tenzij elke beoordelaar op die datum gekwalificeerd is voor het schema,
        voor het bedrijf een verklaring zonder belangenconflict heeft, en binnen het maximum aantal
        beoordelingen op locatie per dag blijft."""
        certificate = get_or_404(Certificate, data.pop("certificate_id"))
        audit = operations.plan_audit(certificate, data)
        db.session.commit()
        return _for_staff(audit)


@blp.route("/audits/<int:audit_id>")
@require(outsourced=True)
@blp.response(200, StaffAuditSchema)
def get_audit(audit_id):
    """Eén beoordeling

    De staf ziet ook of de melding er nog bij past."""
    audit = load_audit(audit_id)
    return _for_staff(audit) if current_principal().is_staff else audit


@blp.route("/audits/<int:audit_id>/done", methods=["POST"])
@require(*RECORDERS, outsourced=True)
@blp.arguments(AuditDoneSchema)
@blp.response(200, StaffAuditSchema)
def audit_done(data, audit_id):
    """Vastleggen dat een beoordeling heeft plaatsgevonden

    Op `done_on`; een beoordelaar alleen bij de eigen beoordelingen."""
    audit = load_audit(audit_id)
    if not may_record_done(current_principal(), audit):
        raise DomainError("audit_id", "Alleen een toegewezen beoordelaar, de teamleider of de planner legt dit vast.")
    operations.record_done(audit, data)
    db.session.commit()
    return _for_staff(audit)


@blp.route("/audits/<int:audit_id>/cancel", methods=["POST"])
@require(*PLANNERS)
@blp.arguments(AuditCancelSchema)
@blp.response(200, StaffAuditSchema)
def audit_cancel(data, audit_id):
    """Een geplande beoordeling annuleren

    De beoordeling gaat niet door; de reden wordt bewaard."""
    audit = operations.cancel_audit(load_audit(audit_id), data)
    db.session.commit()
    return _for_staff(audit)


@blp.route("/withdrawal-proposals")
@require(*READERS)
@blp.arguments(ProposalQuerySchema, location="query")
@blp.response(200, ProposalSchema(many=True))
def list_proposals(args):
    """Voorstellen tot intrekking van een certificaat, het oudste eerst

    De voorstellen van het systeem; standaard de openstaande."""
    stmt = visible_proposals()
    if args["status"] != "all":
        stmt = stmt.where(WithdrawalProposal.status == args["status"])
    return db.session.scalars(stmt.order_by(WithdrawalProposal.id)).all()


@blp.route("/withdrawal-proposals/<int:proposal_id>/decision", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(ProposalDecisionSchema)
@blp.response(200, ProposalSchema)
def decide_proposal(data, proposal_id):
    """Een voorstel tot intrekking bevestigen of afwijzen

    Door een beslisser, met redenen."""
    proposal = db.session.scalar(visible_proposals().where(WithdrawalProposal.id == proposal_id))
    if proposal is None:
        abort(404)
    operations.decide_proposal(proposal, data)
    db.session.commit()
    return proposal


# -- checklists, reports, findings, coverage -------------------------------------------------------


@blp.route("/checklists")
class Checklists(MethodView):
    @require(*READERS, outsourced=True)
    @blp.arguments(ChecklistQuerySchema, location="query")
    @blp.response(200, ChecklistSchema)
    def get(self, args):
        """De actuele versie van een checklist

        Voor een schema en een soort beoordeling."""
        checklist = operations.current_checklist(current_principal().cki_id, args["scheme"], args["kind"], today())
        db.session.commit()
        return checklist

    @require(Role.QUALITY_MANAGER)
    @blp.arguments(ChecklistSchema)
    @blp.response(201, ChecklistSchema)
    def post(self, data):
        """Een nieuwe versie van een checklist

        Voor de kwaliteitsmanager. Beoordelingen die al begonnen zijn, houden hun versie."""
        checklist = operations.new_checklist_version(current_principal().cki_id, data)
        db.session.commit()
        return checklist


def _reporting_audit(audit_id: int) -> Audit:
    audit = load_audit(audit_id)
    if not may_record_done(current_principal(), audit):
        raise DomainError("audit_id", "Alleen een toegewezen beoordelaar, de teamleider of de planner werkt het "
                                      "rapport bij.")
    return audit


@blp.route("/audits/<int:audit_id>/report")
class Report(MethodView):
    @require(outsourced=True)
    @blp.response(200, ReportSchema)
    def get(self, audit_id):
        """Het rapport van een beoordeling

        Een bedrijf ziet het pas als het definitief is."""
        audit = load_audit(audit_id)
        report = audit.report
        if report is None or (not current_principal().is_staff and report.status != "final"):
            abort(404)
        return report

    @require(*RECORDERS, outsourced=True)
    @blp.arguments(ReportSaveSchema)
    @blp.response(200, ReportSchema)
    def put(self, data, audit_id):
        """De antwoorden op de checklist als concept opslaan

        Regel voor regel samengevoegd; `lock_version` 0 begint het rapport met de actuele checklist. Een
        geweigerde opslag verandert niets."""
        report = operations.save_draft(_reporting_audit(audit_id), data)
        db.session.commit()
        return report


@blp.route("/audits/<int:audit_id>/report/submit", methods=["POST"])
@require(*RECORDERS, outsourced=True)
@blp.arguments(ReportSubmitSchema)
@blp.response(200, ReportSchema)
def submit_report(data, audit_id):
    """Het rapport indienen bij de teamleider

    Het afgeronde rapport gaat ter beoordeling naar de teamleider; elke regel moet beantwoord zijn."""
    report = operations.submit_report(_reporting_audit(audit_id), data)
    db.session.commit()
    return report


@blp.route("/audits/<int:audit_id>/report/review", methods=["POST"])
@require(Role.TEAM_LEADER)
@blp.arguments(ReportReviewSchema)
@blp.response(200, ReportSchema)
def review_report(data, audit_id):
    """Het rapport goedkeuren of terugsturen

    Goedgekeurd is het definitief en worden de bevindingen bij het certificaat vastgelegd; anders gaat het
    met opmerkingen terug."""
    report = operations.review_report(load_audit(audit_id), data)
    db.session.commit()
    return report


@blp.route("/audits/<int:audit_id>/report/photos", methods=["POST"])
@require(*RECORDERS, outsourced=True)
@blp.doc(requestBody={"content": {"multipart/form-data": {"schema": {"type": "object", "required": ["file", "item_key"],
         "properties": {"file": {"type": "string", "format": "binary"}, "item_key": {"type": "string"}}}}}})
@blp.response(201, PhotoSchema)
def add_photo(audit_id):
    """Een foto bij een regel van de checklist voegen

    JPEG of PNG, bij één regel van een conceptrapport."""
    audit = _reporting_audit(audit_id)  # a foreign id answers 404 before the body is looked at
    upload, item_key = request.files.get("file"), request.form.get("item_key", "")
    if upload is None:
        raise DomainError("file", "Kies een foto.", location="files")
    if not item_key or len(item_key) > 60:
        raise DomainError("item_key", "Geef de regel van de checklist.", location="form")
    photo = operations.add_photo(audit, item_key, upload.filename,
                                 upload.read(current_app.config["PHOTO_MAX_BYTES"] + 1))
    db.session.commit()
    return photo


@blp.route("/audits/<int:audit_id>/report/photos/<int:photo_id>")
@require(outsourced=True)
@blp.response(200, content_type="image/jpeg")
def get_photo(audit_id, photo_id):
    """Eén foto van het rapport, zoals opgeslagen"""
    audit = load_audit(audit_id)
    photo = db.session.get(AuditPhoto, photo_id)
    if (photo is None or audit.report is None or photo.report_id != audit.report.id
            or (not current_principal().is_staff and audit.report.status != "final")):
        abort(404)
    return Response(photo.data, mimetype=photo.content_type,
                    headers={"Content-Disposition": f'inline; filename="{photo.filename}"'})


@blp.route("/certificates/<int:certificate_id>/coverage")
@require(*READERS)
@blp.response(200, CoverageSchema)
def coverage(certificate_id):
    """Dekking van de artikelen van het schema per periode

    Artikel × periode: welke artikelen definitieve rapporten in welke periode beoordeelden, en welke nog niet
    in de certificatieperiode."""
    certificate = get_or_404(Certificate, certificate_id)
    rows = operations.coverage_for(certificate)
    db.session.commit()  # a checklist's first version may have been taken from the scheme data
    return {"certificate_id": certificate.id, "periods": len(operations.periods_of(certificate)),
            "rows": [r.to_dict() for r in rows], "uncovered": [r.clause for r in rows if not r.covered]}


@blp.route("/planning/board")
@require(*READERS)
@blp.arguments(BoardQuerySchema, location="query")
@blp.response(200, BoardSchema)
def planning_board(args):
    """Het planbord van één week

    Certificaten met beoordelingen die nog gepland moeten worden of achterlopen, meldingen die die week
    starten en nog geen beoordeling hebben (kandidaten voor een onaangekondigde beoordeling op locatie), en
    per beoordelaar de beoordelingen per dag."""
    day = args["day"] or today()
    monday = day - timedelta(days=day.weekday())
    result = board.week_board(current_principal().cki_id, monday, today(), limit=args["limit"])
    return {**result, **{key: _iso(result[key]) for key in ("certificates", "meldingen", "auditors", "changed")}}


def _iso(value):
    """Dates inside the board's free-form rows as ISO strings (the API's date format)."""
    if isinstance(value, dict):
        return {k: _iso(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_iso(v) for v in value]
    return value.isoformat() if isinstance(value, date) else value
