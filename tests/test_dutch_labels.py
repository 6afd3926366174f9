"""The UI and the API speak Dutch: marshmallow's messages, ja/nee in CSV uploads, and Dutch
labels instead of stored codes (channel, source, kind, status, timeliness) in the pages."""
import re
from pathlib import Path

import marshmallow as ma
import pytest

from cki.core.labels import LABELS, label
from tests.test_meldingen import MELDING
from tests.test_meldingen_web import _upload
from tests.test_web import login

EXAMPLES = Path(__file__).resolve().parent.parent / "cki" / "meldingen" / "lavs" / "examples"
ENGLISH = re.compile(r"Not a valid|Missing data|may not be null|Unknown field|Must be (one|greater|less)"
                     r"|Longer than|Shorter than|Length must|Invalid (value|input|type)|String does not")
HEADER = "scheme;street;postcode;place;planned_start;planned_end;containment\n"


def _cells(html: str) -> list[str]:
    """The text of every table cell."""
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", cell)).strip()
            for cell in re.findall(r"(?s)<td[^>]*>(.*?)</td>", html)]


# -- marshmallow's messages ---------------------------------------------------------------

def test_bulk_api_answers_a_bad_row_in_dutch(client, tenant, clock):
    csv = (HEADER + "SC-530;Markt 1;3511AA;Utrecht;07-12-2026;2026-12-09;misschien\n"
                    "SC-530;Markt 2;3511AA;Utrecht;2026-12-07;2026-12-09;ja\n")
    r = client.post("/api/v1/meldingen/bulk", data=csv, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 200 and (r.json["accepted"], r.json["refused"]) == (1, 1)
    errors = r.json["rows"][0]["errors"]
    assert errors["planned_start"] == ["Geen geldige datum."]
    assert errors["containment"] == ["Geen geldige ja/nee-waarde; gebruik ja of nee."]
    assert not ENGLISH.search(r.text)


def test_json_api_messages_are_dutch(client, tenant, clock):
    body = {**MELDING, "colour": "red", "worker_count": "veel", "scheme": "SC-999"}
    del body["place"]
    r = client.post("/api/v1/meldingen", json=body, headers=tenant.auth("company1"))
    assert r.status_code == 422
    errors = r.json["errors"]["json"]
    assert errors["colour"] == ["Onbekend veld."]
    assert errors["place"] == ["Dit veld is verplicht."]
    assert errors["worker_count"] == ["Geen geldig geheel getal."]
    assert errors["scheme"][0].startswith("Moet een van de volgende zijn: ")
    assert not ENGLISH.search(r.text)
    r = client.post("/api/v1/meldingen", json={**MELDING, "worker_count": 5000, "street": None,
                                               "client": "x" * 201}, headers=tenant.auth("company1"))
    errors = r.json["errors"]["json"]
    assert errors["worker_count"] == ["Moet groter dan of gelijk aan 0 en kleiner dan of gelijk aan 1000 zijn."]
    assert errors["street"] == ["Dit veld mag niet leeg zijn."]
    assert errors["client"] == ["Te lang: de lengte mag hoogstens 200 zijn."]


def test_no_schema_in_the_app_keeps_an_english_message(app):
    """Every field and validator of every schema (also those of libraries, made before ours)."""
    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    def english(field):
        found = [m for m in field.error_messages.values() if isinstance(m, str) and ENGLISH.search(m)]
        for v in field.validators:
            found += [m for m in (getattr(v, a, None) for a in ("error", "message_min", "message_max", "message_all"))
                      if isinstance(m, str) and ENGLISH.search(m)]
        inner = getattr(field, "inner", None)
        return found + (english(inner) if inner else [])

    left = {f"{cls.__module__}.{cls.__name__}.{name}": english(field)
            for cls in subclasses(ma.Schema) for name, field in cls._declared_fields.items()}
    assert {k: v for k, v in left.items() if v} == {}
    assert not any(ENGLISH.search(m) for m in ma.Schema().error_messages.values())


# -- ja/nee -----------------------------------------------------------------------------

@pytest.mark.parametrize(("value", "expected"), [("ja", True), ("Ja", True), ("j", True), ("JA", True),
                                                 ("nee", False), ("Nee", False), ("n", False)])
def test_dutch_yes_and_no_in_a_csv_upload(client, tenant, clock, value, expected):
    csv = HEADER + f"SC-530;Markt 1;3511AA;Utrecht;2026-12-07;2026-12-09;{value}\n"
    r = client.post("/api/v1/meldingen/bulk", data=csv, content_type="text/csv", headers=tenant.auth("company1"))
    assert r.status_code == 200 and r.json["accepted"] == 1, r.json
    m = client.get(f"/api/v1/meldingen/{r.json['rows'][0]['melding_id']}", headers=tenant.auth("company1")).json
    assert m["containment"] is expected


def test_portal_upload_accepts_ja_and_reports_in_dutch(client, tenant, clock):
    login(client, tenant.emails["company1"])
    r = _upload(client, "meldingen", HEADER + "SC-530;Kerkstraat 1;3511 AB;Utrecht;07-12-2026;09-12-2026;ja\n"
                                              "SC-530;Kerkstraat 2;3511 AB;Utrecht;2026-12-07;2026-12-09;ja\n")
    assert r.status_code == 200
    assert "<strong>1</strong> aangenomen" in r.text and "<strong>1</strong> geweigerd" in r.text
    assert "planned_start: Geen geldige datum." in r.text and "Not a valid" not in r.text
    assert "containment:" not in r.text  # "ja" was accepted on both rows


# -- labels instead of codes --------------------------------------------------------------

def test_label_filter():
    assert label("on_time") == "op tijd" and label("pending_approval") == "wacht op goedkeuring"
    assert label("iets_nieuws") == "iets_nieuws" and label(None) == ""
    assert all(text and text != code for code, text in LABELS.items() if code not in ("fax", "mailbox", "demo"))


def _lavs(client, tenant, name):
    r = client.post("/api/v1/lavs/messages", data=(EXAMPLES / name).read_bytes(), content_type="application/xml",
                    headers=tenant.auth("office"))
    assert r.status_code == 201, r.json
    return r.json[0]


def test_lavs_page_shows_dutch_labels(client, tenant, clock, zuid):
    clock("2026-11-30")
    new = _lavs(client, tenant, "startmelding.xml")
    _lavs(client, tenant, "wijziging.xml")
    _lavs(client, tenant, "kapot.xml")
    login(client, tenant.emails["planner"])
    page = client.get("/meldingen/lavs")
    assert page.status_code == 200
    cells = _cells(page.text)
    for code in ("upload", "new", "change", "processed", "parked"):
        assert code not in cells, code
    for text in ("handmatige upload", "nieuw", "wijziging", "verwerkt", "geparkeerd"):
        assert text in cells, text
    assert 'class="tag state-refused">geparkeerd<' in page.text

    melding = client.get(f"/meldingen/{new['melding_id']}")
    history = _cells(melding.text[melding.text.index("<h2>Versies"):])
    assert history[2:4] == ["LAVS", "nieuw"] and history[6:8] == ["LAVS", "wijziging"]
    assert "via LAVS" in melding.text and "geregistreerd" in melding.text and "op tijd" in melding.text


def test_melding_history_and_list_show_dutch_labels(client, tenant, clock):
    m = client.post("/api/v1/meldingen", json={**MELDING, "calamity_motivation": "Storm",
                                               "planned_start": "2026-11-25", "planned_end": "2026-11-25"},
                    headers=tenant.auth("company1")).json
    assert m["status"] == "pending_approval" and m["timeliness"] == "calamity"
    r = client.post(f"/api/v1/meldingen/{m['id']}/cancel", json={}, headers=tenant.auth("company1"))
    assert r.status_code in (200, 201), r.json
    login(client, tenant.emails["planner"])
    page = client.get(f"/meldingen/{m['id']}").text
    history = _cells(page[page.index("<h2>Versies"):])
    assert history[3] == "nieuw" and history[7] == "intrekking"
    events = _cells(page[page.index("<h2>Historie"):page.index("<h2>Versies")])
    assert "Melding ingetrokken" in events and "melding.cancelled" not in events
    assert {history[2], history[6]} <= {"portaal", "API"}
    assert "ingetrokken" in page and "calamiteit" in page and "cancelled" not in page
    listing = _cells(client.get("/meldingen/?from=2026-11-01").text)
    assert "calamiteit" in listing and "ingetrokken" in listing
    assert not {"calamity", "cancelled", "portal", "api"} & set(listing)


def test_a_body_that_is_not_json_is_told_so_in_dutch(client, tenant):
    r = client.post("/api/v1/meldingen", data="{niet: json", content_type="application/json",
                    headers=tenant.auth("company1"))
    assert r.status_code == 400 and r.json["errors"]["json"] == ["De body is geen geldige JSON."]
