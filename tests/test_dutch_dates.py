"""One Dutch date format wherever a person reads a date (27-03-2027), ISO (2027-03-27) only in
data; sentences joined without "..", ". ." or ".;"; the too-late melding names its date once."""
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.test_dossiers import Walk as ApiWalk
from tests.test_meldingen import MELDING
from workflows import dossier, rules
from workflows.calendar import OutOfCalendarRange, legal_calendar
from workflows.dossier import (
    BranchFacts,
    DossierFacts,
    Event,
    GuardRefused,
    LocationFacts,
    PriorDeclaration,
    State,
    Withdrawal,
    fire,
)
from workflows.schemes import SCHEMES, load_scheme
from workflows.text import nl_date, sentence, sentences, with_source

ISO = re.compile(r"\d{4}-\d{2}-\d{2}")
SLIP = re.compile(r"\.\s*[.;]|;\s*\.")  # "B.V..", ". .", ".;", "; ."
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))


def readable(text: str) -> str:
    """``text`` as a person reads it: no ISO date, no punctuation slip."""
    assert not ISO.search(text), text
    assert not SLIP.search(text), text
    return text


# -- the helpers ------------------------------------------------------------------------------


def test_nl_date_and_sentences():
    assert nl_date(date(2027, 3, 27)) == "27-03-2027" and nl_date(date(2026, 1, 5)) == "05-01-2026"
    assert sentence("Onbekend certificaat voor Sloop B.V.") == "Onbekend certificaat voor Sloop B.V."
    assert sentence("Te laat") == "Te laat." and sentence("  ") == ""
    assert sentences(["Eén.", None, "", "twee (B §3)", "Sloop B.V."]) == "Eén. twee (B §3). Sloop B.V."
    assert with_source("De termijn loopt nog.", "B §3.1.2") == "De termijn loopt nog (B §3.1.2)."
    assert with_source("Nog niet voor: Sloop B.V.", "C §3.1.3") == "Nog niet voor: Sloop B.V. (C §3.1.3)."
    assert with_source("Nog niet voor: Sloop B.V..", "C §3.1.3") == "Nog niet voor: Sloop B.V. (C §3.1.3)."


# -- workflows: refusals, rules and notes (pure) -----------------------------------------------


def _facts(scheme="SC-540", *, applied_on=date(2026, 1, 5), today=date(2026, 3, 2), **changes) -> DossierFacts:
    facts = DossierFacts(
        scheme=load_scheme(scheme, applied_on), state=State.SUBMITTED, applied_on=applied_on, today=today,
        company_branch_ids=frozenset({1}), branches=(BranchFacts(1, "Sloopbedrijf De Vries B.V."),), locations=(),
        prior_declaration=PriorDeclaration(False, False, applied_on), informed_of_rules=True, withdrawals=(),
        documentation_review_passed=None, assessor_ids=frozenset(), team_leader_advice=False,
        assigned_assessor_ids=frozenset({7}))
    return replace(facts, **changes)


@settings(max_examples=150, deadline=None)
@given(start=DAYS, lead=st.integers(-20, 40), channel=st.sampled_from(["email", "portal", "fax"]),
       scheme=st.sampled_from(SCHEMES))
def test_a_melding_check_reads_in_dutch_dates(start, lead, channel, scheme):
    check = rules.melding_check(scheme, start, start - timedelta(days=lead), channel)
    readable(check.message)
    readable(check.latest.rule)
    assert nl_date(check.latest.date) in check.message
    if check.status is rules.MeldingStatus.LATE:  # the latest allowed date, once
        assert check.message.count(nl_date(check.latest.date)) == 1 and "Uiterlijk toegestaan" not in check.message
    assert check.to_dict()["latest"]["date"] == check.latest.date.isoformat()  # the data stays ISO


@settings(max_examples=150, deadline=None)
@given(applied_on=DAYS, days_before=st.integers(-30, 60), on_offset=st.integers(-60, 60),
       first_back=st.integers(0, 300), withdrawn_offset=st.integers(1, 2000), false_information=st.booleans(),
       scheme=st.sampled_from(SCHEMES))
