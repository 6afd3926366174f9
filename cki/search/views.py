"""The search page behind the box in every staff page's header. Thin: :func:`finder.search`."""
from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from cki.core.auth import current_principal
from cki.search.finder import search
from cki.search.permissions import may_search

bp = Blueprint("search", __name__, url_prefix="/zoeken", template_folder="templates")

KIND_LABELS = {"company": "Bedrijven", "certificate": "Certificaten", "melding": "Meldingen", "dossier": "Dossiers"}


@bp.route("/")
@login_required
def index():
    principal = current_principal()
    if not may_search(principal):
        abort(403)
    query = request.args.get("q", "").strip()[:100]
    hits = search(query, principal) if query else []
    groups = [(label, [h for h in hits if h.kind == kind]) for kind, label in KIND_LABELS.items()]
    return render_template("search/index.html", query=query, groups=[g for g in groups if g[1]], searched=bool(query))
