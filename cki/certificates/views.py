"""Pages for certificates: the list with search, and one certificate with its programme per period
(drawn), its audits and, for planners, the form to plan one. Thin: the API's operations and policy."""
from datetime import date

import marshmallow as ma
import sqlalchemy as sa
from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cki.certificates.models import STATUS_LABELS, Certificate
from cki.certificates.permissions import search, visible_certificates
from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.tenancy import get_or_404
from cki.core.web import form_int, refusal, submit
from cki.findings.models import Finding
from cki.surveillance import operations as surveillance
from cki.surveillance.api import load_audit
from cki.surveillance.models import STATUS_LABELS as AUDIT_STATUS_LABELS
from cki.surveillance.models import Audit, AuditPhoto, AuditStatus
from cki.surveillance.permissions import READERS, may_plan, may_record_done, visible_audits
from cki.surveillance.schemas import AuditDoneSchema, AuditPlanSchema
from cki.surveillance.views import kind_labels
from cki.users.models import Role, User
from workflows.surveillance import AuditKind, location_columns, period_of

bp = Blueprint("certificates", __name__, url_prefix="/certificaten", template_folder="templates")


def status_labels() -> dict[str, str]:
    """A certificate's status (a code) in the reader's language; ``status_label`` stays Dutch (the API's)."""
    return {k.value: _(v) for k, v in STATUS_LABELS.items()}


@bp.before_request
@login_required
def _not_for_outsourced():
    if current_principal().outsourced:  # it sees its assigned audits only (RULES.md §7)
        abort(403)


@bp.route("/")
@login_required
def index():
    q = request.args.get("q", "").strip()[:100]
    ended = request.args.get("ook_beeindigd") == "1"
    stmt = search(visible_certificates(), q)
    if not ended:  # what staff look for: the certificates that run now
        stmt = stmt.where(Certificate.status.in_(surveillance.LIVE))
    certificates = db.session.scalars(stmt.order_by(Certificate.holder_name, Certificate.number).limit(200)).all()
    return render_template("certificates/index.html", certificates=certificates, q=q, ended=ended,
                           status_labels=status_labels())


def _kinds(certificate):
    columns = location_columns(surveillance.scheme_of(certificate))
    labels = kind_labels()
    return [(AuditKind.BRANCH.value, labels[AuditKind.BRANCH.value])] + [(c, labels[c]) for c in columns]


def rules_period_of(certificate):
    """The certificate's period running today, if any."""
    return period_of(surveillance.periods_of(certificate), today())


def _page(certificate, *, form_errors=None, form=None, status=200):
    p = current_principal()
    every = request.args.get("alle") == "1"
    stmt = visible_audits().where(Audit.certificate_id == certificate.id)
    current = rules_period_of(certificate)
    if not every and current is not None:  # this period's and those still planned; the picture shows the rest
        stmt = stmt.where(sa.or_(Audit.planned_on >= current.start, Audit.status == AuditStatus.PLANNED.value))
    audits = db.session.scalars(stmt.order_by(Audit.planned_on.desc(), Audit.id.desc())).all()
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
    found = sa.select(Finding).where(Finding.certificate_id == certificate.id)
    if not every and current is not None:  # as the audits: this period's, the rest on request
        found = found.where(Finding.found_on >= current.start)
    findings = db.session.scalars(found.order_by(Finding.found_on.desc(), Finding.id)).all()
    coverage = surveillance.coverage_for(certificate) if staff_view else []
    db.session.commit()  # a checklist's first version may just have been taken from the scheme data
    return render_template(
        "certificates/show.html", c=certificate, audits=audits, periods=periods, staff_view=staff_view,
        can_plan=may_plan(p), can_record={a.id: may_record_done(p, a) for a in audits}, auditors=auditors,
        kinds=_kinds(certificate), kind_labels=kind_labels(), names=names,
        alerts=alerts, every=every, current=current, findings=findings, coverage=coverage, form=form or {},
        form_errors=form_errors or {}, today=today(),
        planned=AuditStatus.PLANNED, status_labels=status_labels(),
        audit_status_labels={k.value: _(v) for k, v in AUDIT_STATUS_LABELS.items()}), status


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
        return _page(certificate, form=request.form, form_errors={error.field: [refusal(error)]}, status=422)
    db.session.commit()
    if audit.unannounced:
        flash(_("Beoordeling gepland op %(date)s (onaangekondigd: het bedrijf ziet haar niet).",
                date=audit.planned_on.strftime("%d-%m-%Y")), "info")
    else:
        flash(_("Beoordeling gepland op %(date)s.", date=audit.planned_on.strftime("%d-%m-%Y")), "info")
    return redirect(url_for(".show", certificate_id=certificate.id))


