"""Who reads which part of the event log."""
from cki.core.auth import Principal
from cki.core.db import db


def may_read_log_of(principal: Principal, subject_type: str, subject_id: int) -> bool:
    """Staff read the log of any subject of their CKI (the query is scoped to it); an outsourced
    assessor only that of a dossier assigned to it (RULES.md §7)."""
    if not principal.outsourced:
        return principal.is_staff
    from cki.dossiers.permissions import assigned_dossier_ids

    return subject_type == "dossiers" and subject_id in db.session.scalars(assigned_dossier_ids(principal)).all()
