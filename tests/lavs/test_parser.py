"""parse_message on the shipped examples, on broken and hostile input."""
import dataclasses
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cki.meldingen.lavs import FIELDS, MAX_MESSAGE_BYTES, LavsParseError, compose_address, parse_message
from tests.lavs.helpers import AMS, EXAMPLES, PROJECT, START_FIELDS, example, replace_once

# --- the examples -----------------------------------------------------------------------------

def test_every_xml_example_is_marked_as_our_own():
    for file in EXAMPLES.glob("*.xml"):
        head = file.read_text(encoding="utf-8").splitlines()[:2]
        assert "<!-- VOORBEELD — zelf gemaakt, geen officieel LAVS-bericht" in head[1], file.name


def test_startmelding(mapping):
    message = parse_message(example("startmelding.xml"), mapping)
    assert message.kind == "new"
    assert dict(message.fields) == START_FIELDS
    assert message.message_id == START_FIELDS["lavs_message_id"]
    assert message.project_id == PROJECT
    assert message.address == "Tongelresestraat 214, 5613 DM Eindhoven"
    assert message.mapping_version == "voorbeeld-4.10"


def test_start_and_end_are_amsterdam_time_in_winter(mapping):
    message = parse_message(example("startmelding.xml"), mapping)
    assert message.fields["start"].utcoffset() == timedelta(hours=1)
    assert message.fields["start"].astimezone(ZoneInfo("UTC")).hour == 6


def test_wijziging_changes_end_and_workers_of_the_same_project(mapping):
    message = parse_message(example("wijziging.xml"), mapping)
    assert message.kind == "change"
    assert message.project_id == PROJECT
    assert message.message_id != START_FIELDS["lavs_message_id"]
    assert message.fields["worker_count"] == 6
    # written with an explicit +01:00 offset; the same instant, shown in Amsterdam time
    assert message.fields["end"] == datetime(2026, 12, 10, 12, 0, tzinfo=AMS)
    assert message.fields["end"].tzinfo == AMS
    assert message.fields["start"] == START_FIELDS["start"]


def test_intrekking_needs_no_planning(mapping):
    message = parse_message(example("intrekking.xml"), mapping)
    assert message.kind == "withdrawal"
    assert message.project_id == PROJECT
    assert message.fields["start"] is None and message.fields["worker_count"] is None
    assert message.fields["withdrawal_reason"].startswith("Opdrachtgever heeft de renovatie uitgesteld")
    assert message.fields["company_kvk"] == "23456789"


def test_onbekend_bedrijf_parses_the_unknown_kvk_is_for_the_intake(mapping):
    message = parse_message(example("onbekend-bedrijf.xml"), mapping)
    assert message.kind == "new"
    assert message.fields["company_kvk"] == "87654321"
    assert message.fields["house_number"] == "45a"
    assert message.address == "Dorpsstraat 45a, 5521 AE Eersel"


def test_kapot_is_refused_with_the_place_of_the_error(mapping):
    with pytest.raises(LavsParseError) as caught:
        parse_message(example("kapot.xml"), mapping)
    assert caught.value.reason.startswith("Het bericht is geen geldige XML (regel 14, kolom ")
    assert caught.value.field is None


def test_fields_hold_every_known_name(mapping):
    message = parse_message(example("intrekking.xml"), mapping)
    assert set(message.fields) == set(FIELDS) | {"address"}


def test_message_is_immutable(mapping):
    message = parse_message(example("startmelding.xml"), mapping)
    with pytest.raises(dataclasses.FrozenInstanceError):
        message.kind = "change"
    with pytest.raises(TypeError):
        message.fields["worker_count"] = 99
    assert hash(message) == hash(parse_message(example("startmelding.xml"), mapping))


# --- missing fields, bad types, unknown message types -------------------------------------------

START = example("startmelding.xml")


