import sqlalchemy as sa
import sqlalchemy.orm
from flask import request
from flask.views import MethodView
from flask_smorest import abort
from sqlalchemy.exc import IntegrityError

from cki.companies.access import current_company
from cki.companies.models import Company
from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.tenancy import get_or_404, scoped_select
from cki.meldingen import operations
from cki.meldingen.models import Melding
from cki.meldingen.permissions import APPROVERS, LOOKERS, STAFF_EDITORS, may_change
from cki.meldingen.schemas import (
    ApprovalSchema,
    CancelSchema,
    FaxMeldingSchema,
    LookedAtSchema,
    MeldingChangeSchema,
    MeldingDetailSchema,
    MeldingInSchema,
    MeldingQuerySchema,
    MeldingSchema,
    MergeSchema,
    SplitSchema,
)

blp = Blueprint("meldingen_api", __name__, tag="Meldingen", url_prefix="/api/v1",
                description="Meldingen: van bedrijven (portaal, API), per fax (door de staf) en uit LAVS.")



def filtered(stmt, args):
    if "start_from" in args:
        stmt = stmt.where(Melding.planned_start >= args["start_from"])
    if "start_to" in args:
        stmt = stmt.where(Melding.planned_start <= args["start_to"])
    if "company_id" in args:
        stmt = stmt.where(Melding.company_id == args["company_id"])
    if "channel" in args:
        stmt = stmt.where(Melding.channel == args["channel"])
    flag = args.get("flag")
    if flag == "late":
        stmt = stmt.where(Melding.timeliness.in_(("late_atw_only", "late")))
    elif flag == "calamity":
        stmt = stmt.where(Melding.timeliness == "calamity")
    elif flag == "cancelled":
        stmt = stmt.where(Melding.status == "cancelled")
    return stmt


def _submit(company, data, channel, source, received_on=None):
    """Durable and idempotent: answered only after commit; a retry returns the first melding."""
    key = request.headers.get("Idempotency-Key") or (
        f"ref:{data['client_reference']}" if data.get("client_reference") else None)
    try:
        melding, created = operations.submit_melding(company, data, channel=channel, source=source,
                                                     idempotency_key=key, received_on=received_on)
        db.session.commit()
    except IntegrityError:  # the same key committed by a concurrent retry: answer with that one
        db.session.rollback()
        melding = db.session.scalar(db.select(Melding).where(
            Melding.company_id == company.id, Melding.idempotency_key == key))
        if melding is None:
            raise
        created = False
    return melding, (201 if created else 200)


@blp.route("/meldingen")
class Meldingen(MethodView):
    @require()
    @blp.arguments(MeldingQuerySchema, location="query")
    @blp.response(200, MeldingSchema(many=True))
    def get(self, args):
        """Meldingen die u mag zien, de eerste start eerst

        De staf ziet die van de CKI, een bedrijf de eigen. Bladeren met `after_id` (keyset: de laatste
        melding van de vorige pagina) en `limit`."""
        stmt = filtered(scoped_select(Melding), args).order_by(Melding.planned_start, Melding.id)
        if "after_id" in args:  # the page goes on after that melding, in (planned start, id) order
            last = db.session.scalar(scoped_select(Melding).where(Melding.id == args["after_id"]))
            if last is None:
                raise DomainError("after_id", "Onbekende melding.")
            stmt = stmt.where(sa.tuple_(Melding.planned_start, Melding.id) > sa.tuple_(last.planned_start, last.id))
        return db.session.scalars(stmt.options(sa.orm.selectinload(Melding.company)).limit(args["limit"])).all()

    @require()
    @blp.arguments(MeldingInSchema)
    @blp.response(201, MeldingDetailSchema)
    @blp.alt_response(200, schema=MeldingDetailSchema, description="Een herhaling, of dezelfde klus was al gemeld")
    def post(self, data):
        """Een melding indienen voor uw eigen bedrijf

        Voor een portaalgebruiker of het systeem van het bedrijf. De melding telt als e-mail: de meldtermijn
        van het schema voor e-mail, zie `/schemes/<scheme>/melding-deadline`. Stuur een
        `Idempotency-Key`-header (of een `client_reference`), zodat een nieuwe poging nooit een tweede
        melding maakt. Te laat: 422 met de laatst toegestane datum."""
        p = current_principal()
        if p.company_id is None:
            abort(403, message="Meldingen van een bedrijf; staf legt een fax vast via /meldingen/fax.")
        company = current_company()
        channel = "api" if p.client_id else "portal"
        return _submit(company, data, channel, channel)


