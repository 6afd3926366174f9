from flask.views import MethodView
from flask_smorest import abort

from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.core.limits import account_limit, login_limit
from cki.core.tenancy import get_or_404, scoped_select
from cki.users import operations
from cki.users.auth import authenticate, bearer_token
from cki.users.models import ApiClient, ApiToken, ConflictDeclaration, Role, User, hash_token
from cki.users.schemas import (
    ApiClientSchema,
    ApiClientTokenSchema,
    ApiClientUpdateSchema,
    ConflictDeclarationSchema,
    MeSchema,
    MeUpdateSchema,
    QualificationSchema,
    TokenInfoSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
    UserUpdateSchema,
)

blp = Blueprint("users_api", __name__, tag="Gebruikers en toegang", url_prefix="/api/v1",
                description="Inloggen met tokens, gebruikers, rollen, kwalificaties en API-clients.")


@blp.route("/auth/tokens", methods=["POST"])
@blp.public
@login_limit
@account_limit
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(data):
    """Een bearer-token aanvragen met e-mailadres en wachtwoord

    Het aantal pogingen is beperkt per adres van de client, en mislukte pogingen ook per account (429)."""
    user = authenticate(data["email"], data["password"])
    if user is None:
        abort(401, message="Onjuist e-mailadres of wachtwoord.")
    token, row = operations.issue_token(user)
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at, "id": row.id}


def _own_user() -> User:
    p = current_principal()
    if p.user_id is None:
        abort(403, message="Alleen voor gebruikers; een API-client wordt door de beheerder geroteerd of gestopt.")
    return db.session.get(User, p.user_id)


@blp.route("/auth/tokens", methods=["GET"])
@require(anyone=True)
@blp.response(200, TokenInfoSchema(many=True))
def list_tokens():
    """Uw eigen API-tokens, de nieuwste eerst

    Nooit de tokens zelf; `current` is het token dat dit verzoek gebruikt."""
    user = _own_user()
    current = hash_token(bearer_token()) if bearer_token() else None
    rows = db.session.scalars(db.select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id.desc()))
    return [{"id": t.id, "created_at": t.created_at, "expires_at": t.expires_at, "current": t.token_hash == current}
            for t in rows]


