"""The API documentation (Swagger UI at /api/v1/docs) is read by Dutch CKI staff and integrators:
every operation has a short Dutch summary (flask-smorest takes it from the first paragraph of the
view's docstring), the tags are the names people read (never a blueprint's name), and the page
links back to the app."""
import re

import pytest

#: How an English summary starts (the docstrings were English once).
ENGLISH_STARTS = (
    "The ", "List", "Create", "Get ", "Record", "Change", "One ", "Your", "Send", "Mark", "Delete", "Upload",
    "Take", "Approve", "Cancel", "Merge", "Split", "Confirm", "Retry", "Search", "A ", "An ", "All ", "Every ",
    "Register", "Add ", "Assign", "Submit", "Withdraw", "Suspend", "End ", "Plan ", "Save", "Attach", "Pick",
    "Process", "Lay ", "Exchange", "Revoke", "Replace", "Rename", "Move", "Hand ", "Raise", "Write", "Sample",
    "Whether", "Latest", "Does ", "Many ", "Who ", "Messages", "Locations", "Applications", "Certificates",
    "Companies", "Findings", "Letters", "Audits", "Notices", "Reminders", "Project days", "Worst-case",
)
#: English words that never occur in a Dutch sentence.
ENGLISH_WORDS = re.compile(r"\b(the|you|your|and|with|which|its|their|is not|staff only)\b")


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json


def _operations(spec):
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield f"{method.upper()} {path}", operation


def test_every_operation_has_a_short_dutch_summary(spec):
    operations = dict(_operations(spec))
    assert len(operations) > 100  # the whole API, not an empty document
    problems = []
    for name, operation in operations.items():
        summary = operation.get("summary")
        if not summary:
            problems.append(f"{name}: no summary (a view without a docstring)")
            continue
        if "\n" in summary or len(summary) > 100:
            problems.append(f"{name}: the summary is not one short line (a blank line must follow it): {summary!r}")
        if summary.startswith(ENGLISH_STARTS):
            problems.append(f"{name}: English summary {summary!r}")
        prose = re.sub(r"`[^`]*`", "", f"{summary} {operation.get('description', '')}")  # code names may be English
        if match := ENGLISH_WORDS.search(prose):
            problems.append(f"{name}: English word {match.group(0)!r} in {prose[:100]!r}")
    assert not problems, "\n".join(problems)


def test_tags_are_the_names_people_read(spec):
    listed = [tag["name"] for tag in spec["tags"]]
    assert listed and not [name for name in listed if "_api" in name], listed
    for name, operation in _operations(spec):
        assert operation.get("tags"), name
        for tag in operation["tags"]:
            assert "_api" not in tag and tag in listed, (name, tag)


def test_swagger_ui_links_back_to_the_app(client):
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    link = re.search(r'<a href="([^"]+)">[^<]*Terug naar cki</a>', docs.text)
    assert link, "the API documentation has no link back to the app"
    assert client.get(link.group(1)).status_code in (200, 302)  # the dashboard, or the login page first


#: flask-smorest's own schemas (the error body, the pagination header); their descriptions are the library's.
LIBRARY_SCHEMAS = {"Error", "PaginationMetadata"}
#: More English words a field description may slip in (a short text: "Decision date; default today").
ENGLISH_DESCRIPTION_WORDS = re.compile(
    r"\b(of the|or|to|at|by|for|from|this|that|when|why|what|only|after|before|not|never|once|default|date|"
    r"days?|number|own|see|yet|if|as|are|was|cannot|work|written|requested|notified)\b", re.IGNORECASE)


def _descriptions(spec):
    """(where, text) of every property description in components/schemas and every parameter description."""
    for name, schema in spec["components"]["schemas"].items():
        if name in LIBRARY_SCHEMAS:
            continue
        for prop, value in schema.get("properties", {}).items():
            for part in (value, value.get("items") or {}):
                if part.get("description"):
                    yield f"schema {name}.{prop}", part["description"]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            parameters = operation if method == "parameters" else operation.get("parameters", [])
            for parameter in parameters:
                if isinstance(parameter, dict) and parameter.get("description"):
                    yield f"{method.upper()} {path} parameter {parameter.get('name')}", parameter["description"]
    for name, parameter in spec["components"].get("parameters", {}).items():
        if parameter.get("description"):
            yield f"parameter {name}", parameter["description"]


def test_every_field_and_parameter_description_is_dutch(spec):
    descriptions = list(_descriptions(spec))
    assert len(descriptions) > 100  # the fields are described, not an empty document
    problems = []
    for where, text in descriptions:
        prose = re.sub(r"`[^`]*`", "", text)  # code names may be English
        match = (re.search(ENGLISH_WORDS.pattern, prose, re.IGNORECASE)  # the summaries' check, any case
                 or ENGLISH_DESCRIPTION_WORDS.search(prose))
        if match:
            problems.append(f"{where}: English word {match.group(0)!r} in {text!r}")
    assert not problems, "\n".join(problems)
