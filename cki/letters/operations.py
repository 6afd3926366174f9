"""State-changing verbs of letters and the post register: write a letter from the template in
effect, send it (dispatch date and channel; by e-mail with its PDF), register an incoming
document, record a bezwaar or beroep with its hearing and outcome, and write and approve template
versions. Each changes, flushes and writes the event log.

Other domains act on a dispatch through the :data:`dispatched` signal (a finding's first step is
done on the day its result letter went out; a zienswijze term starts the day after its letter
went out): this domain knows none of them."""
from datetime import date, timedelta
from importlib.resources import files

import sqlalchemy as sa
from blinker import Namespace
from flask import current_app

from cki.core import mail
from cki.core.auth import current_principal
from cki.core.clock import today
from cki.core.db import db
from cki.core.errors import Conflict, DomainError
from cki.core.files import safe_filename
from cki.core.pdf import dutch_date
from cki.deadlines import operations as deadlines
from cki.events.operations import log_event
from cki.letters.models import (
    Attachment,
    Channel,
    IncomingDocument,
    IncomingKind,
    Letter,
    LetterStatus,
    LetterTemplate,
    Objection,
    ObjectionKind,
    ObjectionOutcome,
    TemplateStatus,
)
from cki.letters.pdf import render_letter
from cki.tenants.models import Cki
from workflows import letters as texts
from workflows import rules
from workflows.schemes import load_scheme
from workflows.text import Message, nl_date

_signals = Namespace()
#: Sent with the letter once it is recorded as sent, inside the same transaction.
dispatched = _signals.signal("letter-dispatched")


class MailUnavailable(DomainError):
    """The mail server refused or could not be reached: nothing is recorded as sent (503)."""

    status = 503


def _actor() -> str:
    principal = current_principal()
    return principal.label if principal else "systeem"


def _signatory() -> str:
    """Who signs: the staff member who wrote the letter; one the system or a company's action
    wrote (a receipt, a result raised by the sweep) is signed by the office."""
    principal = current_principal()
    person = principal is not None and principal.is_staff and principal.user_id is not None
    return principal.label if person else "Het secretariaat"


# -- templates ------------------------------------------------------------------------------------


def shipped_default(kind: str) -> tuple[str, str]:
    """The template the system ships for a kind (subject, body): in effect until the quality
    manager approves a version of the CKI's own."""
    text = files("cki.letters").joinpath(f"defaults/{kind}.txt").read_text(encoding="utf-8")
    first, _, body = text.partition("\n")
    return first.removeprefix("Onderwerp:").strip(), body.strip() + "\n"


def current_template(cki_id: int, kind: str) -> LetterTemplate | None:
    """The approved version in effect, or None: then the shipped default is."""
    return db.session.scalar(sa.select(LetterTemplate).where(
        LetterTemplate.cki_id == cki_id, LetterTemplate.kind == kind,
        LetterTemplate.status == TemplateStatus.APPROVED.value))


def write_template(cki_id: int, data: dict) -> LetterTemplate:
    """A new version of a kind's template, as a draft: it takes effect only once approved."""
    try:
        texts.check(data["kind"], data["subject"], data["body"])
    except texts.TemplateError as error:
        raise DomainError(error.part, error.message) from None
    last = db.session.scalar(sa.select(sa.func.max(LetterTemplate.version)).where(
        LetterTemplate.cki_id == cki_id, LetterTemplate.kind == data["kind"])) or 0
    template = LetterTemplate(cki_id=cki_id, kind=data["kind"], version=last + 1, subject=data["subject"],
                              body=data["body"], status=TemplateStatus.DRAFT.value, note=data.get("note"),
                              written_by=_actor())
    db.session.add(template)
    db.session.flush()
    log_event(template, "letter_template.written", after={"kind": template.kind, "version": template.version},
              note=template.note)
    return template