@bp.route("/beoordelingen/<int:audit_id>/uitgevoerd", methods=["POST"])
@login_required
def done(audit_id):
    audit = load_audit(audit_id)
    if not may_record_done(current_principal(), audit):
        abort(403)
    try:
        surveillance.record_done(audit, AuditDoneSchema().load({"lock_version": request.form.get("lock_version", ""),
                                                                "done_on": request.form.get("done_on", "")}))
    except (ma.ValidationError, DomainError) as error:
        db.session.rollback()
        flash(_("Niet vastgelegd: %(reason)s", reason=refusal(error)), "error")
        return redirect(url_for(".show", certificate_id=audit.certificate_id)), 303
    db.session.commit()
    flash(_("Beoordeling vastgelegd als uitgevoerd op %(date)s.", date=audit.done_on.strftime("%d-%m-%Y")), "info")
    return redirect(url_for(".show", certificate_id=audit.certificate_id))


def _answers_from_form(items) -> dict:
    answers = {}
    for item in items:
        outcome = request.form.get(f"outcome-{item['key']}") or None
        category = request.form.get(f"category-{item['key']}") or None
        evidence = (request.form.get(f"evidence-{item['key']}") or "").strip() or None
        if outcome or evidence:
            answers[item["key"]] = {"outcome": outcome, "category": category if outcome == "finding" else None,
                                    "evidence": evidence}
    return answers


@bp.route("/beoordelingen/<int:audit_id>/rapport", methods=["GET", "POST"])
@login_required
def report(audit_id):
    """The auditor's checklist on a laptop or tablet: save as a draft, finish later, submit; the
    team leader approves or returns it. Unsaved input is kept in the browser (report.js) until a
    save succeeds, so a lost connection loses nothing."""
    audit = load_audit(audit_id)
    p = current_principal()
    if not p.is_staff and (request.method == "POST" or audit.report is None or audit.report.status != "final"):
        abort(403)  # a company reads its final reports, nothing before
    can_edit = p.is_staff and may_record_done(p, audit)
    can_review = p.is_staff and admits(p, (Role.TEAM_LEADER,)) and p.user_id not in audit.auditor_ids
    status, errors = 200, {}
    if request.method == "POST":
        action = request.form.get("action", "save")
        try:
            if action in ("save", "submit"):
                if not can_edit:
                    abort(403)
                checklist = (audit.report.checklist if audit.report else surveillance.current_checklist(
                    audit.cki_id, audit.certificate.scheme, audit.kind, audit.planned_on))
                saved = surveillance.save_draft(audit, {
                    "lock_version": form_int(request.form.get("lock_version")),
                    "answers": _answers_from_form(checklist.items), "summary": request.form.get("summary") or None})
                if action == "submit":
                    done_on = request.form.get("done_on") or None
                    surveillance.submit_report(audit, {"lock_version": saved.lock_version,
                                                       "done_on": date.fromisoformat(done_on) if done_on else None})
            elif action in ("approve", "return"):
                if not can_review:
                    abort(403)
                surveillance.review_report(audit, {"lock_version": form_int(request.form.get("lock_version")),
                                                   "approve": action == "approve",
                                                   "comment": request.form.get("comment") or None})
            else:
                abort(400)
        except (DomainError, ValueError) as error:
            db.session.rollback()
            message = refusal(error) if isinstance(error, DomainError) else _("Ongeldige datum.")
            errors = {"form": message}
            status = error.status if isinstance(error, DomainError) else 422
        else:
            db.session.commit()
            flash({"save": _("Concept opgeslagen."), "submit": _("Rapport ingediend bij de teamleider."),
                   "approve": _("Rapport goedgekeurd: definitief."), "return": _("Rapport teruggestuurd.")}[action],
                  "info")
            return redirect(url_for(".report", audit_id=audit.id))
    checklist = (audit.report.checklist if audit.report else surveillance.current_checklist(
        audit.cki_id, audit.certificate.scheme, audit.kind, audit.planned_on))
    db.session.commit()  # version 1 of a checklist may just have been taken from the scheme data
    scheme = surveillance.scheme_of(audit.certificate)
    editable = audit.report is None or audit.report.status in ("draft", "returned")
    return render_template("certificates/report.html", a=audit, r=audit.report, checklist=checklist,
                           categories=scheme.param("finding_categories"), can_edit=can_edit and editable,
                           can_review=can_review and audit.report is not None and audit.report.status == "submitted",
                           errors=errors, today=today(), kind_labels=kind_labels(),
                           posted=request.form if request.method == "POST" else None), status


