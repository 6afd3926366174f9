"""Intake of LAVS messages into the one register of meldingen.

Every raw message is stored first, in its own transaction, so nothing is lost if the
processing fails; then it is processed: a start becomes a melding (or is linked to the same
job already notified through the portal or API), a change updates it with history, a
withdrawal cancels it. A message that cannot be placed is parked for staff with the reason.
"""
import hashlib
from datetime import date

from flask import current_app
from sqlalchemy.exc import IntegrityError

from cki.certificates.models import Certificate
from cki.companies.models import Company
from cki.core.clock import AMSTERDAM, today
from cki.core.db import db
from cki.core.errors import DomainError
from cki.core.files import safe_filename
from cki.core.labels import LABELS
from cki.events.operations import log_event
from cki.meldingen import operations
from cki.meldingen.lavs import LavsMailError, LavsParseError, load_mapping, parse_message, xml_attachments
from cki.meldingen.models import InboundLavsMessage, Melding
from workflows.text import Message

#: LAVS startmeldingen concern removal work: the scheme when no certificate names another.
LAVS_DEFAULT_SCHEME = "SC-530"


def _mapping():
    key = current_app.config.get("LAVS_MAPPING_FILE") or None
    cache = current_app.extensions.setdefault("lavs_mapping", {})
    if key not in cache:
        cache[key] = load_mapping(key)
    return cache[key]


def store_raw(cki_id: int, raw: bytes, *, source: str, filename: str | None = None) -> tuple[InboundLavsMessage, bool]:
    """Keep the raw message (idempotent on its LAVS message id, else its hash). Commits.

    The same message id with other content is kept too, under its own key, and parked: every
    raw message is kept, and staff decide which one counts."""
    digest = "sha256:" + hashlib.sha256(raw).hexdigest()
    try:
        key = parse_message(raw, _mapping()).message_id
    except LavsParseError:
        key = None
    key = key or digest
    existing = _stored(cki_id, key)
    if existing is not None and existing.raw != raw:
        clash, key = existing, f"{key} ({digest[:19]})"
        existing = _stored(cki_id, key)
    else:
        clash = None
    if existing is not None:
        return existing, False
    message = InboundLavsMessage(cki_id=cki_id, message_key=key, source=source, filename=safe_filename(filename), raw=raw,
                                 status="received", received_on=today())
    db.session.add(message)
    try:
        db.session.commit()
    except IntegrityError:  # the same message stored at the same moment by another way in (upload, poll)
        db.session.rollback()
        return _stored(cki_id, key), False
    if clash is not None:
        _park(message, f"Zelfde LAVS-bericht-id als bericht {clash.id}, maar met andere inhoud; "
                       "beoordeel welk bericht geldt.")
        db.session.commit()
    return message, True


def _stored(cki_id: int, key: str) -> InboundLavsMessage | None:
    return db.session.scalar(db.select(InboundLavsMessage).where(
        InboundLavsMessage.cki_id == cki_id, InboundLavsMessage.message_key == key))


def _park(message: InboundLavsMessage, reason: str):
    message.status, message.reason = "parked", reason
    db.session.flush()
    log_event(message, "lavs.parked", after={"reason": reason, "message_key": message.message_key})


def _melding_data(fields: dict, scheme: str) -> dict:
    start, end = fields.get("start"), fields.get("end")
    street = " ".join(p for p in (fields.get("street"), fields.get("house_number")) if p)
    data = {"scheme": scheme, "certificate_number": fields.get("certificate_number"), "street": street,
            "postcode": fields.get("postcode"), "place": fields.get("place"),
            "description": fields.get("description"), "permit_holder": fields.get("permit_holder"),
            "client": fields.get("permit_holder"), "worker_count": fields.get("worker_count"),
            "inspectorate": fields.get("inspectorate"), "validation_note": fields.get("validation_note"),
            "lavs_project_id": fields.get("lavs_project_id")}
    if start is not None:
        data.update(planned_start=start.date(), planned_start_time=start.time().replace(tzinfo=None))
    if end is not None:
        data.update(planned_end=end.date(), planned_end_time=end.time().replace(tzinfo=None))
    return data


def notified_on(fields: dict, message: InboundLavsMessage) -> date:
    """The day this LAVS message notified the CKI, for the lead time: the day LAVS sent it
    (Berichtkop/Verzonden), else the day it reached us. Our reading (RULES.md is silent): a message
    parked for days, or a mailbox polled late, does not make an in-time melding late. A ``Verzonden``
    later than the day it reached us is not trusted beyond that day (a clock off, or a forged date)."""
    arrived = message.received_on
    sent = fields.get("sent_at")
    day = min(sent.astimezone(AMSTERDAM).date(), arrived) if sent is not None else arrived
    return min(day, today())


def process(message: InboundLavsMessage) -> InboundLavsMessage:
    """Place a stored message: create, link, change or cancel a melding, or park it. Whatever
    goes wrong, the message ends parked with the reason, never stuck (it would block the mailbox)."""
    try:
        return _place(message)
    except Exception as error:  # any failure parks the message, for staff to see
        current_app.logger.exception("LAVS message %s could not be processed", message.message_key)
        db.session.rollback()
        db.session.add(message)
        _park(message, f"Verwerking mislukt: {error}")
        return message


