"""Certification schemes (certificatieschema's) as versioned data.

Every term, table and threshold of SC-540 (Bijlage XIIIa Deel B) and SC-530 (Deel C) lives
in ``data/<code>.json`` as a list of versions. Each version has ``valid_from`` and
``valid_to`` (inclusive, ``null`` for open-ended) and every parameter carries its value,
its source in the annex and an optional note naming our reading. A dossier is judged by the
version in force on its relevant date; a CKI can register a later version at run time.

    >>> sc540 = load_scheme("SC-540", date(2026, 4, 28))
    >>> sc540.param("decision_letter_working_days"), sc540.source("decision_letter_working_days")
    (10, 'B §3.6.1')
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from importlib.resources import files
from itertools import pairwise
from types import MappingProxyType
from typing import Any

__all__ = [
    "SCHEMES",
    "InvalidSchemeData",
    "NoVersionInForce",
    "Param",
    "SchemeRegistry",
    "SchemeVersion",
    "UnknownParameter",
    "UnknownScheme",
    "default_registry",
    "load_scheme",
    "register_version",
]

SCHEMES: tuple[str, ...] = ("SC-540", "SC-530")


class UnknownScheme(ValueError):
    """A scheme code we do not know."""


class UnknownParameter(LookupError):
    """A parameter this scheme version does not define (e.g. project days in SC-540)."""


class NoVersionInForce(LookupError):
    """No version of the scheme is in force on the asked date."""


class InvalidSchemeData(ValueError):
    """A scheme version (bundled or registered) that fails validation."""


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter: its value, where it comes from, and the reading we chose (if any)."""

    name: str
    value: Any
    source: str
    note: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"value": _thaw(self.value), "source": self.source, "note": self.note}


@dataclass(frozen=True, slots=True)
class SchemeVersion:
    """One version of a scheme. Values are read-only (mappings and tuples)."""

    scheme: str
    version: str
    valid_from: date
    valid_to: date | None
    document: str
    params: Mapping[str, Param]
    #: What people read: the version's name on certificates and letters, and the scheme's subject.
    display_name: str = ""
    title: str = ""

    def entry(self, name: str) -> Param:
        try:
            return self.params[name]
        except KeyError:
            raise UnknownParameter(
                f"{self.scheme} version {self.version!r} has no parameter {name!r}"
            ) from None

    def has(self, name: str) -> bool:
        return name in self.params

    def param(self, name: str) -> Any:
        return self.entry(name).value

    def source(self, name: str) -> str:
        return self.entry(name).source

    def note(self, name: str) -> str | None:
        return self.entry(name).note

    def cite(self, name: str) -> str:
        """Scheme and section, e.g. ``"SC-540 B §3.6.1"``."""
        return f"{self.scheme} {self.source(name)}"

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)

    def to_dict(self) -> dict[str, Any]:
        return {
            "scheme": self.scheme,
            "version": self.version,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat() if self.valid_to else None,
            "source": self.document,
            "params": {name: p.to_dict() for name, p in self.params.items()},
        }


# -- validation ------------------------------------------------------------------------
#
# Each known parameter has a checker; a registered version may only use known names, so a
# typo fails at load time rather than as a missing parameter in a dossier.

_PERIOD_UNITS = frozenset({"years", "months", "weeks", "days"})
_ACTORS = frozenset({"cki", "company"})


def _fail(name: str, message: str) -> InvalidSchemeData:
    return InvalidSchemeData(f"parameter {name!r}: {message}")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _positive_int(name: str, v: Any) -> None:
    if not (isinstance(v, int) and not isinstance(v, bool) and v > 0):
        raise _fail(name, f"expected a positive whole number, got {v!r}")


def _non_negative_int(name: str, v: Any) -> None:
    if not (isinstance(v, int) and not isinstance(v, bool) and v >= 0):
        raise _fail(name, f"expected a whole number >= 0, got {v!r}")


def _period(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v and v.keys() <= _PERIOD_UNITS):
        raise _fail(name, f"expected a period like {{'months': 4}} in {sorted(_PERIOD_UNITS)}, got {v!r}")
    for amount in v.values():
        _positive_int(name, amount)


def _numbers(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v and all(_is_number(x) and x >= 0 for x in v.values())):
        raise _fail(name, f"expected a mapping of names to numbers >= 0, got {v!r}")


