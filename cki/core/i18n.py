"""The language of the pages: Dutch, the default, and English as a second language, chosen per
user (Flask-Babel).

Pages and code are written in Dutch, marked with ``_("…")``; the English catalog
(``cki/translations/en/LC_MESSAGES/messages.po``) translates them. Labels of stored codes are
known only at run time: a domain registers them (:func:`register_messages`) and ``flask i18n
extract`` puts them in the catalog with what it finds in templates and code. Letters and
certificates are legal texts made from the scheme's Dutch wording, never from the catalog.
The API speaks codes; its messages stay Dutch.
"""
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import g, has_request_context, session
from flask_babel import Babel, get_locale, get_translations
from flask_babel.speaklater import LazyString
from flask_login import current_user

from workflows.text import Message, with_source

#: The languages a person can choose, each named in itself.
LANGUAGES = {"nl": "Nederlands", "en": "English"}
DEFAULT = "nl"
CATALOGS = Path(__file__).resolve().parent.parent / "translations"

babel = Babel()
_runtime_sources: list[Callable[[], Iterable[str]]] = []


def register_messages(source: Callable[[], Iterable[str]]) -> None:
    """Messages only known at run time (the labels of stored codes), for the catalog."""
    _runtime_sources.append(source)


def runtime_messages() -> set[str]:
    return {message for source in _runtime_sources for message in source() if message}


def chosen(language: str, location: str = "json") -> str:
    """``language`` if people can choose it, else refused (422) naming the field."""
    if language not in LANGUAGES:
        from cki.core.errors import DomainError

        raise DomainError("language", Message("Kies een van de talen: %(languages)s.", languages=", ".join(LANGUAGES)),
                          location=location)
    return language


def choose_language() -> str:
    """The signed-in person's choice; before login, the choice made on this browser; else Dutch
    (also for work outside a request: jobs, mails)."""
    if not has_request_context():
        return DEFAULT
    language = getattr(current_user, "language", None) if current_user.is_authenticated else None
    language = language or session.get("language")
    return language if language in LANGUAGES else DEFAULT


def current_language() -> str:
    return str(get_locale() or DEFAULT)


def _catalog():
    """The reader's catalog, found once per request and language: flask-babel finds the locale, the
    domain and the catalog again on every call (7 µs; a list of 500 rows makes thousands of calls).
    ``None`` for Dutch, whose messages are their own text, and outside a request."""
    locale = get_locale()
    if locale is None:
        return None
    cached = g.get("cki_catalog")
    if cached is None or cached[0] is not locale:  # a new request, or inside force_locale()
        cached = g.cki_catalog = (locale, None if locale.language == DEFAULT else get_translations())
    return cached[1]


def gettext(string: str, **values) -> str:
    """``string`` in the reader's language, ``%(name)s`` filled from ``values`` (as flask-babel's)."""
    catalog = _catalog()
    text = catalog.ugettext(string) if catalog is not None else string
    return text % values if values else text


def ngettext(singular: str, plural: str, num: int, **values) -> str:
    values.setdefault("num", num)
    catalog = _catalog()
    text = catalog.ungettext(singular, plural, num) if catalog is not None else singular if num == 1 else plural
    return text % values


def pgettext(context: str, string: str, **values) -> str:
    catalog = _catalog()
    text = catalog.upgettext(context, string) if catalog is not None else string
    return text % values if values else text


def npgettext(context: str, singular: str, plural: str, num: int, **values) -> str:
    values.setdefault("num", num)
    catalog = _catalog()
    text = (catalog.unpgettext(context, singular, plural, num) if catalog is not None
            else singular if num == 1 else plural)
    return text % values


def lazy_gettext(string: str, **values) -> LazyString:
    """For texts made at import time (form labels): translated when shown."""
    return LazyString(gettext, string, **values)


def say(text):
    """``text`` in the reader's language: a :class:`~workflows.text.Message` from its template (its
    values and cited source kept), a fixed text from the catalog; a text the catalog does not
    know (data, a stored note) as it is."""
    if not text:
        return text
    if isinstance(text, Message):  # its values may be sentences too ("4 maanden")
        values = {name: say(value) if isinstance(value, Message) else value for name, value in text.values.items()}
        if text.plural_template:
            said = ngettext(text.template, text.plural_template, values["n"], **values)
        else:
            said = gettext(text.template, **values) if values else gettext(text.template)
        return with_source(said, text.source) if text.source else said
    return gettext(text)


def compile_catalogs(source: Path, target: Path) -> None:
    """Each ``.po`` under ``source`` compiled to its ``.mo`` under ``target`` unless the ``.mo``
    carries the ``.po``'s time (a checkout of an older catalog recompiles too); written to a
    temporary file and renamed, so workers starting together never read half a catalog."""
    for po in source.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(source).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime_ns == po.stat().st_mtime_ns:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as f:
            catalog = read_po(f)
        fd, tmp = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as out:
            write_mo(out, catalog)
        os.utime(tmp, ns=(po.stat().st_atime_ns, po.stat().st_mtime_ns))
        os.replace(tmp, mo)


