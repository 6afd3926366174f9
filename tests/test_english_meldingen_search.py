"""The meldingen pages (register, calendar, a melding, portal form, uploads, fax, LAVS messages) and
the search page in English for a reader who chose it; Dutch stays as it was for everyone else."""
import io
import re
from datetime import date

from tests.conftest import give_certificate
from tests.test_i18n import choose
from tests.test_lavs_intake import upload as upload_lavs
from tests.test_meldingen import MELDING
from tests.test_web import _csrf, post


def english(as_user, who):
    client = as_user(who)
    assert choose(client, "en").status_code == 302
    return client


def submit(client, tenant, who="company1", **changes):
    r = client.post("/api/v1/meldingen", json={**MELDING, **changes}, headers=tenant.auth(who))
    assert r.status_code == 201, r.json
    return r.json


def _upload(client, kind, csv_text, htmx=True, filename="bestand.csv"):
    page = client.get("/meldingen/uploaden")
    data = {"csrf_token": _csrf(page.text), "file": (io.BytesIO(csv_text.encode()), filename)}
    return client.post(f"/meldingen/uploaden/{kind}", data=data, content_type="multipart/form-data",
                       headers={"HX-Request": "true"} if htmx else {})


# -- the company's portal -----------------------------------------------------------------

def test_the_portal_form_and_a_melding_in_english(app, client, tenant, clock, as_user):
    company = english(as_user, "company1")
    page = company.get("/meldingen/").text
    assert '<html lang="en">' in page
    for text in ("<h1>Notifications</h1>", "New notification", "Send notification", "Street and house number",
                 "Number of asbestos workers", "Large job: one notification per location",
                 "By e-mail, portal or API at least 2 working days before the start, by fax 5 "
                 "(SC-540 B §7.1 and SC-530 C §7.1).", "Only in an emergency may it be shorter",
                 '<option value="ja" >yes</option>', "No notifications match these filters."):
        assert text in page, text
    for dutch in ("Nieuwe melding", "Melding versturen", "werkdagen", "Straat en huisnummer", "Geen meldingen"):
        assert dutch not in page, dutch
    assert '<option value="ja"' in page and '<option value="nee"' in page  # the values stay codes

    r = post(company, "/meldingen/nieuw", **{**MELDING, "containment": "ja"})
    found = re.search(r"Notification (\d+) received\.", r.text)
    assert found, r.text
    shown = r.text
    for text in (f"Notification {found.group(1)} · Kerkstraat 12", "Period", "Responsible person", "Change notification",
                 "Withdraw notification", "Versions", "<td>yes</td>"):
        assert text in shown, text
    assert "Melding wijzigen" not in shown and "Versies" not in shown
    assert "audit" not in shown.lower() and "assessment" not in shown.lower()  # the pick stays secret

    r = post(company, "/meldingen/nieuw", **{**MELDING, "street": "Ander 2", "worker_count": "veel"})
    assert "Notification not sent: Number of asbestos workers: " in r.text  # the schema's reason stays Dutch
    r = post(company, f"/meldingen/{found.group(1)}/intrekken", reason="Klus gaat niet door")
    assert "Notification withdrawn." in r.text

    choose(company, "nl")
    dutch = company.get("/meldingen/").text  # and back: Dutch as before
    assert "Nieuwe melding" in dutch and "Per e-mail, portaal of api uiterlijk 2 werkdagen vóór de start" in dutch
    assert "New notification" not in dutch


def test_uploads_in_english(client, tenant, clock, as_user):
    company = english(as_user, "company1")
    page = company.get("/meldingen/uploaden").text
    for text in ("<h1>Upload</h1>", "Notifications in bulk", "Logbook (SC-530)", "Project overview (SC-540)",
                 "<th>Column</th><th>or in Dutch</th><th>Content</th>", "the worker&#39;s staff number: never a name or BSN",
                 "Activities that count towards project days: <code>", "Processing…",
                 "The same files can be sent through the API (<code>POST /api/v1/meldingen/bulk</code>"):
        assert text in page, text
    assert "<code>personeelsnummer</code>" in page  # a file's Dutch column names stay what they are
    assert "Bezig met verwerken" not in page and "Eén melding per regel" not in page
    csv_text = ("scheme;street;postcode;place;planned_start;planned_end\n"
                "SC-530;Laan 1;3511AB;Utrecht;2026-12-07;2026-12-08\n"
                "SC-530;Laan 3;35;Utrecht;2026-12-07;2026-12-08\n")
    r = _upload(company, "meldingen", csv_text)
    assert "<strong>1</strong> accepted, <strong>0</strong> already known (linked), <strong>1</strong> refused." in r.text
    assert "<th>Outcome</th><th>Notification</th>" in r.text and "aangenomen" not in r.text.split("<table>")[0]
    r = _upload(company, "projectoverzicht", "location;responsible_dia;remediated;demolished\n"
                                             "Dorpsstraat 1, Ede;DIA P. de Vries;nee;nee\n")
    assert "1 line(s) saved." in r.text
    page = company.get("/meldingen/uploaden")
    r = company.post("/meldingen/uploaden/logboek", data={"csrf_token": _csrf(page.text)},
                     content_type="multipart/form-data", headers={"HX-Request": "true"})
    assert "<strong>Not processed:</strong> Choose a CSV file." in r.text

    dutch = as_user("company2")
    assert "Bezig met verwerken…" in dutch.get("/meldingen/uploaden").text
    assert "1 regel(s) opgeslagen." in _upload(dutch, "projectoverzicht", "location;responsible_dia;remediated;demolished\n"
                                                                      "Dorpsstraat 2, Ede;DIA P. de Vries;nee;nee\n").text


