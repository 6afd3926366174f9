"""Text a person reads: one date format, and sentences joined without punctuation slips.

Every message, reason, label, rule explanation, note or warning shows a date as
``dd-mm-yyyy`` (27-03-2027): :func:`nl_date`. ISO (2027-03-27) stays where the value is
data (JSON fields, payloads, query values, file names, exports, logs' before/after);
formal letters write the month in words (``cki.core.pdf.dutch_date``).

Pure: no web framework, no database, no clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date

__all__ = ["Message", "nl_date", "sentence", "sentences", "with_source"]

_ENDS = (".", "!", "?")
# A text ending in an abbreviation or initial ("Sloop B.V.", "categorie A."): its full stop stays.
_ABBREVIATION = re.compile(r"(?:^|[\s.])[A-Za-z]\.$")


class Message(str):
    """A Dutch sentence that remembers how it was made: its template (values as ``%(name)s``), the
    values and the source it cites. It *is* the Dutch text (stored, logged, answered by the API as
    it is); a page says it in the reader's language from the template (``cki.core.i18n.say``)."""

    template: str
    plural_template: str | None  # with ``n`` among the values: the form for n != 1
    values: dict
    source: str | None

    def __new__(cls, template: str, /, **values) -> Message:
        return cls._made(template % values if values else template, template, None, values, None)

    @classmethod
    def plural(cls, singular: str, plural: str, /, n: int, **values) -> Message:
        """A sentence with a count: ``Message.plural("%(n)s maand", "%(n)s maanden", n=4)``."""
        values = {**values, "n": n}
        return cls._made((singular if n == 1 else plural) % values, singular, plural, values, None)

    @classmethod
    def known(cls, text: str) -> Message:
        """A text the catalog already holds as it is (a label registered by the app), as a value
        in a sentence; not extracted from here."""
        return cls._made(text, text, None, {}, None)

    @classmethod
    def _made(cls, text: str, template: str, plural: str | None, values: dict, source: str | None) -> Message:
        self = str.__new__(cls, text)
        self.template, self.plural_template, self.values, self.source = template, plural, values, source
        return self

    def cite(self, source: str) -> Message:
        """The same sentence citing ``source`` before its full stop (:func:`with_source`)."""
        return Message._made(with_source(str(self), source), self.template, self.plural_template, self.values, source)


def nl_date(d: date) -> str:
    """``d`` as people read it here: 27-03-2027."""
    return f"{d:%d-%m-%Y}"


def sentence(text: str) -> str:
    """``text`` ending in exactly one full stop (or its own ``!``/``?``): "Sloop B.V." stays
    "Sloop B.V.", "Te laat" becomes "Te laat."; "" stays ""."""
    text = text.strip()
    if not text or text.endswith(_ENDS):
        return text
    return f"{text}."


def sentences(parts: Iterable[str | None]) -> str:
    """The non-empty ``parts`` as one text, each a sentence, separated by a space (never ". ."
    or ".;")."""
    return " ".join(filter(None, (sentence(part or "") for part in parts)))


def with_source(text: str, source: str) -> str:
    """One sentence citing ``source`` before its full stop: "De termijn loopt nog (B §3.1.2)."; a
    text that ends in an abbreviation keeps it whole ("... Sloop B.V. (C §3.1.3).")."""
    if isinstance(text, Message):
        return text.cite(source)
    text = text.strip()
    if text.endswith(".") and not _ABBREVIATION.search(text):
        text = text[:-1]
    return sentence(f"{text} ({source})")
