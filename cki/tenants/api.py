
from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.tenants import operations
from cki.tenants.models import Cki
from cki.tenants.schemas import CalendarAdjustmentsSchema, CkiSchema
from cki.users.models import Role

blp = Blueprint("tenants_api", __name__, tag="CKI", url_prefix="/api/v1",
                description="De eigen CKI: gegevens en eigen sluitingsdagen.")


@blp.route("/cki")
@require(staff=True)
@blp.response(200, CkiSchema)
def get_cki():
    """Uw eigen CKI"""
    return db.session.get(Cki, current_principal().cki_id)


@blp.route("/cki/calendar", methods=["PUT"])
@require(Role.ADMIN)
@blp.arguments(CalendarAdjustmentsSchema)
@blp.response(200, CkiSchema)
def put_calendar(data):
    """De eigen sluitingsdagen en extra open dagen van uw CKI vervangen

    Alleen voor de planningsoverzichten."""
    cki = operations.set_calendar_adjustments(
        db.session.get(Cki, current_principal().cki_id), data["calendar_closed"], data["calendar_open"])
    db.session.commit()
    return cki
