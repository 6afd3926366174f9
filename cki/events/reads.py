"""Every read by the read-only reviewer (the accreditation body, the inspectorate) is logged in
the read log: which page or API answer, when, with what outcome (RULES.md §7)."""
from flask import request

from cki.core.auth import current_principal
from cki.core.db import db
from cki.events.operations import log_read
from cki.users.models import Role


def log_reviewer_read(response):
    """After each answer to a reviewer: one read-log entry, committed with the answer."""
    if request.endpoint in (None, "static") or request.method not in ("GET", "HEAD"):
        return response
    principal = current_principal()
    if principal is None or not principal.is_staff or not principal.has_any(Role.REVIEWER):
        return response
    company_id = (request.view_args or {}).get("company_id")
    what = "api" if request.path.startswith("/api/") else "pagina"
    log_read(f"toezicht: {what}", company_id=company_id,
             detail=f"{request.method} {request.full_path.rstrip('?')} -> {response.status_code}")
    db.session.commit()
    return response


def init_app(app) -> None:
    app.after_request(log_reviewer_read)
