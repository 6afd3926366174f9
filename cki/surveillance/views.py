"""The planner's board page. Thin: the same read model as ``GET /api/v1/planning/board``."""
from datetime import date, timedelta

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import login_required

from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.i18n import gettext as _
from cki.core.i18n import register_messages
from cki.core.web import refusal
from cki.surveillance import board, operations
from cki.surveillance.permissions import READERS
from cki.users.models import Role
from workflows.schemes import SCHEMES, load_scheme
from workflows.surveillance import KIND_LABELS, AuditKind

bp = Blueprint("surveillance", __name__, url_prefix="/planning", template_folder="templates")
#: The most urgent certificates the board shows at first; "alle" shows every one.
PAGE_ROWS = 100
register_messages(KIND_LABELS.values)  # the kinds of audit, shown in the reader's language


def kind_labels() -> dict[str, str]:
    """The label of each kind of audit (a code), in the reader's language."""
    return {k.value: _(v) for k, v in KIND_LABELS.items()}


@bp.route("/")
@login_required
def index():
    if not admits(current_principal(), READERS):
        abort(403)
    try:
        day = date.fromisoformat(request.args.get("datum", "")) if request.args.get("datum") else today()
    except ValueError:
        day = today()
    if not date(2007, 1, 1) <= day <= date(2090, 12, 31):  # the calendars the app knows
        day = today()
    monday = day - timedelta(days=day.weekday())
    every = request.args.get("alle") == "1"
    data = board.week_board(current_principal().cki_id, monday, today(), limit=None if every else PAGE_ROWS)
    return render_template("surveillance/board.html", b=data, previous=monday - timedelta(days=7),
                           next=monday + timedelta(days=7), days=[monday + timedelta(days=i) for i in range(7)],
                           kind_labels=kind_labels(), AuditKind=AuditKind, every=every, day=day)


@bp.route("/checklists", methods=["GET", "POST"])
@login_required
def checklists():
    """The quality manager keeps the checklists: one line per clause, ``clause | text``; saving makes
    a new version (audits already started keep theirs)."""
    p = current_principal()
    if not admits(p, READERS):
        abort(403)
    scheme = request.values.get("scheme") if request.values.get("scheme") in SCHEMES else SCHEMES[0]
    kinds = list(load_scheme(scheme, today()).param("checklists"))
    kind = request.values.get("kind") if request.values.get("kind") in kinds else kinds[0]
    can_edit = admits(p, (Role.QUALITY_MANAGER,))
    error, text = None, None
    if request.method == "POST":
        if not can_edit:
            abort(403)
        text = request.form.get("lines", "")
        items = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            clause, sep, wording = line.partition("|")
            if not sep or not clause.strip() or not wording.strip():
                error = _("Regel %(n)s: schrijf de eis en de tekst als ‘eis | tekst’.", n=n)
                break
            items.append({"clause": clause.strip()[:60], "text": wording.strip()[:500]})
        if error is None and not items:
            error = _("Een checklist heeft ten minste één regel.")
        if error is None:
            try:
                checklist = operations.new_checklist_version(p.cki_id, {
                    "scheme": scheme, "kind": kind, "items": items, "note": request.form.get("note") or None})
            except DomainError as refused:
                db.session.rollback()
                error = refusal(refused)
            else:
                db.session.commit()
                flash(_("Versie %(version)s van de checklist is opgeslagen.", version=checklist.version), "info")
                return redirect(url_for(".checklists", scheme=scheme, kind=kind))
    current = operations.current_checklist(p.cki_id, scheme, kind, today())
    db.session.commit()  # version 1 may just have been taken from the scheme data
    if text is None:
        text = "\n".join(f"{i['clause']} | {i['text']}" for i in current.items)
    return render_template("surveillance/checklists.html", schemes=SCHEMES, scheme=scheme, kinds=kinds, kind=kind,
                           kind_labels=kind_labels(), current=current, text=text,
                           error=error, can_edit=can_edit), 422 if error else 200