def _positive_ints(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v):
        raise _fail(name, f"expected a mapping of names to whole numbers, got {v!r}")
    for amount in v.values():
        _positive_int(name, amount)


def _flags(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v and all(isinstance(x, bool) for x in v.values())):
        raise _fail(name, f"expected a mapping of names to true/false, got {v!r}")


def _flag(name: str, v: Any) -> None:
    if not isinstance(v, bool):
        raise _fail(name, f"expected true or false, got {v!r}")


def _text(name: str, v: Any) -> None:
    if not (isinstance(v, str) and v.strip()):
        raise _fail(name, "expected a non-empty text")


def _fee(name: str, v: Any) -> None:
    if not (_is_number(v) and v > 0):
        raise _fail(name, f"expected an amount > 0, got {v!r}")


def _steps(name: str, v: Any) -> None:
    if not (isinstance(v, list) and v):
        raise _fail(name, "expected a non-empty list of steps")
    seen: set[str] = set()
    for step in v:
        required = {"step", "actor", "working_days", "description", "source"}
        allowed = required | {"limit_working_days", "note", "outcomes", "missed", "letter"}
        if not (isinstance(step, dict) and required <= step.keys() <= allowed):
            raise _fail(name, f"a step needs {sorted(required)} (optional: limit_working_days, note): {step!r}")
        label = step["step"]
        if label in seen:
            raise _fail(name, f"step {label!r} appears twice")
        seen.add(label)
        if step["actor"] not in _ACTORS:
            raise _fail(name, f"step {label}: actor must be one of {sorted(_ACTORS)}")
        for key in ("description", "source"):
            _text(f"{name}.{label}.{key}", step[key])
        for outcome, spec in (step.get("outcomes") or {}).items():
            if not (isinstance(spec, dict) and {"label", "then"} <= spec.keys() <= {"label", "then", "letter"}
                    and spec["then"] in ("close", "next", "propose_withdrawal")):
                raise _fail(name, f"step {label}: outcome {outcome!r} needs a label and then: close, next or "
                                  "propose_withdrawal (optional: the letter it calls for)")
            _text(f"{name}.{label}.outcomes.{outcome}", spec["label"])
        if step.get("missed", "next") != "next" or ("missed" in step and step["actor"] != "company"):
            raise _fail(name, f"step {label}: 'missed' is 'next', on a company step only")
        if "letter" in step and step["actor"] != "cki":
            raise _fail(name, f"step {label}: only a CKI step is done by sending a letter")
        days = step["working_days"]
        if days is None:
            if "limit_working_days" in step:
                raise _fail(name, f"step {label}: a limit needs working_days")
            continue
        _positive_int(f"{name}.{label}", days)
        if "limit_working_days" in step:
            _positive_int(f"{name}.{label}.limit_working_days", step["limit_working_days"])
            if step["limit_working_days"] < days:
                raise _fail(name, f"step {label}: limit is shorter than the target")


def _bands_sorted_and_contiguous(name: str, criterion: str, bands: list[dict[str, Any]]) -> None:
    first = bands[0]
    if first["min"] != 0 or not first["min_inclusive"]:
        raise _fail(name, f"{criterion}: the first band must start at 0 inclusive")
    for low, high in pairwise(bands):
        if low["max"] is None or low["max"] != high["min"]:
            raise _fail(name, f"{criterion}: bands must follow each other without gaps")
        if low["max_inclusive"] == high["min_inclusive"]:
            raise _fail(name, f"{criterion}: {low['max']} must belong to exactly one band")
    if bands[-1]["max"] is not None:
        raise _fail(name, f"{criterion}: the last band must be open-ended (max null)")


