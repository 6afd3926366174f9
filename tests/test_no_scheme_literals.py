"""No scheme number in code or templates: terms, periods and sections come from the scheme data
(workflows/schemes/data), so a later scheme version changes them without a code change.

Every text a person reads (templates, messages, labels, API descriptions) is searched; docstrings
and comments may cite a section of the annex to explain the code; the app's docstrings (which are
the API's descriptions) never write a term."""
import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CKI = ROOT / "cki"
#: Where the code writes what people read: the app, and the rules' messages and labels.
CODE = (CKI, ROOT / "workflows")

_NUMBER = r"\b(\d+|twee|drie|vier|vijf|zes|tien|twaalf)[\s-]*"
#: A term of the scheme written out in what people read: "2 werkdagen", "zes weken", "4-maandentermijn",
#: "12-month period"; in a docstring (a developer's explanation, English) only the Dutch words count.
TERM = re.compile(_NUMBER + r"(werkdag(en)?|weken|week|maand(en)?|jaar|maandentermijn|month|months|year|years|"
                  r"working days?)\b", re.IGNORECASE)
DUTCH_TERM = re.compile(_NUMBER + r"(werkdag(en)?|weken|week|maand(en)?|jaar|maandentermijn)\b", re.IGNORECASE)
#: A section of the annex: "§3.4.2", "B §7.1" (our own rules, "RULES.md §2", may be cited).
SECTION = re.compile(r"(?<!RULES\.md )§\s*\d")


def _strings(tree):
    """(line, text, is_docstring) of every string constant in a module."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant) and isinstance(first.value.value, str):
                docstrings.add(id(first.value))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value, id(node) in docstrings


def test_no_scheme_term_or_section_in_what_people_read():
    found = []
    for path in sorted(p for folder in CODE for p in folder.rglob("*.py")):
        for line, text, docstring in _strings(ast.parse(path.read_text())):
            if docstring and path.is_relative_to(ROOT / "workflows"):
                continue  # the rules' docstrings document the seeds' version for developers; no page shows them
            if (DUTCH_TERM if docstring else TERM).search(text) or (not docstring and SECTION.search(text)):
                found.append(f"{path.relative_to(ROOT)}:{line}: {text.strip()[:100]!r}")
    for path in sorted(CKI.rglob("*.html")):
        text = re.sub(r"\{#.*?#\}", "", path.read_text(), flags=re.S)  # template comments may explain
        for match in (*TERM.finditer(text), *SECTION.finditer(text)):
            line = text.count("\n", 0, match.start()) + 1
            found.append(f"{path.relative_to(CKI.parent)}:{line}: {match.group(0)!r}")
    assert not found, "scheme terms or sections written in the code (they belong in the scheme data):\n" + "\n".join(found)
