from flask import abort
from flask.views import MethodView

from cki.certificates.models import Certificate
from cki.core.api import Blueprint
from cki.core.auth import admits, current_principal, require
from cki.core.db import db
from cki.core.tenancy import get_or_404, scoped_select
from cki.findings import operations
from cki.findings.models import Finding, SanctionNotice
from cki.findings.permissions import (
    CKI_STEPS,
    NOTICE_READERS,
    NOTICE_STAFF,
    RAISERS,
    RECEIPTS,
    visible_findings,
)
from cki.findings.schemas import (
    DeterminationSchema,
    FindingDecisionSchema,
    FindingDetailSchema,
    FindingQuerySchema,
    FindingSchema,
    NoticeDecisionSchema,
    NoticeInSchema,
    NoticeQuerySchema,
    NoticeSchema,
    RaiseSchema,
    StepInSchema,
)
from cki.users.models import Role

blp = Blueprint("findings_api", __name__, tag="Bevindingen en sancties", url_prefix="/api/v1",
                description="Bevindingen en hun procedure: categorie A (T1–T6), het pad zonder categorie A, "
                            "verhogen naar A, beslissingen van de staf.")


def load_finding(finding_id: int) -> Finding:
    finding = db.session.scalar(visible_findings().where(Finding.id == finding_id))
    if finding is None:
        abort(404)
    return finding


def _detail(finding: Finding, view: dict | None = None, *, papers: bool = True) -> dict:
    """The finding with its procedure; with ``papers`` its answers and letters (one finding's page,
    not a list)."""
    return {**{name: getattr(finding, name) for name in FindingSchema().fields}, "steps": finding.steps,
            "decisions": finding.decisions, **(view or operations.view(finding)),
            **(operations.papers(finding) if papers else {})}


@blp.route("/findings")
@require()
@blp.arguments(FindingQuerySchema, location="query")
@blp.response(200, FindingDetailSchema(many=True))
def list_findings(args):
    """Bevindingen die u mag zien, de eerstvolgende termijn eerst

    Een bedrijf ziet alleen de eigen bevindingen."""
    stmt = visible_findings()
    if args["certificate_id"]:
        stmt = stmt.where(Finding.certificate_id == args["certificate_id"])
    if args["status"] != "all":
        stmt = stmt.where(Finding.status == args["status"])
    found = db.session.scalars(stmt.order_by(Finding.found_on, Finding.id).limit(1000))
    return [_detail(finding, view, papers=False) for finding, view in operations.by_next_deadline(found)]


@blp.route("/certificates/<int:certificate_id>/findings")
@require()
@blp.response(200, FindingSchema(many=True))
def certificate_findings(certificate_id):
    """Bevindingen bij een certificaat, de nieuwste eerst

    De bevindingen uit definitieve rapporten."""
    certificate = get_or_404(Certificate, certificate_id)
    return db.session.scalars(visible_findings().where(Finding.certificate_id == certificate.id)
                              .order_by(Finding.found_on.desc(), Finding.id)).all()


@blp.route("/findings/<int:finding_id>")
@require()
@blp.response(200, FindingDetailSchema)
def get_finding(finding_id):
    """Eén bevinding met het verloop van haar procedure

    De tijdlijn (werkelijke en verwachte termijnen), signalen en de volgende stap."""
    return _detail(load_finding(finding_id))


@blp.route("/findings/<int:finding_id>/steps", methods=["POST"])
@require()
@blp.arguments(StepInSchema)
@blp.response(200, FindingDetailSchema)
def record_step(data, finding_id):
    """Een stap van een bevinding vastleggen

    Het bedrijf beantwoordt de eigen stappen (corrigerende maatregelen in `text`; gedateerd op de dag van
    ontvangst); de staf legt de stappen van de CKI vast, en het secretariaat een antwoord van het bedrijf dat
    per brief binnenkwam, met de ontvangstdatum."""
    finding = load_finding(finding_id)
    p = current_principal()
    if p.is_staff and not admits(p, CKI_STEPS + RECEIPTS):
        abort(403)
    operations.complete_step(finding, data)
    db.session.commit()
    return _detail(finding)


