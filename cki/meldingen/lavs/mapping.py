"""The LAVS field mapping: which XPath in a LAVS message holds which field.

The XML schema LAVS uses for its e-mails to CKIs is not public and changes with LAVS
releases, so the mapping is data (a JSON file, see README.md), not code. The code owns
the field names and their Python types, because the intake relies on those; the file
owns where each field sits in the XML and whether a message may lack it.

A mapping is checked completely when it is loaded, so a bad file stops the application
at start-up with the offending key named, instead of failing on the first real message.
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import MappingProxyType
from typing import Any, Final, Literal, NoReturn, get_args

from lxml import etree

Kind = Literal["new", "change", "withdrawal"]
KINDS: Final[tuple[Kind, ...]] = get_args(Kind)

FieldType = Literal["str", "int", "date", "datetime", "kvk", "postcode"]
FIELD_TYPES: Final[tuple[FieldType, ...]] = get_args(FieldType)

DEFAULT_MAPPING_FILE: Final = Path(__file__).with_name("mapping.json")

# Field name -> (Python type of the parsed value, Dutch label for messages).
FIELDS: Final[Mapping[str, tuple[FieldType, str]]] = MappingProxyType({
    "lavs_message_id": ("str", "LAVS-berichtnummer"),
    "lavs_project_id": ("str", "LAVS-projectnummer"),
    "sent_at": ("datetime", "verzendmoment"),
    "inspectorate": ("str", "inspectie"),
    "cki_name": ("str", "CKI"),
    "company_name": ("str", "naam van het bedrijf"),
    "company_kvk": ("kvk", "KvK-nummer van het bedrijf"),
    "certificate_number": ("str", "certificaatnummer"),
    "permit_holder": ("str", "sloopvergunninghouder"),
    "worker_count": ("int", "aantal asbestwerkers"),
    "street": ("str", "straat"),
    "house_number": ("str", "huisnummer"),
    "postcode": ("postcode", "postcode"),
    "place": ("str", "plaats"),
    "description": ("str", "projectomschrijving"),
    "melding_type": ("str", "soort melding"),
    "start": ("datetime", "start"),
    "end": ("datetime", "einde"),
    "validation_note": ("str", "opmerking vrijgavemeting"),
    "withdrawal_reason": ("str", "reden van intrekking"),
})

# The intake recognises a job it already has by these two, so no mapping may make them optional.
ALWAYS_REQUIRED: Final = ("lavs_message_id", "lavs_project_id")

# Any XPath is tried once on this document at load time: lxml reports an undefined
# namespace prefix or an unknown function only when an expression is evaluated.
_PROBE: Final = etree.fromstring(b"<probe/>")
_FORMAT_PROBE: Final = datetime(2026, 12, 7, 7, 30, 15)


class LavsMappingError(ValueError):
    """The mapping file is unusable. ``key`` is the dotted path of the offending entry."""

    def __init__(self, source: str, key: str, problem: str):
        self.source = source
        self.key = key
        self.problem = problem
        super().__init__(f"LAVS-mapping {source}: '{key}' {problem}")


@dataclass(frozen=True)
class FieldSpec:
    """Where one field sits in the XML. Either ``xpath``, or (for a datetime that LAVS sends
    as separate date and time elements) ``date_xpath`` plus ``time_xpath``."""

    name: str
    type: FieldType
    label: str
    required_for: frozenset[Kind]
    xpath: etree.XPath | None = None
    date_xpath: etree.XPath | None = None
    time_xpath: etree.XPath | None = None
    format: str | None = None  # strptime format for date/datetime; None means ISO 8601


@dataclass(frozen=True)
class LavsMapping:
    version: str
    source: str
    message_type: etree.XPath
    message_types: Mapping[str, Kind]  # casefolded value in the XML -> kind
    fields: Mapping[str, FieldSpec]


def load_mapping(path: str | os.PathLike[str] | None = None) -> LavsMapping:
    """Load and check a mapping file; ``None`` (or "") gives the shipped example mapping.

    The Flask layer passes ``app.config.get("LAVS_MAPPING_FILE")``.
    """
    file = Path(path) if path else DEFAULT_MAPPING_FILE
    source = str(file)
    try:
        text = file.read_text(encoding="utf-8")
    except OSError as exc:
        raise LavsMappingError(source, "(bestand)", f"kan niet worden gelezen: {exc.strerror}") from None
    except UnicodeDecodeError:
        raise LavsMappingError(source, "(bestand)", "is geen UTF-8-tekst") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise LavsMappingError(
            source, "(bestand)", f"is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}): {exc.msg}"
        ) from None
    return mapping_from_dict(data, source=source)


def mapping_from_dict(data: Any, *, source: str = "<dict>") -> LavsMapping:
    """Check a decoded mapping document and compile its XPath expressions."""
    checker = _Checker(source)
    top = checker.object(data, "(bestand)")
    checker.keys(top, "", required={"mapping_version", "namespaces", "message_type", "fields"})

    version = top["mapping_version"]
    if not isinstance(version, str) or not version.strip():
        checker.fail("mapping_version", "moet een niet-lege tekst zijn")

    namespaces = checker.namespaces(top["namespaces"])

    message_type = checker.object(top["message_type"], "message_type")
    checker.keys(message_type, "message_type", required={"xpath", "values"})
    type_xpath = checker.xpath(message_type["xpath"], "message_type.xpath", namespaces)
    message_types = checker.message_types(message_type["values"])

    fields_doc = checker.object(top["fields"], "fields")
    specs = {}
    for name, spec in fields_doc.items():
        if name not in FIELDS:
            checker.fail(f"fields.{name}", f"is geen bekend veld (bekend: {', '.join(FIELDS)})")
        specs[name] = checker.field(name, spec, namespaces)
    for name in ALWAYS_REQUIRED:
        if name not in specs:
            checker.fail(f"fields.{name}", "ontbreekt; dit veld is altijd nodig")
        if specs[name].required_for != frozenset(KINDS):
            checker.fail(f"fields.{name}.required",
                         "moet true zijn; zonder dit veld herkent de intake een melding niet terug")

    return LavsMapping(
        version=version.strip(),
        source=source,
        message_type=type_xpath,
        message_types=MappingProxyType(message_types),
        fields=MappingProxyType(specs),
    )


class _Checker:
    """Validation helpers that name the offending key in every error."""

    def __init__(self, source: str):
        self.source = source

    def fail(self, key: str, problem: str) -> NoReturn:
        raise LavsMappingError(self.source, key, problem)

    def object(self, value: Any, key: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            self.fail(key, "moet een JSON-object zijn")
        # Keys starting with "_" are comments: JSON has no other way to annotate a file.
        return {k: v for k, v in value.items() if not k.startswith("_")}

    def keys(self, obj: dict[str, Any], key: str, *, required: set[str], optional: frozenset[str] = frozenset()):
        prefix = f"{key}." if key else ""
        for name in obj:
            if name not in required | optional:
                allowed = ", ".join(sorted(required | optional))
                self.fail(prefix + name, f"is onbekend (toegestaan: {allowed})")
        for name in sorted(required - obj.keys()):
            self.fail(prefix + name, "ontbreekt")

    def namespaces(self, value: Any) -> dict[str, str]:
        namespaces = self.object(value, "namespaces")
        for prefix, uri in namespaces.items():
            if not prefix:
                self.fail("namespaces", "heeft een lege prefix; XPath 1.0 kent geen standaard-namespace, "
                                        "geef elke namespace een prefix")
            if not isinstance(uri, str) or not uri.strip():
                self.fail(f"namespaces.{prefix}", "moet een niet-lege namespace-URI zijn")
        return namespaces

    def xpath(self, expr: Any, key: str, namespaces: dict[str, str]) -> etree.XPath:
        if not isinstance(expr, str) or not expr.strip():
            self.fail(key, "moet een niet-lege XPath-expressie zijn")
        try:
            # smart_strings=False: results are plain str and do not keep the parsed tree alive.
            compiled = etree.XPath(expr, namespaces=namespaces, smart_strings=False)
            compiled(_PROBE)
        except (etree.XPathError, TypeError, ValueError) as exc:
            self.fail(key, f"is geen geldige XPath ({expr!r}): {exc}")
        return compiled

    def message_types(self, value: Any) -> dict[str, Kind]:
        values = self.object(value, "message_type.values")
        result: dict[str, Kind] = {}
        for raw, kind in values.items():
            key = f"message_type.values.{raw}"
            if kind not in KINDS:
                self.fail(key, f"moet een van {', '.join(KINDS)} zijn, niet {kind!r}")
            folded = raw.strip().casefold()
            if not folded:
                self.fail(key, "is een lege berichtsoort")
            if folded in result:
                self.fail(key, "komt dubbel voor (hoofdletters tellen niet mee)")
            result[folded] = kind
        for kind in KINDS:
            if kind not in result.values():
                self.fail("message_type.values", f"mist een berichtsoort voor {kind!r}")
        return result

    def field(self, name: str, value: Any, namespaces: dict[str, str]) -> FieldSpec:
        key = f"fields.{name}"
        expected_type, label = FIELDS[name]
        spec = self.object(value, key)
        self.keys(spec, key, required=set(), optional=frozenset(
            {"xpath", "date_xpath", "time_xpath", "required", "type", "format"}))

        # The type is fixed by the code (the intake relies on it); writing it in the file only
        # documents it, so a different value is a mistake worth stopping for.
        if "type" in spec and spec["type"] != expected_type:
            self.fail(f"{key}.type", f"moet {expected_type!r} zijn voor dit veld, niet {spec['type']!r}")

        split = "date_xpath" in spec or "time_xpath" in spec
        if split:
            if expected_type != "datetime":
                self.fail(key, "date_xpath/time_xpath kan alleen bij een datetime-veld")
            if "xpath" in spec:
                self.fail(key, "heeft zowel xpath als date_xpath/time_xpath; kies één van beide")
            for part in ("date_xpath", "time_xpath"):
                if part not in spec:
                    self.fail(f"{key}.{part}", "ontbreekt (date_xpath en time_xpath horen bij elkaar)")
            if "format" in spec:
                self.fail(f"{key}.format", "kan niet samen met date_xpath/time_xpath; die verwachten ISO 8601")
        elif "xpath" not in spec:
            self.fail(f"{key}.xpath", "ontbreekt")

        fmt = spec.get("format")
        if fmt is not None:
            self.check_format(fmt, f"{key}.format", expected_type)

        return FieldSpec(
            name=name,
            type=expected_type,
            label=label,
            required_for=self.required(spec.get("required", False), f"{key}.required"),
            xpath=None if split else self.xpath(spec["xpath"], f"{key}.xpath", namespaces),
            date_xpath=self.xpath(spec["date_xpath"], f"{key}.date_xpath", namespaces) if split else None,
            time_xpath=self.xpath(spec["time_xpath"], f"{key}.time_xpath", namespaces) if split else None,
            format=fmt,
        )

    def required(self, value: Any, key: str) -> frozenset[Kind]:
        # true/false, or the kinds of message that must carry the field: a withdrawal
        # may well omit the planning that a startmelding must have.
        if value is True:
            return frozenset(KINDS)
        if value is False:
            return frozenset()
        if isinstance(value, list) and value and all(kind in KINDS for kind in value):
            return frozenset(value)
        self.fail(key, f"moet true, false of een lijst met berichtsoorten ({', '.join(KINDS)}) zijn")

    def check_format(self, fmt: Any, key: str, field_type: FieldType):
        if field_type not in ("date", "datetime"):
            self.fail(key, "kan alleen bij een date- of datetime-veld")
        if not isinstance(fmt, str) or "%" not in fmt:
            self.fail(key, "moet een strptime-formaat zijn, bijvoorbeeld \"%d-%m-%Y %H:%M\"")
        try:
            datetime.strptime(_FORMAT_PROBE.strftime(fmt), fmt)
        except ValueError as exc:
            self.fail(key, f"is geen bruikbaar strptime-formaat ({fmt!r}): {exc}")
