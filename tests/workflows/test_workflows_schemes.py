"""Scheme parameters as versioned data (RULES.md: "Never hard-code a number")."""

from __future__ import annotations

import ast
import copy
import json
from datetime import date
from pathlib import Path

import pytest

import workflows
from workflows.rules import category_a_timeline, melding_deadline
from workflows.schemes import (
    SCHEMES,
    InvalidSchemeData,
    NoVersionInForce,
    SchemeRegistry,
    UnknownParameter,
    UnknownScheme,
    load_scheme,
)

D = date.fromisoformat
PACKAGE = Path(workflows.__file__).parent


def bundled_version(code: str) -> dict:
    return json.loads((PACKAGE / "schemes" / "data" / f"{code}.json").read_text(encoding="utf-8"))["versions"][0]


@pytest.mark.parametrize("code", SCHEMES)
def test_every_parameter_has_a_value_and_a_source(code):
    version = load_scheme(code, D("2026-04-28"))
    assert version.scheme == code
    assert version.version == "2007 (Bijlage XIIIa, seeds)"
    assert version.params
    for name, param in version.params.items():
        assert param.source.strip(), name
    assert json.loads(json.dumps(version.to_dict()))["scheme"] == code


def test_params_and_sources():
    sc540, sc530 = load_scheme("SC-540", D("2026-01-01")), load_scheme("SC-530", D("2026-01-01"))
    assert sc540.param("decision_letter_working_days") == sc530.param("decision_letter_working_days") == 10
    assert (sc540.source("decision_letter_working_days"), sc530.source("decision_letter_working_days")) == (
        "B §3.6.1", "C §3.5.2"
    )
    assert sc540.param("melding_lead_working_days") == {"email": 2, "fax": 5}
    assert sc540.param("fee_cap_eur_per_hour") == 182
    assert sc540.param("daily_location_audit_cap")["close_locations"] == 3
    assert sc530.param("daily_location_audit_cap")["close_locations"] == 2
    assert sc530.param("project_day_activities")["counted"] == ("removal", "cleanup", "packing")
    assert sc540.note("consented_locations_per_branch").startswith("Onze lezing")
    with pytest.raises(UnknownParameter):
        sc540.param("project_day_thresholds")


def test_values_are_read_only():
    version = load_scheme("SC-540", D("2026-01-01"))
    with pytest.raises(TypeError):
        version.param("melding_lead_working_days")["email"] = 1
    with pytest.raises(AttributeError):
        version.param("category_a_steps").append({})


def test_unknown_schemes_and_dates_before_any_version():
    for bad in ("SC-999", "sc-540", None):
        with pytest.raises(UnknownScheme):
            load_scheme(bad, D("2026-01-01"))
    with pytest.raises(NoVersionInForce):
        load_scheme("SC-540", D("2006-12-31"))


def newer_sc540() -> dict:
    data = copy.deepcopy(bundled_version("SC-540"))
    data.update(version="2027 (test)", valid_from="2027-01-01", source="A later scheme, for the test")
    data["params"]["category_a_steps"]["value"][0]["working_days"] = 2
    data["params"]["melding_lead_working_days"]["value"] = {"email": 1}
    return data


def test_a_registered_later_version_governs_dossiers_from_its_start():
    registry = SchemeRegistry.bundled()
    registry.register_version("SC-540", newer_sc540())
    assert registry.load("SC-540", D("2026-12-31")).version == "2007 (Bijlage XIIIa, seeds)"
    newer = registry.load("SC-540", D("2027-01-01"))
    assert newer.version == "2027 (test)"
    assert [v.version for v in registry.versions("SC-540")] == ["2007 (Bijlage XIIIa, seeds)", "2027 (test)"]
    # The rules take the dossier's version as it is.
    assert category_a_timeline(newer, D("2027-03-01")).steps[0].cumulative == 2
    assert melding_deadline(newer, D("2027-03-03"), "portal").date == D("2027-03-02")
    # The process-wide registry is untouched.
    assert load_scheme("SC-540", D("2027-06-01")).version == "2007 (Bijlage XIIIa, seeds)"


def band(data: dict, criterion: int, index: int) -> dict:
    return data["params"]["location_audit_table"]["value"]["criteria"][criterion]["bands"][index]


def broken(mutate) -> dict:
    data = newer_sc540()
    mutate(data)
    return data


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda d: d["params"].pop("category_a_steps"), "missing parameters"),
        (lambda d: d["params"].update(hours_per_day={"value": 8, "source": "x"}), "unknown parameters"),
        (lambda d: d["params"]["fee_cap_eur_per_hour"].pop("source"), "fee_cap_eur_per_hour"),
        (lambda d: d.update(valid_from="2027-02-30"), "valid_from"),
        (lambda d: d.update(valid_to="2026-01-01"), "valid_to is before"),
        (lambda d: d["params"]["decision_letter_working_days"].update(value=0), "positive whole number"),
        (lambda d: d["params"]["decision_letter_working_days"].update(value=True), "positive whole number"),
        (lambda d: d["params"]["certificate_validity"].update(value={"fortnights": 2}), "period"),
        (lambda d: d["params"]["category_a_steps"]["value"][2].update(limit_working_days=5), "limit is shorter"),
        (lambda d: d["params"]["category_a_steps"]["value"][0].update(actor="inspectorate"), "actor"),
        (lambda d: d["params"]["melding_channel_aliases"].update(value={"portal": "telex"}), "unknown channels"),
        (lambda d: band(d, 1, 1).update(min=600), "gaps"),
        (lambda d: band(d, 1, 1).update(max_inclusive=True), "exactly one band"),
        (lambda d: band(d, 0, 0).update(row=9), "unknown row"),
    ],
)
def test_invalid_versions_are_refused_with_a_reason(mutate, message):
    with pytest.raises(InvalidSchemeData, match=message):
        SchemeRegistry.bundled().register_version("SC-540", broken(mutate))


def test_a_version_label_or_start_date_cannot_be_registered_twice():
    registry = SchemeRegistry.bundled()
    registry.register_version("SC-540", newer_sc540())
    with pytest.raises(InvalidSchemeData, match="already has a version"):
        registry.register_version("SC-540", newer_sc540())
    with pytest.raises(UnknownScheme):
        registry.register_version("SC-999", newer_sc540())


# -- guards on the package itself ------------------------------------------------------


def python_files():
    return sorted(PACKAGE.rglob("*.py"))


def test_workflows_is_pure_python_without_web_or_database_imports():
    for path in python_files():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            assert not {"flask", "sqlalchemy", "cki"} & set(roots), f"{path.name} imports {roots}"


def test_rules_contain_no_scheme_numbers():
    # Numbers belong in the scheme data; the rules may only use units and identities.
    allowed = {0, 1, 2, 60, 3600}
    source = (PACKAGE / "rules.py").read_text(encoding="utf-8")
    literals = {
        node.value for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Constant) and type(node.value) in (int, float)
    }
    assert literals <= allowed, literals - allowed
