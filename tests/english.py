"""For tests written while the English catalog is assembled from parts
(cki/translations/parts/*.json): the app reads the .po plus every part."""
import json
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from cki.core.i18n import CATALOGS


def install_parts(app) -> None:
    po = CATALOGS / "en" / "LC_MESSAGES" / "messages.po"
    catalog = read_po(po.open("rb")) if po.exists() else Catalog(locale="en")
    for part in sorted((CATALOGS / "parts").glob("*.json")):
        for msgid, text in json.loads(part.read_text(encoding="utf-8")).items():
            catalog.add(msgid, text)
    target = Path(tempfile.mkdtemp()) / "en" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "messages.mo").open("wb") as f:
        write_mo(f, catalog)
    app.extensions["babel"].translation_directories = [str(target.parent.parent)]
    with app.app_context():
        app.extensions["babel"].instance.domain_instance.cache.clear()
