"""The planner's board page. Thin: the same read model as ``GET /api/v1/planning/board``."""
from datetime import date, timedelta

from flask import Blueprint, abort, render_template, request
from flask_login import login_required

from cki.core.auth import admits, current_principal
from cki.core.clock import today
from cki.surveillance import board
from cki.surveillance.permissions import READERS
from workflows.surveillance import KIND_LABELS, AuditKind

bp = Blueprint("surveillance", __name__, url_prefix="/planning", template_folder="templates")
#: The most urgent certificates the board shows at first; "alle" shows every one.
PAGE_ROWS = 100


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
                           kind_labels={k.value: v for k, v in KIND_LABELS.items()},
                           AuditKind=AuditKind, every=every, day=day)
