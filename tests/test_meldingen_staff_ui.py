"""Meldingen pages: the full portal form, the staff actions on a melding (calamity approval,
audit pick, cancel, merge, split), recording a fax and retrying a parked LAVS message. Each
writes through the same operation as the API, for the same roles."""

import re
from datetime import date

from tests.conftest import give_certificate
from tests.test_lavs_intake import upload as upload_lavs
from tests.test_meldingen import MELDING
from tests.test_web import _csrf, post


def api_melding(client, tenant, melding_id):
    return client.get(f"/api/v1/meldingen/{melding_id}", headers=tenant.auth("planner")).json


def submit(client, tenant, who="company1", **changes):
    r = client.post("/api/v1/meldingen", json={**MELDING, **changes}, headers=tenant.auth(who))
    assert r.status_code == 201, r.json
    return r.json


# -- 1. the portal form -------------------------------------------------------------------

def test_portal_form_holds_the_whole_content_of_a_melding(app, client, tenant, clock, as_user):
    give_certificate(app, tenant, tenant.ids["company1"], issued_on=date(2025, 3, 3), valid_until=date(2028, 3, 2),
                     number="SC-530/2025/0042", holder="Bedrijf X1", kvk="10000001")
    company = as_user("company1")
    page = company.get("/meldingen/").text
    for name in ("certificate_number", "worker_count", "project_group", "part_label", "calamity_motivation"):
        assert f'name="{name}"' in page
    assert '<select name="containment">' in page and '<option value="ja"' in page and '<option value="nee"' in page
    assert 'type="number" name="worker_count"' in page
    assert "één melding per locatie" in page and "melding in delen" in page
    assert "Alleen bij een calamiteit" in page
    r = post(company, "/meldingen/nieuw", **{**MELDING, "containment": "nee", "certificate_number": "SC-530/2025/0042",
                                             "worker_count": "3", "project_group": "Renovatie Kanaleneiland",
                                             "part_label": "deel 2", "calamity_motivation": ""})
    assert re.search(r"Melding \d+ ontvangen\.", r.text)
    [m] = client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json
    assert (m["certificate_number"], m["containment"], m["worker_count"]) == ("SC-530/2025/0042", False, 3)
    assert (m["project_group"], m["part_label"], m["timeliness"]) == ("Renovatie Kanaleneiland", "deel 2", "on_time")
    shown = company.get(f"/meldingen/{m['id']}").text
    assert "SC-530/2025/0042" in shown and "Renovatie Kanaleneiland" in shown and "deel 2" in shown
    r = post(company, "/meldingen/nieuw", **{**MELDING, "street": "Ander 2", "worker_count": "veel"})
    assert "Melding niet verstuurd" in r.text and "Aantal asbestwerkers" in r.text


# -- 2. staff actions on a melding ---------------------------------------------------------

def test_calamity_is_approved_or_refused_on_the_page(client, tenant, clock, as_user):
    clock("2026-12-07")
    motivation = "Dak ingestort na storm; acuut gevaar."
    first = submit(client, tenant, calamity_motivation=motivation)
    second = submit(client, tenant, street="Ander 1", calamity_motivation=motivation)
    assert first["status"] == second["status"] == "pending_approval"
    url = f"/meldingen/{first['id']}"
    for who in ("company1", "assessor", "office"):  # the API lets planners and team leaders only
        other = as_user(who)
        assert "Calamiteit goedkeuren" not in other.get(url).text
        assert post(other, url + "/goedkeuring", approve="ja", note="x").status_code == 403
    planner = as_user("planner")
    assert "Calamiteit goedkeuren" in planner.get(url).text
    r = post(planner, url + "/goedkeuring", approve="ja", note="")
    assert "Besluit niet opgeslagen" in r.text and "Toelichting" in r.text
    assert api_melding(client, tenant, first["id"])["status"] == "pending_approval"
    r = post(planner, url + "/goedkeuring", approve="ja", note="Terecht: acuut gevaar.")
    assert "Calamiteit goedgekeurd" in r.text and "Calamiteit goedkeuren" not in r.text
    assert api_melding(client, tenant, first["id"])["status"] == "registered"
    r = post(planner, url + "/goedkeuring", approve="nee", note="Toch niet")  # the operation refuses it now
    assert "Alleen een calamiteitenmelding die op goedkeuring wacht." in r.text
    r = post(as_user("team_leader"), f"/meldingen/{second['id']}/goedkeuring", approve="nee", note="Geen calamiteit.")
    assert "Calamiteit afgewezen" in r.text
    assert api_melding(client, tenant, second["id"])["status"] == "cancelled"
    # the history says who decided what, with the reason; the company sees its versions only
    history = planner.get(url).text.split("<h2>Historie</h2>")[1].split("</table>")[0]
    assert "Calamiteit goedgekeurd" in history and "Terecht: acuut gevaar." in history and "planner" in history
    assert "Bekeken (planner of teamleider)" in history  # the planner opened it
    company = as_user("company1").get(url).text
    assert "<h2>Historie</h2>" not in company and "Bekeken" not in company and "<h2>Versies</h2>" in company