def template_overview(cki_id: int, kind: str | None = None) -> list:
    """Every version the CKI wrote, per kind newest first; a kind with no approved version of its
    own shows the shipped default it uses (version 0, status ``shipped``)."""
    stmt = sa.select(LetterTemplate).where(LetterTemplate.cki_id == cki_id)
    if kind:
        stmt = stmt.where(LetterTemplate.kind == kind)
    rows = db.session.scalars(stmt.order_by(LetterTemplate.kind, LetterTemplate.version.desc())).all()
    approved = {t.kind for t in rows if t.status == TemplateStatus.APPROVED}
    out = list(rows)
    for code in ([kind] if kind else texts.kinds()):
        if code not in approved:
            subject, body = shipped_default(code)
            out.append({"kind": code, "version": 0, "subject": subject, "body": body, "status": "shipped",
                        "written_by": "standaardtekst"})
    return sorted(out, key=lambda t: (_get(t, "kind"), -_get(t, "version")))


def _get(row, key):
    return row[key] if isinstance(row, dict) else getattr(row, key)


def approve_template(template: LetterTemplate) -> LetterTemplate:
    """The quality manager approves a draft: it is in effect from now on, the version before it is
    superseded. Letters written before keep the text they were written with."""
    if template.status != TemplateStatus.DRAFT:
        raise Conflict("status", "Alleen een concept kan worden goedgekeurd.")
    previous = current_template(template.cki_id, template.kind)
    if previous is not None:
        previous.status = TemplateStatus.SUPERSEDED.value
        db.session.flush()  # one approved version per kind at any moment
    template.status, template.approved_by, template.approved_on = TemplateStatus.APPROVED.value, _actor(), today()
    db.session.flush()
    log_event(template, "letter_template.approved", after={"kind": template.kind, "version": template.version,
                                                           "superseded": previous.version if previous else None})
    return template


# -- outgoing letters -----------------------------------------------------------------------------


def _addressee(company) -> str:
    head = next((b for b in company.branches if b.is_head_office), None)
    lines = [company.name, "t.a.v. de directie"]
    if head is not None:
        lines.append(head.address)
    lines.append(company.place)
    return "\n".join(lines)


def compose(*, company, kind: str, context: dict, scheme: str | None, template_kind: str | None = None,
            certificate=None, dossier_id: int | None = None, regarding: tuple[str, int] | None = None,
            due_on: date | None = None) -> Letter:
    """A letter of ``kind`` to the company's management from the template in effect for
    ``template_kind`` (default: the kind), waiting for the office to send it. A besluit (the kind's
    data says which) ends with how to object; an interim letter never does."""
    template_kind = template_kind or kind
    spec = texts.kind(template_kind)
    template = current_template(company.cki_id, template_kind)
    letter = Letter(cki_id=company.cki_id, company_id=company.id, dossier_id=dossier_id,
                    certificate_id=certificate.id if certificate is not None else None,
                    regarding_type=regarding[0] if regarding else None, regarding_id=regarding[1] if regarding else None,
                    kind=kind, template_kind=template_kind, template_id=template.id if template else None,
                    scheme=scheme, addressee=_addressee(company),
                    subject="", body="", signatory=_signatory(), is_decision=spec.decision, written_on=today(), due_on=due_on,
                    status=LetterStatus.WAITING.value, context=context)
    db.session.add(letter)
    db.session.flush()
    letter.reference = f"{today().year}-{letter.id:06d}"
    _render(letter, certificate=certificate)
    db.session.flush()
    log_event(letter, "letter.written", after={"kind": kind, "reference": letter.reference,
                                               "template_version": template.version if template else None,
                                               "decision": letter.is_decision})
    _track(letter)
    return letter


def track_open() -> int:
    """Write the deadlines of every letter waiting with a due date and every besluit whose term
    still runs (after an upgrade: ``flask deadlines rebuild``)."""
    found = db.session.scalars(sa.select(Letter).where(sa.or_(
        sa.and_(Letter.status == LetterStatus.WAITING.value, Letter.due_on.is_not(None)),
        sa.and_(Letter.status == LetterStatus.SENT.value, Letter.objection_due >= today())))).all()
    for letter in found:
        _track(letter)
    return len(found)


