"""State-changing verbs on users, their credentials and API clients: change, flush, write the
event log. Ending credentials is part of the change that calls for it (a password change, a
deactivation), in the same transaction."""
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from cki.companies.models import Company
from cki.core.db import db, utcnow
from cki.core.errors import DomainError
from cki.events.operations import log_event
from cki.users.auth import hash_password
from cki.users.models import ApiClient, ApiToken, ConflictDeclaration, LoginSession, Qualification, User, new_token


def _public(user: User) -> dict:
    return {"email": user.email, "name": user.name, "kind": user.kind, "company_id": user.company_id,
            "roles": sorted(r.value for r in user.roles), "active": user.active,
            "outsourced": user.outsourced}


def _company_in_tenant(cki_id: int, company_id):
    if company_id is None:
        return
    company = db.session.get(Company, company_id)
    if company is None or company.cki_id != cki_id:
        raise DomainError("company_id", "Onbekend bedrijf.")


def create_user(cki_id: int, data: dict) -> User:
    email = data["email"].strip().lower()
    if db.session.scalar(db.select(User.id).where(User.email == email)) is not None:
        raise DomainError("email", "Dit e-mailadres is al in gebruik.")
    _company_in_tenant(cki_id, data.get("company_id"))
    user = User(cki_id=cki_id, email=email, name=data["name"], kind=data["kind"],
                company_id=data.get("company_id"), outsourced=data.get("outsourced", False),
                password_hash=hash_password(data["password"]))
    user.roles = data.get("roles", [])
    db.session.add(user)
    db.session.flush()
    log_event(user, "user.created", after=_public(user))
    return user


def update_user(user: User, data: dict) -> User:
    """Change a user. A new password or a deactivation ends every session and token of the user:
    whoever held them must log in again (and a re-activated user starts with none)."""
    before = _public(user)
    if "roles" in data:
        if not user.is_staff and data["roles"]:
            raise DomainError("roles", "Bedrijfsgebruikers hebben geen CKI-rollen.")
        user.roles = data["roles"]
    for key in ("name", "outsourced", "active"):
        if key in data:
            setattr(user, key, data[key])
    reasons = []
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
        reasons.append("wachtwoord gewijzigd")
    if data.get("active") is False and before["active"]:
        reasons.append("gedeactiveerd")
    db.session.flush()
    ended = end_credentials(user, "; ".join(reasons)) if reasons else None
    log_event(user, "user.updated", before=before, after=_public(user),
              note="; ".join(reasons + ([f"{ended['sessions']} sessie(s) en {ended['tokens']} token(s) beëindigd"]
                                        if ended else [])) or None)
    return user


def set_language(user: User, language: str) -> User:
    """The language of the pages ``user`` reads (cki.core.i18n.LANGUAGES)."""
    from cki.core.i18n import chosen

    language = chosen(language)
    if user.language != language:
        before = user.language
        user.language = language
        db.session.flush()
        log_event(user, "user.language_set", before={"language": before}, after={"language": language})
    return user


def end_credentials(user: User, reason: str) -> dict:
    """End every open login session and delete every API token of ``user``."""
    sessions = db.session.execute(sa.update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)).values(
        ended_at=utcnow(), ended_reason=reason[:100])).rowcount
    tokens = db.session.execute(sa.delete(ApiToken).where(ApiToken.user_id == user.id)).rowcount
    return {"sessions": sessions, "tokens": tokens}


def add_qualification(user: User, data: dict) -> Qualification:
    if not user.is_staff:
        raise DomainError("user_id", "Alleen CKI-medewerkers hebben kwalificaties.")
    qualification = Qualification(cki_id=user.cki_id, **data)
    user.qualifications.append(qualification)
    db.session.flush()
    log_event(user, "qualification.added", after={"qualification_id": qualification.id, **{
        k: str(v) if v is not None else None for k, v in data.items()}})
    return qualification


def declare_conflict(user: User, data: dict) -> ConflictDeclaration:
    """Record a person's declaration about a conflict of interest with one company; the latest
    one on or before an audit date decides whether the person may audit it."""
    if not user.is_staff:
        raise DomainError("user_id", "Alleen CKI-medewerkers verklaren over belangenverstrengeling.")
    _company_in_tenant(user.cki_id, data["company_id"])
    declaration = ConflictDeclaration(cki_id=user.cki_id, user_id=user.id, **data)
    db.session.add(declaration)
    db.session.flush()
    log_event(user, "conflict_declaration.recorded", after={
        "declaration_id": declaration.id, "company_id": declaration.company_id,
        "declared_on": declaration.declared_on.isoformat(), "clear": declaration.clear})
    return declaration


def issue_token(user: User) -> tuple[str, ApiToken]:
    token, digest = new_token()
    row = ApiToken(user_id=user.id, token_hash=digest,
                   expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    db.session.flush()
    return token, row


def revoke_token(user: User, token: ApiToken) -> None:
    """The user ends one of its own API tokens (it stops working at once)."""
    if token.user_id != user.id:
        raise DomainError("token_id", "Onbekend token.")
    db.session.delete(token)
    db.session.flush()
    log_event(user, "token.revoked", after={"token_id": token.id, "created_at": token.created_at.isoformat()})


def create_api_client(cki_id: int, data: dict) -> tuple[str, ApiClient]:
    _company_in_tenant(cki_id, data.get("company_id"))
    token, digest = new_token()
    data = dict(data)
    data.setdefault("expires_at", utcnow() + timedelta(days=current_app.config["API_CLIENT_DAYS"]))
    client = ApiClient(cki_id=cki_id, token_hash=digest, **data)
    db.session.add(client)
    db.session.flush()
    log_event(client, "api_client.created", after=_client(client))
    return token, client


def _client(client: ApiClient) -> dict:
    return {"name": client.name, "kind": client.kind, "company_id": client.company_id, "active": client.active,
            "expires_at": client.expires_at.isoformat()}


def update_api_client(client: ApiClient, data: dict) -> ApiClient:
    """Rename, deactivate or re-activate a client, or move its expiry."""
    before = _client(client)
    for key in ("name", "active", "expires_at"):
        if key in data:
            setattr(client, key, data[key])
    db.session.flush()
    log_event(client, "api_client.updated", before=before, after=_client(client))
    return client


def rotate_api_client(client: ApiClient) -> str:
    """A new token for the client; the old one stops working at once. Returns the new token."""
    token, digest = new_token()
    client.token_hash, client.rotated_at = digest, utcnow()
    db.session.flush()
    log_event(client, "api_client.rotated", after=_client(client), note="nieuw token uitgegeven; het oude werkt niet meer")
    return token
