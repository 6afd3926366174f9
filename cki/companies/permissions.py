"""The companies domain's one authorization policy, which the API and the pages both use."""
from cki.core.auth import Principal, admits
from cki.users.models import Role

#: Who registers and changes companies and branches.
EDITORS = (Role.ADMIN, Role.PLANNER, Role.OFFICE)


def may_edit(principal: Principal) -> bool:
    return admits(principal, EDITORS)


def may_read(principal: Principal) -> bool:
    """Staff (not an outsourced assessor: it sees only its dossiers, RULES.md §7) and a company's
    own users and systems (their own company: scoped by the lookup)."""
    return admits(principal)
