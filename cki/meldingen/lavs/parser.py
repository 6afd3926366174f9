"""Parse one LAVS message (the XML attachment of a LAVS e-mail) with a field mapping.

The XML comes from outside (an e-mail anyone can send), so it is parsed defensively:
no entities, no DTD, no network, bounded size. Every way a message can be unusable ends
in a ``LavsParseError`` with a Dutch reason that can be shown to the person who handles it.
"""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time
from types import MappingProxyType
from typing import Any, Final
from zoneinfo import ZoneInfo

from lxml import etree

from cki.meldingen.lavs.mapping import FIELDS, FieldSpec, Kind, LavsMapping
from workflows.text import sentence

AMSTERDAM: Final = ZoneInfo("Europe/Amsterdam")

# A LAVS message is a few kilobytes. The cap bounds the memory and time an oversized or
# hostile attachment can cost before lxml sees it; huge_tree=False only limits single
# nodes and nesting depth, not the document as a whole.
MAX_MESSAGE_BYTES: Final = 1_000_000

_DIGITS = re.compile(r"\d{1,9}")
_KVK = re.compile(r"\d{8}")
_POSTCODE = re.compile(r"([1-9]\d{3})\s*([A-Za-z]{2})")
_HAS_TIME = re.compile(r"\d[T ]\d")


class LavsParseError(ValueError):
    """The message cannot be used. ``reason`` is Dutch and meant for people; ``field`` is the
    mapping's field name (or "message_type") when one field is to blame."""

    def __init__(self, reason: str, field: str | None = None):
        self.reason = reason
        self.field = field
        super().__init__(reason)


@dataclass(frozen=True)
class LavsMessage:
    """One parsed LAVS message. ``fields`` holds every known field name (None when absent)
    plus the composed ``address``; values are str, int, date or aware datetime."""

    kind: Kind
    fields: Mapping[str, Any] = field(hash=False)
    mapping_version: str

    @property
    def message_id(self) -> str:
        return self.fields["lavs_message_id"]

    @property
    def project_id(self) -> str:
        return self.fields["lavs_project_id"]

    @property
    def address(self) -> str | None:
        return self.fields["address"]


def parse_message(xml_bytes: bytes, mapping: LavsMapping) -> LavsMessage:
    """Read one LAVS XML message with ``mapping``; raises LavsParseError when it is unusable."""
    root = _parse_xml(xml_bytes)
    kind = _kind(root, mapping)
    values: dict[str, Any] = dict.fromkeys(FIELDS)
    for name, spec in mapping.fields.items():
        value = _field_value(root, spec)
        if value is None and kind in spec.required_for:
            raise LavsParseError(f"Verplicht veld ontbreekt: {spec.label}.", name)
        values[name] = value
    values["address"] = compose_address(values["street"], values["house_number"], values["postcode"], values["place"])
    return LavsMessage(kind=kind, fields=MappingProxyType(values), mapping_version=mapping.version)


def compose_address(
    street: str | None, house_number: str | None, postcode: str | None, place: str | None
) -> str | None:
    """'Kerkstraat 12, 5611 AB Eindhoven', leaving out what is missing."""
    first = " ".join(part for part in (street, house_number) if part)
    second = " ".join(part for part in (postcode, place) if part)
    return ", ".join(part for part in (first, second) if part) or None


