"""The dossier as the API and the pages show it (read-only). The API's words stay Dutch; a page
passes its translation (``cki.core.i18n.gettext``) and its way of naming a period."""

from cki.core.labels import register
from cki.dossiers.operations import build_facts, scheme_of
from cki.dossiers.permissions import event_path, may_fire
from cki.dossiers.schemas import DossierSchema, StaffDossierSchema
from workflows import dossier as machine
from workflows import rules

register({f"dossier.{event.value}": text for event, text in machine.EVENT_LABELS.items()})


def as_written(message: str, **values) -> str:
    """A message as it is written, in Dutch (the API's words): ``gettext`` without a catalog."""
    return message % values if values else message


def deadline_labels(scheme, _=as_written, period=rules.describe) -> dict[str, str]:
    """What each of a dossier's deadlines is, in words, with the scheme's own term."""
    return {
        "window_end": _("Beslissen uiterlijk (einde termijn van %(period)s)",
                        period=period(scheme.param("assessment_window"))),
        "decision_letter_due": _("Schriftelijk besluit naar de kandidaat uiterlijk"),
        "provisional_report_expiry": _("Voorlopige inventarisatierapporten vervallen op"),
        "provisional_report_conversion_due": _("Voorlopige rapporten omzetten in definitieve uiterlijk"),
    }


def present(dossier, principal, _=as_written, period=rules.describe) -> dict:
    """The dossier for ``principal``; ``_`` and ``period``: a page's translation and period words."""
    facts = build_facts(dossier)
    scheme = scheme_of(dossier)
    view = {c: getattr(dossier, c) for c in (
        "id", "company_id", "company", "scheme", "scheme_version", "state", "lock_version", "applied_on",
        "branches", "branch_assessments", "locations", "decision", "decided_on", "closing_reason", "letters",
        "prior_declared_on", "prior_held_or_applied_elsewhere", "prior_consent_to_transfer", "prior_withdrawals",
        "informed_of_rules", "documentation_review_passed", "documentation_reviewed_on", "assessment_completed_on",
        "advice", "advised_on", "decision_motivation", "decision_recorded_on", "decision_late")}
    view["state_label"] = _(machine.STATE_LABELS[machine.State(dossier.state)])
    labels = deadline_labels(scheme, _, period)
    view["deadlines"] = {name: {**d.to_dict(), "label": labels.get(name, name)}
                         for name, d in machine.deadlines(facts).items()}
    view["notices"] = []
    if scheme.has("provisional_report_text") and dossier.state not in ("granted",):
        view["notices"].append(_(
            "Voorlopige rapporten tijdens de beoordeling vermelden: \u201c%(text)s\u201d en hun vervaldatum (%(source)s).",
            text=scheme.param("provisional_report_text"), source=scheme.cite("provisional_report_text")))
    view["assessor_ids"] = sorted(facts.assessor_ids)
    view["certificate"] = getattr(dossier, "certificate", None)  # shown as the certificates domain shows it
    if not principal.is_staff:
        view["letters"] = [letter for letter in dossier.letters if letter.status == "sent"]  # a draft is no letter yet
        staff_only = set(StaffDossierSchema().fields) - set(DossierSchema().fields)
        return {k: v for k, v in view.items() if k not in staff_only}
    if principal.is_staff:
        # only the steps the person's roles may take; for each, why it cannot be taken now (if so)
        view["actions"] = [{"event": event.value, "label": _(machine.EVENT_LABELS[event]), "path": event_path(event),
                            "allowed": not refusals,
                            "refusals": [{"code": r.code, "message": r.message, "source": r.source}
                                         for r in refusals]}
                           for event, refusals in machine.available_events(facts) if may_fire(principal, event)]
    return view
