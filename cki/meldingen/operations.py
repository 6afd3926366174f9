"""State-changing verbs on meldingen: submit, change, cancel, approve, merge, split,
and the intake of LAVS messages. Each: change, flush, write the event log.

One job is one melding. Documented match rule (README "One job once"): two notifications are
the same job when they are of the same company and either carry the same LAVS project id, or
have the same postcode, the same street (case and spacing ignored) and the same planned start
date. A second arrival is linked to the first as a revision, never registered twice."""
import re
from datetime import date, timedelta

import sqlalchemy as sa
from sqlalchemy.orm.attributes import set_committed_value

from cki.core.clock import today
from cki.core.db import db, insert_loaded, utcnow
from cki.core.errors import DomainError
from cki.deadlines import operations as deadlines
from cki.events.operations import log_event, new_subject_entry
from cki.meldingen.models import Melding, MeldingRevision, job_key, street_key
from workflows import rules
from workflows.calendar import legal_calendar
from workflows.rules import MeldingStatus
from workflows.text import Message, nl_date, sentences

#: The content fields of a melding (RULES.md §5), kept in every revision.
CONTENT = ("scheme", "certificate_number", "street", "postcode", "place", "description", "client",
           "responsible_person", "object_type", "containment", "estimated_amount", "worker_count",
           "permit_holder", "inspectorate", "validation_note", "planned_start", "planned_start_time",
           "planned_end", "planned_end_time", "project_group", "part_label", "lavs_project_id")
CLOSED = ("cancelled", "merged")


def normalise_postcode(postcode: str) -> str:
    return re.sub(r"\s+", "", postcode or "").upper()


def _content(melding: Melding) -> dict:
    out = {}
    for field in CONTENT:
        value = getattr(melding, field)
        out[field] = value.isoformat() if hasattr(value, "isoformat") else value
    return out


def _revise(melding: Melding, kind: str, source: str):
    number = len(melding.revisions) + 1
    melding.revisions.append(MeldingRevision(cki_id=melding.cki_id, number=number, source=source, kind=kind,
                                             data={**_content(melding), "status": melding.status}))
    # a changed, cancelled or merged melding's watch starts over: the next sweep writes it anew if it
    # still starts soon unseen (an unchanged date is not reminded of twice). A linked repeat only
    # fills empty fields (never the start or the address): nothing to start over, no write on intake.
    if kind != "link":
        deadlines.close("melding", melding.id, on=today())


def look_at(melding: Melding, by: str) -> Melding:
    """A planner or team leader looked at the melding (opened it): the first time is recorded and
    it leaves the list of meldingen starting soon that no one looked at."""
    # under the melding's row lock: a sweep writing its "no one looked at" deadline waits, or is waited for
    db.session.refresh(melding, with_for_update=True)
    if melding.looked_at is None:
        melding.looked_at, melding.looked_at_by = utcnow(), by[:200]
        db.session.flush()
        log_event(melding, "melding.looked_at", after={"by": melding.looked_at_by})
        deadlines.close("melding", melding.id, on=today())
    return melding


@deadlines.sweep_starting.connect
def _watch_starting_unseen(_sender=None, *, on: date, **_):
    """Before each sweep: a deadline for every open melding that starts within its reminder window
    (``REMINDER_LEAD_WORKDAYS`` for ``melding_unseen``; by default the werkdag before) and that no one
    looked at. Written by the sweep, not at intake: the row matters only then, and intake stays
    one insert (README). Reads only the meldingen starting in that window (an index on the start)."""
    lead = deadlines.lead_workdays("melding_unseen")
    if not lead:
        return
    cal = legal_calendar()
    horizon = on
    while horizon - on < timedelta(days=31) and cal.add(horizon + timedelta(days=1), -lead) <= on:
        horizon += timedelta(days=1)
    if horizon == on:
        return
    from cki.deadlines.models import Deadline, DeadlineState
    from cki.tenants.models import Cki

    watched = sa.select(Deadline.subject_id).where(Deadline.subject_type == "melding", Deadline.kind == "melding_unseen",
                                                   Deadline.state == DeadlineState.OPEN.value)
    for cki_id in db.session.scalars(sa.select(Cki.id)).all():  # per CKI: the start index leads with cki_id
        for melding in db.session.scalars(sa.select(Melding).where(
                Melding.cki_id == cki_id, Melding.planned_start > on, Melding.planned_start <= horizon,
                Melding.status.not_in(CLOSED), Melding.looked_at.is_(None), Melding.id.not_in(watched))
                .with_for_update(skip_locked=True)):  # one being opened right now is left alone
            deadlines.sync("melding", melding.id, cki_id=cki_id, company_id=melding.company_id, on=on, items=[
                deadlines.Item(kind="melding_unseen", due_on=melding.planned_start, role="planner", passive=True,
                               url=f"/meldingen/{melding.id}",
                               label=f"Melding {melding.id} ({melding.street}, {melding.place}) begint "
                                     f"{nl_date(melding.planned_start)} en is door niemand bekeken",
                               rule="Nog niet geopend door een planner of teamleider; de dag ervoor gemeld "
                                    "(REMINDER_LEAD_WORKDAYS, melding_unseen)")])


