"""The company a request acts for."""
from flask import g

from cki.companies.models import Company
from cki.core.auth import current_principal
from cki.core.db import db


def current_company() -> Company | None:
    """The company the principal acts for, or None (staff, the SCA register). A bearer token's
    query loaded it already; held on ``g``, as the session keeps only what is referenced."""
    principal = current_principal()
    if principal is None or principal.company_id is None:
        return None
    company = g.get("company")
    if company is None or company.id != principal.company_id:
        g.company = company = db.session.get(Company, principal.company_id)
    return company
