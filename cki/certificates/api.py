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
    """Certificates you may see (a company: its own), by holder name; search with `q`."""
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
    """One certificate."""
    return get_or_404(Certificate, certificate_id)


@blp.route("/certificates/<int:certificate_id>/certificate.pdf")
@require()
@blp.response(200, content_type="application/pdf")
def certificate_pdf(certificate_id):
    """The certificate as PDF, as issued."""
    return certificate_response(get_or_404(Certificate, certificate_id))


@blp.route("/certificates/<int:certificate_id>/not-continuing", methods=["POST"])
@require(*RECORDERS)
@blp.arguments(NotContinuingSchema)
@blp.response(200, CertificateSchema)
def not_continuing(data, certificate_id):
    """Record the holder's written notice that it will not continue: no recertification is
    planned, and the last period's audits run to the end of the period."""
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
        """The intended withdrawals and suspensions sent to the holder, with their zienswijze."""
        certificate = get_or_404(Certificate, certificate_id)
        return db.session.scalars(visible_intentions().where(
            IntendedDecision.certificate_id == certificate.id).order_by(IntendedDecision.id)).all()

    @require(*DECIDERS)
    @blp.arguments(IntendedInSchema)
    @blp.response(201, IntendedSchema)
    def post(self, data, certificate_id):
        """Record the intended withdrawal or suspension sent to the holder for its zienswijze
        (Awb 4:8), with its dispatch date; the answer is due by the scheme's term."""
        intended = operations.intend(get_or_404(Certificate, certificate_id), data)
        db.session.commit()
        return intended


@blp.route("/intended-decisions/<int:intended_id>/zienswijze", methods=["POST"])
@require()
@blp.arguments(ZienswijzeSchema)
@blp.response(200, IntendedSchema)
def zienswijze(data, intended_id):
    """The holder's zienswijze: the company through the portal or its system (dated on arrival), or
    the office recording a letter with its receipt date."""
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
    """A decider weighs the zienswijze (or its absence after the term) before deciding."""
    intended = operations.weigh(_intended(intended_id), data)
    db.session.commit()
    return intended


@blp.route("/certificates/<int:certificate_id>/withdraw", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(WithdrawSchema)
@blp.response(200, CertificateSchema)
def withdraw(data, certificate_id):
    """Withdraw the certificate (a besluit), at once to the register. Unless at the holder's own
    request or after false information, only after a weighed zienswijze (`intended_id`)."""
    certificate = operations.withdraw(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    return certificate


@blp.route("/certificates/<int:certificate_id>/suspend", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(SuspendSchema)
@blp.response(200, CertificateSchema)
def suspend(data, certificate_id):
    """Suspend the certificate (a besluit): start, end or condition, scope, reason; to the register."""
    certificate = get_or_404(Certificate, certificate_id)
    operations.suspend(certificate, data)
    db.session.commit()
    return certificate


@blp.route("/certificates/<int:certificate_id>/lift-suspension", methods=["POST"])
@require(*DECIDERS)
@blp.arguments(LiftSchema)
@blp.response(200, CertificateSchema)
def lift_suspension(data, certificate_id):
    """End a suspension; the certificate is valid again and the register is told."""
    certificate = operations.lift_suspension(get_or_404(Certificate, certificate_id), data)
    db.session.commit()
    return certificate
