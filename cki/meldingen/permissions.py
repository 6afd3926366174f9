"""The meldingen domain's one authorization policy, which the API and the pages both use."""
from cki.core.auth import Principal, admits
from cki.users.models import Role

#: Who records a fax, edits, cancels, merges or splits a melding, and handles LAVS messages.
STAFF_EDITORS = (Role.PLANNER, Role.OFFICE, Role.TEAM_LEADER, Role.ADMIN)
#: Who approves or refuses a calamity melding.
APPROVERS = (Role.PLANNER, Role.TEAM_LEADER)
#: Whose opening a melding counts as looked at (those who plan audits on it). Never shown to the
#: company: that the CKI looked at a job must not hint at an unannounced audit.
LOOKERS = (Role.PLANNER, Role.TEAM_LEADER)


def may(principal: Principal, roles) -> bool:
    """As the API's ``@require(*roles)``: a staff member holding one of ``roles``."""
    return admits(principal, roles)


def may_change(principal: Principal) -> bool:
    """Change or cancel a melding: the company (its own: scoped by the lookup) or a staff editor."""
    return principal.company_id is not None or may(principal, STAFF_EDITORS)


def may_see_register(principal: Principal) -> bool:
    """The meldingen register and its pages: staff (not an outsourced assessor, who sees only its
    dossiers, RULES.md §7) and company users (their own)."""
    return admits(principal)
