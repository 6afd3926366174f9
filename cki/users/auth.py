"""Checking credentials against users, tokens and API clients (the principal resolver).

- **Login sessions** live on the server: the cookie carries only a random session id whose hash
  names a :class:`~cki.users.models.LoginSession` row. Logging out ends that row; a password
  change or a deactivation ends every row and every API token of the user, so re-activation
  revives nothing. A session also ends by itself after ``SESSION_HOURS``.
- **Bearer tokens** of users (``/api/v1/auth/tokens``) and of API clients are stored hashed;
  an expired, revoked or deactivated one is refused (401).
"""
from __future__ import annotations

import functools
from datetime import timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, g, request, session
from flask_login import current_user, login_user, logout_user

from cki.core.auth import Principal, login_manager
from cki.core.db import attach_loaded, db, utcnow

#: ``flask.session`` key of the login session's id (the row stores its hash only).
SESSION_KEY = "cki_sid"


def _hasher() -> tuple[PasswordHasher, str]:
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
    """The active user with these credentials, or None."""
    from cki.users.models import User

    user = db.session.scalar(db.select(User).where(User.email == email.strip().lower()))
    if user is None:
        verify_password(_hasher()[1], password)
        return None
    if not verify_password(user.password_hash, password) or not user.active:
        return None
    return user


# -- login sessions (the web UI) ----------------------------------------------------------

def start_session(user) -> None:
    """Log ``user`` in: a new server-side session row, its id in the signed cookie."""
    from cki.users.models import LoginSession, new_token

    sid, digest = new_token()
    db.session.add(LoginSession(user_id=user.id, token_hash=digest,
                                expires_at=utcnow() + timedelta(hours=current_app.config["SESSION_HOURS"])))
    db.session.commit()
    language = session.get("language")  # the one thing kept: the language chosen before login
    session.clear()  # nothing of an earlier session carries over (session fixation)
    if language:
        session["language"] = language
    session[SESSION_KEY] = sid
    login_user(user)


def end_session() -> None:
    """Log out: the session row ends on the server, so the old cookie no longer works."""
    from cki.users.models import LoginSession, hash_token

    sid = session.get(SESSION_KEY)
    if sid:
        db.session.execute(sa.update(LoginSession).where(
            LoginSession.token_hash == hash_token(sid), LoginSession.ended_at.is_(None)).values(
            ended_at=utcnow(), ended_reason="uitgelogd"))
        db.session.commit()
    logout_user()
    session.clear()


@login_manager.user_loader
def _load_user(user_id: str):
    """The user of this cookie, if its server-side session is still open and the user active."""
    from cki.users.models import LoginSession, User, hash_token

    sid = session.get(SESSION_KEY)
    if not sid or not user_id.isdigit():
        return None
    return db.session.scalar(sa.select(User).join(LoginSession, LoginSession.user_id == User.id).where(
        User.id == int(user_id), User.active.is_(True), LoginSession.token_hash == hash_token(sid),
        LoginSession.ended_at.is_(None), LoginSession.expires_at > utcnow()))


def principal_for_user(user, *, by_cookie: bool = False) -> Principal:
    return Principal(
        cki_id=user.cki_id, label=user.name, company_id=user.company_id,
        roles=frozenset(r.value for r in user.roles), user_id=user.id, outsourced=user.outsourced,
        by_cookie=by_cookie)


# -- bearer tokens (the API) ------------------------------------------------------------------

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


def bearer_token() -> str | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def _bearer_principal(token: str) -> Principal | None:
    from cki.companies.models import Company
    from cki.users.models import ApiClient, hash_token

    digest = hash_token(token)
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
    if row is None or not row.ApiClient.active or row.ApiClient.expires_at <= utcnow():
        return None
    client = row.ApiClient
    g.company = row.Company
    return Principal(cki_id=client.cki_id, label=f"API: {client.name}", company_id=client.company_id,
                     client_id=client.id, client_kind=client.kind)


def resolve_principal() -> Principal | None:
    """This request's principal: a bearer token first, then the login session's cookie."""
    token = bearer_token()
    if token is not None:
        return _bearer_principal(token)
    if current_user.is_authenticated:
        return principal_for_user(current_user, by_cookie=True)
    return None