# -- the staff's register -----------------------------------------------------------------

def test_the_register_and_week_calendar_in_english(app, client, tenant, clock, as_user):
    from tests.test_surveillance import certify, declare_clear, plan

    cid = certify(app, tenant, "company1", "SC-530", date(2026, 1, 31))
    declare_clear(client, tenant)
    audit = plan(client, tenant, cid, kind="branch", planned_on="2026-12-09").json
    m = submit(client, tenant)
    client.post(f"/api/v1/meldingen/{m['id']}/audit-selection", json={"planned_on": "2026-12-08"},
                headers=tenant.auth("planner"))
    planner = english(as_user, "planner")
    listed = planner.get("/meldingen/?from=2026-12-01").text
    for text in ("<th>No.</th><th>Company</th><th>Location</th><th>Start</th><th>End</th><th>Channel</th>"
                 "<th>Timeliness</th><th>Status</th>", "assessment planned 08-12-2026", "Record a fax",
                 "LAVS messages", "late (accepted)", '<option value="week" >week</option>'):
        assert text in listed, text
    assert "beoordeling gepland" not in listed and "Kanaal" not in listed
    week = planner.get("/meldingen/?view=week&day=2026-12-08").text
    assert "Week 50 · 07-12-2026 to 13-12-2026" in week
    tuesday = week.split("Tue 08-12-2026")[1].split("</section>")[0]
    assert "unannounced assessment today" in tuesday and "Assessors" in tuesday and "No assessments planned." in tuesday
    wednesday = week.split("Wed 09-12-2026")[1].split("</section>")[0]
    assert f"Assessment {audit['id']}" in wednesday
    assert "No notifications." in week.split("Thu 10-12-2026")[1].split("</section>")[0]
    assert "&larr; previous" in week and "next &rarr;" in week
    assert "onaangekondigde beoordeling vandaag" not in week and "wo 09-12-2026" not in week
    r = planner.get("/meldingen/?view=week&day=morgen", follow_redirects=True)
    assert "morgen is not a valid date; showing today." in r.text

    shown = planner.get(f"/meldingen/{m['id']}").text
    for text in ("Unannounced assessment planned on 08-12-2026", "First viewed by", "History",
                 "<th>When</th><th>Who</th><th>What</th>", "Merge with another notification",
                 "Split off another location", "Explanation (required)"):
        assert text in shown, text
    r = post(planner, f"/meldingen/{m['id']}/samenvoegen", other_id="999999", note="dubbel")
    assert "Not merged: Notification 999999 does not exist." in r.text
    r = post(planner, f"/meldingen/{m['id']}/splitsen", street="Kerkstraat 14", postcode="3511 AB", place="Utrecht",
             note="twee klussen")
    assert re.search(rf"Split off as notification \d+ \(Kerkstraat 14, 3511AB Utrecht\) from notification {m['id']}\.",
                     r.text), r.text

    dutch = as_user("team_leader")
    week = dutch.get("/meldingen/?view=week&day=2026-12-08").text
    assert "Week 50 · 07-12-2026 t/m 13-12-2026" in week and "onaangekondigde beoordeling vandaag" in week
    assert "Onaangekondigde beoordeling gepland op 08-12-2026" in dutch.get(f"/meldingen/{m['id']}").text


def test_a_calamity_and_an_audit_pick_in_english(client, tenant, clock, as_user):
    clock("2026-12-07")
    m = submit(client, tenant, calamity_motivation="Dak ingestort na storm; acuut gevaar.")
    planner = english(as_user, "planner")
    shown = planner.get(f"/meldingen/{m['id']}").text
    for text in ("This emergency notification awaits approval by the CKI.", "Emergency: Dak ingestort",
                 "Approve or refuse the emergency", "Select for an unannounced assessment", ">Approve</button>",
                 ">Refuse</button>"):
        assert text in shown, text
    r = post(planner, f"/meldingen/{m['id']}/goedkeuring", approve="ja", note="Terecht")
    assert "Emergency approved: the notification is registered." in r.text
    r = post(planner, f"/meldingen/{m['id']}/auditlocatie", planned_on="2026-12-08")
    assert "Location selected for an unannounced assessment on 08-12-2026." in r.text


