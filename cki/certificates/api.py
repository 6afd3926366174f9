from flask import abort
from flask.views import MethodView

from cki.certificates import operations
from cki.certificates.models import Certificate, IntendedDecision
from cki.certificates.pdf import certificate_response
from cki.certificates.permissions import DECIDERS, RECORDERS, search, visible_certificates, visible_intentions
from cki.certificates.schemas import (
    CertificateQuerySchema,
    CertificateSchema,
    IntendedInSchema,
    IntendedSchema,
    LiftSchema,
    NotContinuingSchema,
    SuspendSchema,
    WeighSchema,
    WithdrawSchema,
    ZienswijzeSchema,
)
from cki.core.api import Blueprint
from cki.core.auth import admits, current_principal, require
from cki.core.db import db
from cki.core.tenancy import get_or_404

blp = Blueprint("certificates_api", __name__, tag="Certificaten", url_prefix="/api/v1",
                description="Certificaten: houder, vestigingen, geldigheid, status en het certificaat als pdf.")


@blp.route("/certificates")
@require()
@blp.arguments(CertificateQuerySchema, location="query")
@blp.response(200, CertificateSchema(many=True))
def list_certificates(args):
    """Certificaten die u mag zien

    Een bedrijf ziet alleen de eigen certificaten; gesorteerd op naam van de houder. Zoeken met `q`."""
    stmt = search(visible_certificates(), args["q"])
    if args["status"]:
        stmt = stmt.where(Certificate.status == args["status"])
    if args["company_id"]:
        stmt = stmt.where(Certificate.company_id == args["company_id"])
    return db.session.scalars(stmt.order_by(Certificate.holder_name, Certificate.number).limit(args["limit"])).all()


@blp.route("/certificates/<int:certificate_id>")
@require()
@blp.response(200, CertificateSchema)
def get_certificate(certificate_id):
    """Eén certificaat"""
    return get_or_404(Certificate, certificate_id)


@blp.route("/certificates/<int:certificate_id>/certificate.pdf")
@require()
@blp.response(200, content_type="application/pdf")
def certificate_pdf(certificate_id):
    """Het certificaat als pdf

    Zoals het is uitgegeven."""
    return certificate_response(get_or_404(Certificate, certificate_id))


@blp.route("/certificates/<int:certificate_id>/not-continuing", methods=["POST"])
@require(*RECORDERS)
@blp.arguments(NotContinuingSchema)
@blp.response(200, CertificateSchema)
def not_continuing(data, certificate_id):
    """Vastleggen dat de houder niet doorgaat

    De schriftelijke mededeling van de houder dat hij niet doorgaat: er wordt geen hercertificatie gepland,
    en de beoordelingen van de laatste periode lopen door tot het einde van die periode."""
    certificate = operations.record_not_continuing(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    return certificate


def _intended(intended_id: int) -> IntendedDecision:
    intended = db.session.scalar(visible_intentions().where(IntendedDecision.id == intended_id))
    if intended is None:
        abort(404)
    return intended


@blp.route("/certificates/<int:certificate_id>/intended-decisions")
class IntendedDecisions(MethodView):
    @require()
    @blp.response(200, IntendedSchema(many=True))
    def get(self, certificate_id):
        """Voornemens tot intrekking of schorsing van een certificaat

        De voornemens die naar de houder zijn gestuurd, met de zienswijze erop."""
        certificate = get_or_404(Certificate, certificate_id)
        return db.session.scalars(visible_intentions().where(
            IntendedDecision.certificate_id == certificate.id).order_by(IntendedDecision.id)).all()

    @require(*DECIDERS)
    @blp.arguments(IntendedInSchema)
    @blp.response(201, IntendedSchema)
    def post(self, data, certificate_id):
        """Een voornemen tot intrekking of schorsing vastleggen

        Het voornemen dat naar de houder is gestuurd voor diens zienswijze (Awb 4:8), met de verzenddatum;
        het antwoord moet binnen zijn voor het einde van de termijn van het schema."""
        intended = operations.intend(get_or_404(Certificate, certificate_id), data)
        db.session.commit()
        return intended


@blp.route("/intended-decisions/<int:intended_id>/zienswijze", methods=["POST"])
@require()
@blp.arguments(ZienswijzeSchema)
@blp.response(200, IntendedSchema)
def zienswijze(data, intended_id):
    """De zienswijze van de houder vastleggen

    Het bedrijf via het portaal of zijn eigen systeem (gedateerd op de dag van ontvangst), of het
    secretariaat dat een brief vastlegt met de ontvangstdatum."""
    p = current_principal()
    if p.is_staff and not admits(p, RECORDERS):
        abort(403)
    intended = operations.answer_intended(_intended(intended_id), data, by_company=p.company_id is not None)
    db.session.commit()
    return intended


@blp.route("/intended-decisions/<int:intended_id>/weigh", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(WeighSchema)
@blp.response(200, IntendedSchema)
def weigh(data, intended_id):
    """De zienswijze afwegen

    Een beslisser weegt de zienswijze (of het uitblijven ervan na de termijn) af voordat er besloten wordt."""
    intended = operations.weigh(_intended(intended_id), data)
    db.session.commit()
    return intended


@blp.route("/certificates/<int:certificate_id>/withdraw", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(WithdrawSchema)
@blp.response(200, CertificateSchema)
def withdraw(data, certificate_id):
    """Het certificaat intrekken

    Een besluit, dat meteen naar het SCA-register gaat. Behalve op eigen verzoek van de houder of na onjuiste
    informatie alleen na een afgewogen zienswijze (`intended_id`)."""
    certificate = operations.withdraw(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    return certificate


@blp.route("/certificates/<int:certificate_id>/suspend", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(SuspendSchema)
@blp.response(200, CertificateSchema)
def suspend(data, certificate_id):
    """Het certificaat schorsen

    Een besluit: begin, einde of voorwaarde, reikwijdte en reden; gaat naar het SCA-register."""
    certificate = get_or_404(Certificate, certificate_id)
    operations.suspend(certificate, data)
    db.session.commit()
    return certificate


@blp.route("/certificates/<int:certificate_id>/lift-suspension", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(LiftSchema)
@blp.response(200, CertificateSchema)
def lift_suspension(data, certificate_id):
    """Een schorsing opheffen

    Het certificaat is weer geldig en het SCA-register krijgt bericht."""
    certificate = operations.lift_suspension(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    return certificate
