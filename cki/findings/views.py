"""Pages for findings: the open findings across the CKI (a company: its own), and one finding with
its procedure drawn against the calendar, where staff record the CKI's steps and the company
answers with its corrective measures. Thin: the API's operations and policy."""
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request, url_for
from flask_login import login_required

from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.core.timeline import frame
from cki.core.web import form_int, submit
from cki.findings import operations
from cki.findings.api import load_finding
from cki.findings.models import Finding
from cki.findings.permissions import CKI_STEPS, RAISERS, RECEIPTS, visible_findings
from cki.findings.schemas import StepInSchema
from cki.users.models import Role
from workflows import sanctions as sanction_rules
from workflows.findings import STATUS_LABELS, FindingStatus
from workflows.schemes import load_scheme

bp = Blueprint("findings", __name__, url_prefix="/bevindingen", template_folder="templates")

SANCTION_OUTCOME_LABELS = {"withdraw": "intrekken (met zienswijze)", "keep": "certificaat behouden, met motivering",
                           "reject": "aanvraag afwijzen", "weigh_in_assessment": "meewegen in de beoordeling"}
ASSESSMENT_LABELS = {"incident": "een incident", "other_reason": "een andere reden om niet in te trekken",
                     "neither": "geen van beide"}

# The Dutch labels the pages look up (and translate there), for the catalog.
register_messages(lambda: [*STATUS_LABELS.values(), *SANCTION_OUTCOME_LABELS.values(), *ASSESSMENT_LABELS.values(),
                           *sanction_rules.KIND_LABELS.values(), *sanction_rules.AUTHORITY_LABELS.values()])

@bp.before_request
@login_required
def _not_for_outsourced():
    if current_principal().outsourced:
        abort(403)


@bp.route("/")
@login_required
def index():
    rows = operations.by_next_deadline(db.session.scalars(
        visible_findings().where(Finding.status == FindingStatus.OPEN.value).order_by(Finding.found_on, Finding.id)
        .limit(1000)))
    return render_template("findings/index.html", rows=rows, labels=STATUS_LABELS)


def _picture(timeline: list[dict], found_on: date) -> dict:
    """The steps against the calendar: days from the finding to the last date shown, non-working
    days marked, each step's deadline (and limit) and completion as positions in days."""
    dates = [found_on, today()]
    for view in timeline:
        if view.get("completed_on"):
            dates.append(date.fromisoformat(view["completed_on"]))
        for key in ("due", "limit"):
            if view.get(key):
                dates.append(date.fromisoformat(view[key]["date"]))
    return {**frame(found_on, max(dates) + timedelta(days=2)),
            "steps": [{"step": v["step"], "actor": v["actor"], "status": v["status"], "reached": v["reached"],
                       "projected": v["projected"],
                       "due": (date.fromisoformat(v["due"]["date"]) - found_on).days if v.get("due") else None,
                       "limit": (date.fromisoformat(v["limit"]["date"]) - found_on).days if v.get("limit") else None,
                       "done": (date.fromisoformat(v["completed_on"]) - found_on).days if v.get("completed_on") else None}
                      for v in timeline]}


