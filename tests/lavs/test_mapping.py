"""The mapping file: checked at load time, and really the only place the XML layout lives."""
import copy
import json
from datetime import datetime

import pytest

from cki.meldingen.lavs import (
    DEFAULT_MAPPING_FILE,
    FIELDS,
    LavsMappingError,
    LavsParseError,
    load_mapping,
    mapping_from_dict,
    parse_message,
)
from tests.lavs.helpers import AMS, START_FIELDS, example

DEFAULT = json.loads(DEFAULT_MAPPING_FILE.read_text(encoding="utf-8"))


def write(tmp_path, document) -> str:
    path = tmp_path / "mapping.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return str(path)


def edited(**changes) -> dict:
    """The default mapping with entries replaced; a dotted key reaches inside, None deletes."""
    document = copy.deepcopy(DEFAULT)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        target = document
        for name in parents:
            target = target[name]
        if value is None:
            del target[last]
        else:
            target[last] = value
    return document


def refused(document) -> LavsMappingError:
    with pytest.raises(LavsMappingError) as caught:
        mapping_from_dict(document, source="test.json")
    return caught.value


# --- loading ------------------------------------------------------------------------------------

def test_default_mapping_maps_every_field():
    mapping = load_mapping(None)
    assert mapping.version == "voorbeeld-4.10"
    assert set(mapping.fields) == set(FIELDS)
    assert mapping.source == str(DEFAULT_MAPPING_FILE)


@pytest.mark.parametrize("configured", [None, ""])
def test_unset_config_means_the_default_file(configured):
    assert load_mapping(configured).source == str(DEFAULT_MAPPING_FILE)


def test_path_from_config_is_used(tmp_path):
    path = write(tmp_path, edited(mapping_version="klant-4.11"))
    assert load_mapping(path).version == "klant-4.11"
    assert load_mapping(tmp_path / "mapping.json").version == "klant-4.11"


def test_missing_file_and_broken_json(tmp_path):
    with pytest.raises(LavsMappingError, match="kan niet worden gelezen"):
        load_mapping(tmp_path / "bestaat-niet.json")
    broken = tmp_path / "kapot.json"
    broken.write_text('{"mapping_version": "x",\n "fields": }', encoding="utf-8")
    with pytest.raises(LavsMappingError, match=r"geen geldige JSON \(regel 2, kolom 12\)") as caught:
        load_mapping(broken)
    assert str(broken) in str(caught.value)


# --- a bad mapping is refused at load time, naming the key ---------------------------------------

@pytest.mark.parametrize(("document", "key", "problem"), [
    (edited(fields__start__xpath="/m:MeldingAanCki/m:Planning[/m:Start"), "fields.start.xpath", "geen geldige XPath"),
    (edited(fields__end__xpath="/x:MeldingAanCki/x:Einde"), "fields.end.xpath", "Undefined namespace prefix"),
    (edited(fields__place__xpath="plaats-van(/m:Locatie)"), "fields.place.xpath", "geen geldige XPath"),
    (edited(fields__place__xpath=""), "fields.place.xpath", "niet-lege XPath"),
    (edited(message_type__xpath="//m:["), "message_type.xpath", "geen geldige XPath"),
    (edited(fields__compnay_kvk={"xpath": "/a"}), "fields.compnay_kvk", "geen bekend veld"),
    (edited(fields__worker_count__type="str"), "fields.worker_count.type", "moet 'int' zijn"),
    (edited(fields__worker_count__requried=True), "fields.worker_count.requried", "is onbekend"),
    (edited(fields__worker_count__required="ja"), "fields.worker_count.required", "moet true, false"),
    (edited(fields__worker_count__required=["new", "nieuw"]), "fields.worker_count.required", "moet true, false"),
    (edited(fields__worker_count__xpath=None), "fields.worker_count.xpath", "ontbreekt"),
    (edited(fields__lavs_message_id=None), "fields.lavs_message_id", "altijd nodig"),
    (edited(fields__lavs_project_id__required=["new"]), "fields.lavs_project_id.required", "moet true zijn"),
    (edited(fields__start__format="dag-maand-jaar"), "fields.start.format", "strptime-formaat"),
    (edited(fields__place__format="%d-%m-%Y"), "fields.place.format", "alleen bij een date- of datetime-veld"),
    (edited(fields__start__date_xpath="/m:D"), "fields.start", "zowel xpath als date_xpath"),
    (edited(fields__place__date_xpath="/m:D"), "fields.place", "alleen bij een datetime-veld"),
    (edited(message_type__values__Annulering="cancel"), "message_type.values.Annulering", "moet een van"),
    (edited(message_type__values__Intrekking=None), "message_type.values", "mist een berichtsoort voor 'withdrawal'"),
    (edited(message_type__values__WIJZIGING="change"), "message_type.values.WIJZIGING", "komt dubbel voor"),
    (edited(namespaces={"": "urn:x"}), "namespaces", "geen standaard-namespace"),
    (edited(mapping_versoin="x"), "mapping_versoin", "is onbekend"),
    (edited(mapping_version=None), "mapping_version", "ontbreekt"),
    (edited(mapping_version=" "), "mapping_version", "niet-lege tekst"),
    (edited(fields=[]), "fields", "JSON-object"),
    ([], "(bestand)", "JSON-object"),
])
def test_bad_mapping_is_refused_naming_the_key(document, key, problem):
    error = refused(document)
    assert error.key == key
    assert problem in error.problem
    assert f"'{key}'" in str(error) and "test.json" in str(error)