_OPEN = sa.and_(Melding.company_id == sa.bindparam("company_id"), Melding.status.not_in(CLOSED))
#: Prebuilt (compiled once): intake runs these on every submission.
_SAME_LAVS_PROJECT = sa.select(Melding.id).where(_OPEN, Melding.lavs_project_id == sa.bindparam("lavs_project_id"))
_SAME_ADDRESS_AND_DAY = sa.select(Melding.id, Melding.lavs_project_id).where(
    _OPEN, Melding.postcode == sa.bindparam("postcode"), Melding.planned_start == sa.bindparam("planned_start"),
    Melding.street_key == sa.bindparam("street_key")).order_by(Melding.id).limit(5)
_SAME_KEY = sa.select(Melding.id).where(Melding.company_id == sa.bindparam("company_id"),
                                        Melding.idempotency_key == sa.bindparam("key"))


def find_same_job(company_id: int, data: dict) -> Melding | None:
    """The open melding of the same job, by the documented match rule, or None."""
    conn = db.session.connection()
    lavs_id = data.get("lavs_project_id")
    if lavs_id:
        found = conn.execute(_SAME_LAVS_PROJECT, {"company_id": company_id, "lavs_project_id": lavs_id}).scalar()
        if found is not None:
            return db.session.get(Melding, found)
    candidates = conn.execute(_SAME_ADDRESS_AND_DAY, {
        "company_id": company_id, "postcode": normalise_postcode(data["postcode"]),
        "planned_start": data["planned_start"], "street_key": street_key(data["street"])}).all()
    # Two different LAVS projects at one address on one day are two jobs.
    found = next((m.id for m in candidates if not (m.lavs_project_id and lavs_id and m.lavs_project_id != lavs_id)),
                 None)
    return None if found is None else db.session.get(Melding, found)


def certificate_problem(company, number: str, scheme: str | None, start: date | None) -> Message | None:
    """Why a melding may not name certificate ``number``, or None: one rule for every channel
    (portal, API, bulk, fax and LAVS). The company holds that certificate, of the melding's scheme,
    valid on the start date (issued, not expired, not withdrawn)."""
    from cki.certificates.models import Certificate

    certificate = db.session.scalar(db.select(Certificate).where(
        Certificate.company_id == company.id, Certificate.number == number))
    if certificate is None:
        name = company.name.rstrip()
        if name.endswith((".", "!", "?")):  # "B.V." ends it once
            return Message("Onbekend certificaat %(number)s voor %(company)s", number=number, company=name)
        return Message("Onbekend certificaat %(number)s voor %(company)s.", number=number, company=name)
    if scheme is not None and certificate.scheme != scheme:
        return Message("Certificaat %(number)s is een %(certificate_scheme)s-certificaat, de melding is voor "
                       "%(scheme)s.", number=number, certificate_scheme=certificate.scheme, scheme=scheme)
    if certificate.withdrawn_on is not None and (start is None or start >= certificate.withdrawn_on):
        return Message("Certificaat %(number)s is ingetrokken op %(day)s.", number=number,
                       day=nl_date(certificate.withdrawn_on))
    if start is not None and not certificate.issued_on <= start <= certificate.valid_until:
        return Message("Certificaat %(number)s is niet geldig op de startdatum %(start)s (geldig van %(issued)s tot "
                       "en met %(until)s).", number=number, start=nl_date(start),
                       issued=nl_date(certificate.issued_on), until=nl_date(certificate.valid_until))
    return None


