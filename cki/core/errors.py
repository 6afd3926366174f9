"""Domain errors the API and UI turn into clear answers."""
from http import HTTPStatus

from flask import render_template, request


class DomainError(Exception):
    """A refused action, with the field it concerns and the reason in Dutch (422)."""

    status = 422

    def __init__(self, field: str, message: str, *, location: str = "json"):
        super().__init__(message)
        self.field = field
        self.message = message
        self.location = location  # where the field was sent: json, query, form

    @property
    def reason(self) -> str:
        """The message in the reader's language, for a page (cki.core.i18n); the API answers
        ``message``, Dutch. A message built at run time is not in the catalog and stays Dutch."""
        from cki.core.i18n import say

        return say(self.message)


class Conflict(DomainError):
    """Someone else changed the record first (optimistic locking): 409, nothing written."""

    status = 409


def handle_domain_error(error: DomainError):
    from cki.core.db import db

    db.session.rollback()  # nothing half-written
    if request.path.startswith("/api/"):
        return {"code": error.status, "status": HTTPStatus(error.status).phrase,
                "message": error.message, "errors": {error.location: {error.field: [error.message]}}}, error.status
    return render_template("error.html", error=error), error.status


def handle_stale_data(_error):
    """A row changed by someone else between our read and our write (optimistic locking) that no
    operation caught: 409 like any other conflict, nothing written."""
    return handle_domain_error(Conflict("lock_version", "Het gegeven is intussen door iemand anders gewijzigd; "
                                                        "laad het opnieuw en probeer het nog eens."))