def test_staff_pick_a_location_for_an_unannounced_audit(client, tenant, clock, as_user):
    m = submit(client, tenant)
    url = f"/meldingen/{m['id']}"
    company = as_user("company1")
    assert "audit" not in company.get(url).text.lower()
    assert post(company, url + "/auditlocatie", planned_on="2026-12-08").status_code == 403
    office = as_user("office")  # a staff editor, but the API lets planners and team leaders pick
    assert "onaangekondigde beoordeling" not in office.get(url).text
    assert post(office, url + "/auditlocatie", planned_on="2026-12-08").status_code == 403
    planner = as_user("planner")
    assert "Kiezen voor een onaangekondigde beoordeling" in planner.get(url).text
    r = post(planner, url + "/auditlocatie", planned_on="2026-12-20")
    assert "Niet gekozen: De datum van de beoordeling valt buiten de looptijd van de melding." in r.text
    assert client.get("/api/v1/audit-selections", headers=tenant.auth("planner")).json == []
    r = post(planner, url + "/auditlocatie", planned_on="2026-12-08", note="Steekproef december")
    assert "Locatie gekozen voor een onaangekondigde beoordeling op 08-12-2026." in r.text
    assert "Onaangekondigde beoordeling gepland op" in r.text and "Kiezen voor een onaangekondigde beoordeling" not in r.text
    [picked] = client.get("/api/v1/audit-selections", headers=tenant.auth("planner")).json
    assert (picked["melding_id"], picked["planned_on"], picked["note"]) == (m["id"], "2026-12-08", "Steekproef december")
    r = post(as_user("team_leader"), url + "/auditlocatie", planned_on="2026-12-09")
    assert "Deze locatie is al gekozen." in r.text
    assert "audit" not in company.get(url).text.lower()  # still never shown to the company


def test_company_or_staff_editor_cancels_a_melding(client, tenant, clock, as_user):
    own = submit(client, tenant)
    other = submit(client, tenant, street="Ander 1")
    company = as_user("company1")
    assert "Melding intrekken" in company.get(f"/meldingen/{own['id']}").text
    assert post(as_user("company2"), f"/meldingen/{own['id']}/intrekken", reason="x").status_code == 404
    assessor = as_user("assessor")  # staff, but not an editor
    assert "Melding intrekken" not in assessor.get(f"/meldingen/{own['id']}").text
    assert post(assessor, f"/meldingen/{own['id']}/intrekken").status_code == 403
    r = post(company, f"/meldingen/{own['id']}/intrekken", reason="Opdracht vervallen")
    assert "Melding ingetrokken." in r.text and "Melding intrekken" not in r.text
    m = api_melding(client, tenant, own["id"])
    assert m["status"] == "cancelled" and m["revisions"][-1]["source"] == "portal"
    r = post(company, f"/meldingen/{own['id']}/intrekken")
    assert "Niet ingetrokken: De melding is al ingetrokken of samengevoegd." in r.text
    r = post(as_user("office"), f"/meldingen/{other['id']}/intrekken")
    assert "Melding ingetrokken." in r.text
    m = api_melding(client, tenant, other["id"])
    assert m["status"] == "cancelled" and m["revisions"][-1]["source"] == "staff"