def test_recording_a_fax_in_english(client, tenant, clock, as_user):
    office = english(as_user, "office")
    page = office.get("/meldingen/fax").text
    for text in ("<h1>Record a fax</h1>", "— choose a company —", "A notification that came in by fax",
                 "by fax 5", "The company's reference"):
        assert text in page, text
    assert "Fax vastleggen" not in page and "Eigen referentie" not in page
    r = post(office, "/meldingen/fax", company_id="999999", received_on="2026-11-24", **MELDING)
    assert "Fax not recorded: choose a company from the list." in r.text
    r = post(office, "/meldingen/fax", company_id=str(tenant.ids["company1"]), received_on="2026-11-24",
             **{**MELDING, "containment": "ja"})
    assert re.search(r"Fax recorded as notification \d+\.", r.text)
    assert "Fax vastleggen" in as_user("planner").get("/meldingen/fax").text


# -- LAVS messages ------------------------------------------------------------------------

def test_lavs_messages_in_english(request, client, tenant, clock, as_user):
    [msg] = upload_lavs(client, tenant, "startmelding.xml")  # the company is not known yet: parked
    office = english(as_user, "office")
    assert "1 parked LAVS message(s)" in office.get("/meldingen/").text
    listed = office.get("/meldingen/lavs").text
    for text in ("<h1>LAVS messages</h1>", "Every message received is kept.",
                 "<code>POST /api/v1/lavs/messages/&lt;id&gt;/retry</code>", "Upload a message",
                 "<th>Reason / notification</th>", ">Process again</button>"):
        assert text in listed, text
    assert "Opnieuw verwerken" not in listed
    shown = office.get(f"/meldingen/lavs/{msg['id']}").text
    for text in (f"<h1>LAVS message {msg['id']}</h1>", "Content as mapped", "<th>Company KvK number</th>",
                 "<th>Permit holder</th>", "Set aside (no notification)", "Reason (required)", "The message as received",
                 "All LAVS messages"):
        assert text in shown, text
    assert "KvK-nummer bedrijf" not in shown
    r = post(office, f"/meldingen/lavs/{msg['id']}/opnieuw")
    assert f"Message {msg['id']} has been parked again: Onbekend bedrijf" in r.text  # the stored reason stays Dutch

    page = office.get("/meldingen/lavs")
    broken = office.post("/meldingen/lavs/uploaden", data={
        "csrf_token": _csrf(page.text), "file": (io.BytesIO(b"<kapot"), "kapot.xml")},
        content_type="multipart/form-data", follow_redirects=True)
    found = re.search(r"Message (\d+) \S+: Niet te lezen", broken.text)
    assert found, broken.text
    r = post(office, f"/meldingen/lavs/{found.group(1)}/terzijde", reason="Testbericht")
    assert f"Message {found.group(1)} has been set aside; it is kept." in r.text
    assert "The message cannot be read: " in office.get(f"/meldingen/lavs/{found.group(1)}").text

    request.getfixturevalue("zuid")
    r = post(office, f"/meldingen/lavs/{msg['id']}/opnieuw")
    assert re.search(rf"Message {msg['id']} has been processed \(notification \d+\)\.", r.text)

    dutch = as_user("planner").get(f"/meldingen/lavs/{msg['id']}").text
    assert "Inhoud volgens de mapping" in dutch and "<th>KvK-nummer bedrijf</th>" in dutch


# -- search -------------------------------------------------------------------------------

def test_the_search_page_in_english(app, client, tenant, clock, as_user):
    m = submit(client, tenant)
    planner = english(as_user, "planner")
    page = planner.get("/zoeken/", query_string={"q": "3511 AB"}).text
    assert "<h1>Search</h1>" in page and "<h2>Notifications</h2>" in page and f"Notification {m['id']}" in page
    assert "Search by company name, place, KvK number" in page and "Melding " not in page
    assert "<h2>Companies</h2>" in planner.get("/zoeken/?q=Bedrijf").text
    assert "Nothing found for ‘onvindbaar’." in planner.get("/zoeken/?q=onvindbaar").text
    give_certificate(app, tenant, tenant.ids["company1"], issued_on=date(2026, 1, 5), valid_until=date(2029, 1, 4),
                     number="SC-530/2026/0077", holder="Bedrijf X1", kvk="10000001")
    assert "<h2>Certificates</h2>" in planner.get("/zoeken/?q=SC-530/2026/0077").text

    dutch = as_user("team_leader").get("/zoeken/", query_string={"q": "3511 AB"}).text
    assert "<h2>Meldingen</h2>" in dutch and f"Melding {m['id']}" in dutch and "Notification" not in dutch
    assert "Niets gevonden voor ‘onvindbaar’." in as_user("team_leader").get("/zoeken/?q=onvindbaar").text