def _table(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and {"title", "columns", "rows", "criteria"} <= v.keys()):
        raise _fail(name, "a table needs title, columns, rows and criteria")
    columns = v["columns"]
    if not (isinstance(columns, list) and "total" in columns):
        raise _fail(name, "columns must include 'total'")
    rows = {}
    for row in v["rows"]:
        if not (isinstance(row, dict) and row.keys() == {"id", "printed", "counts"}):
            raise _fail(name, f"a row needs exactly id, printed and counts: {row!r}")
        if set(row["counts"]) != set(columns):
            raise _fail(name, f"row {row.get('id')!r}: counts must give exactly {columns}")
        for column in columns:
            _non_negative_int(f"{name}.row {row['id']}.{column}", row["counts"][column])
        _text(f"{name}.row {row['id']}.printed", row.get("printed"))
        rows[row["id"]] = row
    if not v["criteria"]:
        raise _fail(name, "at least one criterion is needed")
    band_keys = {"row", "min", "min_inclusive", "max", "max_inclusive", "printed"}
    for criterion in v["criteria"]:
        label = criterion.get("name")
        bands = criterion.get("bands") or []
        if not (label and criterion.get("label") and bands):
            raise _fail(name, f"criterion {label!r} needs name, label and bands")
        for band in bands:
            if not band_keys <= band.keys() <= band_keys | {"reading", "warning"}:
                raise _fail(name, f"{label}: a band needs {sorted(band_keys)} (optional reading, warning)")
            if band["row"] not in rows:
                raise _fail(name, f"{label}: band refers to unknown row {band['row']!r}")
            if not _is_number(band["min"]) or not (band["max"] is None or _is_number(band["max"])):
                raise _fail(name, f"{label}: band bounds must be numbers (max may be null)")
        _bands_sorted_and_contiguous(name, label, bands)


def _thresholds(name: str, v: Any) -> None:
    if not (isinstance(v, list) and v):
        raise _fail(name, "expected a list of {min_hours, project_days}")
    for item in v:
        if not (isinstance(item, dict) and item.keys() == {"min_hours", "project_days"}):
            raise _fail(name, f"expected {{min_hours, project_days}}, got {item!r}")
        if not (_is_number(item["min_hours"]) and item["min_hours"] > 0 and _is_number(item["project_days"])):
            raise _fail(name, f"bad threshold {item!r}")
    hours = [item["min_hours"] for item in v]
    if hours != sorted(hours, reverse=True):
        raise _fail(name, "thresholds must be listed from the highest number of hours down")


def _activities(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v.keys() == {"counted", "not_counted"}):
        raise _fail(name, "expected {counted: [...], not_counted: [...]}")
    if set(v["counted"]) & set(v["not_counted"]):
        raise _fail(name, "an activity cannot be both counted and not counted")


def _channels(name: str, v: Any) -> None:
    _positive_ints(name, v)


def _aliases(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and all(isinstance(x, str) for x in v.values())):
        raise _fail(name, "expected a mapping of channel to channel")


def _catch_up(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v.keys() == {"max_uses", "window_periods"}):
        raise _fail(name, "expected {max_uses, window_periods}")
    _positive_ints(name, v)


def _sections(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v):
        raise _fail(name, "expected a mapping of rule names to sections")
    for rule, section in v.items():
        _text(f"{name}.{rule}", section)


def _finding_categories(name: str, v: Any) -> None:
    if not (isinstance(v, list) and v):
        raise _fail(name, "expected a non-empty list of categories")
    codes = set()
    for cat in v:
        if not (isinstance(cat, dict) and {"code", "label", "procedure", "source"} <= cat.keys()):
            raise _fail(name, "each category needs code, label, procedure and source")
        for key in ("code", "label", "source"):
            _text(f"{name}.{key}", cat[key])
        if cat["procedure"] is not None and cat["procedure"] not in ("category_a", "non_a"):
            raise _fail(name, f"unknown procedure {cat['procedure']!r}")
        if cat["code"] in codes:
            raise _fail(name, f"category {cat['code']!r} twice")
        codes.add(cat["code"])


def _sanction_a(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v.keys() == {"authorities", "kinds"}):
        raise _fail(name, "expected authorities and kinds")
    for key, known in (("authorities", {"inspectorate", "other_authority"}),
                       ("kinds", {"stillegging", "proces_verbaal", "heavy_fine", "other"})):
        if not (isinstance(v[key], list) and v[key] and set(v[key]) <= known):
            raise _fail(name, f"{key} must be a non-empty list from {sorted(known)}")


def _checklists(name: str, v: Any) -> None:
    if not (isinstance(v, dict) and v):
        raise _fail(name, "expected a mapping of audit kind to checklist lines")
    for kind, items in v.items():
        if not (isinstance(items, list) and items):
            raise _fail(name, f"{kind}: expected a non-empty list of lines")
        keys = set()
        for item in items:
            if not (isinstance(item, dict) and {"key", "clause", "text"} <= item.keys()):
                raise _fail(name, f"{kind}: each line needs key, clause and text")
            for key in ("key", "clause", "text"):
                _text(f"{name}.{kind}.{key}", item[key])
            if item["key"] in keys:
                raise _fail(name, f"{kind}: line key {item['key']!r} twice")
            keys.add(item["key"])


