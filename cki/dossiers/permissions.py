"""Who may fire which dossier event, and which payload each takes (app policy, not law:
the law's own guards are in ``workflows.dossier``)."""
from cki.dossiers import schemas as s
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


def event_path(event: Event) -> str:
    return event.value.replace("_", "-")
