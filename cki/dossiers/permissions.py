"""The dossiers' one authorization policy, which the API and the pages both use: who sees which
dossiers, who may fire which event (with which payload), who edits. App policy, not law: the law's
own guards are in ``workflows.dossier``."""
from cki.core.auth import Principal, admits, current_principal
from cki.core.db import db
from cki.core.tenancy import scoped_select
from cki.dossiers import schemas as s
from cki.dossiers.models import Dossier, DossierAssessor
from cki.users.models import Role
from workflows.dossier import Event

A, P, T, D, OF = Role.ASSESSOR, Role.PLANNER, Role.TEAM_LEADER, Role.DECIDER, Role.OFFICE

#: event -> (payload schema, roles that may fire it)
EVENTS = {
    Event.TAKE_INTO_TREATMENT: (s.NoPayload, (P, T, OF)),
    Event.REJECT_APPLICATION: (s.ReasonPayload, (P, T)),
    Event.COMPLETE_DOCUMENTATION_REVIEW: (s.ReviewPayload, (A, T)),
    Event.REQUEST_LOCATION: (s.LocationRequestPayload, (P, OF)),
    Event.RECORD_SCA_PERMISSION: (s.PermissionPayload, (P, OF)),
    Event.RECORD_BRANCH_ASSESSMENT: (s.BranchAssessmentPayload, (A, T)),
    Event.RECORD_LOCATION_ASSESSMENT: (s.LocationAssessmentPayload, (A, T)),
    Event.REQUEST_EXTRA_LOCATION: (s.LocationRequestPayload, (P, OF)),
    Event.RECORD_WORK_WITHOUT_PERMISSION: (s.LocationPayload, (A, T)),
    Event.RECORD_WRONG_MELDING_INFORMATION: (s.WrongMeldingPayload, (A, T)),
    Event.COMPLETE_ASSESSMENT: (s.NoPayload, (T,)),
    Event.RECORD_ADVICE: (s.AdvicePayload, (T,)),
    Event.DECIDE: (s.DecisionPayload, (D,)),
    Event.ABORT: (s.ReasonPayload, (P, T)),
    Event.LAPSE: (s.NoPayload, (P, T)),
    Event.RESTART_AFTER_LAPSE: (s.RestartPayload, (P, T)),
}

EDITORS = (P, T, OF, Role.ADMIN)

#: Dossier routes show an outsourced assessor only the dossiers assigned to it: it may use them.
OUTSOURCED_OK = True


def visible_dossiers(principal: Principal | None = None):
    """Dossiers the principal may see: its CKI's (its company's), and for an outsourced
    assessor only the dossiers assigned to it (RULES.md §7)."""
    principal = principal or current_principal()
    stmt = scoped_select(Dossier, principal)
    if principal.outsourced:
        stmt = stmt.where(Dossier.id.in_(assigned_dossier_ids(principal)))
    return stmt


def assigned_dossier_ids(principal: Principal):
    """The ids of the dossiers the principal is assigned to as assessor (a subquery)."""
    return db.select(DossierAssessor.dossier_id).where(DossierAssessor.user_id == principal.user_id)


def may_fire(principal: Principal, event: Event) -> bool:
    return admits(principal, EVENTS[event][1], outsourced=OUTSOURCED_OK)


def may_edit(principal: Principal) -> bool:
    """Register applications, record declarations, assign assessors."""
    return admits(principal, EDITORS)


def event_path(event: Event) -> str:
    return event.value.replace("_", "-")
