"""The words people read, one per concept (``workflows/data/glossary.json``): templates use
:func:`term`, the page *Begrippen* lists them with their meaning and source. Each term has its
English too (``en``), for a reader who chose English (cki.core.i18n)."""
import json
from functools import lru_cache
from importlib.resources import files

from cki.core.i18n import DEFAULT, current_language


@lru_cache(maxsize=1)
def glossary() -> tuple[dict, ...]:
    data = json.loads(files("workflows").joinpath("data/glossary.json").read_text(encoding="utf-8"))
    return tuple(data["terms"])


def entry(key: str, language: str | None = None) -> dict:
    """Concept ``key`` in ``language`` (the reader's by default): term, plural, meaning, source.
    An unknown key is a programming error."""
    found = next(t for t in glossary() if t["key"] == key)
    language = language or current_language()
    return found if language == DEFAULT else {**found, **found.get(language, {})}


def term(key: str, plural: bool = False) -> str:
    """The word for concept ``key`` ("audit" -> "beoordeling", "assessment" in English)."""
    word = entry(key)
    return word["plural"] if plural else word["term"]
