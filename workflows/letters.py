"""Letters (brieven) as data and text: which kinds a CKI sends, which are besluiten (Awb 1:3) that
say how to object, and the template language the quality manager writes them in.

A template is a subject and a body in Jinja's sandbox over named fields (``data/letters.json``:
the common ones and each kind's own). :func:`check` refuses a template that does not parse or uses
a field its kind does not have, before anyone can approve it; :func:`render` fills one in. The
bezwaar clause is not in the templates: :func:`objection_clause` adds it to every besluit and to
nothing else, so no template edit can drop it from a decision or put it on an interim letter.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError, meta
from jinja2.sandbox import SandboxedEnvironment, SecurityError

__all__ = ["LetterKind", "TemplateError", "check", "common_fields", "kind", "kinds", "remedy_clause", "render",
           "sample_context"]


@dataclass(frozen=True)
class LetterKind:
    code: str
    label: str
    decision: bool  # a besluit: it carries how to object
    source: str
    fields: dict[str, str]  # its own fields (name: what it holds), besides the common ones
    remedy: str | None = None  # a besluit's remedy: "bezwaar" (to the CKI) or "beroep" (to the court)


class TemplateError(ValueError):
    """A template that cannot be used, with the part (subject or body) and the reason in Dutch."""

    def __init__(self, part: str, message: str):
        super().__init__(message)
        self.part = part
        self.message = message


@cache
def _data() -> dict[str, Any]:
    return json.loads(files("workflows").joinpath("data/letters.json").read_text(encoding="utf-8"))


def kinds() -> dict[str, LetterKind]:
    return {code: LetterKind(code, k["label"], k["decision"], k["source"], k["fields"], k.get("remedy"))
            for code, k in _data()["kinds"].items()}


def kind(code: str) -> LetterKind:
    try:
        return kinds()[code]
    except KeyError:
        raise TemplateError("kind", f"Onbekende soort brief: {code}.") from None


def common_fields() -> dict[str, str]:
    return dict(_data()["common_fields"])


# Letters are plain text (the PDF and the e-mail print them as they are): no HTML escaping.
_ENV = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=False)


def check(code: str, subject: str, body: str) -> None:
    """Raise :class:`TemplateError` if the template does not parse, uses a field its kind lacks,
    or fails on sample values (a loop over a field that is no list, say)."""
    allowed = {*common_fields(), *kind(code).fields}
    for part, text in (("subject", subject), ("body", body)):
        if not text.strip():
            raise TemplateError(part, "Mag niet leeg zijn.")
        try:
            used = meta.find_undeclared_variables(_ENV.parse(text))
        except TemplateSyntaxError as error:
            raise TemplateError(part, f"Fout in het sjabloon op regel {error.lineno}: {error.message}.") from None
        unknown = sorted(used - allowed)
        if unknown:
            raise TemplateError(part, f"Onbekend veld voor deze soort brief: {', '.join(unknown)}. "
                                      f"Beschikbaar: {', '.join(sorted(allowed))}.")
    for sample in (sample_context(code), sample_context(code, empty=True)):
        try:
            render(subject, body, sample)
        except TemplateError as error:
            raise TemplateError(error.part, f"Het sjabloon faalt op voorbeeldgegevens: {error.message}") from None


def render(subject: str, body: str, context: dict[str, Any]) -> tuple[str, str]:
    """The subject (one line) and the body, filled in."""
    out = []
    for part, text in (("subject", subject), ("body", body)):
        try:
            out.append(_ENV.from_string(text).render(context))
        except (UndefinedError, SecurityError) as error:
            raise TemplateError(part, str(error)) from None
        except Exception as error:  # noqa: BLE001 (a template may divide by zero, index past a list...)
            raise TemplateError(part, f"{type(error).__name__}: {error}") from None
    return " ".join(out[0].split()), out[1].strip()


def remedy_clause(remedy: str, *, term: str, source: str, cki: str, due: str | None = None) -> str:
    """How to object to a besluit (Awb 3:45): bezwaar to the CKI, or against a decision on bezwaar
    beroep to the court; the term in words from the scheme data with its source, and with ``due``
    (once the dispatch date is known) its last day."""
    if remedy == "beroep":
        clause = (f"Beroep: tegen deze beslissing op bezwaar kunt u binnen {term} na de dag waarop zij is verzonden "
                  f"beroep instellen bij de rechtbank. Valt de laatste dag op een zaterdag, zondag of feestdag, dan "
                  f"loopt de termijn door tot en met de eerstvolgende werkdag ({source}).")
    else:
        clause = (f"Bezwaar: tegen dit besluit kunt u binnen {term} na de dag waarop het is verzonden schriftelijk "
                  f"bezwaar maken bij {cki}. Valt de laatste dag op een zaterdag, zondag of feestdag, dan loopt de "
                  f"termijn door tot en met de eerstvolgende werkdag ({source}).")
    if due:
        clause += f" De laatste dag van de termijn is {due}."
    return clause


def sample_context(code: str, *, empty: bool = False) -> dict[str, Any]:
    """Values of the right shape for every field of a kind: for checking and previewing a template;
    ``empty``: lists without items and empty texts, as a report without findings has."""
    finding = {"categorie": "afwijking categorie A", "clausule": "4.1", "tekst": "Voorbeeldbevinding",
               "bewijs": "Voorbeeld van het bewijs", "gevonden_op": "1 maart 2027"}
    values: dict[str, Any] = {name: f"[{name}]" for name in (*common_fields(), *kind(code).fields)}
    values.update({"bevinding": finding, "bevindingen": [finding], "op_verzoek": False})
    if empty:
        values.update({name: "" for name in kind(code).fields}, bevinding=finding, bevindingen=[], op_verzoek=False)
    return values
