"""The letters' one authorization policy, which the API and the pages both use."""
import sqlalchemy as sa

from cki.core.auth import Principal, current_principal
from cki.core.tenancy import scoped_select
from cki.letters.models import IncomingDocument, Letter, LetterStatus, Objection
from cki.users.models import Role

#: Who keeps the post register: sends letters, registers what comes in, records bezwaren.
OFFICE = (Role.OFFICE,)
#: Who decides on a bezwaar (a besluit; A §4.3: never outsourced) and records the court's judgment.
DECIDERS = (Role.DECIDER,)
#: Who writes and approves the letter templates.
TEMPLATE_KEEPERS = (Role.QUALITY_MANAGER,)
#: Staff who read the post register (an outsourced assessor does not).
READERS = (Role.OFFICE, Role.DECIDER, Role.TEAM_LEADER, Role.PLANNER, Role.ASSESSOR, Role.QUALITY_MANAGER,
           Role.REVIEWER, Role.ADMIN)


def visible_letters(principal: Principal | None = None):
    """A CKI's letters for its staff; a company sees only the letters sent to it, never one that
    is still waiting (a draft is not yet a letter)."""
    principal = principal or current_principal()
    stmt = scoped_select(Letter, principal)
    if principal.company_id is not None:
        stmt = stmt.where(Letter.status == LetterStatus.SENT.value)
    return stmt


def visible_incoming(principal: Principal | None = None):
    return scoped_select(IncomingDocument, principal or current_principal())


def visible_objections(principal: Principal | None = None):
    return scoped_select(Objection, principal or current_principal())


def letter_visible(letter: Letter, principal: Principal | None = None) -> bool:
    principal = principal or current_principal()
    if letter.cki_id != principal.cki_id:
        return False
    if principal.company_id is not None:
        return letter.company_id == principal.company_id and letter.status == LetterStatus.SENT
    return True


def search(stmt, q: str | None):
    if not q:
        return stmt
    like = f"%{q.strip()}%"
    return stmt.where(sa.or_(Letter.subject.ilike(like), Letter.reference.ilike(like)))
