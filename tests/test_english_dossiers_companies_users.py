"""English pages of dossiers, companies and users (cki.core.i18n): a person who chose English reads
the dossier page (deadlines, their picture, the steps, the history), the list, the state diagram, the
company pages, the login and the admin's pages in English, with the flash messages; the Dutch pages
and the API stay as they were."""
import html
import re

import pytest

from cki.core.db import db
from tests.test_dossier_pages import _granted
from tests.test_dossiers import Walk
from tests.test_i18n import choose, reader
from tests.test_web import _csrf, login, post


@pytest.fixture
def clock_start():
    return "2026-03-02"


def text(page) -> str:
    """The page's text as a person reads it (tags gone, entities decoded, spaces collapsed)."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page.text)).split())


def english(app, tenant, who):
    """A client logged in as ``who`` who chose English."""
    return reader(app, tenant, who, "en")


def dutch(app, tenant, who):
    """A client logged in as ``who`` who chose Dutch (again, after an English test)."""
    client = app.test_client()
    assert login(client, tenant.emails[who]).status_code == 302
    choose(client, "nl")
    return client


# -- dossiers ----------------------------------------------------------------------------------

def test_the_dossier_page_in_english_and_in_dutch(app, client, tenant, clock):
    w = _granted(client, tenant)
    en = text(english(app, tenant, "team_leader").get(f"/dossiers/{w.id}"))
    for phrase in ("Dossier %d" % w.id, "Status: Granted", "Deadlines", "Days skipped", "Branch assessments",
                   "Written decision to the candidate by",
                   "Convert provisional reports into final ones by", "The written decision",
                   "Convert provisional reports", "Project locations", "SCA consent", "granted on",
                   "Notes: Geen actuele werkinstructie", "Advice and decision", "Advice of the team leader",
                   "Decision of 20-02-2026", "Assessors", "Next steps", "History", "Letters",
                   "Record the branch assessment", "Number", "valid up to and including",
                   "Where is this dossier? The steps of an application as a picture"):
        assert phrase in en, phrase
    assert "20-01-2026: not compliant" in en and "02-02-2026: compliant" in en
    assert "Documentation review → Assessment (branches and project locations)" in en  # the history's states
    for phrase in ("Termijnen", "Vestigingsbeoordelingen", "Beslissen uiterlijk", "Advies en besluit",
                   "Volgende stappen", "Historie", "Brieven", "Overgeslagen dagen", "20-01-2026: voldoet niet",
                   "Aanvraag ontvangen", "Ter besluitvorming", "De beoordelingstermijn"):
        assert phrase not in en, phrase
    page = english(app, tenant, "team_leader").get(f"/dossiers/{w.id}").text
    assert "<title>assessment on 03-02-2026</title>" in page and "<title>decision of 20-02-2026</title>" in page
    assert "<title>today</title>" in page and "grey: not a working day" in page

    nl = text(dutch(app, tenant, "team_leader").get(f"/dossiers/{w.id}"))
    for phrase in ("Status: Verleend", "Termijnen", "Overgeslagen dagen", "Vestigingsbeoordelingen",
                   "Schriftelijk besluit naar de kandidaat uiterlijk",
                   "Het schriftelijke besluit", "Advies en besluit", "Besluit van 20-02-2026", "Volgende stappen",
                   "Historie", "Brieven", "Vestigingsbeoordeling vastleggen",
                   "Documentatiebeoordeling → Beoordeling (vestigingen en projectlocaties)"):
        assert phrase in nl, phrase
    assert "Deadlines" not in nl and "Decide by" not in nl and "Next steps" not in nl


def test_the_window_in_words_on_the_page_and_the_api_stays_dutch(app, client, tenant, clock):
    """The scheme's period in the reader's words on the page; the API's labels stay Dutch, also
    for a person who reads English."""
    from cki.users.models import User

    w = Walk(client, tenant, "SC-540").into_assessment()
    w.assess_location(w.location(w.branches()[0]), "2026-02-03")
    en = text(english(app, tenant, "planner").get(f"/dossiers/{w.id}"))
    assert "Status: Assessment (branches and project locations)" in en and "The assessment period" in en
    assert "Decide by (end of the period of 4 months)" in en and "Provisional inventory reports expire on" in en
    assert "Provisional reports during the assessment state:" in en and "einde termijn van" not in en
    with app.app_context():
        assert db.session.get(User, tenant.ids["user_planner"]).language == "en"
    d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    assert d["state_label"] == "Beoordeling (vestigingen en projectlocaties)"
    assert d["deadlines"]["window_end"]["label"] == "Beslissen uiterlijk (einde termijn van 4 maanden)"
    assert d["notices"][0].startswith("Voorlopige rapporten tijdens de beoordeling vermelden:")
    assert "Projectlocatie aanvragen bij SCA" in [a["label"] for a in d["actions"]]
    assert "Refuse the application Reason" in en and "No. Address Branch SCA consent" in en  # form field, headers
    nl = text(dutch(app, tenant, "planner").get(f"/dossiers/{w.id}"))
    assert "Beslissen uiterlijk (einde termijn van 4 maanden)" in nl and "Voorlopige rapporten tijdens" in nl
    assert "De beoordelingstermijn" in nl and "Projectlocatie aanvragen bij SCA" in nl


def test_the_steps_of_a_new_application_and_their_messages_in_english(app, client, tenant, clock):
    w = Walk(client, tenant, "SC-530")
    planner = english(app, tenant, "planner")
    page = text(planner.get(f"/dossiers/{w.id}"))
    assert "Status: Application received" in page and "Record the declaration about other CKIs and the consent" in page
    assert "Certificate or application with another CKI in the last" in page
    assert "Written consent to the transfer of data" in page and "Applicant informed in writing" in page
    assert "Take the application into consideration" in page and "Verklaring andere CKI" not in page
    assert "No project locations yet." in page and "No assessor assigned yet." in page

    r = post(planner, f"/dossiers/{w.id}/verklaring", lock_version=str(w.d["lock_version"]), declared_on="2026-01-05",
             informed_of_rules="on")
    assert "Declaration recorded." in r.text and "Verklaring vastgelegd." not in r.text
    version = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json["lock_version"]
    r = post(planner, f"/dossiers/{w.id}/stap/take_into_treatment", lock_version=str(version))
    assert ("Take the application into consideration: recorded. New status: Documentation review." in text(r)), text(r)
    r = post(planner, f"/dossiers/{w.id}/beoordelaar", lock_version="x")
    assert "Not assigned: choose an assessor from the list." in text(r)

    dutch_page = text(dutch(app, tenant, "planner").get(f"/dossiers/{w.id}"))
    assert "Status: Documentatiebeoordeling" in dutch_page and "Beoordelaar toewijzen" in dutch_page


def test_why_a_step_cannot_be_taken_now_in_english_and_the_api_stays_dutch(app, client, tenant, clock):
    """The rules' reasons (workflows.dossier) in the reader's language, the scheme's period too;
    the API answers the same refusal in Dutch."""
    w = Walk(client, tenant, "SC-530")  # just registered: no declaration about other CKIs yet
    page = text(english(app, tenant, "planner").get(f"/dossiers/{w.id}"))
    assert ("Take the application into consideration — not now: The applicant's written declaration is missing: "
            "in the past 2 years, did they hold a certificate for this field with another CKI, or apply for one "
            "there? (A §4.1 a)") in page, page
    assert "The CKI has not yet informed the candidate in writing of the rules" in page
    assert "De schriftelijke verklaring" not in page and "2 jaar" not in page and "nu niet" not in page

    d = client.get(f"/api/v1/dossiers/{w.id}", headers=tenant.auth("planner")).json
    [take] = [a for a in d["actions"] if a["event"] == "take_into_treatment"]
    messages = {r["code"]: r["message"] for r in take["refusals"]}
    assert messages["prior_declaration_missing"] == (
        "De schriftelijke verklaring van de aanvrager ontbreekt: had hij in de afgelopen 2 jaar voor dit werkveld "
        "een certificaat bij een andere CKI, of vroeg hij het daar aan? (A §4.1 a).")
    assert messages["not_informed_of_rules"].startswith("De CKI heeft de kandidaat nog niet schriftelijk")
    nl = text(dutch(app, tenant, "planner").get(f"/dossiers/{w.id}"))
    assert "nu niet: De schriftelijke verklaring van de aanvrager ontbreekt" in nl and "2 jaar" in nl


def test_the_list_and_the_state_diagram_in_english(app, client, tenant, clock):
    w = Walk(client, tenant, "SC-540")
    planner = english(app, tenant, "planner")
    listing = text(planner.get("/dossiers/"))
    assert "Applications for initial certification" in listing and "Register an application" in listing
    assert "Awaiting decision" in listing and "Application received" in listing and "Date of the application" in listing
    assert "No. Company Scheme Application date Status" in listing
    assert '<button type="submit">Register</button>' in planner.get("/dossiers/").text
    assert "Aanvragen initiële certificatie" not in listing and "Ter besluitvorming" not in listing
    r = post(planner, "/dossiers/", company_id=str(tenant.ids["company2"]), scheme="SC-540", applied_on="2026-01-05")
    assert "Application registered." in text(r)

    diagram = planner.get(f"/dossiers/toestandsdiagram?dossier={w.id}")
    assert diagram.status_code == 200
    source = html.unescape(re.search(r'<pre class="mermaid">(.*?)</pre>', diagram.text, re.S).group(1))
    assert 'state "Application received" as submitted' in source and "Take the application into consideration" in source
    assert "(compliant)" in source and "(not compliant)" in source and "Aanvraag ontvangen" not in source
    assert "Steps of an application" in diagram.text and "is in the highlighted status" in diagram.text
    dutch_diagram = text(dutch(app, tenant, "planner").get(f"/dossiers/toestandsdiagram?dossier={w.id}"))
    assert 'state "Aanvraag ontvangen" as submitted' in dutch_diagram and "(voldoet niet)" in dutch_diagram
    assert "Stappen van een aanvraag" in dutch_diagram and "staat in de gemarkeerde status" in dutch_diagram


# -- companies ---------------------------------------------------------------------------------

def test_the_company_pages_in_english(app, tenant):
    office = english(app, tenant, "office")
    page = text(office.get("/bedrijven/"))
    assert "Companies" in page and "Register a company" in page and "KvK number" in page and "Place" in page
    assert "Bedrijf registreren" not in page and "KvK-nummer" not in page and "Plaats" not in page
    r = office.post("/bedrijven/", data={"name": "", "place": "Utrecht", "kvk_number": "123",
                                         "csrf_token": _csrf(office.get("/bedrijven/").text)})
    assert r.status_code == 422
    assert "Please enter the name." in text(r) and "A KvK number consists of exactly 8 digits." in text(r)
    r = post(office, "/bedrijven/", name="Sloop Engels BV", place="Utrecht", kvk_number="87654321")
    assert "Company Sloop Engels BV has been registered." in text(r)
    assert "Add a branch" in text(r) and "Name (optional)" in text(r) and "No branches yet." in text(r)
    r = post(office, r.request.path, name="", address="Markt 1, Utrecht", kvk_number="", is_head_office="y")
    assert "Branch added." in text(r) and "Head office" in text(r)

    company = text(english(app, tenant, "company1").get(f"/bedrijven/{tenant.ids['company1']}"))
    assert "Branches" in company and "certificates" in company and "Vestigingen" not in company
    nl = text(dutch(app, tenant, "office").get("/bedrijven/"))
    assert "Bedrijf registreren" in nl and "KvK-nummer" in nl and "Register a company" not in nl


# -- users -------------------------------------------------------------------------------------

def test_login_and_logout_in_english(app, client, tenant):
    choose(client, "en", "/login")
    page = text(client.get("/login"))
    assert "Log in" in page and "Email address" in page and "Password" in page and "Wachtwoord" not in page
    r = client.post("/login", data={"email": "", "password": "", "csrf_token": _csrf(client.get("/login").text)})
    assert "Please enter your email address." in text(r) and "Please enter your password." in text(r)
    r = login(client, tenant.emails["planner"], "fout-wachtwoord")
    assert r.status_code == 401 and "Incorrect email address or password." in text(r)
    login(client, tenant.emails["planner"])
    choose(client)
    r = post(client, "/logout")
    assert "You have been logged out." in text(r) and "Log in" in text(r)

    nl = app.test_client()
    assert "Inloggen" in nl.get("/login").text and "E-mailadres" in nl.get("/login").text
    r = login(nl, tenant.emails["planner"], "fout-wachtwoord")
    assert "Onjuist e-mailadres of wachtwoord." in r.text


def test_the_admin_pages_in_english(app, tenant):
    admin = english(app, tenant, "admin")
    page = text(admin.get("/beheer/gebruikers"))
    assert "Add a CKI staff member" in page and "Add a company user" in page and "CKI staff member" in page
    assert "Quality manager" in page and "Team leader" in page and "Kwaliteitsmanager" not in page
    r = post(admin, "/beheer/gebruikers", kind="staff", name="New Assessor", email="new@x.test",
             password="een heel nieuw wachtwoord", roles=["assessor"])
    assert "User New Assessor has been created." in text(r)
    assert "Record a qualification" in text(r) and "Deactivate the user" in text(r)
    path = r.request.path
    r = post(admin, path, action="password", password="een heel nieuw wachtwoord", password_repeat="anders")
    assert r.status_code == 422 and "Password repeated: The two passwords do not match." in text(r)
    r = post(admin, path, action="password", password="")
    assert "Password: Please enter the new password." in text(r)
    r = post(admin, path, action="qualification", scheme="SC-540", function="assessor", valid_from="2026-01-01")
    assert "Qualification recorded." in text(r) and "SC-540 Assessor 01-01-2026 indefinite" in text(r)
    r = post(admin, path, action="deactivate")
    assert "New Assessor has been deactivated; all sessions and API tokens of this user have ended." in text(r)

    clients = text(admin.get("/beheer/api-koppelingen"))
    assert "Create an API connection" in clients and "System of a company" in clients
    assert "API-koppeling aanmaken" not in clients
    r = post(admin, "/beheer/api-koppelingen", action="create", name="Register", kind="sca_register")
    assert "API connection Register has been created." in text(r) and "Copy the token now" in text(r)

    nl = text(dutch(app, tenant, "admin").get("/beheer/gebruikers"))
    assert "Medewerker van het CKI toevoegen" in nl and "Kwaliteitsmanager" in nl and "Add a CKI" not in nl
