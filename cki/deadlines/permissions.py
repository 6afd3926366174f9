"""The deadline watch's one authorization policy, which the API and the pages both use."""
import sqlalchemy as sa

from cki.core.auth import Principal, current_principal
from cki.core.tenancy import scoped_select
from cki.deadlines.models import Deadline, DeadlineState, Notification
from cki.users.models import Role

#: Who sees every overdue deadline of the CKI (the CKI-wide view).
OVERSEERS = (Role.PLANNER, Role.QUALITY_MANAGER, Role.ADMIN, Role.REVIEWER)
#: Who keeps the e-mail outbox (failed reminders, retry).
OFFICE = (Role.OFFICE,)


def visible_deadlines(principal: Principal | None = None):
    """The CKI's deadlines for its staff; a company only its own that it must meet."""
    principal = principal or current_principal()
    stmt = scoped_select(Deadline, principal)
    if principal.company_id is not None:
        stmt = stmt.where(Deadline.for_company.is_(True))
    return stmt


def my_deadlines(principal: Principal | None = None):
    """The open deadlines the principal acts on: its own, its roles', or (a company) its own."""
    principal = principal or current_principal()
    stmt = visible_deadlines(principal).where(Deadline.state == DeadlineState.OPEN.value)
    if principal.company_id is None:
        stmt = stmt.where(Deadline.for_company.is_(False), sa.or_(
            Deadline.user_id == principal.user_id,
            sa.and_(Deadline.user_id.is_(None), Deadline.role.in_(list(principal.roles)))))
    return stmt


def my_notifications(principal: Principal | None = None):
    principal = principal or current_principal()
    return sa.select(Notification).where(Notification.user_id == principal.user_id)
