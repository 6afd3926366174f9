from flask import abort
from flask.views import MethodView

from cki.certificates.models import Certificate
from cki.core.api import Blueprint
from cki.core.auth import admits, current_principal, require
from cki.core.db import db
from cki.core.tenancy import get_or_404, scoped_select
from cki.findings import operations
from cki.findings.models import Finding, SanctionNotice
from cki.findings.permissions import (
    CKI_STEPS,
    NOTICE_READERS,
    NOTICE_STAFF,
    RAISERS,
    RECEIPTS,
    visible_findings,
)
from cki.findings.schemas import (
    DeterminationSchema,
    FindingDecisionSchema,
    FindingDetailSchema,
    FindingQuerySchema,
    FindingSchema,
    NoticeDecisionSchema,
    NoticeInSchema,
    NoticeQuerySchema,
    NoticeSchema,
    RaiseSchema,
    StepInSchema,
)
from cki.users.models import Role

blp = Blueprint("findings_api", __name__, tag="Bevindingen en sancties", url_prefix="/api/v1",
                description="Bevindingen en hun procedure: categorie A (T1–T6), het pad zonder categorie A, "
                            "verhogen naar A, beslissingen van de staf.")


def load_finding(finding_id: int) -> Finding:
    finding = db.session.scalar(visible_findings().where(Finding.id == finding_id))
    if finding is None:
        abort(404)
    return finding


def _detail(finding: Finding, view: dict | None = None, *, papers: bool = True) -> dict:
    """The finding with its procedure; with ``papers`` its answers and letters (one finding's page,
    not a list)."""
    return {**{name: getattr(finding, name) for name in FindingSchema().fields}, "steps": finding.steps,
            "decisions": finding.decisions, **(view or operations.view(finding)),
            **(operations.papers(finding) if papers else {})}


@blp.route("/findings")
@require()
@blp.arguments(FindingQuerySchema, location="query")
@blp.response(200, FindingDetailSchema(many=True))
def list_findings(args):
    """Findings you may see (a company: its own), the next deadline first."""
    stmt = visible_findings()
    if args["certificate_id"]:
        stmt = stmt.where(Finding.certificate_id == args["certificate_id"])
    if args["status"] != "all":
        stmt = stmt.where(Finding.status == args["status"])
    found = db.session.scalars(stmt.order_by(Finding.found_on, Finding.id).limit(1000))
    return [_detail(finding, view, papers=False) for finding, view in operations.by_next_deadline(found)]


@blp.route("/certificates/<int:certificate_id>/findings")
@require()
@blp.response(200, FindingSchema(many=True))
def certificate_findings(certificate_id):
    """Findings recorded on the certificate (from final reports), newest first."""
    certificate = get_or_404(Certificate, certificate_id)
    return db.session.scalars(visible_findings().where(Finding.certificate_id == certificate.id)
                              .order_by(Finding.found_on.desc(), Finding.id)).all()


@blp.route("/findings/<int:finding_id>")
@require()
@blp.response(200, FindingDetailSchema)
def get_finding(finding_id):
    """One finding with its procedure's timeline (actual and projected deadlines), flags and next step."""
    return _detail(load_finding(finding_id))


@blp.route("/findings/<int:finding_id>/steps", methods=["POST"])
@require()
@blp.arguments(StepInSchema)
@blp.response(200, FindingDetailSchema)
def record_step(data, finding_id):
    """Record a step. The company answers its own steps (corrective measures in `text`; dated the day
    it arrives); staff record the CKI's steps, and the office a company answer received by letter
    with its receipt date."""
    finding = load_finding(finding_id)
    p = current_principal()
    if p.is_staff and not admits(p, CKI_STEPS + RECEIPTS):
        abort(403)
    operations.complete_step(finding, data)
    db.session.commit()
    return _detail(finding)


@blp.route("/findings/<int:finding_id>/raise", methods=["POST"])
@require(*RAISERS)
@blp.arguments(RaiseSchema)
@blp.response(201, FindingDetailSchema)
def raise_finding(data, finding_id):
    """Raise a B to an A with reasons (not handled in its term; SC-540: several B's together)."""
    raised = operations.raise_to_a(load_finding(finding_id), data)
    db.session.commit()
    return _detail(raised)


@blp.route("/findings/<int:finding_id>/reminder", methods=["POST"])
@require(*CKI_STEPS, *RECEIPTS)
@blp.response(201, FindingDetailSchema)
def remind(finding_id):
    """Write a reminder of the company's open step and its last day (an interim letter; it waits
    for the office to send it)."""
    finding = load_finding(finding_id)
    operations.remind(finding)
    db.session.commit()
    return _detail(finding)


@blp.route("/findings/<int:finding_id>/decisions", methods=["POST"])
@require(*RAISERS)
@blp.arguments(FindingDecisionSchema)
@blp.response(201, FindingDecisionSchema)
def decide(data, finding_id):
    """Record a staff decision on what the annex leaves open (a missed company step, an unanswered
    'at once'), with its reasons."""
    decision = operations.decide(load_finding(finding_id), data)
    db.session.commit()
    return decision


def _notice(notice_id: int) -> SanctionNotice:
    notice = db.session.scalar(scoped_select(SanctionNotice).where(SanctionNotice.id == notice_id))
    if notice is None or not current_principal().is_staff:
        abort(404)
    return notice


@blp.route("/sanction-notices")
class Notices(MethodView):
    @require(*NOTICE_READERS)
    @blp.arguments(NoticeQuerySchema, location="query")
    @blp.response(200, NoticeSchema(many=True))
    def get(self, args):
        """Notices of sanctions received, newest first; `annual_report=true`: the keeps and grants
        after a deviating notice, with their motivation (A §4.2 c)."""
        stmt = scoped_select(SanctionNotice)
        if args["annual_report"]:
            stmt = stmt.where(SanctionNotice.annual_report.is_(True))
        return db.session.scalars(stmt.order_by(SanctionNotice.received_on.desc(), SanctionNotice.id.desc())).all()

    @require(*NOTICE_STAFF)
    @blp.arguments(NoticeInSchema)
    @blp.response(201, NoticeSchema)
    def post(self, data):
        """Record a written notice of a sanction (stillegging, proces-verbaal, heavy fine, another
        authority's) about a holder's certificate or a candidate's dossier, with its receipt date."""
        notice = operations.record_notice(current_principal().cki_id, data)
        db.session.commit()
        return notice


@blp.route("/sanction-notices/<int:notice_id>/determination", methods=["POST"])
@require(*RAISERS)
@blp.arguments(DeterminationSchema)
@blp.response(200, NoticeSchema)
def determine(data, notice_id):
    """Does the fact deviate from the scheme; if so: an incident, another reason not to withdraw, or neither."""
    notice = operations.determine(_notice(notice_id), data)
    db.session.commit()
    return notice


@blp.route("/sanction-notices/<int:notice_id>/decision", methods=["POST"])
@require(Role.DECIDER)
@blp.arguments(NoticeDecisionSchema)
@blp.response(200, NoticeSchema)
def decide_notice(data, notice_id):
    """The outcome the determination allows (a certificate kept after a deviation starts the §8.2
    procedure as a finding; a withdrawal goes on with the intended decision and its zienswijze)."""
    notice = operations.decide_notice(_notice(notice_id), data)
    db.session.commit()
    return notice
