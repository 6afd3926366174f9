"""Tenant scoping: every query is limited to the principal's CKI, and for company
users and company systems to their own company. Foreign ids answer 404, never 403,
so ids of other tenants cannot be probed."""
from flask import abort

from cki.core.auth import current_principal
from cki.core.db import db


def scoped_select(model, principal=None):
    """``select(model)`` limited to what the principal may see."""
    principal = principal or current_principal()
    stmt = db.select(model).where(model.cki_id == principal.cki_id)
    if principal.company_id is not None:
        owner = getattr(model, "__company_column__", "company_id")
        stmt = stmt.where(getattr(model, owner) == principal.company_id)
    return stmt


def get_or_404(model, ident, principal=None):
    """The row with this id if the principal may see it, else 404."""
    principal = principal or current_principal()
    row = db.session.get(model, ident)
    if row is None or row.cki_id != principal.cki_id:
        abort(404)
    if principal.company_id is not None:
        owner = getattr(model, "__company_column__", "company_id")
        if getattr(row, owner, None) != principal.company_id:
            abort(404)
    return row