def _check_certificate(company, data: dict):
    if data.get("certificate_number"):
        problem = certificate_problem(company, data["certificate_number"], data.get("scheme"), data.get("planned_start"))
        if problem:
            raise DomainError("certificate_number", problem)


def check_timeliness(data: dict, channel: str, received_on: date) -> tuple[str, str | None, str]:
    """(timeliness, warning, status) for a melding received on ``received_on``; raises 422 if late.

    Late only by Atw-only days: accepted with a warning for staff (RULES.md §1). Late otherwise:
    refused with the latest allowed date, unless it is a calamity with a written motivation,
    which is accepted pending staff approval (B/C §7.1)."""
    check = rules.melding_check(data["scheme"], data["planned_start"], received_on,
                                "email" if channel == "lavs" else channel)
    # A latest date counted into years no Atw decree covers yet may move (RULES.md §1): say so.
    uncertain = sentences(check.latest.warnings)
    if check.status == MeldingStatus.ON_TIME:
        return "on_time", uncertain or None, "registered"
    message = sentences([check.message, uncertain])  # names the latest allowed date once
    if check.status == MeldingStatus.LATE_ATW_ONLY:
        return "late_atw_only", message, "registered"
    if (data.get("calamity_motivation") or "").strip():
        return "calamity", message, "pending_approval"
    if channel == "lavs":  # a LAVS message is never refused: registered late, for staff to judge
        return "late", message, "registered"
    raise DomainError("planned_start", message)


def submit_melding(company, data: dict, *, channel: str, source: str, idempotency_key: str | None = None,
                   received_on: date | None = None) -> tuple[Melding, bool]:
    """Register a melding, or return the one this submission repeats. Returns (melding, created).

    The hot path of intake: the melding, its first revision and its event-log entry are
    written with prebuilt INSERTs (``insert_loaded``; one statement on PostgreSQL), not through the
    unit of work."""
    db.session.flush()  # the Core queries below do not autoflush: a company just added goes first
    if idempotency_key and (known := _by_key(company.id, idempotency_key)) is not None:
        return _repeat_of(known, data, idempotency_key), False
    if data["planned_end"] < data["planned_start"]:
        raise DomainError("planned_end", "De einddatum ligt voor de startdatum.")
    if received_on is not None and received_on > today():
        raise DomainError("received_on", "De ontvangstdatum ligt in de toekomst.")
    received_on = received_on or today()
    data = {**data, "postcode": normalise_postcode(data["postcode"])}
    _check_certificate(company, data)
    try:
        timeliness, warning, status = check_timeliness(data, channel, received_on)
    except DomainError:  # too late for a new melding; a repeat of a known job is linked all the same
        same = find_same_job(company.id, data)
        if same is None:
            raise
        return link_same_job(same, data, channel=channel, source=source), False
    now = utcnow()
    fields = {k: v for k, v in data.items() if k != "client_reference"}
    new = {"cki_id": company.cki_id, "company_id": company.id, "channel": channel, "status": status,
           "submitted_on": received_on, "submitted_at": now, "created_at": now, "timeliness": timeliness,
           "warning": warning, "idempotency_key": idempotency_key, "client_reference": data.get("client_reference"),
           **fields}
    # The database keeps one open melding per job (uq_meldingen_open_job, uq_meldingen_open_lavs_project):
    # an arrival of a known job writes nothing, also when another arrival of it commits meanwhile.
    # Its first revision and its event-log entry are written with it (one statement on PostgreSQL).
    melding = _write_new(Melding(**new, company=company, job_key=job_key(
        data["postcode"], data["street"], data["planned_start"])), source, timeliness)
    if melding is None:
        if idempotency_key and (known := _by_key(company.id, idempotency_key)) is not None:
            return _repeat_of(known, data, idempotency_key), False  # a retry that raced its first try
        same = find_same_job(company.id, data)
        if same is not None:
            return link_same_job(same, data, channel=channel, source=source), False
        # The same address and day, but another LAVS project: another job, under its own key.
        melding = _write_new(Melding(**new, company=company, job_key=job_key(
            data["postcode"], data["street"], data["planned_start"], data.get("lavs_project_id"))), source, timeliness)
        if melding is None:
            raise DomainError("lavs_project_id", "Deze klus is zojuist al gemeld; probeer het opnieuw.")
    return melding, True


