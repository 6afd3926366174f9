"""Company records the CKI receives: SC-530 logbooks (for project days) and SC-540 project
overviews (for result-oriented audits). Operations: change, flush, write the log."""
import random
import re
import uuid
from datetime import date, timedelta

import marshmallow as ma

from cki.core.db import db
from cki.core.errors import DomainError
from cki.events.operations import log_event, log_read
from cki.surveillance.models import AuditSelection, LogbookEntry, ProjectOverviewEntry
from workflows import rules
from workflows.calendar import add_period


def _is_bsn(value: str) -> bool:
    """An 8- or 9-digit number that passes the elfproef may be a BSN (8 digits: a BSN with its
    leading 0 dropped, as spreadsheets do)."""
    if not re.fullmatch(r"\d{8,9}", value):
        return False
    digits = [int(c) for c in value.zfill(9)]
    return (sum(d * w for d, w in zip(digits[:8], range(9, 1, -1), strict=True)) - digits[8]) % 11 == 0


def validate_worker(value: str):
    """A worker is the company's pseudonymous staff number, never a name or BSN (RULES.md §8,
    AVG): 1-40 letters, digits, '-', '_' or '.', with at least one digit."""
    if not re.fullmatch(r"[A-Za-z0-9._-]{1,40}", value or ""):
        raise ma.ValidationError("Gebruik het personeelsnummer: 1 tot 40 letters, cijfers, '-', '_' of '.', "
                                 "nooit een naam of BSN.")
    if not re.search(r"\d", value):
        raise ma.ValidationError("Dit lijkt een naam: een personeelsnummer bevat minstens één cijfer. "
                                 "Gebruik het personeelsnummer, nooit een naam (AVG).")
    if _is_bsn(value):
        raise ma.ValidationError("Dit kan een BSN zijn (8 of 9 cijfers die de elfproef doorstaan); "
                                 "gebruik het personeelsnummer, nooit een BSN (AVG).")


# -- SC-530 logbooks --------------------------------------------------------------------

def store_logbook(company, rows: list[dict]) -> tuple[str, int]:
    """Store validated logbook rows as one upload (all or nothing)."""
    upload_id = uuid.uuid4().hex
    for row in rows:
        db.session.add(LogbookEntry(cki_id=company.cki_id, company_id=company.id, upload_id=upload_id,
                                    project=row["project"], worker=row["worker"], work_date=row["date"],
                                    start=row["start"], end=row["end"], activity=row["activity"], ppe=row["ppe"]))
    db.session.flush()
    log_event(company, "logbook.uploaded", after={"upload_id": upload_id, "entries": len(rows)})
    return upload_id, len(rows)


def project_days_for(company, first: date, last: date):
    """Project days (RULES.md §4) from the stored logbook for [first, last]; the read is logged."""
    entries = db.session.scalars(db.select(LogbookEntry).where(
        LogbookEntry.company_id == company.id, LogbookEntry.work_date >= first,
        LogbookEntry.work_date <= last)).all()
    log_read("logbook.project_days", company_id=company.id,
             detail=f"{first.isoformat()}..{last.isoformat()}: {len(entries)} regels")
    result = rules.project_days([{"project": e.project, "worker": e.worker, "date": e.work_date, "start": e.start,
                                  "end": e.end, "activity": e.activity, "ppe": e.ppe} for e in entries], "SC-530")
    return result


def period_of(start: date) -> tuple[date, date]:
    """The 12-month period starting on ``start`` (RULES.md §4: periods count from the grant)."""
    return start, add_period(start, months=12) - timedelta(days=1)


# -- SC-540 project overviews -----------------------------------------------------------

def replace_overview(company, rows: list[dict]) -> str:
    """The company's up-to-date overview (B §7.3): the new upload replaces the current one;
    earlier uploads are kept (not current)."""
    upload_id = uuid.uuid4().hex
    db.session.execute(db.update(ProjectOverviewEntry).where(
        ProjectOverviewEntry.company_id == company.id, ProjectOverviewEntry.current.is_(True)).values(current=False))
    for row in rows:
        db.session.add(ProjectOverviewEntry(cki_id=company.cki_id, company_id=company.id, upload_id=upload_id,
                                            **row))
    db.session.flush()
    log_event(company, "project_overview.uploaded", after={"upload_id": upload_id, "projects": len(rows)})
    return upload_id


def sample_overview(company, n: int, seed: int | None = None) -> list[ProjectOverviewEntry]:
    """Sample ``n`` locations for result-oriented audits from the current overview's projects
    not yet remediated or demolished (B §4.3.2). The seed is logged, so the draw is reproducible."""
    pool = db.session.scalars(db.select(ProjectOverviewEntry).where(
        ProjectOverviewEntry.company_id == company.id, ProjectOverviewEntry.current.is_(True),
        ProjectOverviewEntry.remediated.is_(False), ProjectOverviewEntry.demolished.is_(False),
        ProjectOverviewEntry.selected_for_audit.is_(False)).order_by(ProjectOverviewEntry.id)).all()
    if not pool:
        raise DomainError("n", "Geen projecten die nog niet gesaneerd of gesloopt zijn in het actuele overzicht.")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    chosen = random.Random(seed).sample(pool, min(n, len(pool)))
    for entry in chosen:
        entry.selected_for_audit = True
    db.session.flush()
    log_event(company, "project_overview.sampled", after={"seed": seed, "pool": len(pool),
                                                          "chosen": [e.id for e in chosen]})
    return chosen


def select_for_audit(melding, planned_on: date, note: str | None, user_id: int | None) -> AuditSelection:
    """Pick a melding's location for an unannounced audit. Staff only: unannounced means secret,
    so the entry is logged on the selection, which no company route or page shows."""
    if db.session.scalar(db.select(AuditSelection.id).where(AuditSelection.melding_id == melding.id)):
        raise DomainError("melding_id", "Deze locatie is al gekozen.")
    if not melding.planned_start <= planned_on <= melding.planned_end:
        raise DomainError("planned_on", "De datum van de beoordeling valt buiten de looptijd van de melding.")
    selection = AuditSelection(cki_id=melding.cki_id, melding_id=melding.id, selected_by_id=user_id,
                               planned_on=planned_on, note=note)
    db.session.add(selection)
    db.session.flush()
    log_event(selection, "audit.selected", after={"melding_id": melding.id, "planned_on": planned_on.isoformat()},
              note=note)
    return selection
