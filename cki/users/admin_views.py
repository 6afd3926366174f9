"""The admin's pages for users (roles, qualifications, password, deactivation, API tokens) and for
API clients: what the users API does, through the same operations, schemas and rule (``admits``).
The quality manager may open the staff's pages to record a qualification, as in the API.
Thin: the form becomes the API's input, the operation decides, the page says why it refused."""
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import marshmallow as ma
import sqlalchemy as sa
import sqlalchemy.orm
from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_login import login_required

from cki.companies.models import Company
from cki.core.auth import admits, current_principal
from cki.core.db import db, utcnow
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.core.tenancy import get_or_404, scoped_select
from cki.core.web import form_int, refusal, submit
from cki.users import operations
from cki.users.models import ROLE_LABELS, ApiClient, ApiToken, Role, User, UserKind
from cki.users.schemas import (
    FUNCTIONS,
    SCHEMES,
    ApiClientSchema,
    ApiClientUpdateSchema,
    QualificationSchema,
    UserSchema,
    UserUpdateSchema,
)

bp = Blueprint("admin", __name__, url_prefix="/beheer", template_folder="templates")

ADMINS = (Role.ADMIN,)
#: Who records a qualification: as ``POST /api/v1/users/<id>/qualifications``.
QUALIFIERS = (Role.ADMIN, Role.QUALITY_MANAGER)
#: The pages a qualifier who is no admin may open: the staff list and a staff member's page.
QUALIFIER_PAGES = {"admin.users", "admin.user"}

#: The Dutch name of each input, as a refusal names it ("E-mailadres: Geen geldig e-mailadres.").
FIELDS = {
    "name": "Naam", "email": "E-mailadres", "password": "Wachtwoord", "password_repeat": "Herhaling wachtwoord",
    "kind": "Soort", "company_id": "Bedrijf", "roles": "Rollen", "outsourced": "Ingehuurd", "active": "Actief",
    "scheme": "Schema", "function": "Functie", "valid_from": "Geldig vanaf", "valid_to": "Geldig tot en met",
    "evidence": "Onderbouwing", "user_id": "Gebruiker", "token_id": "Token", "expires_at": "Verloopt op",
    "_schema": "Formulier",
}
#: What an API client is (ApiClient.kind), as people read it.
CLIENT_KINDS = {"sca_register": "SCA-register", "company_system": "Systeem van een bedrijf"}
#: A qualification's function: the role of the same name.
FUNCTION_LABELS = {f: ROLE_LABELS[Role(f)] for f in FUNCTIONS}
register_messages(FIELDS.values)
register_messages(CLIENT_KINDS.values)  # the functions are the roles (cki.users.models)


def field_name(field: str) -> str:
    """An input's name as the reader reads it; one the page does not name, as it is."""
    return _(FIELDS[field]) if field in FIELDS else field


def _translated(labels: dict) -> dict:
    return {code: _(text) for code, text in labels.items()}


@bp.before_request
@login_required
def _admins_only():
    p = current_principal()
    if admits(p, ADMINS) or (request.endpoint in QUALIFIER_PAGES and admits(p, QUALIFIERS)):
        return None
    abort(403)


# -- refusals that name the field (in the reader's language) ------------------------------------

def _messages(value) -> list[str]:
    """A field's messages as a flat list (a list field's errors come per item)."""
    if isinstance(value, dict):
        return [m for v in value.values() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for v in value for m in _messages(v)]
    return [str(value)]


def _load(schema: ma.Schema, data: dict) -> dict:
    """The form's data as the API's schema takes it; refused, each field by its Dutch name."""
    try:
        return schema.load(data)
    except ma.ValidationError as error:
        raise ma.ValidationError({field_name(k): _messages(v) for k, v in error.messages.items()}) from None


def _named(act):
    """``act`` whose domain refusals name the field in Dutch too (for :func:`submit`)."""
    def run():
        try:
            return act()
        except DomainError as error:
            if error.field not in FIELDS:
                raise
            raise type(error)(error.field, f"{field_name(error.field)}: {error.reason}",
                              location="form") from None
    return run


