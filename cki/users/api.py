from flask.views import MethodView
from flask_smorest import abort

from cki.core.api import Blueprint
from cki.core.auth import authenticate, current_principal, require
from cki.core.db import db
from cki.core.limits import login_limit
from cki.core.tenancy import get_or_404, scoped_select
from cki.users import operations
from cki.users.models import ApiClient, Role, User
from cki.users.schemas import (
    ApiClientSchema,
    MeSchema,
    QualificationSchema,
    TokenRequestSchema,
    TokenSchema,
    UserSchema,
    UserUpdateSchema,
)

blp = Blueprint("users_api", __name__, url_prefix="/api/v1",
                description="Inloggen met tokens, gebruikers, rollen, kwalificaties en API-clients.")


@blp.route("/auth/tokens", methods=["POST"])
@blp.public
@login_limit
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenSchema)
def create_token(data):
    """Exchange e-mail and password for a bearer token (rate limited)."""
    user = authenticate(data["email"], data["password"])
    if user is None:
        abort(401, message="Onjuist e-mailadres of wachtwoord.")
    token, row = operations.issue_token(user)
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/me")
@require(anyone=True)
@blp.response(200, MeSchema)
def me():
    """Who you are acting as, in which CKI, with which roles."""
    p = current_principal()
    return {"user_id": p.user_id, "client_id": p.client_id, "label": p.label, "cki_id": p.cki_id,
            "company_id": p.company_id, "roles": sorted(p.roles)}


@blp.route("/users")
class Users(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, UserSchema(many=True))
    def get(self):
        """All users of your CKI (admin)."""
        return db.session.scalars(scoped_select(User).order_by(User.name)).all()

    @require(Role.ADMIN)
    @blp.arguments(UserSchema)
    @blp.response(201, UserSchema)
    def post(self, data):
        """Create a staff member or a company user (admin)."""
        user = operations.create_user(current_principal().cki_id, data)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>")
class UserItem(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, UserSchema)
    def get(self, user_id):
        """One user (admin)."""
        return get_or_404(User, user_id)

    @require(Role.ADMIN)
    @blp.arguments(UserUpdateSchema)
    @blp.response(200, UserSchema)
    def patch(self, data, user_id):
        """Change roles, name, password, or deactivate (admin)."""
        user = operations.update_user(get_or_404(User, user_id), data)
        db.session.commit()
        return user


@blp.route("/users/<int:user_id>/qualifications", methods=["POST"])
@require(Role.ADMIN, Role.QUALITY_MANAGER)
@blp.arguments(QualificationSchema)
@blp.response(201, QualificationSchema)
def add_qualification(data, user_id):
    """Record a qualification for a scheme and function, with its validity."""
    qualification = operations.add_qualification(get_or_404(User, user_id), data)
    db.session.commit()
    return qualification


@blp.route("/api-clients")
class ApiClients(MethodView):
    @require(Role.ADMIN)
    @blp.response(200, ApiClientSchema(many=True))
    def get(self):
        """API clients of your CKI (admin)."""
        return db.session.scalars(scoped_select(ApiClient).order_by(ApiClient.name)).all()

    @require(Role.ADMIN)
    @blp.arguments(ApiClientSchema)
    @blp.response(201, ApiClientSchema)
    def post(self, data):
        """Register a system (the SCA register, a company's system); its token is shown once."""
        token, client = operations.create_api_client(current_principal().cki_id, data)
        db.session.commit()
        result = ApiClientSchema().dump(client)
        result["token"] = token
        return result