def test_dossier_refusals_read_in_dutch_dates(applied_on, days_before, on_offset, first_back, withdrawn_offset,
                                              false_information, scheme):
    today = applied_on + timedelta(days=abs(days_before))
    on = today + timedelta(days=on_offset)
    first = today - timedelta(days=first_back)  # the first location assessment: the window may have run out
    assessed = LocationFacts(101, 1, False, "granted", True, first, True)
    facts = _facts(scheme, applied_on=applied_on, today=today, locations=(assessed,),
                   withdrawals=(Withdrawal(applied_on - timedelta(days=withdrawn_offset), false_information),),
                   advised_on=today - timedelta(days=3))
    guards = (dossier.event_date_plausible, dossier.within_window, dossier.location_assessment_within_window,
              dossier.decided_after_last_assessment, dossier.decided_after_the_file, dossier.window_has_lapsed,
              dossier.no_recent_withdrawal, dossier.no_false_information_withdrawal, dossier.location_not_assessed)
    for guard in guards:
        refusal = guard(facts, {"on": on, "location_id": 101})
        if refusal is not None:
            assert readable(refusal.message).endswith(".")
    for deadline in dossier.deadlines(replace(facts, state=State.DECISION)).values():
        readable(deadline.rule)


def test_joined_refusals_are_sentences_with_dutch_dates():
    first = date(2026, 3, 31)
    facts = _facts(state=State.DECISION, today=date(2026, 8, 3), team_leader_advice=True, branches=(
        BranchFacts(1, "Sloopbedrijf De Vries B.V.", (True,), date(2026, 4, 14)),),
        locations=(LocationFacts(101, 1, False, "granted", True, first, True),))
    with pytest.raises(GuardRefused) as refused:  # late, dated before the last assessment, no decider
        fire(facts, Event.DECIDE, {"grant": True, "on": date(2026, 4, 1), "decider_id": 5, "decider_has_role": False})
    reasons = refused.value.reasons
    assert len(reasons) >= 2 and all(r.message.endswith(f"({r.source}).") for r in reasons)
    text = readable(str(refused.value))
    assert "14-04-2026" in text and "01-04-2026" in text


def test_workflows_rules_explain_with_dutch_dates():
    for rule in (rules.objection_deadline("SC-530", date(2026, 4, 25)).rule,  # ends on a Saturday: extended
                 rules.zienswijze_deadline("SC-530", date(2026, 12, 18)).rule,
                 rules.reapplication_allowed_from("SC-540", date(2025, 12, 1)).rule,
                 rules.melding_deadline("SC-540", date(2026, 5, 19), "portal").rule,
                 rules.previous_period("SC-530", date(2025, 3, 1), date(2026, 9, 1))[2],  # grant, on
                 rules.previous_period("SC-530", date(2025, 3, 1), date(2025, 9, 1))[2]):
        readable(rule)
    assert "verlengd van 06-06-2026" in rules.objection_deadline("SC-530", date(2026, 4, 25)).rule
    assert "01-12-2025" in rules.reapplication_allowed_from("SC-540", date(2025, 12, 1)).rule
    with pytest.raises(OutOfCalendarRange, match="01-01-2150"):
        legal_calendar().add(date(2150, 1, 1), 3)


# -- the application: refusals through the API -------------------------------------------------


def test_a_too_late_melding_is_refused_naming_its_latest_date_once(client, tenant, clock):
    # Today Tuesday 24 November 2026; work starting Wednesday 25 November needed the melding by Monday 23.
    r = client.post("/api/v1/meldingen", json={**MELDING, "planned_start": "2026-11-25", "planned_end": "2026-11-25"},
                    headers=tenant.auth("company1"))
    assert r.status_code == 422
    message = readable(r.json["message"])
    assert message.count("23-11-2026") == 1 and "uiterlijk 23-11-2026" in message
    assert "Uiterlijk toegestaan" not in message and "25-11-2026" in message
    assert r.json["errors"]["json"]["planned_start"] == [message]


def test_deciding_after_the_four_month_window_is_refused_in_dutch_dates(client, tenant, clock):
    clock("2026-04-20")
    w = ApiWalk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-03-31")
    w.assess_location(w.location(b), "2026-03-31")
    w.assess_location(w.location(b), "2026-04-14")
    w.to_decision()
    window = w.d["deadlines"]["window_end"]
    assert window["date"] == "2026-07-31"  # the API's data stays ISO
    readable(window["rule"])
    readable(window["label"])
    assert all(readable(action["refusals"][0]["message"]) for action in w.d["actions"] if action["refusals"])
    clock("2026-08-03")
    r = w.post("decide", "decider", expect=422, grant=True, on="2026-08-03", motivation="Te laat")
    message = readable(r.json["message"])
    assert "eindigde op 31-07-2026" in message and "Op 03-08-2026" in message and "verlopen" in message