@bp.route("/<int:finding_id>", methods=["GET", "POST"])
@login_required
def show(finding_id):
    finding = load_finding(finding_id)
    p = current_principal()
    error, status = None, 200
    if request.method == "POST":
        action = request.form.get("action", "step")

        def act():
            if action == "step":
                if p.is_staff and not admits(p, CKI_STEPS + RECEIPTS):
                    abort(403)
                raw = {k: v for k, v in request.form.items() if k in ("lock_version", "step", "completed_on",
                                                                          "outcome", "text", "channel") and v}
                company_step = (operations.view(finding)["next_step"] or {}).get("actor") == "company"
                operations.complete_step(finding, StepInSchema().load(raw))
                upload = request.files.get("file")
                if company_step and upload is not None and upload.filename:  # evidence with the measures
                    _attach_to_answer(finding, upload)
                return _("Stap vastgelegd.")
            if action == "remind":
                if not admits(p, CKI_STEPS + RECEIPTS):
                    abort(403)
                operations.remind(finding)
                return _("Herinnering opgesteld; zij wacht op verzending door het secretariaat.")
            if action == "decision":
                if not admits(p, RAISERS):
                    abort(403)
                if not request.form.get("decision", "").strip():
                    raise DomainError("decision", _("Geef de beslissing en haar reden."))
                operations.decide(finding, {"about": request.form.get("about", ""),
                                            "decision": request.form["decision"].strip()})
                return _("Beslissing vastgelegd.")
            if action == "raise":
                if not admits(p, RAISERS):
                    abort(403)
                if not request.form.get("reason", "").strip():
                    raise DomainError("reason", _("Geef de reden om te verhogen."))
                raised = operations.raise_to_a(finding, {"reason": request.form["reason"].strip(), "together": [
                    n for n in map(form_int, request.form.getlist("together")) if n]})
                return (_("Verhoogd naar categorie A: een nieuwe bevinding met haar eigen termijnen."),
                        url_for(".show", finding_id=raised.id))
            abort(400)

        result = submit(act, url_for(".show", finding_id=finding.id))
        if not isinstance(result, tuple):
            return result
        error, status = result
    view = operations.view(finding)
    nxt = view["next_step"]
    may_step = bool(nxt) and ((p.company_id is not None and nxt["actor"] == "company")
                              or (p.is_staff and admits(p, CKI_STEPS + RECEIPTS)))
    together = []
    if admits(p, RAISERS) and finding.procedure == "non_a" and finding.status == FindingStatus.OPEN and \
            load_scheme(finding.certificate.scheme, today()).param("several_b_make_a"):
        together = db.session.scalars(visible_findings().where(
            Finding.certificate_id == finding.certificate_id, Finding.id != finding.id, Finding.procedure == "non_a",
            Finding.status == FindingStatus.OPEN.value).order_by(Finding.found_on)).all()
    return render_template("findings/show.html", f=finding, v=view, picture=_picture(view["timeline"], finding.found_on),
                           labels=STATUS_LABELS, may_step=may_step, may_raise=admits(p, RAISERS), error=error,
                           today=today(), papers=operations.papers(finding), together=together,
                           may_remind=p.is_staff and admits(p, CKI_STEPS + RECEIPTS) and bool(nxt)
                           and nxt["actor"] == "company"), status


def _attach_to_answer(finding: Finding, upload) -> None:
    """The file goes with the answer just received, in the post register."""
    from cki.letters import operations as letters

    document = db.session.scalars(letters.incoming_about("finding", finding.id)).all()[-1]
    letters.attach_upload(document, upload)


@bp.route("/voorstellen", methods=["GET", "POST"])
@login_required
def proposals():
    """The decider's queue: the system's proposals to withdraw (a second catch-up within the window,
    a T6 without effect), each with its ground and source, to confirm or reject with reasons; and
    the B's past their term, to raise to an A."""
    from cki.surveillance import operations as surveillance
    from cki.surveillance.models import WithdrawalProposal
    from cki.surveillance.permissions import READERS, visible_proposals

    p = current_principal()
    if not admits(p, READERS):
        abort(403)
    error, status = None, 200
    if request.method == "POST":
        if not admits(p, (Role.DECIDER,)):
            abort(403)
        proposal = db.session.scalar(visible_proposals().where(
            WithdrawalProposal.id == request.form.get("proposal_id", type=int)))
        if proposal is None:
            abort(404)

        def act() -> str:
            if not request.form.get("reason", "").strip():
                raise DomainError("reason", _("Geef de redenen van de beslissing."))
            surveillance.decide_proposal(proposal, {"confirm": request.form.get("confirm") == "1",
                                                    "reason": request.form["reason"].strip()})
            return _("Beslissing over het voorstel vastgelegd.")

        result = submit(act, url_for(".proposals"))
        if not isinstance(result, tuple):
            return result
        error, status = result
    rows = db.session.scalars(visible_proposals().where(WithdrawalProposal.status == "open")
                              .order_by(WithdrawalProposal.proposed_on, WithdrawalProposal.id)).all()
    open_bs = db.session.scalars(visible_findings().where(Finding.procedure == "non_a",
                                                         Finding.status == FindingStatus.OPEN.value)
                                 .order_by(Finding.found_on, Finding.id).limit(1000))
    overdue = [(f, v) for f, v in ((f, operations.view(f)) for f in open_bs) if v["overdue_b"]]
    return render_template("findings/proposals.html", rows=rows, error=error, overdue=overdue,
                           may_decide=admits(p, (Role.DECIDER,))), status