def _track(letter: Letter) -> None:
    """The letter's deadlines in the deadline watch: to be sent by its due date (the office), and
    once a besluit is sent, the end of its bezwaar or beroep term (the office: then it stands)."""
    items = []
    if letter.status == LetterStatus.WAITING and letter.due_on is not None:
        items.append(deadlines.Item(kind="letter_dispatch", due_on=letter.due_on, role="office",
                                    url=f"/post/brieven/{letter.id}",
                                    label=f"Brief {letter.reference} verzenden: {letter.subject}"))
    contested = db.session.scalar(sa.select(sa.func.count()).where(Objection.letter_id == letter.id))
    if letter.status == LetterStatus.SENT and letter.objection_due is not None and not contested:
        items.append(deadlines.Item(kind="objection_term", due_on=letter.objection_due, role="office", passive=True,
                                    url=f"/post/brieven/{letter.id}",
                                    label=f"Termijn voor bezwaar of beroep tegen {letter.reference} loopt af"))
    deadlines.sync("letter", letter.id, cki_id=letter.cki_id, company_id=letter.company_id, items=items, on=today())


def _render(letter: Letter, *, certificate=None, on: date | None = None) -> None:
    """The letter's text from its template version and context; ``on`` the dispatch date, which
    is the letter's date and starts the bezwaar term the clause then names to the day."""
    template = letter.template
    subject, body = (template.subject, template.body) if template else shipped_default(letter.template_kind or letter.kind)
    cki = db.session.get(Cki, letter.cki_id)
    company = letter.company
    if certificate is None and letter.certificate_id:
        from cki.certificates.models import Certificate  # read for the number only

        certificate = db.session.get(Certificate, letter.certificate_id)
    context = {"cki": cki.name, "bedrijf": company.name, "plaats": company.place, "kvk": company.kvk_number,
               "kenmerk": letter.reference, "datum": dutch_date(on) if on else "(datum van verzending)",
               "schema": letter.scheme or "", "certificaatnummer": certificate.number if certificate else "",
               "ondertekenaar": letter.signatory or "", **(letter.context or {})}
    try:
        letter.subject, text = texts.render(subject, body, context)
    except texts.TemplateError as error:  # an approved template was checked: a bug, not input
        raise RuntimeError(f"letter {letter.id}: template does not fit its context: {error.message}") from error
    text += f"\n\n{letter.signatory or ''}\n{cki.name}".rstrip()
    if letter.is_decision and letter.scheme:
        remedy = texts.kind(letter.template_kind or letter.kind).remedy
        term = "appeal_term" if remedy == "beroep" else "objection_term"
        version = load_scheme(letter.scheme, on or today())
        due = remedy_due(letter, on) if on else None
        text += "\n\n" + texts.remedy_clause(remedy, term=rules.describe(version.param(term)),
                                              source=version.source(term), cki=cki.name,
                                              due=dutch_date(due) if due else None)
    letter.subject = letter.subject[:300]
    letter.body = text


def remedy_due(letter: Letter, sent_on: date) -> date:
    """The last day for the besluit's remedy: bezwaar, or beroep against a decision on bezwaar."""
    remedy = texts.kind(letter.template_kind or letter.kind).remedy
    deadline = rules.appeal_deadline if remedy == "beroep" else rules.objection_deadline
    return deadline(letter.scheme, sent_on).date


def preview_pdf(letter: Letter) -> bytes:
    """The PDF as sent, or for a letter still waiting the draft as it stands."""
    if letter.status == LetterStatus.SENT and letter.pdf:
        return letter.pdf
    return _pdf(letter)


def _pdf(letter: Letter) -> bytes:
    cki = db.session.get(Cki, letter.cki_id)
    return render_letter(cki_name=cki.name, addressee=letter.addressee or letter.company.name,
                         reference=letter.reference or str(letter.id), on=letter.sent_on, subject=letter.subject,
                         body=letter.body, signatory=None, draft=letter.status != LetterStatus.SENT)


