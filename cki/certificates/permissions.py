"""The certificates' one authorization policy, which the API and the pages both use."""
import sqlalchemy as sa

from cki.certificates.models import Certificate, IntendedDecision
from cki.core.auth import Principal, admits, current_principal
from cki.core.tenancy import scoped_select
from cki.users.models import Role

#: Who records that the holder will not continue (a letter in the post register).
RECORDERS = (Role.OFFICE, Role.PLANNER, Role.ADMIN)
#: Who takes besluiten on a certificate: withdrawal, suspension, and their intentions (A §4.3: never outsourced).
DECIDERS = (Role.DECIDER,)


def visible_certificates(principal: Principal | None = None):
    """Certificates the principal may see: its CKI's, a company's its own. An outsourced assessor
    is not admitted to the certificate routes: it sees its assigned audits only (RULES.md §7)."""
    return scoped_select(Certificate, principal or current_principal())


def visible_intentions(principal: Principal | None = None):
    """Intended decisions: staff see all of the CKI's; a company only those whose letter was sent
    to it (an intention still waiting for the office is not yet the company's to see)."""
    principal = principal or current_principal()
    stmt = scoped_select(IntendedDecision, principal)
    if principal.company_id is not None:
        stmt = stmt.where(IntendedDecision.sent_on.is_not(None))
    return stmt


def search(stmt, q: str | None):
    """Holder name, KvK number, certificate number or place, case-insensitive."""
    if not q:
        return stmt
    like = f"%{q.strip()}%"
    return stmt.where(sa.or_(Certificate.holder_name.ilike(like), Certificate.holder_kvk.like(like),
                             Certificate.number.ilike(like), Certificate.holder_place.ilike(like)))


def may_record(principal: Principal) -> bool:
    return admits(principal, RECORDERS)