def _write_new(melding: Melding, source: str, timeliness: str) -> Melding | None:
    """Write a new melding with its first revision (its content as submitted) and its event-log
    entry, unless its job is known (then nothing is written)."""
    first = MeldingRevision(cki_id=melding.cki_id, number=1, source=source, kind="new", created_at=melding.created_at,
                            data={**_content(melding), "status": melding.status})
    entry = new_subject_entry(melding, "melding.submitted",
                              after={**first.data, "channel": melding.channel, "timeliness": timeliness})
    written = insert_loaded(melding, unless_conflict=True, children=((first, "melding_id"), (entry, "subject_id")))
    if written is not None:
        set_committed_value(written, "revisions", [first])
    return written


def _by_key(company_id: int, key: str) -> Melding | None:
    found = db.session.connection().execute(_SAME_KEY, {"company_id": company_id, "key": key}).scalar()
    return None if found is None else db.session.get(Melding, found)


def _repeat_of(melding: Melding, data: dict, key: str) -> Melding:
    """The melding a retry repeats; a key reused for another job (address or start) is refused,
    or that job would silently never be registered."""
    same = (melding.postcode == normalise_postcode(data["postcode"]) and melding.planned_start == data["planned_start"]
            and melding.street_key == street_key(data["street"]))
    if not same:
        field = "client_reference" if key.startswith("ref:") else "Idempotency-Key"
        raise DomainError(field, Message("Deze sleutel hoort al bij melding %(id)s (%(address)s, start %(start)s); "
                                         "gebruik voor een andere klus een andere.", id=melding.id,
                                         address=melding.address, start=nl_date(melding.planned_start)))
    return melding


def link_same_job(melding: Melding, data: dict, *, channel: str, source: str) -> Melding:
    """A second notification of the same job: fill what the first lacked, keep one melding."""
    before = _content(melding)
    for key in CONTENT:
        if data.get(key) is not None and getattr(melding, key) in (None, ""):
            setattr(melding, key, data[key])
    _revise(melding, "link", source)
    db.session.flush()
    log_event(melding, "melding.linked", before=before, after=_content(melding),
              note=f"Dezelfde klus ook ontvangen via {channel}; gekoppeld, niet dubbel geregistreerd.")
    return melding


def change_melding(melding: Melding, data: dict, *, source: str, received_on: date | None = None) -> Melding:
    """Change a melding, keeping the earlier content in its revisions. A change that moves the
    start earlier notifies that new start: its lead time is checked as for a new melding (too
    late: refused, or from LAVS registered late; late only by Atw-only days: a warning)."""
    if melding.status in CLOSED:
        raise DomainError("status", "Een ingetrokken of samengevoegde melding kan niet meer wijzigen.")
    before = _content(melding)
    earlier_start = data.get("planned_start") is not None and data["planned_start"] < melding.planned_start
    for key, value in data.items():
        if key in CONTENT:
            setattr(melding, key, normalise_postcode(value) if key == "postcode" else value)
    if melding.planned_end < melding.planned_start:
        raise DomainError("planned_end", "De einddatum ligt voor de startdatum.")
    _keep_job_key(melding)
    if {"certificate_number", "scheme", "planned_start"} & data.keys():
        _check_certificate(melding.company, {k: getattr(melding, k) for k in ("certificate_number", "scheme",
                                                                             "planned_start")})
    if earlier_start:
        channel = {"lavs": "lavs", "staff": melding.channel}.get(source, "portal")
        timeliness, warning, status = check_timeliness(
            {"scheme": melding.scheme, "planned_start": melding.planned_start,
             "calamity_motivation": data.get("calamity_motivation")}, channel, received_on or today())
        if timeliness != "on_time":
            melding.timeliness, melding.warning, melding.status = timeliness, warning, status
            if data.get("calamity_motivation"):
                melding.calamity_motivation = data["calamity_motivation"]
    _revise(melding, "change", source)
    db.session.flush()
    log_event(melding, "melding.changed", before=before, after=_content(melding))
    return melding


