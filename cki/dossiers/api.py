from flask import Response, abort
from flask.views import MethodView

from cki.certificates.pdf import certificate_response
from cki.core.api import Blueprint
from cki.core.auth import current_principal, require
from cki.core.db import db
from cki.dossiers import operations
from cki.dossiers.models import Dossier
from cki.dossiers.permissions import EDITORS, EVENTS, OUTSOURCED_OK, event_path, visible_dossiers
from cki.dossiers.presenter import present
from cki.dossiers.schemas import (
    AssessorSchema,
    DeclarationSchema,
    DossierCreateSchema,
    DossierQuerySchema,
    DossierSchema,
    StaffDossierSchema,
)
from workflows.diagram import mermaid

blp = Blueprint("dossiers_api", __name__, tag="Aanvragen (dossiers)", url_prefix="/api/v1",
                description="Initiële certificatie: aanvragen als toestandsmachine (RULES.md §2).")


def load_dossier(dossier_id: int, *, for_update: bool = False) -> Dossier:
    """The dossier if the principal may see it, else 404. ``for_update``: locked for this
    transaction (PostgreSQL), so of two changes sent with the same ``lock_version`` the second
    waits for the first and then answers 409, with nothing written."""
    stmt = visible_dossiers().where(Dossier.id == dossier_id)
    if for_update:
        stmt = stmt.with_for_update(of=Dossier)
    dossier = db.session.scalar(stmt)
    if dossier is None:
        abort(404)
    return dossier


def dump(dossier: Dossier) -> dict:
    """The dossier for the response schema (which serialises it): staff-only keys are left
    out for a company user."""
    return present(dossier, current_principal())


@blp.route("/dossiers")
class Dossiers(MethodView):
    @require(outsourced=OUTSOURCED_OK)
    @blp.arguments(DossierQuerySchema, location="query")
    @blp.response(200, DossierSchema(many=True, only=(
        "id", "company_id", "company_name", "scheme", "state", "state_label", "applied_on", "lock_version")))
    def get(self, args):
        """Aanvragen die u mag zien

        Een bedrijfsgebruiker ziet alleen de eigen aanvragen."""
        stmt = visible_dossiers().order_by(Dossier.id.desc())
        for key in ("state", "scheme", "company_id"):
            if key in args:
                stmt = stmt.where(getattr(Dossier, key) == args[key])
        rows = db.session.scalars(stmt).all()
        from workflows.dossier import STATE_LABELS, State

        return [{**{c: getattr(d, c) for c in ("id", "company_id", "company", "scheme", "state", "applied_on",
                                                 "lock_version")},
                 "state_label": STATE_LABELS[State(d.state)]} for d in rows]

    @require(*EDITORS)
    @blp.arguments(DossierCreateSchema)
    @blp.response(201, StaffDossierSchema)
    def post(self, data):
        """Een aanvraag registreren

        De aanvraag begint in de toestand ingediend (`submitted`). Standaard horen alle vestigingen erbij."""
        dossier = operations.create_dossier(current_principal().cki_id, data)
        db.session.commit()
        return present(dossier, current_principal())


@blp.route("/dossiers/<int:dossier_id>")
@require(outsourced=OUTSOURCED_OK)
@blp.response(200, StaffDossierSchema)
def get_dossier(dossier_id):
    """Eén dossier

    Toestand, termijnen, vestigingen, projectlocaties, resultaten, brieven en certificaat; voor de staf ook
    de mogelijke volgende stappen, met de redenen waarom een stap nu niet mag."""
    return dump(load_dossier(dossier_id))


@blp.route("/dossiers/<int:dossier_id>/declaration", methods=["POST"])
@require(*EDITORS)
@blp.arguments(DeclarationSchema)
@blp.response(200, StaffDossierSchema)
def post_declaration(data, dossier_id):
    """De verklaring van de aanvrager vastleggen

    De verklaring van de aanvrager over andere CKI's en zijn toestemming (A §4.1)."""
    dossier = load_dossier(dossier_id, for_update=True)
    operations.record_declaration(dossier, data, expected_version=data.pop("lock_version"))
    db.session.commit()
    return dump(dossier)


@blp.route("/dossiers/<int:dossier_id>/assessors", methods=["POST"])
@require(*EDITORS)
@blp.arguments(AssessorSchema)
@blp.response(200, StaffDossierSchema)
def post_assessor(data, dossier_id):
    """Een beoordelaar aan het dossier toewijzen

    Een ingehuurde beoordelaar ziet het dossier daarna ook."""
    dossier = load_dossier(dossier_id, for_update=True)
    operations.assign_assessor(dossier, data["user_id"], expected_version=data["lock_version"])
    db.session.commit()
    return dump(dossier)


def _event_view(event, schema, roles):
    @require(*roles, outsourced=OUTSOURCED_OK)
    def view(payload, dossier_id):
        dossier = load_dossier(dossier_id, for_update=True)
        operations.fire_event(dossier, event, payload, expected_version=payload.pop("lock_version"))
        db.session.commit()
        return dump(dossier)

    view.__name__ = f"event_{event.value}"
    view.__doc__ = (f"{EVENT_DOCS.get(event, event.value)} (`{event.value}`)\n\n"
                    "Geweigerd door een voorwaarde: 422 met elke reden en haar bron. Verouderde `lock_version`: 409.")
    return view


from workflows.dossier import EVENT_LABELS as EVENT_DOCS  # noqa: E402  (labels double as summaries)

for _event, (_schema, _roles) in EVENTS.items():
    blp.route(f"/dossiers/<int:dossier_id>/{event_path(_event)}", methods=["POST"],
              endpoint=f"event_{_event.value}")(
        blp.arguments(_schema)(blp.response(200, StaffDossierSchema)(_event_view(_event, _schema, _roles))))


@blp.route("/dossiers/<int:dossier_id>/certificate.pdf")
@require(outsourced=OUTSOURCED_OK)
@blp.response(200, content_type="application/pdf")
def certificate_pdf(dossier_id):
    """Het certificaat als pdf

    Voor de houder en de staf."""
    dossier = load_dossier(dossier_id)
    certificate = getattr(dossier, "certificate", None)
    if certificate is None:
        abort(404)
    return certificate_response(certificate)


@blp.route("/dossiers/state-diagram")
@require(staff=True, outsourced=OUTSOURCED_OK)
@blp.response(200, content_type="text/plain")
def state_diagram():
    """Het toestandsdiagram van een aanvraag

    Als Mermaid-diagram, gemaakt uit de declaratie van de toestandsmachine; voor de staf (zoals de
    pagina)."""
    return Response(mermaid(), mimetype="text/plain")