def _chosen(acts: dict, action: str):
    """The act the form's ``action`` names (400 for one the page does not have), refusals named."""
    if action not in acts:
        abort(400)
    return _named(acts[action])


def _day(value: str, field: str) -> date:
    try:
        return ma.fields.Date().deserialize(value)
    except ma.ValidationError as error:
        raise ma.ValidationError({field_name(field): _messages(error.messages)}) from None


def _text(name: str) -> str:
    return request.form.get(name, "").strip()


def _companies():
    return db.session.scalars(scoped_select(Company).order_by(Company.name).limit(5000)).all()


# -- users -------------------------------------------------------------------------------------

def _new_user() -> tuple[str, str]:
    kind = request.form.get("kind")
    data = {"kind": kind, "name": _text("name"), "email": _text("email"), "password": request.form.get("password", "")}
    if kind == UserKind.STAFF.value:
        data.update(roles=request.form.getlist("roles"), outsourced="outsourced" in request.form)
    elif kind == UserKind.COMPANY.value:
        data["company_id"] = form_int(request.form.get("company_id")) or None
    else:
        abort(400)
    user = operations.create_user(current_principal().cki_id, _load(UserSchema(), data))
    return _("Gebruiker %(name)s is aangemaakt.", name=user.name), url_for(".user", user_id=user.id)


@bp.route("/gebruikers", methods=["GET", "POST"])
def users():
    p = current_principal()
    is_admin = admits(p, ADMINS)
    error, status = None, 200
    if request.method == "POST":
        if not is_admin:
            abort(403)
        result = submit(_named(_new_user), url_for(".users"))
        if not isinstance(result, tuple):
            return result
        error, status = result
    query = scoped_select(User).options(sa.orm.selectinload(User.company)).order_by(User.name, User.id)
    if not is_admin:  # the quality manager: the staff, to record their qualifications
        query = query.where(User.kind == UserKind.STAFF.value)
    return render_template("users/admin_users.html", users=db.session.scalars(query).all(), is_admin=is_admin,
                           companies=_companies() if is_admin else [], roles=list(Role), error=error,
                           failed=request.form.get("kind") if error else None, entered=request.form), status


def _user_action(user: User, action: str):
    """The act of one form of the user's page (for :func:`submit`)."""
    def edit():
        data = {"name": _text("name")}
        if user.is_staff:
            data.update(roles=request.form.getlist("roles"), outsourced="outsourced" in request.form)
        operations.update_user(user, _load(UserUpdateSchema(), data))
        return _("De gegevens van %(name)s zijn opgeslagen.", name=user.name)

    def deactivate():
        operations.update_user(user, {"active": False})
        return _("%(name)s is gedeactiveerd; alle sessies en API-tokens van deze gebruiker zijn beëindigd.",
                 name=user.name)

    def reactivate():
        operations.update_user(user, {"active": True})
        return _("%(name)s is weer actief en kan opnieuw inloggen.", name=user.name)

    def password():
        new = request.form.get("password", "")
        if not new:
            raise DomainError("password", _("Vul het nieuwe wachtwoord in."))
        if new != request.form.get("password_repeat", ""):
            raise DomainError("password_repeat", _("De twee wachtwoorden zijn niet gelijk."))
        operations.update_user(user, _load(UserUpdateSchema(), {"password": new}))
        return _("Nieuw wachtwoord ingesteld; alle sessies en API-tokens van %(name)s zijn beëindigd.", name=user.name)

    def qualification():
        data = {k: _text(k) for k in ("scheme", "function", "valid_from", "valid_to", "evidence") if _text(k)}
        operations.add_qualification(user, _load(QualificationSchema(), data))
        return _("Kwalificatie vastgelegd.")

    def revoke_token():
        token = db.session.get(ApiToken, form_int(request.form.get("token_id")))
        if token is None or token.user_id != user.id:
            abort(404)
        operations.revoke_token(user, token)
        return _("API-token ingetrokken; het werkt niet meer.")

    return _chosen({"edit": edit, "deactivate": deactivate, "reactivate": reactivate, "password": password,
                    "qualification": qualification, "revoke_token": revoke_token}, action)


