"""English as a second language (cki.core.i18n): Dutch by default, English chosen per person,
every marked message translated, every page rendered in both, letters and certificates Dutch."""
import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from cki.core.db import db
from cki.core.i18n import CATALOGS, build_catalog, compile_catalogs
from tests.test_web import _csrf, login

CKI = Path(__file__).resolve().parent.parent / "cki"
PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")


def choose(client, language: str = "en", page: str = "/start"):
    """Press the language button in the footer of ``page``."""
    token = _csrf(client.get(page).text)
    return client.post("/taal", data={"language": language, "next": page, "csrf_token": token})


def reader(app, tenant, who: str, language: str | None = None):
    """A client logged in as ``who``, reading ``language`` (the choice is the person's: every client
    of ``who`` reads it from then on)."""
    client = app.test_client()
    assert login(client, tenant.emails[who]).status_code in (302, 303)
    if language:
        assert choose(client, language).status_code == 302
    return client


def english(app, who_email: str):
    client = app.test_client()
    assert login(client, who_email).status_code in (302, 303)
    assert choose(client, "en").status_code == 302
    return client


# --- the catalog -----------------------------------------------------------------------------

def test_every_marked_message_and_label_has_an_english_translation(app):
    catalog, untranslated = build_catalog("en")
    assert not untranslated, "run `flask i18n extract` and translate:\n" + "\n".join(map(repr, untranslated))
    assert len(catalog) > 300  # the pages' messages, not only the labels


def test_the_po_on_disk_is_what_extract_writes_and_placeholders_agree(app):  # app: every label registered
    """The committed .po is up to date (no stale or missing message) and each translation keeps
    the message's %(name)s values: a lost one would drop a date from a sentence."""
    fresh, _ = build_catalog("en")
    on_disk = read_po((CATALOGS / "en" / "LC_MESSAGES" / "messages.po").open("rb"))
    assert {m.id for m in fresh if m.id} == {m.id for m in on_disk if m.id}, "run `flask i18n extract`"
    wrong = [m.id for m in on_disk if m.id and isinstance(m.id, str)
             and sorted(PLACEHOLDER.findall(m.id)) != sorted(PLACEHOLDER.findall(m.string))]
    assert not wrong, wrong


def _unmarked_text(html: str) -> list[str]:
    """Words a template shows that are not inside a marked message: text between tags and in
    placeholder/title/aria-label/alt attributes, after Jinja code is taken out."""
    html = re.sub(r"\{%-?\s*trans\b.*?endtrans\s*-?%\}", " ", html, flags=re.S)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    attributes = re.findall(r'\b(?:placeholder|title|aria-label|alt)="([^"{]*)"', html)
    text = re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", html, flags=re.S)
    text = re.sub(r"<[^>]*>|&\w+;|&#\d+;", " ", text)
    words = re.findall(r"[A-Za-zÀ-ÿ]{2,}", text + " " + " ".join(attributes))
    return [w for w in words if w not in {"cki"}]


def test_every_template_text_is_marked_for_translation():
    found = {}
    for path in sorted(CKI.rglob("templates/**/*.html")):
        if path.name == "swagger_ui.html":
            continue  # the API documentation's own page: Swagger UI's words
        words = _unmarked_text(path.read_text())
        if words:
            found[str(path.relative_to(CKI))] = words[:8]
    assert not found, found


def test_templates_mark_only_literal_messages():
    """``_()`` in a template makes its result markup and %-formats it: a value held in a variable
    goes through ``|translate`` instead (plain, escaped text)."""
    found = [f"{path.relative_to(CKI)}: {m.group(0)}" for path in sorted(CKI.rglob("templates/**/*.html"))
             for m in re.finditer(r"\b(?:_|gettext|pgettext)\(\s*[^\"'\s)][^)]*\)", path.read_text())]
    assert not found, found


def test_the_catalog_is_compiled_again_when_the_po_changes(tmp_path):
    source, target = tmp_path / "po", tmp_path / "mo"
    po = source / "en" / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True)
    po.write_text('msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=utf-8\\n"\n\nmsgid "Ja"\nmsgstr "Yes"\n')
    compile_catalogs(source, target)
    mo = target / "en" / "LC_MESSAGES" / "messages.mo"
    first = mo.read_bytes()
    assert b"Yes" in first
    po.write_text(po.read_text().replace("Yes", "Yep"))
    compile_catalogs(source, target)
    assert b"Yep" in mo.read_bytes()


# --- choosing the language -------------------------------------------------------------------

def test_dutch_is_the_default(client, tenant):
    page = client.get("/login")
    assert 'lang="nl"' in page.text and "Inloggen" in page.text and 'value="en"' in page.text