@blp.route("/auth/tokens/current", methods=["DELETE"])
@require(anyone=True)
@blp.response(204)
def revoke_current_token():
    """Het token van dit verzoek intrekken

    Het werkt meteen niet meer (uitloggen bij de API)."""
    user = _own_user()
    token = bearer_token()
    row = token and db.session.scalar(db.select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    if not row:
        abort(404, message="Dit verzoek draagt geen eigen token.")
    operations.revoke_token(user, row)
    db.session.commit()


@blp.route("/auth/tokens/<int:token_id>", methods=["DELETE"])
@require(anyone=True)
@blp.response(204)
def revoke_token(token_id):
    """Een van uw eigen tokens intrekken

    Bijvoorbeeld dat van een verloren laptop."""
    user = _own_user()
    row = db.session.get(ApiToken, token_id)
    if row is None or row.user_id != user.id:
        abort(404)
    operations.revoke_token(user, row)
    db.session.commit()


def _me(p) -> dict:
    user = db.session.get(User, p.user_id) if p.user_id else None
    return {"user_id": p.user_id, "client_id": p.client_id, "label": p.label, "cki_id": p.cki_id,
            "company_id": p.company_id, "roles": sorted(p.roles), "language": user.language if user else None}


@blp.route("/me")
@require(anyone=True)
@blp.response(200, MeSchema)
def me():
    """Als wie u werkt

    In welke CKI, met welke rollen en in welke taal de pagina's verschijnen."""
    return _me(current_principal())


@blp.route("/me", methods=["PATCH"])
@require(anyone=True)
@blp.arguments(MeUpdateSchema)
@blp.response(200, MeSchema)
def update_me(data):
    """Eigen taal kiezen

    De taal van de pagina's voor uzelf: Nederlands (nl, de standaard) of Engels (en). Brieven en
    certificaten blijven Nederlands. Een API-koppeling heeft geen pagina's en dus geen taal."""
    p = current_principal()
    if p.user_id is None:
        abort(403, message="Een API-koppeling heeft geen taal; alleen een persoon kiest er een.")
    operations.set_language(db.session.get(User, p.user_id), data["language"])
    db.session.commit()
    return _me(p)


@blp.route("/users")
class Users(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """Alle gebruikers van uw CKI

        Voor de beheerder."""
        return db.session.scalars(scoped_select(User).order_by(User.name)).all()

    @require(Role.ADMIN)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Een medewerker of bedrijfsgebruiker aanmaken

        Voor de beheerder."""
        user = operations.create_user(current_principal().cki_id, data)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """Eén gebruiker

        Voor de beheerder."""
        return get_or_404(User, user_id)

    @require(Role.ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Een gebruiker wijzigen of deactiveren

        Rollen, naam of wachtwoord (beheerder). Een nieuw wachtwoord of een deactivering beëindigt elke
        inlogsessie en elk API-token van de gebruiker."""
        user = operations.update_user(get_or_404(User, user_id), data)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/qualifications", methods=["POST"])
@require(Role.ADMIN, Role.QUALITY_MANAGER)
@blp.arguments(QualificationSchema)
@blp.response(201, QualificationSchema)
def add_qualification(data, user_id):
    """Een kwalificatie vastleggen

    Voor een schema en functie, met de geldigheid."""
    qualification = operations.add_qualification(get_or_404(User, user_id), data)
    db.session.commit()
    return qualification


@blp.route("/users/<int:user_id>/conflict-declarations")
class ConflictDeclarations(MethodView):
    @require(Role.ADMIN, Role.QUALITY_MANAGER, Role.PLANNER)
    @blp.response(200, ConflictDeclarationSchema(many=True))
    def get(self, user_id):
        """Verklaringen van een persoon over belangenconflicten, de laatste eerst"""
        user = get_or_404(User, user_id)
        return db.session.scalars(db.select(ConflictDeclaration).where(ConflictDeclaration.user_id == user.id).order_by(
            ConflictDeclaration.declared_on.desc(), ConflictDeclaration.id.desc())).all()

    @require(Role.ADMIN, Role.QUALITY_MANAGER)
    @blp.arguments(ConflictDeclarationSchema)
    @blp.response(201, ConflictDeclarationSchema)
    def post(self, data, user_id):
        """Een verklaring over een belangenconflict met één bedrijf vastleggen

        Voor de kwaliteitsmanager."""
        declaration = operations.declare_conflict(get_or_404(User, user_id), data)
        db.session.commit()
        return declaration


@blp.route("/api-clients")
class ApiClients(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, ApiClientSchema(many=True))
    def get(self):
        """API-clients van uw CKI

        Voor de beheerder."""
        return db.session.scalars(scoped_select(ApiClient).order_by(ApiClient.name)).all()

    @require(Role.ADMIN)
    @blp.arguments(ApiClientSchema)
    @blp.response(201, ApiClientSchema)
    def post(self, data):
        """Een systeem registreren als API-client

        Bijvoorbeeld het SCA-register of het systeem van een bedrijf; het token wordt één keer getoond.
        Zonder `expires_at` verloopt het na `API_CLIENT_DAYS` (365 dagen)."""
        token, client = operations.create_api_client(current_principal().cki_id, data)
        db.session.commit()
        return _with_token(client, token)


def _with_token(client: ApiClient, token: str) -> dict:
    """The client as the schema shows it, with its token (the one time it is shown)."""
    return {**{name: getattr(client, name) for name in ApiClientSchema().dump_fields if name != "token"}, "token": token}


@blp.route("/api-clients/<int:client_id>", methods=["PATCH"])
@require(Role.ADMIN)
@blp.arguments(ApiClientUpdateSchema)
@blp.response(200, ApiClientSchema)
def update_api_client(data, client_id):
    """Een API-client wijzigen

    Hernoemen, deactiveren (`active: false`: het token werkt meteen niet meer) of weer activeren, of de
    vervaldatum verplaatsen (beheerder)."""
    client = operations.update_api_client(get_or_404(ApiClient, client_id), data)
    db.session.commit()
    return client


@blp.route("/api-clients/<int:client_id>/rotate", methods=["POST"])
@require(Role.ADMIN)
@blp.response(200, ApiClientTokenSchema)
def rotate_api_client(client_id):
    """Een nieuw token voor de API-client

    Het wordt één keer getoond; het oude token werkt meteen niet meer (beheerder)."""
    client = get_or_404(ApiClient, client_id)
    token = operations.rotate_api_client(client)
    db.session.commit()
    return _with_token(client, token)