@bp.route("/beoordelingen/<int:audit_id>/rapport/foto", methods=["POST"])
@login_required
def report_photo(audit_id):
    audit = load_audit(audit_id)
    if not current_principal().is_staff or not may_record_done(current_principal(), audit):
        abort(403)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise DomainError("file", _("Kies een foto."))
        surveillance.add_photo(audit, request.form.get("item_key", ""), upload.filename,
                               upload.read(current_app.config["PHOTO_MAX_BYTES"] + 1))
    except DomainError as error:
        db.session.rollback()
        flash(_("Foto niet opgeslagen: %(reason)s", reason=refusal(error)), "error")
    else:
        db.session.commit()
        flash(_("Foto opgeslagen."), "info")
    return redirect(url_for(".report", audit_id=audit.id) + f"#regel-{request.form.get('item_key', '')}")


@bp.route("/beoordelingen/<int:audit_id>/rapport/foto/<int:photo_id>")
@login_required
def report_photo_file(audit_id, photo_id):
    audit = load_audit(audit_id)
    if not current_principal().is_staff:
        abort(404)
    photo = db.session.get(AuditPhoto, photo_id)
    if photo is None or audit.report is None or photo.report_id != audit.report.id:
        abort(404)
    return Response(photo.data, mimetype=photo.content_type)


@bp.route("/<int:certificate_id>/besluiten", methods=["GET", "POST"])
@login_required
def decisions(certificate_id):
    """The certificate's besluiten: intentions sent for a zienswijze (the company answers here too),
    the weighing, withdrawal, suspension and its lifting, and the letters that carry them."""
    from cki.certificates import operations
    from cki.certificates.models import IntendedDecision, Suspension
    from cki.certificates.permissions import DECIDERS, RECORDERS, visible_intentions
    from cki.certificates.schemas import (
        IntendedInSchema,
        LiftSchema,
        SuspendSchema,
        WeighSchema,
        WithdrawSchema,
        ZienswijzeSchema,
    )
    from cki.letters import operations as letters
    from cki.letters.models import Letter
    from cki.letters.permissions import visible_letters

    certificate = get_or_404(Certificate, certificate_id)
    p = current_principal()
    error, status = None, 200
    if request.method == "POST":
        action = request.form.get("action")
        form = {k: v.strip() for k, v in request.form.items() if v.strip() and k not in ("csrf_token", "action")}
        for flag in ("at_own_request", "false_information"):
            if flag in form:
                form[flag] = True
        deciding = action in ("intend", "weigh", "withdraw", "suspend", "lift")
        if (deciding and not admits(p, DECIDERS)) or (action == "zienswijze" and p.is_staff
                                                      and not admits(p, RECORDERS)):
            abort(403)

        def act() -> str:
            if action in ("zienswijze", "weigh"):
                intended = db.session.get(IntendedDecision, form_int(form.pop("intended_id", 0)))
                if intended is None or intended.certificate_id != certificate.id:
                    abort(404)
                if action == "zienswijze":
                    operations.answer_intended(intended, ZienswijzeSchema().load(form),
                                               by_company=p.company_id is not None)
                    return _("Zienswijze vastgelegd.")
                operations.weigh(intended, WeighSchema().load(form))
                return _("Weging vastgelegd.")
            if action == "intend":
                operations.intend(certificate, IntendedInSchema().load(form))
                return _("Voornemen vastgelegd; de brief wacht op verzending door het secretariaat.")
            if action == "withdraw":
                operations.withdraw(certificate, WithdrawSchema().load(form))
                return _("Certificaat ingetrokken; het register is ingelicht en de brief wacht op verzending.")
            if action == "suspend":
                operations.suspend(certificate, SuspendSchema().load(form))
                return _("Certificaat geschorst; het register is ingelicht en de brief wacht op verzending.")
            if action == "lift":
                operations.lift_suspension(certificate, LiftSchema().load(form))
                return _("Schorsing opgeheven; het register is ingelicht.")
            abort(400)

        result = submit(act, url_for(".decisions", certificate_id=certificate.id))
        if not isinstance(result, tuple):
            return result
        error, status = result
    intended = db.session.scalars(visible_intentions().where(
        IntendedDecision.certificate_id == certificate.id).order_by(IntendedDecision.id.desc())).all()
    suspensions = db.session.scalars(db.select(Suspension).where(Suspension.certificate_id == certificate.id)
                                     .order_by(Suspension.start.desc())).all()
    sent_letters = db.session.scalars(visible_letters().where(Letter.certificate_id == certificate.id)
                                      .order_by(Letter.id.desc())).all()
    db.session.commit()
    return render_template("certificates/decisions.html", c=certificate, intended=intended, suspensions=suspensions,
                           letters=sent_letters, error=error, today=today(), may_decide=admits(p, DECIDERS),
                           may_record=p.company_id is not None or admits(p, RECORDERS),
                           status_labels=status_labels(), letter_kinds=letters.texts.kinds()), status
