"""Pages for certificates: the list with search, and one certificate with its programme per period
(drawn), its audits and, for planners, the form to plan one. Thin: the API's operations and policy."""
import marshmallow as ma
from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cki.certificates.models import STATUS_LABELS, Certificate
from cki.certificates.permissions import search, visible_certificates
from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404
from cki.surveillance import operations as surveillance
from cki.surveillance.models import Audit, AuditStatus
from cki.surveillance.permissions import READERS, may_plan, may_record_done, visible_audits
from cki.surveillance.schemas import AuditDoneSchema, AuditPlanSchema
from cki.users.models import Role, User
from workflows.surveillance import KIND_LABELS, AuditKind

bp = Blueprint("certificates", __name__, url_prefix="/certificaten", template_folder="templates")


@bp.before_request
@login_required
def _not_for_outsourced():
    if current_principal().outsourced:  # it sees its assigned audits only (RULES.md §7)
        abort(403)


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    certificates = db.session.scalars(search(visible_certificates(), q).order_by(
        Certificate.holder_name, Certificate.number).limit(200)).all()
    return render_template("certificates/index.html", certificates=certificates, q=q, status_labels=STATUS_LABELS)


def _kinds(certificate):
    scheme = surveillance.scheme_of(certificate)
    columns = [c for c in scheme.param("location_audit_table")["columns"] if c != "total"] or ["total"]
    return [(AuditKind.BRANCH.value, KIND_LABELS[AuditKind.BRANCH])] + [(c, KIND_LABELS[AuditKind(c)]) for c in columns]


def _page(certificate, *, form_errors=None, form=None, status=200):
    p = current_principal()
    audits = db.session.scalars(visible_audits().where(Audit.certificate_id == certificate.id)
                                .order_by(Audit.planned_on.desc(), Audit.id.desc())).all()
    staff_view = admits(p, READERS)
    periods = surveillance.overview(certificate) if staff_view else []
    auditors = []
    if may_plan(p):
        auditors = [u for u in db.session.scalars(db.select(User).where(
            User.cki_id == certificate.cki_id, User.kind == "staff", User.active.is_(True)).order_by(User.name))
            if Role.ASSESSOR in u.roles]
    names = {u.id: u.name for u in db.session.scalars(db.select(User).where(User.cki_id == certificate.cki_id,
                                                                          User.kind == "staff"))} if staff_view else {}
    alerts = {a.id: surveillance.melding_alert(a) for a in audits} if staff_view else {}
    return render_template(
        "certificates/show.html", c=certificate, audits=audits, periods=periods, staff_view=staff_view,
        can_plan=may_plan(p), can_record={a.id: may_record_done(p, a) for a in audits}, auditors=auditors,
        kinds=_kinds(certificate), kind_labels={k.value: v for k, v in KIND_LABELS.items()}, names=names,
        alerts=alerts, form=form or {}, form_errors=form_errors or {}, today=today(), planned=AuditStatus.PLANNED,
        status_labels=STATUS_LABELS), status


@bp.route("/<int:certificate_id>")
@login_required
def show(certificate_id):
    return _page(get_or_404(Certificate, certificate_id))


@bp.route("/<int:certificate_id>/beoordelingen", methods=["POST"])
@login_required
def plan(certificate_id):
    certificate = get_or_404(Certificate, certificate_id)
    if not may_plan(current_principal()):
        abort(403)
    raw = {"certificate_id": certificate.id, "kind": request.form.get("kind", ""),
           "branch_id": request.form.get("branch_id", ""), "planned_on": request.form.get("planned_on", ""),
           "auditor_ids": request.form.getlist("auditor_ids"),
           "close_locations": request.form.get("close_locations") in ("1", "on")}
    for optional in ("melding_id", "location"):
        if request.form.get(optional):
            raw[optional] = request.form[optional]
    try:
        data = AuditPlanSchema().load(raw)
        data.pop("certificate_id")
        audit = surveillance.plan_audit(certificate, data)
    except ma.ValidationError as error:
        db.session.rollback()
        return _page(certificate, form=request.form, form_errors=error.messages, status=422)
    except DomainError as error:
        db.session.rollback()
        return _page(certificate, form=request.form, form_errors={error.field: [error.message]}, status=422)
    db.session.commit()
    flash(f"Beoordeling gepland op {audit.planned_on:%d-%m-%Y}"
          f"{' (onaangekondigd: het bedrijf ziet haar niet)' if audit.unannounced else ''}.", "info")
    return redirect(url_for(".show", certificate_id=certificate.id))


@bp.route("/beoordelingen/<int:audit_id>/uitgevoerd", methods=["POST"])
@login_required
def done(audit_id):
    audit = db.session.scalar(visible_audits().where(Audit.id == audit_id))
    if audit is None:
        abort(404)
    if not may_record_done(current_principal(), audit):
        abort(403)
    try:
        surveillance.record_done(audit, AuditDoneSchema().load({"lock_version": request.form.get("lock_version", ""),
                                                                "done_on": request.form.get("done_on", "")}))
    except (ma.ValidationError, DomainError) as error:
        db.session.rollback()
        message = error.message if isinstance(error, DomainError) else "; ".join(
            f"{k}: {' '.join(v)}" for k, v in error.messages.items())
        flash(f"Niet vastgelegd: {message}", "error")
        return redirect(url_for(".show", certificate_id=audit.certificate_id)), 303
    db.session.commit()
    flash(f"Beoordeling vastgelegd als uitgevoerd op {audit.done_on:%d-%m-%Y}.", "info")
    return redirect(url_for(".show", certificate_id=audit.certificate_id))