def dispatch(letter: Letter, data: dict, *, sent_before_recorded: bool = False) -> Letter:
    """Record that the letter went out on ``sent_on`` by ``channel``: by e-mail it is sent now, its
    PDF attached, through the CKI's SMTP server. The dispatch date is the letter's date and starts
    every term that runs from it (the bezwaar term of a besluit, the zienswijze term, a finding's
    next step). If the mail server fails nothing is recorded and the letter still waits.
    ``sent_before_recorded``: the letter went out by post before it was entered here (the caller
    checked the date against what the letter depends on)."""
    if letter.status == LetterStatus.SENT:
        raise Conflict("status", Message("De brief is al verzonden op %(day)s.", day=nl_date(letter.sent_on)))
    sent_on, channel = data["sent_on"], Channel(data["channel"])
    if sent_on > today():
        raise DomainError("sent_on", "De verzenddatum ligt in de toekomst.")
    if sent_on < letter.written_on and not sent_before_recorded:
        raise DomainError("sent_on", "De verzenddatum ligt vóór de dag waarop de brief is opgesteld.")
    if channel == Channel.PORTAL:
        raise DomainError("channel", "Een brief gaat per e-mail of per post.")
    if channel == Channel.EMAIL:
        if not data.get("email_to"):
            raise DomainError("email_to", "Geef het e-mailadres van de geadresseerde.")
        if not mail.configured():
            raise DomainError("channel", "Er is geen mailserver ingesteld (MAIL_SERVER); verstuur de brief per post.")
        if sent_on != today():
            raise DomainError("sent_on", "Een e-mail gaat vandaag uit: de verzenddatum is vandaag.")
    letter.status, letter.sent_on, letter.channel = LetterStatus.SENT.value, sent_on, channel.value
    letter.email_to = data.get("email_to") if channel == Channel.EMAIL else None
    letter.sent_by = _actor()
    if letter.is_decision and letter.scheme:
        letter.objection_due = remedy_due(letter, sent_on)
    if letter.context is not None:  # a letter from before the templates keeps its text as written
        _render(letter, on=sent_on)
    letter.pdf = _pdf(letter)
    db.session.flush()
    log_event(letter, "letter.sent", after={"sent_on": sent_on.isoformat(), "channel": channel.value,
                                            "objection_due": letter.objection_due.isoformat()
                                            if letter.objection_due else None})
    _track(letter)
    dispatched.send(letter)
    if channel == Channel.EMAIL:  # last: a refusal rolls all of the above back
        try:
            mail.send(to=letter.email_to, subject=letter.subject, body=letter.body,
                      attachments=((f"brief-{letter.reference}.pdf", "application/pdf", letter.pdf),))
        except mail.MailError as error:
            raise MailUnavailable("channel", Message("De e-mail kon niet worden verzonden (%(error)s); de brief "
                                                     "wacht nog op verzending.", error=str(error))) from None
    return letter


def about(subjects: list[tuple[str, int]], *, only_sent: bool = False) -> list[Letter]:
    """The letters about any of these subjects (type, id), oldest first."""
    stmt = sa.select(Letter).where(sa.or_(*(sa.and_(Letter.regarding_type == t, Letter.regarding_id == i)
                                            for t, i in subjects)))
    if only_sent:
        stmt = stmt.where(Letter.status == LetterStatus.SENT.value)
    return db.session.scalars(stmt.order_by(Letter.id)).all()


def waiting(cki_id: int):
    """Letters the office still has to send, oldest first."""
    return (sa.select(Letter).where(Letter.cki_id == cki_id, Letter.status == LetterStatus.WAITING.value)
            .order_by(Letter.due_on.is_(None), Letter.due_on, Letter.created_at, Letter.id))


# -- incoming documents ---------------------------------------------------------------------------


def register_incoming(*, cki_id: int, company_id: int, kind: IncomingKind, received_on: date, channel: Channel,
                      description: str, regarding: tuple[str, int] | None = None,
                      letter_id: int | None = None) -> IncomingDocument:
    """An incoming document in the post register with the day it was received: every term that
    runs from its arrival runs from this date, never from the day it was recorded."""
    if received_on > today():
        raise DomainError("received_on", "De ontvangstdatum ligt in de toekomst.")
    channel = channel if channel == Channel.PORTAL else _channel(channel)
    document = IncomingDocument(cki_id=cki_id, company_id=company_id, kind=IncomingKind(kind).value,
                                received_on=received_on, channel=channel.value, description=description,
                                regarding_type=regarding[0] if regarding else None,
                                regarding_id=regarding[1] if regarding else None, letter_id=letter_id,
                                recorded_by=_actor())
    db.session.add(document)
    db.session.flush()
    log_event(document, "incoming.registered", after={"kind": document.kind, "received_on": received_on.isoformat(),
                                                      "channel": document.channel})
    return document


