"""State-changing verbs on companies and branches: change, flush, write the event log.
A change of the holder's data or branches is announced (:data:`holder_changed`), so that what was
certified with those data follows in the same transaction (the certificates, the SCA register)."""
from blinker import Namespace

from cki.companies.models import Branch, Company
from cki.core.db import db
from cki.core.errors import DomainError
from cki.events.operations import log_event

COMPANY_FIELDS = ("name", "place", "kvk_number")
BRANCH_FIELDS = ("name", "address", "kvk_number", "is_head_office")


#: Sent with (company, change={"company"|"branch": {"before": ..., "after": ...}}) after a change.
holder_changed = Namespace().signal("holder-changed")


def snapshot(obj, fields) -> dict:
    return {f: getattr(obj, f) for f in fields}


def _check_kvk_free(cki_id: int, kvk_number: str, exclude_id=None):
    stmt = db.select(Company.id).where(Company.cki_id == cki_id, Company.kvk_number == kvk_number)
    if exclude_id is not None:
        stmt = stmt.where(Company.id != exclude_id)
    if db.session.scalar(stmt) is not None:
        raise DomainError("kvk_number", "Er is al een bedrijf met dit KvK-nummer bij deze CKI.")


def create_company(cki_id: int, data: dict) -> Company:
    _check_kvk_free(cki_id, data["kvk_number"])
    company = Company(cki_id=cki_id, **data)
    db.session.add(company)
    db.session.flush()
    log_event(company, "company.created", after=snapshot(company, COMPANY_FIELDS))
    return company


def update_company(company: Company, data: dict) -> Company:
    if "kvk_number" in data:
        _check_kvk_free(company.cki_id, data["kvk_number"], exclude_id=company.id)
    before = snapshot(company, COMPANY_FIELDS)
    for key, value in data.items():
        setattr(company, key, value)
    db.session.flush()
    after = snapshot(company, COMPANY_FIELDS)
    log_event(company, "company.updated", before=before, after=after)
    if after != before:
        holder_changed.send(company, change={"company": {"before": before, "after": after}})
    return company


def create_branch(company: Company, data: dict) -> Branch:
    branch = Branch(cki_id=company.cki_id, company=company, **data)
    db.session.add(branch)
    db.session.flush()
    after = {"branch_id": branch.id, **snapshot(branch, BRANCH_FIELDS)}
    log_event(company, "branch.created", after=after)
    holder_changed.send(company, change={"branch": {"before": None, "after": after}})
    return branch


def update_branch(branch: Branch, data: dict) -> Branch:
    before = snapshot(branch, BRANCH_FIELDS)
    for key, value in data.items():
        setattr(branch, key, value)
    db.session.flush()
    before, after = {"branch_id": branch.id, **before}, {"branch_id": branch.id, **snapshot(branch, BRANCH_FIELDS)}
    log_event(branch.company, "branch.updated", before=before, after=after)
    if after != before:
        holder_changed.send(branch.company, change={"branch": {"before": before, "after": after}})
    return branch