_CHECKS: dict[str, Callable[[str, Any], None]] = {
    "category_a_steps": _steps,
    "non_a_steps": _steps,
    "melding_lead_working_days": _channels,
    "melding_channel_aliases": _aliases,
    "assessment_window": _period,
    "assessment_window_counts_recording": _flag,
    "provisional_report_expiry": _period,
    "provisional_report_conversion": _period,
    "decision_letter_working_days": _positive_int,
    "certificate_validity": _period,
    "recertification_lead": _period,
    "surveillance_period": _period,
    "objection_term": _period,
    "appeal_term": _period,
    "zienswijze_term": _period,
    "sanction_category_a": _sanction_a,
    "several_b_make_a": _flag,
    "location_audit_table": _table,
    "location_audit_min_works": _positive_int,
    "location_audit_first_period_note": _text,
    "location_audit_unannounced": _flags,
    "location_audit_per_branch": _flag,
    "finding_categories": _finding_categories,
    "checklists": _checklists,
    "man_day_hours": _positive_int,
    "project_day_thresholds": _thresholds,
    "project_day_activities": _activities,
    "time_budget_man_days": _numbers,
    "daily_location_audit_cap": _positive_ints,
    "fee_cap_eur_per_hour": _fee,
    "consented_locations_per_branch": _positive_ints,
    "extra_location_max": _non_negative_int,
    "extra_location_at_candidate_cost": _flag,
    "branch_assessment_max_tries": _positive_int,
    "abort_on_wrong_melding_information": _flag,
    "min_successful_location_assessments_per_branch": _positive_int,
    "min_containment_location_assessments": _non_negative_int,
    "min_complete_results": _positive_int,
    "branch_assessments_per_year": _positive_int,
    "files_per_branch_assessment": _positive_int,
    "catch_up": _catch_up,
    "reapply_block_after_withdrawal": _period,
    "reapply_block_after_false_information": _period,
    "prior_cki_lookback": _period,
    "initial_certification_sections": _sections,
    "provisional_report_text": _text,
    "provisional_report_expiry_anchor": _text,
    "refusal_provisional_reports_notice": _text,
}

#: Parameters every version of every scheme must define.
REQUIRED_PARAMS = frozenset({
    "category_a_steps",
    "non_a_steps",
    "melding_lead_working_days",
    "assessment_window",
    "decision_letter_working_days",
    "certificate_validity",
    "recertification_lead",
    "location_audit_table",
})


def _check_cross_references(params: Mapping[str, Any]) -> None:
    aliases = params.get("melding_channel_aliases", {})
    channels = params["melding_lead_working_days"]
    if bad := sorted(target for target in aliases.values() if target not in channels):
        raise _fail("melding_channel_aliases", f"aliases point to unknown channels {bad}")
    table = params["location_audit_table"]
    unannounced = params.get("location_audit_unannounced")
    if unannounced is not None and not set(unannounced) <= set(table["columns"]):
        raise _fail("location_audit_unannounced", f"keys must be table columns {table['columns']}")
    checklists = params.get("checklists")
    if checklists is not None and not set(checklists) <= {"branch", *table["columns"]}:
        raise _fail("checklists", f"kinds must be 'branch' or table columns {table['columns']}")


def _parse_date(field: str, value: Any) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise InvalidSchemeData(f"{field}: expected YYYY-MM-DD, got {value!r}") from None


