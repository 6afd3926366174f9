"""The office's page of what the SCA register was sent: when, how, delivered, confirmed with the
register's reference, or failed with what error (retry). Thin: the API's operations."""
import sqlalchemy as sa
from flask import Blueprint, abort, render_template, request, url_for
from flask_login import login_required

from cki.core.auth import admits, current_principal
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.web import form_int, submit
from cki.register import operations
from cki.register.models import RegisterMessage
from cki.register.permissions import STAFF
from cki.users.models import Role

bp = Blueprint("register", __name__, url_prefix="/post/register", template_folder="templates")
bp.after_app_request(operations.deliver_at_once)  # a withdrawal reaches the register as its request ends


@bp.route("/", methods=["GET", "POST"])
@login_required
def index():
    p = current_principal()
    if not admits(p, STAFF):
        abort(403)
    error, status = None, 200
    if request.method == "POST":
        if not admits(p, (Role.OFFICE,)):
            abort(403)

        def act() -> str:
            message = db.session.scalar(sa.select(RegisterMessage).where(
                RegisterMessage.cki_id == p.cki_id, RegisterMessage.id == form_int(request.form.get("message_id"))))
            if message is None:
                abort(404)
            if request.form.get("action") == "retry":
                operations.retry(message)
                return _("Het bericht gaat binnen een minuut opnieuw.")
            reference = request.form.get("reference", "").strip()
            if not reference or len(reference) > 100:
                raise DomainError("reference", _("Geef het kenmerk van het register (hoogstens 100 tekens)."))
            operations.confirm(message, reference)
            return _("Registratie bevestigd.")

        result = submit(act, url_for(".index"))
        if not isinstance(result, tuple):
            return result
        error, status = result
    rows = db.session.scalars(sa.select(RegisterMessage).where(RegisterMessage.cki_id == p.cki_id)
                              .order_by(RegisterMessage.id.desc()).limit(300)).all()
    return render_template("register/index.html", rows=rows, error=error, may_act=admits(p, (Role.OFFICE,))), status
