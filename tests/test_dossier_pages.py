"""The dossier pages (the staff's main page) and what a dossier writes: letters that say what was
decided and why, a bezwaar clause only on besluiten, the certificate in words from the scheme data."""
import io
import re

import pytest
from pypdf import PdfReader

from tests.test_dossiers import Walk
from tests.test_web import post


@pytest.fixture
def clock_start():
    return "2026-03-02"


def _granted(client, tenant):
    w = Walk(client, tenant, "SC-540").into_assessment()
    b = w.branches()[0]
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=False, on="2026-01-20",
           notes="Geen actuele werkinstructie op de vestiging.")
    w.post("record-branch-assessment", "assessor", branch_id=b, passed=True, on="2026-02-02",
           notes="Werkinstructie nu aanwezig.")
    w.assess_location(w.location(b), "2026-02-03")
    w.assess_location(w.location(b), "2026-02-10")
    w.to_decision()
    w.post("decide", "decider", grant=True, on="2026-02-20", motivation="Alle onderdelen voldoen aan het schema.")
    return w


def test_letters_say_what_was_decided_and_only_besluiten_carry_a_bezwaar_clause(client, tenant, clock):
    w = _granted(client, tenant)
    letters = w.d["letters"]
    subjects = [letter["subject"] for letter in letters]
    assert len(set(subjects)) == len(subjects), subjects  # every letter its own subject
    for letter in letters:
        assert ("Bezwaar:" in letter["body"]) == letter["is_decision"], letter
    decision = next(letter for letter in letters if letter["is_decision"])
    assert "besluit op uw aanvraag: verleend" in decision["subject"]
    assert "binnen 6 weken na de dag waarop het is verzonden" in decision["body"]  # the scheme's objection term
    assert "Motivering: Alle onderdelen voldoen aan het schema." in decision["body"]
    assert decision["due_on"] == "2026-02-24"
    branch_results = [letter for letter in letters if letter["kind"] == "result_branch_assessment"]
    assert "voldoet niet" in branch_results[0]["body"] and "Geen actuele werkinstructie" in branch_results[0]["body"]
    assert "(20-01-2026)" in branch_results[0]["subject"] and "(02-02-2026)" in branch_results[1]["subject"]


def test_an_automatic_abort_letter_names_its_reason(client, tenant, clock):
    w = Walk(client, tenant, "SC-530").into_assessment()
    b = w.branches()[0]
    w.assess_location(w.location(b), "2026-02-03", passed=False)
    w.assess_location(w.location(b, extra=True), "2026-02-12", passed=False)
    assert w.d["state"] == "aborted"
    abort = next(letter for letter in w.d["letters"] if letter["kind"] == "aborted")
    assert "Reden: De beoordeling op de extra projectlocatie" in abort["body"] and "(C §3.4.2)" in abort["body"]
    assert "Reden: —" not in abort["body"] and abort["is_decision"]


def test_the_certificate_pdf_names_the_scheme_and_its_version_for_people(client, tenant, clock):
    w = _granted(client, tenant)
    pdf = client.get(w.d["certificate"]["pdf_url"], headers=tenant.auth("planner")).data
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    assert "SC-540 – Asbestinventarisatie" in text and "SC-540 – SC-540" not in text
    assert "bijlage XIIIa deel A en B (versie van 2007)" in text and "seeds" not in text
    assert "ten hoogste 3 jaar geldig" in text and "binnen 6 weken" in text


def test_the_staff_page_shows_notes_advice_decision_and_dutch_history(client, tenant, clock, as_user):
    w = _granted(client, tenant)
    page = as_user("team_leader").get(f"/dossiers/{w.id}").text
    assert "Geen actuele werkinstructie" in page and "Gangbaar project voor dit bedrijf" in page
    assert "Positief advies: alle onderdelen voldoen." in page and "Alle onderdelen voldoen aan het schema." in page
    assert "Vestigingsbeoordeling vastleggen" in page and "dossier.record_branch_assessment" not in page
    assert "Schriftelijk besluit naar de kandidaat uiterlijk" in page
    assert "Voorlopige rapporten omzetten in definitieve uiterlijk" in page and "provisional_report" not in page
    # the deadlines drawn against the calendar, from the first location assessment, with the decision
    d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    conversion = d["deadlines"]["provisional_report_conversion_due"]["date"]
    assert 'class="timeline window"' in page and "Besluit · " in page
    assert f"Voorlopige rapporten omzetten · {conversion[8:]}-{conversion[5:7]}-{conversion[:4]}" in page
    company_user = as_user("company1")
    company = company_user.get(f"/dossiers/{w.id}").text
    assert "Gangbaar project" not in company and "Historie" not in company and "Positief advies" not in company
    assert "toestandsdiagram" not in company  # the picture of the steps is for staff
    assert company_user.get("/dossiers/toestandsdiagram").status_code == 403