def test_before_login_the_choice_is_kept_for_the_browser(client, tenant):
    r = choose(client, "en", "/login")
    assert r.status_code == 302 and r.headers["Location"] == "/login"
    page = client.get("/login")
    assert 'lang="en"' in page.text and "Log in" in page.text and 'value="nl"' in page.text
    login(client, tenant.emails["company1"])  # and after login, for a person who chose none
    assert 'lang="en"' in client.get("/start").text


def test_a_person_chooses_english_and_keeps_it_everywhere(app, tenant):
    from cki.events.models import EventLogEntry as Event
    from cki.users.models import User

    english(app, tenant.emails["planner"])
    with app.app_context():
        assert db.session.get(User, tenant.ids["user_planner"]).language == "en"
        logged = db.session.scalars(db.select(Event).where(Event.action == "user.language_set")).all()
        assert [(e.before, e.after) for e in logged] == [({"language": None}, {"language": "en"})]
    elsewhere = app.test_client()  # another browser: the choice travels with the person
    login(elsewhere, tenant.emails["planner"])
    start = elsewhere.get("/start").text
    assert 'lang="en"' in start and "Log out" in start and "Uitloggen" not in start
    colleague = app.test_client()
    login(colleague, tenant.emails["assessor"])
    assert 'lang="nl"' in colleague.get("/start").text and "Uitloggen" in colleague.get("/start").text


def test_an_unknown_language_is_refused_naming_the_field(app, client, tenant):
    login(client, tenant.emails["planner"])
    r = client.post("/taal", data={"language": "fr", "csrf_token": _csrf(client.get("/start").text)})
    assert r.status_code == 422 and "language" in r.text


def test_the_api_sets_and_reads_the_own_language(client, tenant):
    me = tenant.auth("company1")
    assert client.get("/api/v1/me", headers=me).json["language"] is None
    r = client.patch("/api/v1/me", json={"language": "en"}, headers=me)
    assert r.status_code == 200 and r.json["language"] == "en"
    bad = client.patch("/api/v1/me", json={"language": "de"}, headers=me)
    assert bad.status_code == 422 and "language" in bad.json["errors"]["json"]
    machine = client.patch("/api/v1/me", json={"language": "en"}, headers=tenant.auth("sca"))
    assert machine.status_code == 403


def test_the_glossary_speaks_the_readers_language(app, client, tenant):
    choose(client, "en", "/begrippen")
    page = client.get("/begrippen").text
    assert "assessment" in page and "working day (werkdag)" in page and "Glossary" in page
    assert "Een beoordeling door de CKI" not in page


# --- every page in both languages ------------------------------------------------------------

@pytest.fixture
def clock_start():
    return "2026-04-23"


@pytest.fixture
def worked(app, client, tenant, clock):
    """Something on every main page (as for the accessibility run), and the pages by role."""
    from tests.browser.test_accessibility import pages, something_on_every_page

    ids = something_on_every_page(app, client, tenant, clock)
    letter = client.get(f"/api/v1/letters/{ids['letter']}", headers=tenant.auth("office")).json
    return ids, pages(ids), letter


