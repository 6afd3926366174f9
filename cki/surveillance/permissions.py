"""Surveillance's one authorization policy, which the API and the pages both use. The law's own
guards (qualification, conflicts, daily cap, catch-up) are in ``workflows.surveillance``."""
import sqlalchemy as sa

from cki.core.auth import Principal, admits, current_principal
from cki.core.tenancy import scoped_select
from cki.surveillance.models import Audit, AuditAuditor, AuditStatus, WithdrawalProposal
from cki.users.models import Role

#: Who plans and cancels audits.
PLANNERS = (Role.PLANNER, Role.TEAM_LEADER, Role.ADMIN)
#: Who records that an audit took place (an assessor only its own audits).
RECORDERS = (Role.ASSESSOR, Role.TEAM_LEADER, Role.PLANNER)
#: Who moves a shortfall to the next period.
CATCH_UP = (Role.PLANNER, Role.TEAM_LEADER)
#: Who records the figures a holder declared (the holder may declare them itself).
FIGURES = (Role.PLANNER, Role.OFFICE, Role.TEAM_LEADER)
#: Who reads the programme and the proposals.
READERS = (Role.PLANNER, Role.TEAM_LEADER, Role.DECIDER, Role.OFFICE, Role.QUALITY_MANAGER, Role.ADMIN,
           Role.REVIEWER, Role.ASSESSOR)
#: Who picks locations for unannounced and result-oriented audits.
AUDIT_PICKERS = (Role.PLANNER, Role.TEAM_LEADER)
#: Who decides a withdrawal proposal.
DECIDERS = (Role.DECIDER,)


def visible_audits(principal: Principal | None = None):
    """Audits the principal may see. A company never sees an unannounced audit before it has taken
    place (RULES.md §4: secret until then; a cancelled one never); an outsourced assessor sees
    only the audits assigned to it (RULES.md §7)."""
    principal = principal or current_principal()
    stmt = scoped_select(Audit, principal)
    if principal.company_id is not None:
        stmt = stmt.where(sa.or_(Audit.unannounced.is_(False), Audit.status == AuditStatus.DONE.value))
    if principal.outsourced:
        stmt = stmt.where(Audit.id.in_(assigned_audit_ids(principal)))
    return stmt


def assigned_audit_ids(principal: Principal):
    return sa.select(AuditAuditor.audit_id).where(AuditAuditor.user_id == principal.user_id)


def visible_proposals(principal: Principal | None = None):
    return scoped_select(WithdrawalProposal, principal or current_principal())


def may_record_done(principal: Principal, audit: Audit) -> bool:
    """Team leaders and planners for any audit; an assessor for the audits assigned to it."""
    if admits(principal, (Role.TEAM_LEADER, Role.PLANNER)):
        return True
    return admits(principal, (Role.ASSESSOR,), outsourced=True) and principal.user_id in audit.auditor_ids


def may_plan(principal: Principal) -> bool:
    return admits(principal, PLANNERS)