def _parse_xml(xml_bytes: bytes) -> etree._Element:
    if not isinstance(xml_bytes, bytes):
        # A str would skip the encoding declaration in the XML; callers pass what they received.
        raise TypeError("parse_message expects bytes")
    if len(xml_bytes) > MAX_MESSAGE_BYTES:
        size, limit = _dutch_int(len(xml_bytes)), _dutch_int(MAX_MESSAGE_BYTES)
        raise LavsParseError(f"Het bericht is te groot ({size} bytes; de grens is {limit}).")
    if not xml_bytes.strip():
        raise LavsParseError("Het bericht is leeg.")
    parser = etree.XMLParser(
        resolve_entities=False,  # no XXE: entity references are never replaced
        no_network=True,
        load_dtd=False,
        huge_tree=False,  # keep libxml2's limits on depth, node size and entity amplification
        remove_comments=True,
        remove_pis=True,
    )
    try:
        root = etree.fromstring(xml_bytes, parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        detail = re.sub(r", line \d+, column \d+$", "", exc.msg)  # libxml2's English text, kept for the specialist
        what = _XML_ERRORS.get(exc.code, "de opbouw van de XML klopt niet")
        raise LavsParseError(f"Het bericht is geen geldige XML (regel {line}, kolom {column}): {what} "
                             f"(technisch: {detail}).") from None
    # A LAVS message has no use for a DTD, and one is the vehicle of every entity attack.
    docinfo = root.getroottree().docinfo
    if docinfo.internalDTD is not None or docinfo.doctype:
        raise LavsParseError("Het bericht bevat een DOCTYPE-declaratie; die wordt om veiligheidsredenen niet verwerkt.")
    return root


#: libxml2's most common syntax errors (lxml's error codes), in Dutch.
_XML_ERRORS = {
    4: "het bericht is leeg of begint niet met een element",
    5: "na het einde van het bericht staat nog inhoud",
    9: "het bericht bevat een teken dat in XML niet is toegestaan",
    23: "een verwijzing naar een teken (&…) is niet afgesloten met ';'",
    26: "het bericht gebruikt een entiteit die niet is gedefinieerd",
    32: "de tekenset (encoding) van het bericht wordt niet ondersteund",
    41: "een attribuut heeft geen waarde",
    42: "een attribuut staat twee keer in hetzelfde element",
    73: "een element is niet afgesloten met '>'",
    76: "een begin- en eindtag horen niet bij elkaar",
    77: "het bericht houdt op voordat alle elementen zijn afgesloten",
}


def _kind(root: etree._Element, mapping: LavsMapping) -> Kind:
    raw = _text(root, mapping.message_type, "message_type", "berichtsoort")
    if raw is None:
        raise LavsParseError("De berichtsoort ontbreekt.", "message_type")
    kind = mapping.message_types.get(raw.casefold())
    if kind is None:
        raise LavsParseError(f"Onbekende berichtsoort '{raw}'.", "message_type")
    return kind


def _text(root: etree._Element, xpath: etree.XPath, name: str, label: str) -> str | None:
    """The stripped text the expression selects, or None when it selects nothing or only blanks."""
    try:
        result = xpath(root)
    except etree.XPathError as exc:
        raise LavsParseError(sentence(f"{_cap(label)} kan niet worden gelezen: {exc}"), name) from None
    if isinstance(result, list):
        if len(result) > 1:
            # Taking the first would be a guess; a changed schema should surface, not slip through.
            raise LavsParseError(f"{_cap(label)} komt meer dan eens voor in het bericht.", name)
        if not result:
            return None
        result = result[0]
    if isinstance(result, etree._Element):
        text = "".join(result.itertext())
    elif isinstance(result, bool):
        raise LavsParseError(f"De mapping voor {label} levert waar/onwaar op in plaats van tekst.", name)
    elif isinstance(result, float):
        text = str(int(result)) if result.is_integer() else str(result)
    else:
        text = str(result)  # attribute values, text() nodes, string() results
    return text.strip() or None


def _field_value(root: etree._Element, spec: FieldSpec) -> Any:
    if spec.xpath is None:
        return _split_datetime(root, spec)
    text = _text(root, spec.xpath, spec.name, spec.label)
    if text is None:
        return None
    return _convert(text, spec)


def _convert(text: str, spec: FieldSpec) -> Any:
    label = _cap(spec.label)
    match spec.type:
        case "str":
            return text
        case "int":
            if not _DIGITS.fullmatch(text):
                raise LavsParseError(f"{label}: '{text}' is geen geheel getal (0 of meer).", spec.name)
            return int(text)
        case "kvk":
            digits = re.sub(r"[\s.]", "", text)
            if not _KVK.fullmatch(digits):
                raise LavsParseError(f"{label}: '{text}' is geen KvK-nummer van 8 cijfers.", spec.name)
            return digits
        case "postcode":
            found = _POSTCODE.fullmatch(text)
            if not found:
                raise LavsParseError(f"{label}: '{text}' is geen Nederlandse postcode (zoals 5611 AB).", spec.name)
            return f"{found[1]} {found[2].upper()}"
        case "date":
            try:
                if spec.format:
                    return datetime.strptime(text, spec.format).date()
                return date.fromisoformat(text)
            except ValueError:
                raise LavsParseError(f"{label}: '{text}' is geen geldige datum.", spec.name) from None
        case "datetime":
            try:
                if spec.format:
                    return _localise(datetime.strptime(text, spec.format))
                # A bare date would silently become midnight; a start time matters here.
                if not _HAS_TIME.search(text):
                    raise ValueError
                return _localise(datetime.fromisoformat(text))
            except ValueError:
                raise LavsParseError(f"{label}: '{text}' is geen geldige datum met tijd.", spec.name) from None
    raise AssertionError(spec.type)  # the mapping loader admits no other type


def _split_datetime(root: etree._Element, spec: FieldSpec) -> datetime | None:
    day = _text(root, spec.date_xpath, spec.name, spec.label)
    clock = _text(root, spec.time_xpath, spec.name, spec.label)
    if day is None and clock is None:
        return None
    label = _cap(spec.label)
    if day is None or clock is None:
        missing = "de datum" if day is None else "de tijd"
        raise LavsParseError(f"{label}: {missing} ontbreekt.", spec.name)
    try:
        return _localise(datetime.combine(date.fromisoformat(day), time.fromisoformat(clock)))
    except ValueError:
        raise LavsParseError(f"{label}: '{day} {clock}' is geen geldige datum met tijd.", spec.name) from None


def _localise(moment: datetime) -> datetime:
    # LAVS works in Dutch time: a moment without offset is Amsterdam time; one with an
    # offset is the same instant shown in Amsterdam time, so all values compare alike.
    if moment.tzinfo is None:
        return moment.replace(tzinfo=AMSTERDAM)
    return moment.astimezone(AMSTERDAM)


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _dutch_int(number: int) -> str:
    return f"{number:_}".replace("_", ".")