@bp.route("/gebruikers/<int:user_id>", methods=["GET", "POST"])
def user(user_id):
    p = current_principal()
    is_admin = admits(p, ADMINS)
    user = get_or_404(User, user_id)
    if not is_admin and not user.is_staff:
        abort(404)  # the quality manager reaches the staff only
    error, status, action = None, 200, request.form.get("action")
    if request.method == "POST":
        if not (admits(p, QUALIFIERS) if action == "qualification" else is_admin):
            abort(403)
        result = submit(_user_action(user, action), url_for(".user", user_id=user.id))
        if not isinstance(result, tuple):
            return result
        error, status = result
    tokens = (db.session.scalars(sa.select(ApiToken).where(ApiToken.user_id == user.id)
                                 .order_by(ApiToken.id.desc())).all() if is_admin else [])
    return render_template("users/admin_user.html", user=user, is_admin=is_admin, tokens=tokens, now=utcnow(),
                           roles=list(Role), schemes=SCHEMES, functions=_translated(FUNCTION_LABELS), error=error,
                           failed=action if error else None, entered=request.form), status


# -- API clients -------------------------------------------------------------------------------

def _expiry(field: str = "expires_at") -> str | None:
    """The form's expiry date as the moment the token stops: the start of that day here."""
    value = _text(field)
    if not value:
        return None
    zone = ZoneInfo(current_app.config["DISPLAY_TIMEZONE"])
    return datetime.combine(_day(value, field), time(), tzinfo=zone).isoformat()


def _new_client() -> tuple[str, ApiClient]:
    data = {"name": _text("name"), "kind": request.form.get("kind", ""),
            "company_id": form_int(request.form.get("company_id")) or None}
    if expires_at := _expiry():
        data["expires_at"] = expires_at
    return operations.create_api_client(current_principal().cki_id, _load(ApiClientSchema(), data))


def _rotated() -> tuple[str, ApiClient]:
    client = get_or_404(ApiClient, form_int(request.form.get("client_id")))
    return operations.rotate_api_client(client), client


def _client_action(action: str):
    client = get_or_404(ApiClient, form_int(request.form.get("client_id")))

    def edit():
        data = {"name": _text("name")}
        if expires_at := _expiry():
            data["expires_at"] = expires_at
        operations.update_api_client(client, _load(ApiClientUpdateSchema(), data))
        return _("API-koppeling %(name)s is gewijzigd.", name=client.name)

    def deactivate():
        operations.update_api_client(client, {"active": False})
        return _("API-koppeling %(name)s is gedeactiveerd; haar token werkt niet meer.", name=client.name)

    def reactivate():
        operations.update_api_client(client, {"active": True})
        return _("API-koppeling %(name)s is weer actief.", name=client.name)

    return _chosen({"edit": edit, "deactivate": deactivate, "reactivate": reactivate}, action)


@bp.route("/api-koppelingen", methods=["GET", "POST"])
def clients():
    error, status, secret, action = None, 200, None, request.form.get("action")
    if request.method == "POST":
        if action in ("create", "rotate"):
            # The token is shown on this answer, once: no redirect, never in the session cookie.
            try:
                token, client = _named(_new_client if action == "create" else _rotated)()
            except (DomainError, ma.ValidationError) as refused:
                db.session.rollback()
                error, status = refusal(refused), getattr(refused, "status", 422)
            else:
                db.session.commit()
                secret = {"token": token, "client": client, "rotated": action == "rotate"}
        else:
            result = submit(_client_action(action), url_for(".clients"))
            if not isinstance(result, tuple):
                return result
            error, status = result
    rows = db.session.scalars(scoped_select(ApiClient).order_by(ApiClient.name, ApiClient.id)).all()
    companies = _companies()
    return render_template("users/admin_clients.html", clients=rows, companies=companies, kinds=_translated(CLIENT_KINDS),
                           company_names={c.id: c.name for c in companies},
                           now=utcnow(), secret=secret, error=error, failed=action if error else None,
                           entered=request.form, default_days=current_app.config["API_CLIENT_DAYS"]), status