def _keep_job_key(melding: Melding) -> None:
    """After a change of address or start: the melding's job key follows; another open melding
    of that job makes it one job twice, which the company or staff resolve by merging."""
    lavs = melding.lavs_project_id if melding.job_key.partition("|lavs:")[2] else None
    key = job_key(melding.postcode, melding.street, melding.planned_start, lavs)
    if key == melding.job_key:
        return
    other = db.session.scalar(sa.select(Melding.id).where(
        Melding.company_id == melding.company_id, Melding.job_key == key, Melding.id != melding.id,
        Melding.status.not_in(CLOSED)))
    if other is not None:
        raise DomainError("planned_start", Message("Melding %(other)s is al dezelfde klus (adres en startdatum); voeg "
                                                   "de twee samen in plaats van er één gelijk te maken aan de ander.",
                                                   other=other))
    melding.job_key = key


def cancel_melding(melding: Melding, *, source: str, reason: str | None = None) -> Melding:
    if melding.status in CLOSED:
        raise DomainError("status", "De melding is al ingetrokken of samengevoegd.")
    before = melding.status
    melding.status = "cancelled"
    _revise(melding, "cancel", source)
    db.session.flush()
    log_event(melding, "melding.cancelled", before={"status": before}, after={"status": "cancelled"}, note=reason)
    return melding


def approve_calamity(melding: Melding, user_id: int, approve: bool, note: str) -> Melding:
    if melding.status != "pending_approval":
        raise DomainError("status", "Alleen een calamiteitenmelding die op goedkeuring wacht.")
    melding.status = "registered" if approve else "cancelled"
    melding.approved_by_id = user_id
    _revise(melding, "approval", "staff")
    db.session.flush()
    log_event(melding, "melding.calamity_approved" if approve else "melding.calamity_refused",
              before={"status": "pending_approval"}, after={"status": melding.status}, note=note)
    return melding


def merge_meldingen(keep: Melding, other: Melding, note: str) -> Melding:
    """Staff decide two meldingen are one job: ``other`` is closed as merged into ``keep``."""
    if keep.id == other.id or keep.company_id != other.company_id:
        raise DomainError("other_id", "Alleen twee verschillende meldingen van hetzelfde bedrijf.")
    if other.status in CLOSED or keep.status in CLOSED:
        raise DomainError("other_id", "Een ingetrokken of samengevoegde melding kan niet worden samengevoegd.")
    other.status, other.merged_into_id = "merged", keep.id
    if other.lavs_project_id and not keep.lavs_project_id:
        keep.lavs_project_id = other.lavs_project_id
    _revise(other, "merge", "staff")
    _revise(keep, "merge", "staff")
    db.session.flush()
    log_event(keep, "melding.merged", after={"merged": other.id}, note=note)
    log_event(other, "melding.merged_into", after={"into": keep.id}, note=note)
    return keep


def split_melding(melding: Melding, data: dict, note: str) -> Melding:
    """Staff decide one melding holds two jobs: a new melding for the other location/part."""
    if melding.status in CLOSED:
        raise DomainError("id", "Een ingetrokken of samengevoegde melding kan niet worden gesplitst.")
    fields = {**{k: getattr(melding, k) for k in CONTENT}, **data, "lavs_project_id": None}
    fields["postcode"] = normalise_postcode(fields["postcode"])
    part = Melding(cki_id=melding.cki_id, company_id=melding.company_id, channel=melding.channel,
                   status=melding.status, submitted_on=melding.submitted_on, submitted_at=melding.submitted_at,
                   timeliness=melding.timeliness, warning=melding.warning, job_key="", **fields)
    _keep_job_key(part)
    db.session.add(part)
    _revise(part, "split", "staff")
    _revise(melding, "split", "staff")
    db.session.flush()
    log_event(melding, "melding.split", after={"new": part.id}, note=note)
    log_event(part, "melding.split_from", after={"from": melding.id, **_content(part)}, note=note)
    return part