def test_staff_merge_and_split_meldingen(client, tenant, clock, as_user):
    keep = submit(client, tenant)
    twin = submit(client, tenant, street="Kerkstraat 12a")
    foreign = submit(client, tenant, who="company2", street="Elders 3")
    company = as_user("company1")
    assert "Samenvoegen" not in company.get(f"/meldingen/{keep['id']}").text
    assert post(company, f"/meldingen/{keep['id']}/samenvoegen", other_id=twin["id"], note="x").status_code == 403
    assert post(company, f"/meldingen/{keep['id']}/splitsen", street="A 1", postcode="3511AB", place="Utrecht",
                note="x").status_code == 403
    assessor = as_user("assessor")
    assert post(assessor, f"/meldingen/{keep['id']}/samenvoegen", other_id=twin["id"], note="x").status_code == 403
    office = as_user("office")
    url = f"/meldingen/{keep['id']}"
    page = office.get(url).text
    assert "Samenvoegen met een andere melding" in page and "Een andere locatie afsplitsen" in page
    r = post(office, url + "/samenvoegen", other_id=foreign["id"], note="Zelfde klus")
    assert "Alleen twee verschillende meldingen van hetzelfde bedrijf." in r.text
    r = post(office, url + "/samenvoegen", other_id="999999", note="Zelfde klus")
    assert "Melding 999999 bestaat niet." in r.text
    r = post(office, url + "/samenvoegen", other_id=twin["id"], note="")
    assert "Niet samengevoegd" in r.text and "Toelichting" in r.text
    r = post(office, url + "/samenvoegen", other_id=twin["id"], note="Zelfde klus, twee keer gemeld")
    assert f"Melding {twin['id']} is samengevoegd met deze melding." in r.text
    merged = api_melding(client, tenant, twin["id"])
    assert merged["status"] == "merged" and merged["merged_into_id"] == keep["id"]
    assert f"melding {keep['id']}" in office.get(f"/meldingen/{twin['id']}").text

    r = post(office, url + "/splitsen", street="Kerkstraat 14", postcode="35", place="Utrecht", note="Twee panden")
    assert "Niet gesplitst" in r.text and "Postcode" in r.text
    r = post(office, url + "/splitsen", street="Kerkstraat 14", postcode="3511 AB", place="Utrecht",
             part_label="pand 2", note="Twee panden")
    assert "Afgesplitst als melding" in r.text and "Kerkstraat 14" in r.text
    listed = client.get("/api/v1/meldingen", headers=tenant.auth("company1")).json
    [part] = [m for m in listed if m["street"] == "Kerkstraat 14"]
    assert part["part_label"] == "pand 2" and part["client"] == MELDING["client"]
    assert f"Melding {part['id']}" in r.text  # the new melding's page


# -- 3. fax --------------------------------------------------------------------------------

def test_staff_record_a_fax(client, tenant, clock, as_user):
    office = as_user("office")
    assert "Fax vastleggen" in office.get("/meldingen/").text
    page = office.get("/meldingen/fax")
    assert page.status_code == 200 and "Bedrijf X1" in page.text and 'value="2026-11-24"' in page.text
    assert 'name="certificate_number"' in page.text and 'name="received_on"' in page.text
    for who in ("assessor", "company1"):
        other = as_user(who)
        assert "Fax vastleggen" not in other.get("/meldingen/").text
        assert other.get("/meldingen/fax").status_code == 403
    fax = {**MELDING, "containment": "ja", "company_id": str(tenant.ids["company1"]), "worker_count": "2"}
    token = _csrf(page.text)
    r = office.post("/meldingen/fax", data={**fax, "received_on": "2026-11-25", "csrf_token": token})
    assert r.status_code == 422 and "De ontvangstdatum ligt in de toekomst." in r.text
    assert 'value="Kerkstraat 12"' in r.text  # the form comes back filled in
    r = office.post("/meldingen/fax", data={**fax, "planned_start": "2026-11-27", "planned_end": "2026-11-27",
                                            "received_on": "2026-11-24", "csrf_token": token})
    assert r.status_code == 422 and "Fax niet vastgelegd" in r.text and "binnen moeten zijn" in r.text
    assert client.get("/api/v1/meldingen", headers=tenant.auth("planner")).json == []
    r = office.post("/meldingen/fax", data={**fax, "received_on": "2026-11-23", "csrf_token": token},
                    follow_redirects=True)
    assert "Fax vastgelegd als melding" in r.text
    [m] = client.get("/api/v1/meldingen", headers=tenant.auth("planner")).json
    assert (m["channel"], m["submitted_on"], m["company_id"]) == ("fax", "2026-11-23", tenant.ids["company1"])
    assert (m["containment"], m["worker_count"]) == (True, 2)
    assert api_melding(client, tenant, m["id"])["revisions"][0]["source"] == "staff"


