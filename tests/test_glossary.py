"""One word per concept: the glossary (workflows/data/glossary.json) is complete, the page lists it,
the templates use it, and no page or label says a word the glossary avoids."""
import re
from pathlib import Path

from cki.core.glossary import glossary, term
from cki.core.labels import LABELS

CKI = Path(__file__).resolve().parent.parent / "cki"


def _visible_text(html: str) -> str:
    """What a template shows a person: its marked messages (``_("…")``) and its text without Jinja
    code and comments, tags and attributes."""
    messages = " ".join(m.group(2) for m in re.finditer(r"""\b_\(\s*(["'])(.*?)\1""", html, flags=re.S))
    text = messages + " " + re.sub(r"\{#.*?#\}|\{%.*?%\}|\{\{.*?\}\}", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", text)


def test_every_term_is_complete_and_once():
    keys = [t["key"] for t in glossary()]
    assert len(keys) == len(set(keys)) and len(keys) >= 10
    for t in glossary():
        assert t["term"] and t["plural"] and t["meaning"].endswith(".") and t["source"], t["key"]
    assert term("audit") == "beoordeling" and term("audit", plural=True) == "beoordelingen"


def test_no_page_or_label_says_a_word_the_glossary_avoids():
    avoided = {word: t["term"] for t in glossary() for word in t["avoid"]}
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, avoided)) + r")\b", re.IGNORECASE)
    found = []
    for path in sorted(CKI.rglob("*.html")):
        for match in pattern.finditer(_visible_text(path.read_text())):
            found.append(f"{path.relative_to(CKI.parent)}: '{match.group(0)}' (say '{avoided[match.group(0).lower()]}')")
    found += [f"label {code}: '{text}'" for code, text in LABELS.items() if pattern.search(text)]
    assert not found, "\n".join(found)


def test_the_glossary_page_lists_every_term_for_everyone(client):
    page = client.get("/begrippen")  # also before login
    assert page.status_code == 200
    for t in glossary():
        assert f'id="{t["key"]}"' in page.text and t["term"] in page.text