def test_bad_xpath_in_a_file_is_refused_at_load_time(tmp_path):
    path = write(tmp_path, edited(fields__worker_count__xpath="/m:MeldingAanCki/m:AantalAsbestwerkers[["))
    with pytest.raises(LavsMappingError) as caught:
        load_mapping(path)
    assert caught.value.key == "fields.worker_count.xpath"
    assert str(caught.value).startswith(f"LAVS-mapping {path}: 'fields.worker_count.xpath' is geen geldige XPath")


def test_underscore_keys_are_comments():
    document = edited(_notitie="bijgewerkt voor 4.11", fields__start___waarom="LAVS stuurt lokale tijd")
    mapping_from_dict(document)


# --- the mapping is data: another layout, another file, same result -------------------------------

VARIANT_XML = """<?xml version="1.0" encoding="UTF-8"?>
<!-- VOORBEELD — zelf gemaakt, geen officieel LAVS-bericht: een verzonnen latere release. -->
<Startmelding xmlns="urn:voorbeeld:lavs:4.11" berichtnummer="7c9e6679-7425-40de-944b-e07fc1f90ae7">
  <Project nummer="LAVS-2026-0471185">
    <Verzonden>30-11-2026 14:02:11</Verzonden>
    <Toezicht>Nederlandse Arbeidsinspectie</Toezicht>
    <CertificerendeInstelling>Stichting Demo Certificatie Asbest</CertificerendeInstelling>
    <Uitvoerder kvk="23456789" certificaat="SC-530/2026/0001">Sloop &amp; Sanering Zuid B.V.</Uitvoerder>
    <Opdrachtgever>Woonstichting De Kempenpoort</Opdrachtgever>
    <Werkers>4</Werkers>
    <Adres straat="Tongelresestraat" nummer="214" postcode="5613DM" woonplaats="Eindhoven"/>
    <Werkzaamheden>{description}</Werkzaamheden>
    <Meldingtype>Standaard</Meldingtype>
    <Aanvang datum="2026-12-07" tijd="07:30"/>
    <Gereed datum="2026-12-09" tijd="16:00:00"/>
    <Eindcontrole>{validation_note}</Eindcontrole>
  </Project>
</Startmelding>
""".format(**START_FIELDS).encode()


def variant_mapping() -> dict:
    project = "/v:*/v:Project"
    return {
        "mapping_version": "variant-4.11",
        "namespaces": {"v": "urn:voorbeeld:lavs:4.11"},
        # the kind is the name of the root element here, not the text of an element
        "message_type": {
            "xpath": "local-name(/*)",
            "values": {"Startmelding": "new", "Wijzigingsmelding": "change", "Intrekkingsmelding": "withdrawal"},
        },
        "fields": {
            "lavs_message_id": {"xpath": "/v:*/@berichtnummer", "required": True},
            "lavs_project_id": {"xpath": f"{project}/@nummer", "required": True},
            "sent_at": {"xpath": f"{project}/v:Verzonden", "format": "%d-%m-%Y %H:%M:%S"},
            "inspectorate": {"xpath": f"{project}/v:Toezicht"},
            "cki_name": {"xpath": f"{project}/v:CertificerendeInstelling"},
            "company_name": {"xpath": f"{project}/v:Uitvoerder", "required": True},
            "company_kvk": {"xpath": f"{project}/v:Uitvoerder/@kvk", "required": True},
            "certificate_number": {"xpath": f"{project}/v:Uitvoerder/@certificaat"},
            "permit_holder": {"xpath": f"{project}/v:Opdrachtgever"},
            "worker_count": {"xpath": f"{project}/v:Werkers", "type": "int"},
            "street": {"xpath": f"{project}/v:Adres/@straat"},
            "house_number": {"xpath": f"{project}/v:Adres/@nummer"},
            "postcode": {"xpath": f"{project}/v:Adres/@postcode"},
            "place": {"xpath": f"{project}/v:Adres/@woonplaats"},
            "description": {"xpath": f"{project}/v:Werkzaamheden"},
            "melding_type": {"xpath": f"{project}/v:Meldingtype"},
            "start": {"date_xpath": f"{project}/v:Aanvang/@datum", "time_xpath": f"{project}/v:Aanvang/@tijd",
                      "required": ["new", "change"]},
            "end": {"date_xpath": f"{project}/v:Gereed/@datum", "time_xpath": f"{project}/v:Gereed/@tijd",
                    "required": ["new", "change"]},
            "validation_note": {"xpath": f"{project}/v:Eindcontrole"},
        },
    }


def test_a_changed_mapping_file_reads_a_changed_layout(tmp_path, mapping):
    variant = load_mapping(write(tmp_path, variant_mapping()))
    message = parse_message(VARIANT_XML, variant)
    assert message.kind == "new"
    assert message.mapping_version == "variant-4.11"
    assert dict(message.fields) == START_FIELDS
    assert dict(message.fields) == dict(parse_message(example("startmelding.xml"), mapping).fields)
    # ... and the shipped mapping does not understand this layout
    with pytest.raises(LavsParseError, match="De berichtsoort ontbreekt."):
        parse_message(VARIANT_XML, mapping)


def test_split_date_and_time_must_come_together(tmp_path):
    variant = load_mapping(write(tmp_path, variant_mapping()))
    data = VARIANT_XML.replace(b' tijd="07:30"', b"")
    with pytest.raises(LavsParseError) as caught:
        parse_message(data, variant)
    assert (caught.value.field, caught.value.reason) == ("start", "Start: de tijd ontbreekt.")


def test_unmapped_fields_are_none(tmp_path):
    document = variant_mapping()
    del document["fields"]["validation_note"]
    message = parse_message(VARIANT_XML, load_mapping(write(tmp_path, document)))
    assert message.fields["validation_note"] is None
    assert message.fields["start"] == datetime(2026, 12, 7, 7, 30, tzinfo=AMS)