def _dutch_left_over(html: str, catalog) -> list[str]:
    """Dutch messages of the catalog (whose English differs) that a page shows as a whole text:
    a heading, a cell, a button, a label left untranslated. Scheme data and stored texts (Dutch by
    design) may contain such words inside their sentences; those are not counted."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    texts = {re.sub(r"\s+", " ", t).strip(" :·") for t in re.split(r"<[^>]*>", html)}
    return sorted(m.id for m in catalog if isinstance(m.id, str) and len(m.id) >= 4 and "%" not in m.id
                  and m.string and m.string != m.id and m.id in texts)


def test_every_main_page_renders_in_english_and_in_dutch(app, tenant, worked):
    _, urls_by_role, _ = worked
    catalog, _ = build_catalog("en")
    problems = []
    for who, urls in urls_by_role.items():
        dutch = app.test_client()
        login(dutch, tenant.emails[who])
        english_client = english(app, tenant.emails[who])
        for url in urls:
            nl, en = dutch.get(url), english_client.get(url)
            if nl.status_code != 200 or en.status_code != 200:
                problems.append(f"{who} {url}: {nl.status_code}/{en.status_code}")
                continue
            if 'lang="en"' not in en.text or 'lang="nl"' not in nl.text:
                problems.append(f"{who} {url}: lang attribute")
            problems += [f"{who} {url}: Dutch left: {m!r}" for m in _dutch_left_over(en.text, catalog)]
    assert not problems, "\n".join(problems)


def test_letters_and_certificates_stay_dutch_for_a_reader_of_english(app, tenant, worked):
    """The letter a person reading English opens is the Dutch besluit; its PDF too."""
    ids, _, letter = worked
    office = english(app, tenant.emails["office"])
    page = office.get(f"/post/brieven/{ids['letter']}").text
    assert 'lang="en"' in page
    assert letter["subject"] in page and letter["body"].split("\n")[0] in page
    pdf = office.get(f"/api/v1/letters/{ids['letter']}/letter.pdf")  # the page's link: the session's language
    assert pdf.status_code == 200
    from io import BytesIO

    from pypdf import PdfReader

    text = " ".join(p.extract_text() for p in PdfReader(BytesIO(pdf.data)).pages)
    assert "Ons kenmerk" in text and "Our reference" not in text, text[:400]


def test_a_refusal_reads_in_english_on_the_page_and_dutch_in_the_api(app, client, tenant):
    """The reason of a refused form is the catalog's English for a reader of English; the API
    answers the same refusal in Dutch (its messages are not translated)."""
    from tests.test_web import post

    admin = english(app, tenant.emails["admin"])
    r = post(admin, "/beheer/gebruikers", kind="staff", name="Dubbel", email=tenant.emails["planner"],
             password="een lang genoeg wachtwoord", roles=["planner"])
    assert "This e-mail address is already in use." in r.text and "al in gebruik" not in r.text
    api = client.post("/api/v1/users", headers=tenant.auth("admin"), json={
        "kind": "staff", "name": "Dubbel", "email": tenant.emails["planner"], "password": "een lang genoeg wachtwoord"})
    assert api.status_code == 422 and api.json["message"] == "Dit e-mailadres is al in gebruik."


def test_a_refusal_with_values_reads_in_english_on_the_page_and_dutch_in_the_api(app, client, tenant, clock):
    """A refusal that names values (a Message: here the certificate's dates) is said from its template:
    the English sentence with the same dates for a reader of English; the API answers the Dutch one."""
    from datetime import date

    from tests.test_surveillance import certify, plan
    from tests.test_web import post

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    until = date.fromisoformat(client.get(f"/api/v1/certificates/{cid}", headers=tenant.auth("planner"))
                               .json["valid_until"]).strftime("%d-%m-%Y")
    dutch = f"De datum ligt buiten de geldigheid van het certificaat (31-01-2026 tot en met {until})."
    form = {"kind": "branch", "branch_id": tenant.ids["branch1"], "planned_on": "2031-01-06",
            "auditor_ids": tenant.ids["user_assessor"]}
    nl = post(reader(app, tenant, "planner"), f"/certificaten/{cid}/beoordelingen", **form)
    assert nl.status_code == 422 and dutch in nl.text
    en = post(reader(app, tenant, "planner", "en"), f"/certificaten/{cid}/beoordelingen", **form)
    assert en.status_code == 422
    assert f"The date falls outside the validity of the certificate (31-01-2026 up to and including {until})." in en.text
    assert "buiten de geldigheid" not in en.text
    api = plan(client, tenant, cid, kind="branch", planned_on="2031-01-06")
    assert api.status_code == 422 and api.json["message"] == dutch
    assert api.json["errors"]["json"]["planned_on"] == [dutch]


# --- a rule's sentence in the reader's language ----------------------------------------------

def test_a_message_is_its_dutch_text_and_keeps_its_template_through_a_citation():
    import json

    from workflows.text import Message, with_source

    m = Message("De datum %(on)s ligt na vandaag (%(today)s).", on="02-01-2027", today="01-01-2027")
    assert m == "De datum 02-01-2027 ligt na vandaag (01-01-2027)." and json.dumps(m) == json.dumps(str(m))
    cited = with_source(m, "B §3.1.2")
    assert cited == "De datum 02-01-2027 ligt na vandaag (01-01-2027) (B §3.1.2)."
    assert (cited.template, cited.values, cited.source) == (m.template, m.values, "B §3.1.2")
    assert with_source("Te laat.", "Atw") == "Te laat (Atw)."  # a plain text as before


@pytest.mark.parametrize("period, dutch, english", [
    ({"months": 4}, "4 maanden", "4 months"), ({"months": 1}, "1 maand", "1 month"),
    ({"years": 1}, "1 jaar", "1 year"), ({"years": 5}, "5 jaar", "5 years"),
    ({"weeks": 6, "days": 1}, "6 weken en 1 dag", "6 weeks and 1 day")])
def test_a_period_reads_in_both_languages(app, period, dutch, english):
    from cki.core.i18n import say
    from workflows.rules import describe

    said = describe(period)
    assert said == dutch
    with app.test_request_context():
        from flask_babel import force_locale

        assert say(said) == dutch
        with force_locale("en"):
            assert say(said) == english


def test_say_translates_the_template_its_message_values_and_keeps_the_source(app):
    from flask_babel import force_locale

    from cki.core.i18n import say
    from workflows.rules import describe
    from workflows.text import Message, with_source

    flag = with_source(Message("%(first)s en %(second)s", first=describe({"months": 4}), second="X"), "B §3.1.2")
    with app.test_request_context(), force_locale("en"):
        assert say(flag) == "4 months and X (B §3.1.2)."
        assert say("Een tekst die de catalogus niet kent.") == "Een tekst die de catalogus niet kent."
        assert say(None) is None and say("") == ""
