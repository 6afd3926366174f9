"""The search page behind the box in every staff page's header. Thin: :func:`finder.search`."""
from dataclasses import replace

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from cki.core.auth import current_principal
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.search.finder import search
from cki.search.permissions import may_search

bp = Blueprint("search", __name__, url_prefix="/zoeken", template_folder="templates")

#: The headings of the kinds of hits, Dutch (shown in the reader's language).
KIND_LABELS = {"company": "Bedrijven", "certificate": "Certificaten", "melding": "Meldingen", "dossier": "Dossiers"}
register_messages(KIND_LABELS.values)


def _shown(hit):
    """A hit as the page shows it: a melding or dossier named in the reader's language (the finder's
    Dutch label serves the API too)."""
    if hit.kind == "melding":
        return replace(hit, label=_("Melding %(id)s", id=hit.id))
    if hit.kind == "dossier":
        return replace(hit, label=_("Dossier %(id)s", id=hit.id))
    return hit


@bp.route("/")
@login_required
def index():
    principal = current_principal()
    if not may_search(principal):
        abort(403)
    query = request.args.get("q", "").strip()[:100]
    hits = [_shown(hit) for hit in search(query, principal)] if query else []
    groups = [(_(label), [h for h in hits if h.kind == kind]) for kind, label in KIND_LABELS.items()]
    return render_template("search/index.html", query=query, groups=[g for g in groups if g[1]], searched=bool(query))
