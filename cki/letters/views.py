"""Pages of the post register: what waits to be sent and what was sent (the office sends from here),
incoming documents, one letter with its bezwaren, the templates the quality manager keeps, and for a
company the letters sent to it. Thin: the API's operations and policy."""
import marshmallow as ma
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import login_required

from cki.companies.models import Company
from cki.core import mail
from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.core.tenancy import get_or_404
from cki.core.web import form_int, submit
from cki.letters import operations
from cki.letters.api import load_letter
from cki.letters.models import IncomingDocument, IncomingKind, Letter, LetterStatus, LetterTemplate, Objection
from cki.letters.permissions import (
    DECIDERS,
    OFFICE,
    READERS,
    TEMPLATE_KEEPERS,
    visible_incoming,
    visible_letters,
    visible_objections,
)
from cki.letters.schemas import DispatchSchema, HearingSchema, ObjectionDecisionSchema, ObjectionInSchema
from workflows import letters as texts

bp = Blueprint("letters", __name__, url_prefix="/post", template_folder="templates")

# The kinds of letter and the fields of their templates as the pages name them (data/letters.json,
# Dutch; translated where the pages look them up), for the catalog. The letters themselves stay Dutch.
register_messages(lambda: [*(k.label for k in texts.kinds().values()), *texts.common_fields().values(),
                           *(what for k in texts.kinds().values() for what in k.fields.values())])


@bp.before_request
@login_required
def _readers_and_companies():
    p = current_principal()
    if p.outsourced or (p.is_staff and not admits(p, READERS)):
        abort(403)


def _form(*names) -> dict:
    return {k: v.strip() for k, v in request.form.items() if k in names and v.strip()}


@bp.route("/", methods=["GET", "POST"])
def index():
    p = current_principal()
    error, status = None, 200
    if request.method == "POST":
        if not admits(p, OFFICE):
            abort(403)

        def act() -> str:
            data = _form("company_id", "received_on", "channel", "description")
            company = db.session.get(Company, form_int(data.get("company_id")))
            if company is None or company.cki_id != p.cki_id:
                raise DomainError("company_id", _("Kies het bedrijf."))
            if not data.get("description") or not data.get("received_on"):
                raise DomainError("description", _("Geef de ontvangstdatum en wat er binnenkwam."))
            operations.register_incoming(cki_id=p.cki_id, company_id=company.id, kind=IncomingKind.OTHER,
                                         received_on=ma.fields.Date().deserialize(data["received_on"]),
                                         channel=data.get("channel"), description=data["description"])
            return _("Inkomend stuk geregistreerd.")

        result = submit(act, url_for(".index"))
        if not isinstance(result, tuple):
            return result
        error, status = result
    waiting = db.session.scalars(operations.waiting(p.cki_id).limit(500)).all() if p.is_staff else []
    sent = db.session.scalars(visible_letters().where(Letter.status == LetterStatus.SENT.value)
                              .order_by(Letter.sent_on.desc(), Letter.id.desc()).limit(100)).all()
    incoming = db.session.scalars(visible_incoming().order_by(IncomingDocument.received_on.desc(),
                                                              IncomingDocument.id.desc()).limit(100)).all()
    companies = (db.session.scalars(db.select(Company).where(Company.cki_id == p.cki_id).order_by(Company.name)
                                    .limit(2000)).all() if admits(p, OFFICE) else [])
    return render_template("letters/index.html", waiting=waiting, sent=sent, incoming=incoming, companies=companies,
                           may_send=admits(p, OFFICE), mail_configured=mail.configured(), today=today(),
                           error=error), status


@bp.route("/brieven/<int:letter_id>", methods=["GET", "POST"])
def show(letter_id):
    letter = load_letter(letter_id)
    p = current_principal()
    error, status = None, 200
    if request.method == "POST":
        action = request.form.get("action")

        def act() -> str:
            if action == "dispatch":
                if not admits(p, OFFICE):
                    abort(403)
                data = DispatchSchema().load(_form("sent_on", "channel", "email_to"))
                operations.dispatch(letter, data)
                return _("Verzending vastgelegd.") if data["channel"] == "post" else _("Brief per e-mail verzonden.")
            if action == "objection":
                if not (admits(p, OFFICE) or p.company_id is not None):
                    abort(403)
                objection = operations.file_objection(letter, ObjectionInSchema().load(
                    _form("kind", "grounds", "received_on", "posted_on", "channel", "court")), by_company=p.company_id is not None)
                return (_("Bezwaar vastgelegd; een ontvangstbevestiging wacht op verzending.") if objection.kind == "bezwaar"
                        else _("Beroep vastgelegd."))
            if action not in ("hearing", "decide"):
                abort(400)
            objection = get_or_404(Objection, request.form.get("objection_id", type=int) or 0)
            if objection.letter_id != letter.id:
                abort(404)
            if action == "hearing":
                if not admits(p, OFFICE + DECIDERS):
                    abort(403)
                operations.record_hearing(objection, HearingSchema().load(_form("hearing_on", "notes")))
                return _("Hoorzitting vastgelegd.")
            if not admits(p, DECIDERS):
                abort(403)
            operations.decide_objection(objection, ObjectionDecisionSchema().load(
                _form("outcome", "motivation", "new_decision", "decided_on")))
            return _("Beslissing vastgelegd.")

        result = submit(act, url_for(".show", letter_id=letter.id))
        if not isinstance(result, tuple):
            return result
        error, status = result
    objections = db.session.scalars(visible_objections().where(Objection.letter_id == letter.id)
                                    .order_by(Objection.id)).all()
    return render_template("letters/show.html", letter=letter, objections=objections, error=error, today=today(),
                           may_send=admits(p, OFFICE), may_decide=admits(p, DECIDERS),
                           may_object=letter.is_decision and letter.status == LetterStatus.SENT
                           and (admits(p, OFFICE) or p.company_id is not None),
                           mail_configured=mail.configured(), kinds=texts.kinds()), status


@bp.route("/bezwaren")
def objections():
    rows = db.session.scalars(visible_objections().order_by(Objection.received_on.desc(), Objection.id.desc())
                              .limit(1000)).all()
    return render_template("letters/objections.html", rows=rows)


@bp.route("/sjablonen", methods=["GET", "POST"])
def templates():
    p = current_principal()
    if not p.is_staff:
        abort(403)
    error, status = None, 200
    if request.method == "POST":
        if not admits(p, TEMPLATE_KEEPERS):
            abort(403)

        def act() -> str:
            if request.form.get("action") == "approve":
                template = get_or_404(LetterTemplate, request.form.get("template_id", type=int) or 0)
                operations.approve_template(template)
                return _("Versie %(version)s goedgekeurd: nieuwe brieven gebruiken haar.", version=template.version)
            data = _form("kind", "subject", "body", "note")
            if data.get("kind") not in texts.kinds():
                raise DomainError("kind", _("Kies de soort brief."))
            template = operations.write_template(p.cki_id, {"subject": "", "body": "", **data})
            return _("Versie %(version)s opgeslagen als concept; zij geldt pas na goedkeuring.", version=template.version)

        result = submit(act, url_for(".templates", kind=request.form.get("kind") or None))
        if not isinstance(result, tuple):
            return result
        error, status = result
    kind = request.args.get("kind")
    if kind not in texts.kinds():
        kind = None
    return render_template("letters/templates.html", rows=operations.template_overview(p.cki_id, kind),
                           kinds=texts.kinds(), common=texts.common_fields(), selected=kind,
                           may_edit=admits(p, TEMPLATE_KEEPERS), error=error), status