@pytest.mark.parametrize(("old", "new", "field", "reason"), [
    (b"<m:KvkNummer>23456789</m:KvkNummer>", b"", "company_kvk",
     "Verplicht veld ontbreekt: KvK-nummer van het bedrijf."),
    (b"<m:KvkNummer>23456789</m:KvkNummer>", b"<m:KvkNummer>  </m:KvkNummer>", "company_kvk",
     "Verplicht veld ontbreekt: KvK-nummer van het bedrijf."),
    (b"<m:ProjectId>LAVS-2026-0471185</m:ProjectId>", b"", "lavs_project_id",
     "Verplicht veld ontbreekt: LAVS-projectnummer."),
    (b"<m:Start>2026-12-07T07:30:00</m:Start>", b"", "start", "Verplicht veld ontbreekt: start."),
    (b"<m:AantalAsbestwerkers>4<", b"<m:AantalAsbestwerkers>vier<", "worker_count",
     "Aantal asbestwerkers: 'vier' is geen geheel getal (0 of meer)."),
    (b"<m:AantalAsbestwerkers>4<", b"<m:AantalAsbestwerkers>-4<", "worker_count",
     "Aantal asbestwerkers: '-4' is geen geheel getal (0 of meer)."),
    (b">23456789<", b">2345678<", "company_kvk",
     "KvK-nummer van het bedrijf: '2345678' is geen KvK-nummer van 8 cijfers."),
    (b">5613 DM<", b">B-1000<", "postcode", "Postcode: 'B-1000' is geen Nederlandse postcode (zoals 5611 AB)."),
    (b">2026-12-07T07:30:00<", b">2026-12-07<", "start", "Start: '2026-12-07' is geen geldige datum met tijd."),
    (b">2026-12-09T16:00:00<", b">9 december 2026 16:00<", "end",
     "Einde: '9 december 2026 16:00' is geen geldige datum met tijd."),
    (b">2026-12-09T16:00:00<", b">2026-12-32T16:00:00<", "end",
     "Einde: '2026-12-32T16:00:00' is geen geldige datum met tijd."),
    (b">Startmelding<", b">Annulering<", "message_type", "Onbekende berichtsoort 'Annulering'."),
    (b"<m:Berichtsoort>Startmelding</m:Berichtsoort>", b"", "message_type", "De berichtsoort ontbreekt."),
    (b"<m:Plaats>Eindhoven</m:Plaats>", b"<m:Plaats>Eindhoven</m:Plaats><m:Plaats>Helmond</m:Plaats>", "place",
     "Plaats komt meer dan eens voor in het bericht."),
])
def test_unusable_messages_are_refused_with_a_dutch_reason(mapping, old, new, field, reason):
    with pytest.raises(LavsParseError) as caught:
        parse_message(replace_once(START, old, new), mapping)
    assert (caught.value.field, caught.value.reason) == (field, reason)
    assert str(caught.value) == reason


def test_values_are_normalised(mapping):
    data = replace_once(START, b">5613 DM<", b">5613dm<")
    data = replace_once(data, b">23456789<", b"> 2345 6789 <")
    data = replace_once(data, b">Startmelding<", b">STARTMELDING<")
    message = parse_message(data, mapping)
    assert message.fields["postcode"] == "5613 DM"
    assert message.fields["company_kvk"] == "23456789"
    assert message.kind == "new"


def test_summer_time_and_utc_input(mapping):
    data = replace_once(START, b">2026-12-07T07:30:00<", b">2026-06-01T05:30:00Z<")
    data = replace_once(data, b">2026-12-09T16:00:00<", b">2026-06-03T16:00:00<")
    message = parse_message(data, mapping)
    assert message.fields["start"] == datetime(2026, 6, 1, 7, 30, tzinfo=AMS)
    assert message.fields["start"].utcoffset() == timedelta(hours=2)
    assert message.fields["end"].utcoffset() == timedelta(hours=2)


def test_a_wrong_optional_value_is_still_refused(mapping):
    # Silently dropping it would hide a schema change; a person should look at it.
    data = replace_once(START, b">2026-11-30T14:02:11+01:00<", b">gisteren<")
    with pytest.raises(LavsParseError) as caught:
        parse_message(data, mapping)
    assert caught.value.field == "sent_at"