def init_i18n(app) -> None:
    """The catalogs are compiled into the instance folder (writable, unlike an installed package)."""
    compiled = Path(app.instance_path) / "translations"
    compile_catalogs(CATALOGS, compiled)
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = str(compiled)
    babel.init_app(app, locale_selector=choose_language, default_locale=DEFAULT,
                   default_timezone=app.config["DISPLAY_TIMEZONE"])
    app.jinja_env.install_gettext_callables(gettext, ngettext, newstyle=True, pgettext=pgettext,
                                            npgettext=npgettext)  # the templates' _() the same way
    app.jinja_env.globals.update(current_language=current_language, languages=LANGUAGES)


#: Where messages are marked: templates (``{{ _("…") }}``, ``{% trans %}``) and Python (``_``,
#: ``gettext``, ``lazy_gettext``, ``ngettext``).
_METHODS = [("**/templates/**.html", "jinja2"), ("**.py", "python")]
#: The rules (workflows/) write their sentences for people as ``Message("…", value=…)``.
_RULE_KEYWORDS = {"Message": None, "plural": (1, 2)}
_OPTIONS = {"**/templates/**.html": {"trimmed": "true"}}
_HEADER = ("# The English catalog of cki: the Dutch messages of its pages and code, translated.\n"
           "# `flask i18n extract` brings it up to date; the app compiles it when it starts.")
_KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2), "pgettext": ((1, "c"), 2),
             "Message": None}


def build_catalog(language: str):
    """The catalog for ``language`` as it should be now: every message in the app's templates and
    code and every registered run-time message, with the translations the ``.po`` already has.
    Returns ``(catalog, untranslated)``; messages no longer used are dropped."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    root = Path(__file__).resolve().parent.parent
    po = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    if po.exists():
        with po.open("rb") as f:
            old = read_po(f)
    else:
        old = Catalog(locale=language)
    fresh = Catalog(locale=language, project="cki", version="1", charset="utf-8", header_comment=_HEADER,
                    creation_date=old.creation_date, revision_date=old.creation_date, fuzzy=False,
                    msgid_bugs_address="", last_translator="cki", language_team="cki")
    for filename, lineno, message, comments, context in extract_from_dir(
            root, _METHODS, _OPTIONS, _KEYWORDS, strip_comment_tags=True):
        fresh.add(message, locations=[(f"cki/{filename}", lineno)], auto_comments=comments, context=context)
    for filename, lineno, message, comments, context in extract_from_dir(
            root.parent / "workflows", [("**.py", "python")], {}, _RULE_KEYWORDS, strip_comment_tags=True):
        fresh.add(message, locations=[(f"workflows/{filename}", lineno)], auto_comments=comments, context=context)
    for message, location in _refusal_messages(root):
        if message not in fresh:
            fresh.add(message, locations=[location])
    for message in sorted(runtime_messages()):
        if message not in fresh:
            fresh.add(message, locations=[("run time label", 0)])
    untranslated = []
    for message in fresh:
        if not message.id:
            continue
        known = old.get(message.id, context=message.context)
        strings = () if known is None else known.string if isinstance(known.string, tuple) else (known.string,)
        if strings and all(strings) and not known.fuzzy:  # every plural form, if it has them
            message.string = known.string
        else:
            untranslated.append(message.id)
    return fresh, untranslated


def _refusal_messages(root: Path):
    """The fixed reasons of refusals (``raise DomainError("field", "Reden.")`` and its subclasses)
    in the app's code: a page shows them translated (an API answer keeps the Dutch). A reason built
    at run time (an f-string, a join) is not in the catalog and shows in Dutch."""
    import ast

    from cki.core.errors import DomainError

    def subclasses(cls):
        return {cls.__name__}.union(*(subclasses(c) for c in cls.__subclasses__()))

    names = subclasses(DomainError)
    for path in sorted(root.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.Call) and getattr(node.func, "id", getattr(node.func, "attr", None)) in names
                    and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
                    and isinstance(node.args[1].value, str)):
                yield node.args[1].value, (f"cki/{path.relative_to(root)}", node.lineno)


def write_catalog(language: str) -> list:
    """``flask i18n extract``: the ``.po`` brought up to date; what still needs translating."""
    from babel.messages.pofile import write_po

    catalog, untranslated = build_catalog(language)
    po = CATALOGS / language / "LC_MESSAGES" / "messages.po"
    po.parent.mkdir(parents=True, exist_ok=True)
    with po.open("wb") as f:
        write_po(f, catalog, width=100, sort_output=True, no_location=True)
    return untranslated