def _freeze(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({k: _freeze(v) for k, v in value.items()})
    if isinstance(value, list):
        return tuple(_freeze(v) for v in value)
    return value


def _thaw(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [_thaw(v) for v in value]
    return value


def parse_version(code: str, data: Mapping[str, Any]) -> SchemeVersion:
    """Validate one version dict (the format of ``data/<code>.json``) and build it."""
    if code not in SCHEMES:
        raise UnknownScheme(f"unknown scheme {code!r}; known: {', '.join(SCHEMES)}")
    required = {"version", "valid_from", "valid_to", "source", "params"}
    if not isinstance(data, Mapping) or not required <= data.keys():
        raise InvalidSchemeData(f"{code}: a version needs {sorted(required)}")
    _text("version", data["version"])
    _text("source", data["source"])
    for optional in ("display_name", "title"):
        if data.get(optional) is not None:
            _text(optional, data[optional])
    valid_from = _parse_date("valid_from", data["valid_from"])
    valid_to = None if data["valid_to"] is None else _parse_date("valid_to", data["valid_to"])
    if valid_to is not None and valid_to < valid_from:
        raise InvalidSchemeData(f"{code} {data['version']}: valid_to is before valid_from")

    raw = data["params"]
    if not isinstance(raw, Mapping):
        raise InvalidSchemeData(f"{code} {data['version']}: params must be a mapping")
    if missing := sorted(REQUIRED_PARAMS - raw.keys()):
        raise InvalidSchemeData(f"{code} {data['version']}: missing parameters {missing}")
    if unknown := sorted(raw.keys() - _CHECKS.keys()):
        raise InvalidSchemeData(f"{code} {data['version']}: unknown parameters {unknown}")
    params: dict[str, Param] = {}
    for name, entry in raw.items():
        if not (isinstance(entry, Mapping) and {"value", "source"} <= entry.keys() <= {"value", "source", "note"}):
            raise _fail(name, "expected {value, source, note?}")
        _text(f"{name}.source", entry["source"])
        if entry.get("note") is not None:
            _text(f"{name}.note", entry["note"])
        _CHECKS[name](name, entry["value"])
        params[name] = Param(name, _freeze(entry["value"]), entry["source"], entry.get("note"))
    _check_cross_references({name: p.value for name, p in params.items()})
    return SchemeVersion(
        scheme=code,
        version=data["version"],
        valid_from=valid_from,
        valid_to=valid_to,
        document=data["source"],
        params=MappingProxyType(params),
        display_name=data.get("display_name") or data["version"],
        title=data.get("title") or code,
    )


class SchemeRegistry:
    """The versions of each scheme; picks the one in force on a date."""

    def __init__(self) -> None:
        self._versions: dict[str, list[SchemeVersion]] = {code: [] for code in SCHEMES}

    @classmethod
    def bundled(cls) -> SchemeRegistry:
        """A registry holding the versions shipped in ``data/``."""
        registry = cls()
        for code in SCHEMES:
            doc = json.loads((files(__package__) / "data" / f"{code}.json").read_text(encoding="utf-8"))
            if doc.get("scheme") != code:
                raise InvalidSchemeData(f"data/{code}.json declares scheme {doc.get('scheme')!r}")
            for version in doc["versions"]:
                registry.register_version(code, {"title": doc.get("subject"), **version})
        return registry

    def register_version(self, code: str, data: Mapping[str, Any]) -> SchemeVersion:
        """Validate and add a version (e.g. a later scheme a CKI loads).

        Versions may overlap only as a newer version starting while an open-ended older one
        is in force: from its ``valid_from`` on, the newer one wins.
        """
        version = parse_version(code, data)
        for other in self._versions[code]:
            if other.version == version.version:
                raise InvalidSchemeData(f"{code} already has a version {version.version!r}")
            if other.valid_from == version.valid_from:
                raise InvalidSchemeData(f"{code} already has a version starting {version.valid_from}")
        self._versions[code].append(version)
        self._versions[code].sort(key=lambda v: v.valid_from)
        return version

    def versions(self, code: str) -> tuple[SchemeVersion, ...]:
        return tuple(self._known(code))

    def load(self, code: str, on: date | None = None) -> SchemeVersion:
        """The version of ``code`` in force on ``on`` (default: today)."""
        day = on or date.today()
        for version in reversed(self._known(code)):
            if version.in_force_on(day):
                return version
        raise NoVersionInForce(f"no version of {code} is in force on {day}")

    def _known(self, code: str) -> list[SchemeVersion]:
        try:
            return self._versions[code]
        except (KeyError, TypeError):
            raise UnknownScheme(f"unknown scheme {code!r}; known: {', '.join(SCHEMES)}") from None


_default: SchemeRegistry | None = None


def default_registry() -> SchemeRegistry:
    """The process-wide registry, loaded from the bundled data on first use."""
    global _default
    if _default is None:
        _default = SchemeRegistry.bundled()
    return _default


def load_scheme(code: str, on: date | None = None) -> SchemeVersion:
    """The version of scheme ``code`` in force on ``on`` (default: today)."""
    return default_registry().load(code, on)


def register_version(code: str, data: Mapping[str, Any]) -> SchemeVersion:
    """Add a validated version to the process-wide registry."""
    return default_registry().register_version(code, data)