@bp.route("/sancties", methods=["GET", "POST"])
@login_required
def notices():
    """Notices of sanctions by the inspectorate and other authorities: received (in the post
    register too), the CKI's determination, the decider's outcome; the keeps and grants after a
    deviation are marked for the annual report."""
    from cki.certificates.models import Certificate
    from cki.findings.models import SanctionNotice
    from cki.findings.permissions import NOTICE_READERS, NOTICE_STAFF
    from cki.findings.schemas import DeterminationSchema, NoticeDecisionSchema, NoticeInSchema
    from workflows import sanctions

    p = current_principal()
    if not admits(p, NOTICE_READERS):
        abort(403)
    error, status = None, 200
    if request.method == "POST":
        action = request.form.get("action")
        form = {k: v.strip() for k, v in request.form.items() if v.strip() and k not in ("csrf_token", "action")}
        if not admits(p, (Role.DECIDER,) if action == "decide" else NOTICE_STAFF):
            abort(403)

        def act() -> str:
            if action == "record":
                number = form.pop("certificate_number", "")
                certificate = db.session.scalar(db.select(Certificate).where(
                    Certificate.cki_id == p.cki_id, Certificate.number == number))
                if certificate is None:
                    raise DomainError("certificate_number", _("Onbekend certificaatnummer."))
                operations.record_notice(p.cki_id, NoticeInSchema().load({**form, "certificate_id": certificate.id}))
                return _("Melding geregistreerd, ook in het postregister.")
            notice = db.session.scalar(db.select(SanctionNotice).where(
                SanctionNotice.cki_id == p.cki_id, SanctionNotice.id == form_int(form.pop("notice_id", 0))))
            if notice is None:
                abort(404)
            if action == "determine":
                form["deviation"] = form.get("deviation") == "1"
                operations.determine(notice, DeterminationSchema().load(form))
                return _("Vaststelling vastgelegd.")
            if action == "decide":
                operations.decide_notice(notice, NoticeDecisionSchema().load(form))
                return _("Beslissing vastgelegd.")
            abort(400)

        result = submit(act, url_for(".notices"))
        if not isinstance(result, tuple):
            return result
        error, status = result
    rows = db.session.scalars(db.select(SanctionNotice).where(SanctionNotice.cki_id == p.cki_id)
                              .order_by(SanctionNotice.received_on.desc(), SanctionNotice.id.desc()).limit(500)).all()
    allowed = {n.id: sanctions.allowed_outcomes("certificate" if n.certificate_id else "application", n.deviation,
                                                n.assessment) for n in rows}
    return render_template("findings/notices.html", rows=rows, allowed=allowed, error=error, today=today(),
                           may_record=admits(p, NOTICE_STAFF), may_decide=admits(p, (Role.DECIDER,)),
                           kinds=sanctions.KIND_LABELS, authorities=sanctions.AUTHORITY_LABELS,
                           outcomes=SANCTION_OUTCOME_LABELS, assessments=ASSESSMENT_LABELS), status