@blp.route("/findings/<int:finding_id>/raise", methods=["POST"])
@require(*RAISERS)
@blp.arguments(RaiseSchema)
@blp.response(201, FindingDetailSchema)
def raise_finding(data, finding_id):
    """Een bevinding B verhogen naar categorie A

    Met redenen: niet binnen de termijn afgehandeld, of (SC-540) meerdere B's samen."""
    raised = operations.raise_to_a(load_finding(finding_id), data)
    db.session.commit()
    return _detail(raised)


@blp.route("/findings/<int:finding_id>/reminder", methods=["POST"])
@require(*CKI_STEPS, *RECEIPTS)
@blp.response(201, FindingDetailSchema)
def remind(finding_id):
    """Een herinnering aan het bedrijf opstellen

    Over de openstaande stap van het bedrijf en de laatste dag ervan: een tussentijdse brief, die wacht tot
    het secretariaat hem verstuurt."""
    finding = load_finding(finding_id)
    operations.remind(finding)
    db.session.commit()
    return _detail(finding)


@blp.route("/findings/<int:finding_id>/decisions", methods=["POST"])
@require(*RAISERS)
@blp.arguments(FindingDecisionSchema)
@blp.response(201, FindingDecisionSchema)
def decide(data, finding_id):
    """Een beslissing van de staf vastleggen

    Over wat de bijlage van het schema openlaat (een gemiste stap van het bedrijf, een onbeantwoord
    'onmiddellijk'), met de redenen."""
    decision = operations.decide(load_finding(finding_id), data)
    db.session.commit()
    return decision


def _notice(notice_id: int) -> SanctionNotice:
    notice = db.session.scalar(scoped_select(SanctionNotice).where(SanctionNotice.id == notice_id))
    if notice is None or not current_principal().is_staff:
        abort(404)
    return notice


@blp.route("/sanction-notices")
class Notices(MethodView):
    @require(*NOTICE_READERS)
    @blp.arguments(NoticeQuerySchema, location="query")
    @blp.response(200, NoticeSchema(many=True))
    def get(self, args):
        """Ontvangen meldingen van sancties, de nieuwste eerst

        `annual_report=true`: de certificaten die na een afwijkende melding behouden bleven en de verleningen
        daarna, met hun motivering (A §4.2 c)."""
        stmt = scoped_select(SanctionNotice)
        if args["annual_report"]:
            stmt = stmt.where(SanctionNotice.annual_report.is_(True))
        return db.session.scalars(stmt.order_by(SanctionNotice.received_on.desc(), SanctionNotice.id.desc())).all()

    @require(*NOTICE_STAFF)
    @blp.arguments(NoticeInSchema)
    @blp.response(201, NoticeSchema)
    def post(self, data):
        """Een melding van een sanctie registreren

        Een schriftelijke melding van een sanctie (stillegging, proces-verbaal, hoge boete, of van een andere
        instantie) over het certificaat van een houder of het dossier van een kandidaat, met de
        ontvangstdatum."""
        notice = operations.record_notice(current_principal().cki_id, data)
        db.session.commit()
        return notice


@blp.route("/sanction-notices/<int:notice_id>/determination", methods=["POST"])
@require(*RAISERS)
@blp.arguments(DeterminationSchema)
@blp.response(200, NoticeSchema)
def determine(data, notice_id):
    """Vaststellen of het feit afwijkt van het schema

    Zo ja: een incident, een andere reden om niet in te trekken, of geen van beide."""
    notice = operations.determine(_notice(notice_id), data)
    db.session.commit()
    return notice


@blp.route("/sanction-notices/<int:notice_id>/decision", methods=["POST"])
@require(Role.DECIDER)
@blp.arguments(NoticeDecisionSchema)
@blp.response(200, NoticeSchema)
def decide_notice(data, notice_id):
    """De uitkomst vastleggen die de vaststelling toelaat

    Een certificaat dat na een afwijking behouden blijft, start de procedure van §8.2 als bevinding; een
    intrekking gaat verder met het voornemen en de zienswijze erop."""
    notice = operations.decide_notice(_notice(notice_id), data)
    db.session.commit()
    return notice
