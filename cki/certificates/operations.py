"""State-changing verbs on certificates: issue, expire, record that the holder will not continue.
Each changes, flushes and writes the event log; what the SCA register must receive goes through
``register``'s operations in the same transaction."""
from datetime import date

from sqlalchemy.dialects import postgresql, sqlite

from cki.certificates.models import Certificate, CertificateNumberCounter, CertificateStatus
from cki.certificates.pdf import render_certificate
from cki.core.db import db
from cki.core.errors import DomainError
from cki.events.operations import log_event
from cki.register import operations as register
from cki.tenants.models import Cki
from workflows import rules
from workflows.schemes import SchemeVersion


def next_number(cki_id: int, scheme: str, issued_on: date) -> str:
    """The next number of the CKI's series for this scheme and year (``SC-540/2026/0001``), taken
    with one atomic upsert: the counter row is locked until this transaction ends, so a second
    grant at the same moment waits and takes the next number."""
    dialect = db.session.connection().dialect.name
    insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
    table = CertificateNumberCounter.__table__
    stmt = insert(table).values(cki_id=cki_id, scheme=scheme, year=issued_on.year, last_number=1)
    stmt = stmt.on_conflict_do_update(index_elements=["cki_id", "scheme", "year"],
                                      set_={"last_number": table.c.last_number + 1}).returning(table.c.last_number)
    number = db.session.execute(stmt).scalar_one()
    return f"{scheme}/{issued_on.year}/{number:04d}"


def issue(*, dossier, company, branches, scheme: SchemeVersion, issued_on: date) -> Certificate:
    """On a grant: number, holder (name, place, KvK), every branch (A §5, §3.1.3), validity
    (``(issued_on − 1 day) + 3 years``) and the PDF. ``branches`` are the company's branch rows
    the decision covers. :func:`send_grant` tells the register."""
    valid_until = rules.certificate_valid_until(scheme, issued_on).date
    printed = [{"branch_id": b.id, "is_head_office": b.is_head_office, "name": b.name, "address": b.address,
                "kvk_number": b.kvk_number} for b in sorted(branches, key=lambda b: (not b.is_head_office, b.id))]
    number = next_number(dossier.cki_id, scheme.scheme, issued_on)
    cki = db.session.get(Cki, dossier.cki_id)
    pdf = render_certificate(
        cki_name=cki.name, number=number, scheme=scheme.scheme, scheme_title=scheme.title,
        scheme_version=scheme.display_name, holder_name=company.name, holder_place=company.place,
        holder_kvk=company.kvk_number, branches=printed, issued_on=issued_on, valid_until=valid_until,
        validity=rules.describe(scheme.param("certificate_validity")),
        objection_term=rules.describe(scheme.param("objection_term")))
    certificate = Certificate(cki_id=dossier.cki_id, company_id=company.id, dossier=dossier, scheme=scheme.scheme,
                              number=number, holder_name=company.name, holder_place=company.place,
                              holder_kvk=company.kvk_number, branches=printed, issued_on=issued_on,
                              valid_until=valid_until, pdf=pdf)
    db.session.add(certificate)
    db.session.flush()
    log_event(certificate, "certificate.issued", after={
        "number": number, "issued_on": issued_on.isoformat(), "valid_until": valid_until.isoformat(),
        "dossier_id": dossier.id})
    return certificate


def send_grant(certificate: Certificate) -> None:
    """Each grant goes to the SCA register with the PDF of the certificate (B/C §10)."""
    register.send(certificate, "granted")


def record_not_continuing(certificate: Certificate, data: dict) -> Certificate:
    """The holder said in writing it will not continue (§5): no recertification is planned; the
    certificate still ends by expiry. The letter is recorded with its date of receipt."""
    if certificate.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        raise DomainError("status", f"Het certificaat is {certificate.status_label}.")
    if not certificate.issued_on <= data["received_on"] <= certificate.valid_until:
        raise DomainError("received_on", "De datum van ontvangst ligt buiten de geldigheid van het certificaat.")
    before = {"not_continuing_on": certificate.not_continuing_on.isoformat() if certificate.not_continuing_on else None}
    certificate.not_continuing_on = data["received_on"]
    certificate.not_continuing_document = data["document"]
    db.session.flush()
    log_event(certificate, "certificate.not_continuing", before=before,
              after={"not_continuing_on": data["received_on"].isoformat(), "document": data["document"]})
    return certificate


def expire(certificate: Certificate, on: date) -> bool:
    """Set a certificate whose validity ended before ``on`` to expired and tell the register.
    Once: an expired, withdrawn or still valid certificate is left alone (returns False)."""
    if certificate.status not in (CertificateStatus.VALID, CertificateStatus.SUSPENDED):
        return False
    if certificate.valid_until >= on:
        return False
    before = certificate.status
    certificate.status = CertificateStatus.EXPIRED.value
    certificate.expired_on = certificate.valid_until
    db.session.flush()
    log_event(certificate, "certificate.expired", before={"status": before},
              after={"status": certificate.status, "valid_until": certificate.valid_until.isoformat()},
              note="geldigheid verstreken")
    register.send(certificate, "expired", expired_after=certificate.valid_until.isoformat())
    return True


def expire_due(on: date) -> int:
    """Expire every certificate (of every CKI) whose validity ended before ``on``; each in its own
    transaction, so one failure does not undo the others. Returns how many expired. Run daily."""
    ids = db.session.scalars(db.select(Certificate.id).where(
        Certificate.status.in_((CertificateStatus.VALID.value, CertificateStatus.SUSPENDED.value)),
        Certificate.valid_until < on).order_by(Certificate.id)).all()
    done = 0
    for certificate_id in ids:
        # FOR UPDATE: a second scheduler (or a manual run) waits, then finds it expired and skips it
        certificate = db.session.scalar(db.select(Certificate).where(Certificate.id == certificate_id)
                                        .with_for_update())
        done += expire(certificate, on)
        db.session.commit()
    return done
