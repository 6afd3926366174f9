"""State-changing verbs on users and API clients: change, flush, write the event log."""
from datetime import timedelta

from flask import current_app

from cki.companies.models import Company
from cki.core.auth import hash_password
from cki.core.db import db, utcnow
from cki.core.errors import DomainError
from cki.events.operations import log_event
from cki.users.models import ApiClient, ApiToken, Qualification, User, new_token


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
    before = _public(user)
    if "roles" in data:
        if not user.is_staff and data["roles"]:
            raise DomainError("roles", "Bedrijfsgebruikers hebben geen CKI-rollen.")
        user.roles = data["roles"]
    for key in ("name", "outsourced", "active"):
        if key in data:
            setattr(user, key, data[key])
    if data.get("password"):
        user.password_hash = hash_password(data["password"])
    db.session.flush()
    log_event(user, "user.updated", before=before, after=_public(user),
              note="wachtwoord gewijzigd" if data.get("password") else None)
    return user


def add_qualification(user: User, data: dict) -> Qualification:
    if not user.is_staff:
        raise DomainError("user_id", "Alleen CKI-medewerkers hebben kwalificaties.")
    qualification = Qualification(cki_id=user.cki_id, **data)
    user.qualifications.append(qualification)
    db.session.flush()
    log_event(user, "qualification.added", after={"qualification_id": qualification.id, **{
        k: str(v) if v is not None else None for k, v in data.items()}})
    return qualification


def issue_token(user: User) -> tuple[str, ApiToken]:
    token, digest = new_token()
    row = ApiToken(user_id=user.id, token_hash=digest,
                   expires_at=utcnow() + timedelta(hours=current_app.config["API_TOKEN_HOURS"]))
    db.session.add(row)
    db.session.flush()
    return token, row


def create_api_client(cki_id: int, data: dict) -> tuple[str, ApiClient]:
    _company_in_tenant(cki_id, data.get("company_id"))
    token, digest = new_token()
    client = ApiClient(cki_id=cki_id, token_hash=digest, **data)
    db.session.add(client)
    db.session.flush()
    log_event(client, "api_client.created", after={k: v for k, v in data.items()})
    return token, client
