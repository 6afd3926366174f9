"""The words people read, one per concept (``workflows/data/glossary.json``): templates use
:func:`term`, the page *Begrippen* lists them with their meaning and source."""
import json
from functools import lru_cache
from importlib.resources import files


@lru_cache(maxsize=1)
def glossary() -> tuple[dict, ...]:
    data = json.loads(files("workflows").joinpath("data/glossary.json").read_text(encoding="utf-8"))
    return tuple(data["terms"])


def term(key: str, plural: bool = False) -> str:
    """The word for concept ``key`` ("audit" -> "beoordeling"); an unknown key is a programming error."""
    entry = next(t for t in glossary() if t["key"] == key)
    return entry["plural"] if plural else entry["term"]