def test_empty_and_non_bytes_input(mapping):
    with pytest.raises(LavsParseError, match="Het bericht is leeg."):
        parse_message(b"  \n", mapping)
    with pytest.raises(TypeError):
        parse_message(START.decode(), mapping)


def test_compose_address_leaves_out_what_is_missing():
    assert compose_address("Markt", "1", None, "Eersel") == "Markt 1, Eersel"
    assert compose_address(None, None, "5521 AE", None) == "5521 AE"
    assert compose_address(None, None, None, None) is None


# --- hostile input ------------------------------------------------------------------------------

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE m:MeldingAanCki [<!ENTITY geheim SYSTEM "file:///etc/passwd">]>
<m:MeldingAanCki xmlns:m="urn:voorbeeld:lavs:melding-aan-cki:4.10">
  <m:Berichtkop><m:BerichtId>&geheim;</m:BerichtId><m:Berichtsoort>Startmelding</m:Berichtsoort></m:Berichtkop>
</m:MeldingAanCki>"""

LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol1 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol2 "&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;&lol1;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<m:MeldingAanCki xmlns:m="urn:voorbeeld:lavs:melding-aan-cki:4.10" SLOT>
  <m:Berichtkop><m:BerichtId>&lol9;</m:BerichtId><m:Berichtsoort>Startmelding</m:Berichtsoort></m:Berichtkop>
</m:MeldingAanCki>"""

DOCTYPE_REASON = "Het bericht bevat een DOCTYPE-declaratie; die wordt om veiligheidsredenen niet verwerkt."


def test_xxe_is_refused_without_reading_the_file(mapping):
    with pytest.raises(LavsParseError) as caught:
        parse_message(XXE, mapping)
    assert caught.value.reason == DOCTYPE_REASON
    assert "root:" not in str(caught.value)


def test_external_dtd_is_refused(mapping):
    doctype = b'<!DOCTYPE m:MeldingAanCki SYSTEM "http://127.0.0.1:9/x.dtd">\n'
    data = replace_once(START, b"<m:MeldingAanCki ", doctype + b"<m:MeldingAanCki ")
    with pytest.raises(LavsParseError, match="DOCTYPE"):
        parse_message(data, mapping)


@pytest.mark.parametrize("attribute", [b"", b'b="&lol9;"'], ids=["in-text", "in-attribute"])
def test_billion_laughs_is_refused_without_expanding(mapping, attribute):
    started = time.perf_counter()
    with pytest.raises(LavsParseError) as caught:
        parse_message(LAUGHS.replace(b"SLOT", attribute), mapping)
    # Expanding would mean a gigabyte of "lol" and seconds of work.
    assert time.perf_counter() - started < 1
    assert caught.value.reason == DOCTYPE_REASON or "geen geldige XML" in caught.value.reason
    assert caught.value.field is None


def test_oversized_input_is_refused_before_parsing(mapping):
    padding = MAX_MESSAGE_BYTES - len(START)
    fits = START + b" " * padding
    assert parse_message(fits, mapping).kind == "new"
    with pytest.raises(LavsParseError) as caught:
        parse_message(fits + b" ", mapping)
    assert caught.value.reason == "Het bericht is te groot (1.000.001 bytes; de grens is 1.000.000)."


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=600))
def test_arbitrary_bytes_give_a_message_or_a_parse_error(mapping, data):
    try:
        parse_message(data, mapping)
    except LavsParseError as exc:
        assert exc.reason


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc", "Cn")), max_size=30))
def test_any_text_in_a_typed_field_gives_a_value_or_a_parse_error(mapping, text):
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").encode()
    for old in (b">4<", b">2026-12-07T07:30:00<", b">5613 DM<", b">23456789<"):
        try:
            message = parse_message(replace_once(START, old, b">" + escaped + b"<"), mapping)
        except LavsParseError as exc:
            assert exc.field in FIELDS
        else:
            assert message.fields["worker_count"] is None or isinstance(message.fields["worker_count"], int)
            assert message.fields["start"].tzinfo is not None
