"""Pages for findings: the open findings across the CKI (a company: its own), and one finding with
its procedure drawn against the calendar, where staff record the CKI's steps and the company
answers with its corrective measures. Thin: the API's operations and policy."""
from datetime import date, timedelta

import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.findings import operations
from cki.findings.api import load_finding
from cki.findings.models import Finding
from cki.findings.permissions import CKI_STEPS, RAISERS, RECEIPTS, visible_findings
from cki.findings.schemas import StepInSchema
from cki.users.models import Role
from workflows.calendar import legal_calendar
from workflows.findings import STATUS_LABELS, FindingStatus

bp = Blueprint("findings", __name__, url_prefix="/bevindingen", template_folder="templates")


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
    end = max(dates) + timedelta(days=2)
    days = (end - found_on).days + 1
    closed = {d.date for d in legal_calendar().non_working_days(found_on, end)}
    return {"days": days, "start": found_on, "closed": [(d - found_on).days for d in sorted(closed)],
            "today": (today() - found_on).days,
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
        try:
            if action == "step":
                if p.is_staff and not admits(p, CKI_STEPS + RECEIPTS):
                    abort(403)
                raw = {k: v for k, v in request.form.items() if k in ("lock_version", "step", "completed_on",
                                                                          "outcome", "text") and v}
                operations.complete_step(finding, StepInSchema().load(raw))
                message = "Stap vastgelegd."
            elif action == "decision":
                if not admits(p, RAISERS):
                    abort(403)
                if not request.form.get("decision", "").strip():
                    raise DomainError("decision", "Geef de beslissing en haar reden.")
                operations.decide(finding, {"about": request.form.get("about", ""),
                                            "decision": request.form["decision"].strip()})
                message = "Beslissing vastgelegd."
            elif action == "raise":
                if not admits(p, RAISERS):
                    abort(403)
                if not request.form.get("reason", "").strip():
                    raise DomainError("reason", "Geef de reden om te verhogen.")
                raised = operations.raise_to_a(finding, {"reason": request.form["reason"].strip()})
                db.session.commit()
                flash("Verhoogd naar categorie A: een nieuwe bevinding met haar eigen termijnen.", "info")
                return redirect(url_for(".show", finding_id=raised.id))
            else:
                abort(400)
        except (DomainError, ma.ValidationError) as refused:
            db.session.rollback()
            error = refused.message if isinstance(refused, DomainError) else "; ".join(
                f"{k}: {' '.join(map(str, v))}" for k, v in refused.messages.items())
            status = 422
        else:
            db.session.commit()
            flash(message, "info")
            return redirect(url_for(".show", finding_id=finding.id))
    view = operations.view(finding)
    nxt = view["next_step"]
    may_step = bool(nxt) and ((p.company_id is not None and nxt["actor"] == "company")
                              or (p.is_staff and admits(p, CKI_STEPS + RECEIPTS)))
    return render_template("findings/show.html", f=finding, v=view, picture=_picture(view["timeline"], finding.found_on),
                           labels=STATUS_LABELS, may_step=may_step, may_raise=admits(p, RAISERS), error=error,
                           today=today()), status


@bp.route("/voorstellen", methods=["GET", "POST"])
@login_required
def proposals():
    """The decider's queue: the system's proposals to withdraw (a second catch-up within the window,
    a T6 without effect), each with its ground and source, to confirm or reject with reasons."""
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
        try:
            if not request.form.get("reason", "").strip():
                raise DomainError("reason", "Geef de redenen van de beslissing.")
            surveillance.decide_proposal(proposal, {"confirm": request.form.get("confirm") == "1",
                                                    "reason": request.form["reason"].strip()})
        except DomainError as refused:
            db.session.rollback()
            error, status = refused.message, refused.status
        else:
            db.session.commit()
            flash("Beslissing over het voorstel vastgelegd.", "info")
            return redirect(url_for(".proposals"))
    rows = db.session.scalars(visible_proposals().where(WithdrawalProposal.status == "open")
                              .order_by(WithdrawalProposal.proposed_on, WithdrawalProposal.id)).all()
    return render_template("findings/proposals.html", rows=rows, error=error,
                           may_decide=admits(p, (Role.DECIDER,))), status