def test_a_refusal_names_its_source_once(client, tenant, clock, as_user):
    w = Walk(client, tenant, "SC-540")
    page = as_user("planner").get(f"/dossiers/{w.id}").text
    assert "(A §4.1 a) (A §4.1 a)" not in page and "(A §4.1 a)" in page


def test_the_planner_assigns_from_the_qualified_staff(client, tenant, clock, as_user):
    w = Walk(client, tenant, "SC-540")
    planner = as_user("planner")
    page = planner.get(f"/dossiers/{w.id}").text
    options = re.findall(r'<option value="(\d+)">', page.split("Beoordelaar toewijzen")[1].split("</select>")[0])
    assert set(map(int, options)) == {tenant.ids["user_assessor"]}  # not the decider (no assessor role)
    r = post(planner, f"/dossiers/{w.id}/beoordelaar", user_id=tenant.ids["user_assessor"], lock_version=1)
    assert "Beoordelaar toegewezen." in r.text and "assessor X" in r.text
    r = post(planner, f"/dossiers/{w.id}/beoordelaar", user_id=tenant.ids["user_decider"], lock_version=2)
    assert "Niet toegewezen: decider X heeft de rol beoordelaar niet." in r.text
    assert as_user("assessor").post(f"/dossiers/{w.id}/beoordelaar", data={}).status_code in (400, 403)


def test_the_index_filters_and_registers_an_application(client, tenant, clock, as_user):
    planner = as_user("planner")
    r = post(planner, "/dossiers/", company_id=tenant.ids["company1"], scheme="SC-540", applied_on="2026-02-27")
    assert "Aanvraag geregistreerd." in r.text
    r = post(planner, "/dossiers/", company_id=tenant.ids["company1"], scheme="SC-540", applied_on="2026-02-27")
    assert "Er loopt al een aanvraag" in r.text
    r = post(planner, "/dossiers/", company_id=tenant.ids["company1"], scheme="SC-540", applied_on="geen datum")
    assert "Aanvraag niet geregistreerd" in r.text
    listed = planner.get("/dossiers/?state=submitted").text
    assert "Bedrijf X1" in listed and "Aanvraag registreren" in listed
    assert "Geen dossiers." in planner.get("/dossiers/?state=granted").text
    assessor = as_user("assessor")
    assert "Aanvraag registreren" not in assessor.get("/dossiers/").text
    assert assessor.post("/dossiers/", data={}).status_code in (400, 403)


def test_steps_from_the_page_go_through_the_same_operation(client, tenant, clock, as_user):
    w = Walk(client, tenant, "SC-540")
    planner = as_user("planner")
    r = post(planner, f"/dossiers/{w.id}/verklaring", lock_version=1, declared_on="2026-01-05",
             informed_of_rules="on")
    assert "Verklaring vastgelegd." in r.text
    r = post(planner, f"/dossiers/{w.id}/stap/take_into_treatment", lock_version=2)
    assert "Documentatiebeoordeling" in r.text
    r = post(planner, f"/dossiers/{w.id}/stap/take_into_treatment", lock_version=3)
    assert "kan niet in de status" in r.text  # refused with the reason, nothing written
    r = post(planner, f"/dossiers/{w.id}/stap/complete_documentation_review", lock_version=3, passed="on")
    assert r.status_code == 403
    r = post(planner, f"/dossiers/{w.id}/stap/abort", lock_version=1, reason="Oud")
    assert "intussen door iemand anders gewijzigd" in r.text  # a stale form: 409, nothing written
    assert planner.post(f"/dossiers/{w.id}/stap/geen_stap", data={}).status_code in (400, 404)
    picture = planner.get(f"/dossiers/toestandsdiagram?dossier={w.id}").text
    state = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json["state"]
    assert "stateDiagram" in picture and f"class {state} current" in picture  # its state highlighted
    assert "workflows/" not in picture  # no source file names for people
    assert planner.get("/dossiers/toestandsdiagram?dossier=999999").status_code == 404
