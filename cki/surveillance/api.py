from flask import abort, jsonify
from flask.views import MethodView

from cki.certificates.models import Certificate
from cki.core.api import Blueprint
from cki.core.auth import admits, current_principal, require
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404
from cki.surveillance import operations
from cki.surveillance.models import Audit, WithdrawalProposal
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
    CatchUpResultSchema,
    CatchUpSchema,
    FiguresResultSchema,
    FiguresSchema,
    ProgrammeSchema,
    ProposalDecisionSchema,
    ProposalQuerySchema,
    ProposalSchema,
    StaffAuditSchema,
)

blp = Blueprint("surveillance_api", __name__, url_prefix="/api/v1",
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
    """The surveillance programme per period: what each branch needs (Table 1 / Table 4.3, branch
    audits with the file review), planned against done, what is behind, catch-ups (staff)."""
    certificate = get_or_404(Certificate, certificate_id)
    return {"certificate_id": certificate.id, "periods": [v.to_dict() for v in operations.overview(certificate)]}


@blp.route("/certificates/<int:certificate_id>/figures", methods=["POST"])
@require()
@blp.arguments(FiguresSchema)
@blp.response(200, FiguresResultSchema)
def declare_figures(data, certificate_id):
    """The figures the holder declares for a period and branch (SC-540: average DIA and reports a
    year; SC-530: project days and works); they plan the next period's location audits. A company
    user or system declares its own; staff record what a company sent. Answers with warnings where
    the figures disagree with what the system knows."""
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
    """Move a period's shortfall to the next period, with its reason. Allowed once in the scheme's
    window of consecutive periods; a second time it is refused (422) and a withdrawal proposal goes
    to a decider (its id in the answer); nothing is withdrawn by itself."""
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
        """Audits you may see, by date (a company: its announced audits, and unannounced ones only
        after they took place; an outsourced assessor: those assigned to it)."""
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
        """Plan an audit. Refused (422, with the reason) unless every auditor is qualified for the
        scheme on that date, has a clear conflict-of-interest declaration for the company, and stays
        within the daily cap of location audits."""
        certificate = get_or_404(Certificate, data.pop("certificate_id"))
        audit = operations.plan_audit(certificate, data)
        db.session.commit()
        return _for_staff(audit)


@blp.route("/audits/<int:audit_id>")
@require(outsourced=True)
@blp.response(200, StaffAuditSchema)
def get_audit(audit_id):
    """One audit (staff see whether its melding still fits it)."""
    audit = load_audit(audit_id)
    return _for_staff(audit) if current_principal().is_staff else audit


@blp.route("/audits/<int:audit_id>/done", methods=["POST"])
@require(*RECORDERS, outsourced=True)
@blp.arguments(AuditDoneSchema)
@blp.response(200, StaffAuditSchema)
def audit_done(data, audit_id):
    """The audit took place on `done_on` (an assessor: only its own audits)."""
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
    """A planned audit will not take place; the reason is kept."""
    audit = operations.cancel_audit(load_audit(audit_id), data)
    db.session.commit()
    return _for_staff(audit)


@blp.route("/withdrawal-proposals")
@require(*READERS)
@blp.arguments(ProposalQuerySchema, location="query")
@blp.response(200, ProposalSchema(many=True))
def list_proposals(args):
    """The system's proposals to withdraw a certificate, oldest first (by default the open ones)."""
    stmt = visible_proposals()
    if args["status"] != "all":
        stmt = stmt.where(WithdrawalProposal.status == args["status"])
    return db.session.scalars(stmt.order_by(WithdrawalProposal.id)).all()


@blp.route("/withdrawal-proposals/<int:proposal_id>/decision", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(ProposalDecisionSchema)
@blp.response(200, ProposalSchema)
def decide_proposal(data, proposal_id):
    """A decider confirms or rejects a withdrawal proposal, with reasons."""
    proposal = db.session.scalar(visible_proposals().where(WithdrawalProposal.id == proposal_id))
    if proposal is None:
        abort(404)
    operations.decide_proposal(proposal, data)
    db.session.commit()
    return proposal
