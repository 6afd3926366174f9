from cki.certificates import operations
from cki.certificates.models import Certificate
from cki.certificates.pdf import certificate_response
from cki.certificates.permissions import RECORDERS, search, visible_certificates
from cki.certificates.schemas import CertificateQuerySchema, CertificateSchema, NotContinuingSchema
from cki.core.api import Blueprint
from cki.core.auth import require
from cki.core.db import db
from cki.core.tenancy import get_or_404

blp = Blueprint("certificates_api", __name__, url_prefix="/api/v1",
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