# -- 4. LAVS retry -------------------------------------------------------------------------

def test_parked_lavs_message_is_processed_again_from_the_page(request, client, tenant, clock, as_user):
    [msg] = upload_lavs(client, tenant, "startmelding.xml")
    assert msg["status"] == "parked"
    assessor = as_user("assessor")  # may read the work list, not retry
    page = assessor.get("/meldingen/lavs").text
    assert "geparkeerd" in page and "Opnieuw verwerken</button>" not in page
    assert post(assessor, f"/meldingen/lavs/{msg['id']}/opnieuw").status_code == 403
    office = as_user("office")
    assert "Opnieuw verwerken</button>" in office.get("/meldingen/lavs").text
    r = post(office, f"/meldingen/lavs/{msg['id']}/opnieuw")  # the company is still unknown
    assert f"Bericht {msg['id']} is opnieuw geparkeerd: Onbekend bedrijf" in r.text
    request.getfixturevalue("zuid")  # staff register the company and its certificate
    r = post(office, f"/meldingen/lavs/{msg['id']}/opnieuw")
    assert f"Bericht {msg['id']} is verwerkt (melding" in r.text and "Opnieuw verwerken</button>" not in r.text
    [done] = client.get("/api/v1/lavs/messages", headers=tenant.auth("planner")).json
    assert done["status"] == "processed" and done["melding_id"]
    r = post(office, f"/meldingen/lavs/{msg['id']}/opnieuw")
    assert "Niet opnieuw verwerkt: Dit bericht is al verwerkt." in r.text


def test_the_company_and_staff_change_a_melding_on_its_page(client, tenant, clock, as_user):
    m = submit(client, tenant)
    url = f"/meldingen/{m['id']}"
    company = as_user("company1")
    page = company.get(url).text
    assert "Melding wijzigen" in page and f'value="{m["street"]}"' in page  # the form holds the current content
    r = post(company, url + "/wijzigen", **{**MELDING, "client": "Woonstichting Oost", "containment": "ja"})
    assert "Melding gewijzigd." in r.text
    changed = api_melding(client, tenant, m["id"])
    assert changed["client"] == "Woonstichting Oost" and [v["kind"] for v in changed["revisions"]] == ["new", "change"]
    office = as_user("office")
    r = post(office, url + "/wijzigen", **{**MELDING, "client": "Woonstichting West", "containment": "ja"})
    assert "Melding gewijzigd." in r.text and api_melding(client, tenant, m["id"])["revisions"][-1]["source"] == "staff"
    r = post(office, url + "/wijzigen", **{**MELDING, "planned_start": "2026-11-25", "planned_end": "2026-11-25"})
    assert "Niet gewijzigd" in r.text and api_melding(client, tenant, m["id"])["planned_start"] == MELDING["planned_start"]
    for who in ("assessor", "company2"):
        assert post(as_user(who), url + "/wijzigen", **MELDING).status_code in (403, 404)


def test_a_calamity_melding_says_it_waits_for_the_ckis_approval(client, tenant, clock, as_user):
    clock("2026-12-07")
    company = as_user("company1")
    r = post(company, "/meldingen/nieuw", **{**MELDING, "containment": "",
                                             "calamity_motivation": "Dak ingestort na storm; acuut gevaar."})
    assert "ontvangen als calamiteit: zij wacht op goedkeuring door de CKI" in r.text
    assert "Deze calamiteitenmelding wacht op goedkeuring door de CKI." in r.text
