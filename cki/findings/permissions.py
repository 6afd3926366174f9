"""The findings' one authorization policy, which the API and the pages both use."""
from cki.core.auth import Principal, current_principal
from cki.core.tenancy import scoped_select
from cki.findings.models import Finding
from cki.users.models import Role

#: Who records the CKI's steps (T1, T3, T4, T6; N1, N3).
CKI_STEPS = (Role.ASSESSOR, Role.TEAM_LEADER, Role.DECIDER)
#: Who records a company's answer that arrived by letter or e-mail, with its receipt date.
RECEIPTS = (Role.OFFICE, Role.TEAM_LEADER)
#: Who raises a B to an A with reasons, and records decisions on what the annex leaves open.
RAISERS = (Role.TEAM_LEADER, Role.DECIDER)
#: Who records notices of sanctions by authorities, and who reads them too.
NOTICE_STAFF = (Role.OFFICE, Role.TEAM_LEADER, Role.DECIDER)
NOTICE_READERS = (*NOTICE_STAFF, Role.QUALITY_MANAGER, Role.REVIEWER)


def visible_findings(principal: Principal | None = None):
    """A CKI's findings for its staff, a company's own for the company. Findings come from final
    reports only, so an unannounced audit is never revealed by them before it took place."""
    return scoped_select(Finding, principal or current_principal())