@blp.route("/meldingen/fax", methods=["POST"])
@require(*STAFF_EDITORS)
@blp.arguments(FaxMeldingSchema)
@blp.response(201, MeldingDetailSchema)
def post_fax(data):
    """Een melding per fax vastleggen

    Voor de staf: op de datum van ontvangst, met de meldtermijn van het schema voor fax."""
    company = get_or_404(Company, data.pop("company_id"))
    return _submit(company, data, "fax", "staff", received_on=data.pop("received_on"))


@blp.route("/meldingen/<int:melding_id>")
class MeldingItem(MethodView):
    @require()
    @blp.response(200, MeldingDetailSchema)
    def get(self, melding_id):
        """Eén melding met de geschiedenis van haar wijzigingen"""
        return get_or_404(Melding, melding_id)

    @require()
    @blp.arguments(MeldingChangeSchema(partial=True))
    @blp.response(200, MeldingDetailSchema)
    def patch(self, data, melding_id):
        """Een melding wijzigen

        De eerdere inhoud blijft bewaard in haar versies."""
        melding = get_or_404(Melding, melding_id)
        company_or_editor()
        operations.change_melding(melding, data, source=change_source())
        db.session.commit()
        return melding


@blp.route("/meldingen/<int:melding_id>/cancel", methods=["POST"])
@require()
@blp.arguments(CancelSchema)
@blp.response(200, MeldingDetailSchema)
def cancel(data, melding_id):
    """Een melding intrekken"""
    melding = get_or_404(Melding, melding_id)
    company_or_editor()
    operations.cancel_melding(melding, source=change_source(), reason=data.get("reason"))
    db.session.commit()
    return melding


@blp.route("/meldingen/<int:melding_id>/approval", methods=["POST"])
@require(*APPROVERS)
@blp.arguments(ApprovalSchema)
@blp.response(200, MeldingDetailSchema)
def approval(data, melding_id):
    """Een calamiteitenmelding goedkeuren of weigeren

    Voor de staf: een melding die met een kortere meldtermijn binnenkwam."""
    melding = operations.approve_calamity(get_or_404(Melding, melding_id), current_principal().user_id,
                                          data["approve"], data["note"])
    db.session.commit()
    return melding


@blp.route("/meldingen/<int:melding_id>/looked-at", methods=["POST"])
@require(*LOOKERS)
@blp.response(200, LookedAtSchema)
def looked_at(melding_id):
    """Vastleggen dat de melding bekeken is

    Door een planner of teamleider (de pagina doet dit bij het openen): de melding verdwijnt uit de lijst van
    binnenkort startende meldingen die niemand bekeek. Alleen de eerste keer wordt bewaard; alleen voor de
    staf."""
    melding = operations.look_at(get_or_404(Melding, melding_id), current_principal().label)
    db.session.commit()
    return melding


@blp.route("/meldingen/<int:melding_id>/merge", methods=["POST"])
@require(*STAFF_EDITORS)
@blp.arguments(MergeSchema)
@blp.response(200, MeldingDetailSchema)
def merge(data, melding_id):
    """Een andere melding van hetzelfde werk hiermee samenvoegen

    Voor de staf; komt in het logboek."""
    keep = operations.merge_meldingen(get_or_404(Melding, melding_id), get_or_404(Melding, data["other_id"]),
                                      data["note"])
    db.session.commit()
    return keep


@blp.route("/meldingen/<int:melding_id>/split", methods=["POST"])
@require(*STAFF_EDITORS)
@blp.arguments(SplitSchema)
@blp.response(201, MeldingDetailSchema)
def split(data, melding_id):
    """Een melding afsplitsen

    Voor een andere locatie of een deel van deze melding. Voor de staf; komt in het logboek."""
    note = data.pop("note")
    part = operations.split_melding(get_or_404(Melding, melding_id), data, note)
    db.session.commit()
    return part


def company_or_editor():
    """403 unless a company (its own melding: scoped by the lookup) or a staff editor acts."""
    if not may_change(current_principal()):
        abort(403)


def change_source() -> str:
    """Who makes a change, for the revision: staff, a company's system (api) or its user (portal)."""
    p = current_principal()
    return "staff" if p.is_staff else ("api" if p.client_id else "portal")
