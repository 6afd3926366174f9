"""Who is acting: a staff member, a company user or an API client, and in which tenant.

The web UI authenticates with session cookies (Flask-Login); the JSON API with bearer
tokens. Both end in one :class:`Principal` that every query is scoped by.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from functools import wraps

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import abort, current_app, g, has_request_context, request
from flask_login import LoginManager, current_user

from cki.core.db import attach_loaded, db, utcnow

login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = "Log in om deze pagina te zien."



def _hasher() -> PasswordHasher:
    # Cost is configurable so the test suite can use cheap hashes; production keeps
    # argon2-cffi's defaults (RFC 9106 low-memory profile).
    cfg = current_app.config
    key = (cfg["ARGON2_TIME_COST"], cfg["ARGON2_MEMORY_KIB"])
    hashers = current_app.extensions.setdefault("argon2", {})
    if key not in hashers:
        hasher = PasswordHasher(time_cost=key[0], memory_cost=key[1])
        # Verified against when the e-mail is unknown, so a miss costs as long as a hit.
        hashers[key] = (hasher, hasher.hash("not a password"))
    return hashers[key]


def hash_password(password: str) -> str:
    return _hasher()[0].hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher()[0].verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def authenticate(email: str, password: str):
    """Return the active user with these credentials, or None."""
    from cki.users.models import User

    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_password(_hasher()[1], password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


@dataclass(frozen=True)
class Principal:
    cki_id: int
    label: str
    company_id: int | None = None
    roles: frozenset = field(default_factory=frozenset)
    user_id: int | None = None
    client_id: int | None = None
    client_kind: str | None = None
    outsourced: bool = False

    @property
    def is_staff(self) -> bool:
        return self.company_id is None and self.client_id is None

    def has_any(self, *roles) -> bool:
        return bool(self.roles & {getattr(r, "value", r) for r in roles})


def principal_for_user(user) -> Principal:
    return Principal(
        cki_id=user.cki_id, label=user.name, company_id=user.company_id,
        roles=frozenset(r.value for r in user.roles), user_id=user.id, outsourced=user.outsourced)


def principal_for_client(client) -> Principal:
    return Principal(
        cki_id=client.cki_id, label=f"API: {client.name}", company_id=client.company_id,
        client_id=client.id, client_kind=client.kind)


@login_manager.user_loader
def _load_user(user_id: str):
    from cki.users.models import User

    user = db.session.get(User, int(user_id))
    return user if user is not None and user.active else None


@functools.cache
def _token_query():
    """Token, user, roles (one row per role) and the user's company, in one prebuilt query: it
    runs on every API request, so it is compiled once and read without the ORM's loading."""
    from cki.companies.models import Company
    from cki.users.models import ApiToken, User, UserRole

    company = sa.inspect(Company)
    columns = [(f"company__{company.get_property_by_column(c).key}", c) for c in company.local_table.c]
    return (sa.select(ApiToken.expires_at, User.id, User.cki_id, User.name, User.company_id, User.outsourced,
                      User.active, UserRole.role, *(c.label(name) for name, c in columns))
            .join(User, User.id == ApiToken.user_id).outerjoin(UserRole, UserRole.user_id == User.id)
            .outerjoin(Company, Company.id == User.company_id)
            .where(ApiToken.token_hash == sa.bindparam("digest")))


def _bearer_principal() -> Principal | None:
    from cki.companies.models import Company
    from cki.users.models import ApiClient, hash_token

    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token:
        return None
    digest = hash_token(token.strip())
    rows = db.session.connection().execute(_token_query(), {"digest": digest}).all()
    if rows:
        expires_at, user_id, cki_id, name, company_id, outsourced, active = rows[0][:7]
        if expires_at <= utcnow() or not active:
            return None
        if company_id is not None:  # kept on g, as the session holds only what is referenced
            g.company = attach_loaded(Company(**{key.removeprefix("company__"): value
                                                 for key, value in rows[0]._mapping.items()
                                                 if key.startswith("company__")}))
        return Principal(cki_id=cki_id, label=name, company_id=company_id, user_id=user_id, outsourced=outsourced,
                         roles=frozenset(row.role for row in rows if row.role is not None))
    row = db.session.execute(db.select(ApiClient, Company).outerjoin(Company, Company.id == ApiClient.company_id)
                             .where(ApiClient.token_hash == digest)).first()
    client = row.ApiClient if row else None
    if client is not None and client.active:
        g.company = row.Company
        return principal_for_client(client)
    return None


def current_principal() -> Principal | None:
    """The principal of this request: bearer token first, then the session."""
    if "principal" not in g:
        if not has_request_context():
            return None  # a job sets g.principal itself
        principal = _bearer_principal()
        if principal is None and current_user.is_authenticated:
            principal = principal_for_user(current_user)
        g.principal = principal
    return g.principal


def current_company():
    """The company the principal acts for, or None (staff, the SCA register). A bearer token's
    query loaded it already; held on ``g``, as the session keeps only what is referenced."""
    principal = current_principal()
    if principal is None or principal.company_id is None:
        return None
    company = g.get("company")
    if company is None or company.id != principal.company_id:
        from cki.companies.models import Company

        g.company = company = db.session.get(Company, principal.company_id)
    return company


def require(*roles, staff: bool = False, client_kinds: tuple = (), anyone: bool = False):
    """Guard a view: 401 without credentials, 403 without one of ``roles``.

    ``staff=True`` admits any staff member; ``client_kinds`` admits API clients of those kinds.
    With no arguments staff, company users and company systems are admitted (queries are
    still scoped); the SCA register, which belongs to no company, only where named, so it
    never reads a CKI's dossiers or meldingen. ``anyone=True`` admits every principal (``/me``).
    """

    def decorator(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                abort(401)
            open_route = not (roles or staff or client_kinds)
            allowed = anyone or (open_route and (principal.is_staff or principal.company_id is not None))
            allowed = allowed or (staff and principal.is_staff)
            allowed = allowed or (principal.is_staff and principal.has_any(*roles))
            allowed = allowed or (principal.client_kind in client_kinds)
            if not allowed:
                abort(403)
            return view(*args, **kwargs)

        return wrapper

    return decorator