def attach_upload(document: IncomingDocument, upload) -> Attachment:
    """An uploaded file (the API's or a page's) attached to the document: not empty, at most
    ``ATTACHMENT_MAX_BYTES`` (read no further than that)."""
    limit = current_app.config["ATTACHMENT_MAX_BYTES"]
    data = upload.read(limit + 1)
    if not data or len(data) > limit:
        raise DomainError("file", Message("Een bijlage is niet leeg en hoogstens %(mb)s MB.", mb=limit // 1_000_000),
                          location="files")
    return attach(document, filename=upload.filename, content_type=upload.mimetype or "application/octet-stream",
                  data=data)


def attach(document: IncomingDocument, *, filename: str, content_type: str, data: bytes) -> Attachment:
    attachment = Attachment(cki_id=document.cki_id, incoming_id=document.id, filename=safe_filename(filename, "bijlage"),
                            content_type=content_type[:100], size=len(data), data=data)
    document.attachments.append(attachment)
    db.session.flush()
    log_event(document, "incoming.attachment", after={"filename": attachment.filename, "size": attachment.size})
    return attachment


def incoming_about(regarding_type: str, regarding_id: int, kind: IncomingKind | None = None):
    """Incoming documents about one subject (a finding, an intended decision), oldest first."""
    stmt = sa.select(IncomingDocument).where(IncomingDocument.regarding_type == regarding_type,
                                             IncomingDocument.regarding_id == regarding_id)
    if kind is not None:
        stmt = stmt.where(IncomingDocument.kind == kind.value)
    return stmt.order_by(IncomingDocument.received_on, IncomingDocument.id)


# -- bezwaar and beroep ---------------------------------------------------------------------------


def file_objection(letter: Letter, data: dict, *, by_company: bool) -> Objection:
    """A bezwaar (to the CKI) against one of our besluiten, or a beroep (to the court) against a
    decision on bezwaar, as the letter's remedy says, with the day it was received (the company's
    own in the portal: today). Received after the term's last day it is late, unless it was posted
    within the term and arrived within a week after it (Awb 6:9); the decider may still find a
    delay excusable (Awb 6:11). A bezwaar gets a receipt (Awb 6:14)."""
    if not letter.is_decision or letter.status != LetterStatus.SENT:
        raise DomainError("letter_id", "Bezwaar of beroep kan alleen tegen een verzonden besluit.")
    kind = ObjectionKind(data["kind"])
    remedy = texts.kind(letter.template_kind or letter.kind).remedy
    if kind.value != remedy:
        raise DomainError("kind", "Tegen een beslissing op bezwaar staat beroep bij de rechtbank open, tegen een ander "
                                  "besluit bezwaar bij de CKI." if remedy == "beroep" else
                                  "Tegen dit besluit staat eerst bezwaar bij de CKI open (Awb 7:1).")
    received_on = today() if by_company else data.get("received_on") or today()
    if received_on < letter.sent_on or received_on > today():
        raise DomainError("received_on", "De ontvangstdatum ligt vóór de verzending van het besluit of in de toekomst.")
    posted_on = None if by_company else data.get("posted_on")
    if posted_on is not None and (posted_on > received_on or posted_on < letter.sent_on):
        raise DomainError("posted_on", "De postdatum ligt na de ontvangst of vóór de verzending van het besluit.")
    if kind == ObjectionKind.BEROEP and not data.get("court"):
        raise DomainError("court", "Noem de rechtbank waar het beroep is ingesteld.")
    due = letter.objection_due
    late = due is not None and received_on > due and not (
        posted_on is not None and posted_on <= due and received_on <= due + timedelta(weeks=1))
    document = register_incoming(
        cki_id=letter.cki_id, company_id=letter.company_id,
        kind=IncomingKind.BEZWAAR if kind == ObjectionKind.BEZWAAR else IncomingKind.BEROEP, received_on=received_on,
        channel=Channel.PORTAL if by_company else _channel(data.get("channel")),
        description=f"{kind.value} tegen besluit {letter.reference}", regarding=("letter", letter.id),
        letter_id=letter.id)
    objection = Objection(cki_id=letter.cki_id, company_id=letter.company_id, letter_id=letter.id, kind=kind.value,
                          received_on=received_on, incoming_id=document.id, grounds=data["grounds"], late=late,
                          court=data.get("court"), recorded_by=_actor())
    db.session.add(objection)
    db.session.flush()
    log_event(objection, "objection.filed", after={"kind": kind.value, "letter_id": letter.id,
                                                    "received_on": received_on.isoformat(), "late": objection.late,
                                                    "posted_on": posted_on.isoformat() if posted_on else None},
              note=objection.grounds)
    _track(letter)  # contested: the end of its term no longer needs watching
    if kind == ObjectionKind.BEZWAAR:
        compose(company=letter.company, kind="receipt", scheme=letter.scheme, regarding=("objection", objection.id),
                context={"stuk": f"uw bezwaarschrift tegen ons besluit {letter.reference} van "
                                 f"{dutch_date(letter.sent_on)}", "ontvangen_op": dutch_date(received_on)})
    return objection


def _channel(value: str | None) -> Channel:
    """How a document came in, as staff enter it: by post (the default) or by e-mail."""
    if value in (None, "", Channel.POST):
        return Channel.POST
    if value == Channel.EMAIL:
        return Channel.EMAIL
    raise DomainError("channel", "Kies post of e-mail.")


def record_hearing(objection: Objection, data: dict) -> Objection:
    """The hearing (hoorzitting, Awb 7:2) or the court's session, with what was said."""
    if objection.outcome is not None:
        raise Conflict("outcome", "Op dit bezwaar of beroep is al beslist.")
    if data["hearing_on"] < objection.received_on:
        raise DomainError("hearing_on", "De hoorzitting ligt vóór de ontvangst van het bezwaar.")
    objection.hearing_on, objection.hearing_notes = data["hearing_on"], data.get("notes")
    db.session.flush()
    log_event(objection, "objection.hearing", after={"hearing_on": objection.hearing_on.isoformat()},
              note=objection.hearing_notes)
    return objection


def decide_objection(objection: Objection, data: dict) -> Objection:
    """The outcome: for a bezwaar the decision on it, itself a besluit (Awb 7:11), written as a
    letter with how to object (appeal) and the new decision if any; for a beroep the court's
    judgment as recorded."""
    if objection.outcome is not None:
        raise Conflict("outcome", "Op dit bezwaar of beroep is al beslist.")
    decided_on = data.get("decided_on") or today()
    if decided_on < objection.received_on or decided_on > today():
        raise DomainError("decided_on", "De beslisdatum ligt vóór de ontvangst of in de toekomst.")
    if objection.hearing_on and decided_on < objection.hearing_on:
        raise DomainError("decided_on", "De beslisdatum ligt vóór de hoorzitting.")
    outcome = ObjectionOutcome(data["outcome"])
    if outcome in (ObjectionOutcome.WELL_FOUNDED, ObjectionOutcome.PARTLY) and not data.get("new_decision"):
        raise DomainError("new_decision", "Een (gedeeltelijk) gegrond bezwaar vraagt een nieuw besluit.")
    objection.outcome, objection.decided_on = outcome.value, decided_on
    objection.motivation, objection.new_decision = data["motivation"], data.get("new_decision")
    if objection.kind == ObjectionKind.BEZWAAR and outcome != ObjectionOutcome.WITHDRAWN:
        letter = objection.letter
        decision = compose(company=letter.company, kind="objection_decision", scheme=letter.scheme,
                           regarding=("objection", objection.id), certificate=None,
                           context={"bezwaar_ontvangen_op": dutch_date(objection.received_on),
                                    "besluit": f"{letter.reference} van {dutch_date(letter.sent_on)} "
                                               f"({letter.subject})",
                                    "uitkomst": objection.outcome_label, "motivering": objection.motivation,
                                    "nieuw_besluit": objection.new_decision or ""})
        objection.decision_letter_id = decision.id
    db.session.flush()
    log_event(objection, "objection.decided", after={"outcome": outcome.value, "decided_on": decided_on.isoformat(),
                                                      "decision_letter_id": objection.decision_letter_id},
              note=objection.motivation)
    return objection