def _place(message: InboundLavsMessage) -> InboundLavsMessage:
    try:
        parsed = parse_message(message.raw, _mapping())
    except LavsParseError as error:
        _park(message, f"Niet te lezen: {error.reason}" + (f" (veld {error.field})" if error.field else ""))
        return message
    fields = dict(parsed.fields)
    message.kind = parsed.kind
    company = db.session.scalar(db.select(Company).where(
        Company.cki_id == message.cki_id, Company.kvk_number == fields["company_kvk"]))
    if company is None:
        _park(message, f"Onbekend bedrijf: KvK-nummer {fields['company_kvk']} ({fields.get('company_name')}) "
                       "is bij deze CKI niet bekend.")
        return message
    scheme = LAVS_DEFAULT_SCHEME
    if fields.get("certificate_number"):
        certificate = db.session.scalar(db.select(Certificate).where(
            Certificate.company_id == company.id, Certificate.number == fields["certificate_number"]))
        start = fields["start"].astimezone(AMSTERDAM).date() if fields.get("start") is not None else None
        problem = operations.certificate_problem(company, fields["certificate_number"], None, start)
        if problem and (certificate is None or parsed.kind != "withdrawal"):
            _park(message, str(problem))  # stored and logged as the Dutch text
            return message
        scheme = certificate.scheme
    existing = db.session.scalar(db.select(Melding).where(
        Melding.company_id == company.id, Melding.lavs_project_id == fields["lavs_project_id"],
        Melding.status.not_in(operations.CLOSED)))
    try:
        if parsed.kind == "new":
            melding, _ = operations.submit_melding(company, _melding_data(fields, scheme), channel="lavs",
                                                   source="lavs", received_on=notified_on(fields, message))
        elif existing is None:
            _park(message, f"{'Wijziging' if parsed.kind == 'change' else 'Intrekking'} voor LAVS-project "
                           f"{fields['lavs_project_id']}, maar er is geen open melding van dat project.")
            return message
        elif parsed.kind == "change":
            newer = _newer_change(message, existing, fields.get("sent_at"))
            if newer is not None:
                message.status, message.melding_id = "processed", existing.id
                message.reason = (f"Niet toegepast: een later verzonden wijziging ({newer:%d-%m-%Y %H:%M}) "
                                  "is al verwerkt.")
                db.session.flush()
                return message
            data = {k: v for k, v in _melding_data(fields, scheme).items() if v is not None}
            melding = operations.change_melding(existing, data, source="lavs",
                                                received_on=notified_on(fields, message))
        else:
            melding = operations.cancel_melding(existing, source="lavs", reason=fields.get("withdrawal_reason"))
    except DomainError as error:
        db.session.rollback()
        db.session.add(message)
        _park(message, f"Niet verwerkt: {error.message}")
        return message
    message.status, message.melding_id, message.reason = "processed", melding.id, None
    db.session.flush()
    return message


def _newer_change(message: InboundLavsMessage, melding: Melding, sent_at):
    """When a change sent after this one was applied already: its sending moment, else None.
    LAVS messages can arrive out of order; the later-sent content wins."""
    if sent_at is None:
        return None
    applied = db.session.scalars(db.select(InboundLavsMessage).where(
        InboundLavsMessage.melding_id == melding.id, InboundLavsMessage.id != message.id,
        InboundLavsMessage.status == "processed", InboundLavsMessage.kind.in_(("new", "change")))).all()
    later = [moment for moment in (_sent_at(m) for m in applied) if moment is not None and moment > sent_at]
    return max(later, default=None)


def _sent_at(message: InboundLavsMessage):
    try:
        return parse_message(message.raw, _mapping()).fields.get("sent_at")
    except LavsParseError:
        return None


def retry(message: InboundLavsMessage) -> InboundLavsMessage:
    """Process a parked message again (e.g. after registering the company)."""
    if message.status in ("processed", "discarded"):
        raise DomainError("status", Message("Dit bericht is al %(status)s.",
                                            status=Message.known(LABELS[message.status])))
    return process(message)


def discard(message: InboundLavsMessage, reason: str) -> InboundLavsMessage:
    """Staff judge a parked message needs no melding (a test message, a duplicate with other content):
    it is kept, marked discarded with the reason, and logged."""
    if message.status != "parked":
        raise DomainError("status", "Alleen een geparkeerd bericht kan terzijde worden gelegd.")
    before = {"status": message.status, "reason": message.reason}
    message.status, message.reason = "discarded", reason
    db.session.flush()
    log_event(message, "lavs.discarded", before=before, after={"status": "discarded", "reason": reason})
    return message


def content(message: InboundLavsMessage) -> dict:
    """What the message says, for staff: its fields as the mapping reads them (``unreadable`` says
    why not, when it cannot be read) and the raw message as text (shown escaped)."""
    found = {"fields": None, "unreadable": None, "raw": message.raw.decode("utf-8", errors="replace")}
    try:
        parsed = parse_message(message.raw, _mapping())
    except LavsParseError as error:
        found["unreadable"] = error.reason
        return found
    found["fields"] = {"kind": parsed.kind, **{name: value.isoformat() if hasattr(value, "isoformat") else value
                                               for name, value in parsed.fields.items() if value is not None}}
    return found


def upload_parts(raw: bytes, filename: str | None) -> list[tuple[str | None, bytes]]:
    """The LAVS messages in an upload: the XML itself, or the XML attachments of an e-mail (.eml)."""
    if raw.lstrip()[:1] == b"<":
        return [(filename, raw)]
    try:
        return xml_attachments(raw)
    except LavsMailError as error:
        raise DomainError("file", error.reason) from None


def ingest(cki_id: int, raw: bytes, *, source: str, filename: str | None = None) -> InboundLavsMessage:
    """Store, then process one LAVS XML message. A repeat of a stored message does nothing."""
    message, _ = store_raw(cki_id, raw, source=source, filename=filename)
    if message.status == "received":  # new, or processing crashed before: (try) again
        process(message)
        db.session.commit()
    return message
