"""The planner's board for one week (read only): audits to plan and behind per certificate, the
meldingen starting that week that could serve an unannounced location audit, and each auditor's
load. Built with a fixed number of queries, whatever the number of certificates or the history:
the rows of all live certificates are read in bulk and the programmes computed in memory."""
from __future__ import annotations

import json
from collections import Counter, defaultdict
from datetime import date, timedelta

import sqlalchemy as sa

from cki.certificates.models import Certificate
from cki.core.db import db
from cki.meldingen.models import Melding
from cki.surveillance import operations
from cki.surveillance.models import Audit, AuditAuditor, AuditStatus, CatchUp, PeriodFigures
from cki.users.models import User
from workflows import surveillance as rules

OPEN_MELDING = ("cancelled", "merged")


def _live_certificates(cki_id: int, on: date) -> list:
    """The columns the programme needs (plain rows: a thousand ORM objects cost more than the rules)."""
    c = Certificate
    return db.session.execute(sa.select(
        c.id, c.number, c.holder_name, c.scheme, c.branches, c.issued_on, c.valid_until, c.not_continuing_on).where(
        Certificate.cki_id == cki_id, Certificate.status.in_(operations.LIVE), Certificate.valid_until >= on,
        Certificate.issued_on <= on).order_by(Certificate.holder_name)).all()


def certificate_rows(cki_id: int, on: date) -> list[dict]:
    """Per live certificate with something to plan or behind: its current period's lines that
    need the planner, and what the previous period left behind (not moved on by a catch-up)."""
    certificates = _live_certificates(cki_id, on)
    ids = [c.id for c in certificates]
    if not ids:
        return []
    # Only the live certificates' rows: the history of ended certificates is never read.
    counts = db.session.execute(sa.select(
        Audit.certificate_id, Audit.period_index, Audit.branch_id, Audit.kind, Audit.status, sa.func.count())
        .where(Audit.certificate_id.in_(ids), Audit.status != AuditStatus.CANCELLED.value)
        .group_by(Audit.certificate_id, Audit.period_index, Audit.branch_id, Audit.kind, Audit.status)).all()
    figures = defaultdict(dict)
    for row in db.session.execute(sa.select(PeriodFigures.certificate_id, PeriodFigures.period_index,
                                            PeriodFigures.branch_id, sa.cast(PeriodFigures.figures, sa.Text),
                                            PeriodFigures.works)
                                  .where(PeriodFigures.certificate_id.in_(ids))):
        figures[row.certificate_id][(row.period_index, row.branch_id)] = _Figures(row[3], row.works)
    catch_ups = defaultdict(dict)
    for row in db.session.scalars(sa.select(CatchUp).where(CatchUp.certificate_id.in_(ids))):
        catch_ups[row.certificate_id][row.period_index] = row
    planned, done = defaultdict(Counter), defaultdict(Counter)
    for certificate_id, period, branch_id, kind, status, n in counts:
        target = done if status == AuditStatus.DONE.value else planned
        target[certificate_id][(period, branch_id, kind)] += n

    rows = []
    for certificate in certificates:
        periods = operations.periods_of(certificate)
        current = rules.period_of(periods, on)
        need, behind, due = [], 0, None
        key = operations.line_keys(certificate)
        planned_in, done_in = _by_period(key, planned[certificate.id]), _by_period(key, done[certificate.id])
        for period in periods[max(0, current.index - 2):current.index]:
            prog = operations.programme_for(certificate, period, figures=figures[certificate.id],
                                            catch_ups=catch_ups[certificate.id], periods=periods)
            mine, finished = planned_in[period.index], done_in[period.index]
            moved = {}
            if (cu := catch_ups[certificate.id].get(period.index)) is not None:
                moved = {(x["branch_id"], rules.AuditKind(x["kind"])): x["count"] for x in cu.shortfall}
            due = prog.due_by  # the last one is the current period's
            for line in rules.progress(prog, mine, finished, on, moved):
                behind += line.behind
                if period.index == current.index and line.to_plan:
                    need.append(line.to_dict())
        if need or behind:
            rows.append({"certificate_id": certificate.id, "number": certificate.number,
                         "holder_name": certificate.holder_name, "scheme": certificate.scheme,
                         "period_index": current.index, "due_by": due, "to_plan": sum(x["to_plan"] for x in need),
                         "behind": behind, "lines": need})
    return sorted(rows, key=lambda r: (-r["behind"], r["due_by"], r["holder_name"]))


def _by_period(key, counts: Counter) -> defaultdict[int, Counter]:
    """Per period, the counts per programme line (``key``: operations.line_keys of the certificate;
    SC-530 location audits count on the head office)."""
    out = defaultdict(Counter)
    for (period, branch_id, kind), n in counts.items():
        out[period][key(branch_id, kind)] += n
    return out


class _Figures:
    """A period's declared figures as the board reads them: the JSON is decoded only for the
    periods whose programme is computed (the board reads every period's row in one query)."""

    __slots__ = ("_text", "_figures", "works")

    def __init__(self, text: str, works):
        self._text, self._figures, self.works = text, None, works

    @property
    def figures(self) -> dict:
        if self._figures is None:
            self._figures = json.loads(self._text)
        return self._figures


def melding_candidates(cki_id: int, monday: date) -> list[dict]:
    """Meldingen starting in the week whose company holds a live certificate of that scheme and that
    no audit visits yet: candidates for an unannounced location audit."""
    sunday = monday + timedelta(days=6)
    audited = sa.select(Audit.melding_id).where(Audit.melding_id == Melding.id,
                                                Audit.status != AuditStatus.CANCELLED.value)
    certified = sa.select(Certificate.id).where(
        Certificate.company_id == Melding.company_id, Certificate.scheme == Melding.scheme,
        Certificate.status.in_(operations.LIVE), Certificate.issued_on <= Melding.planned_start,
        Certificate.valid_until >= Melding.planned_start).limit(1).scalar_subquery()
    stmt = (sa.select(Melding, certified.label("certificate_id"))
            .where(Melding.cki_id == cki_id, Melding.planned_start.between(monday, sunday),
                   Melding.status.not_in(OPEN_MELDING), ~sa.exists(audited), certified.is_not(None))
            .order_by(Melding.planned_start, Melding.id).limit(300))
    return [{"melding_id": m.id, "certificate_id": cid, "company_id": m.company_id, "scheme": m.scheme,
             "planned_start": m.planned_start, "planned_end": m.planned_end, "address": m.address,
             "containment": m.containment} for m, cid in db.session.execute(stmt)]


def changed_meldingen(cki_id: int, on: date) -> list[dict]:
    """Planned audits whose melding was withdrawn or moved so that its work no longer runs on the
    audit day: the planner sees them here, the assigned auditors on the audit itself."""
    end = sa.func.coalesce(Melding.planned_end, Melding.planned_start)
    stmt = (sa.select(Audit, Melding).join(Melding, Melding.id == Audit.melding_id)
            .where(Audit.cki_id == cki_id, Audit.status == AuditStatus.PLANNED.value, Audit.planned_on >= on,
                   sa.or_(Melding.status.in_(OPEN_MELDING), Melding.planned_start > Audit.planned_on,
                          end < Audit.planned_on))
            .order_by(Audit.planned_on, Audit.id))
    return [{"audit_id": a.id, "certificate_id": a.certificate_id, "planned_on": a.planned_on,
             "melding_id": m.id, "address": m.address, "alert": operations.melding_alert(a)}
            for a, m in db.session.execute(stmt)]


def auditor_load(cki_id: int, monday: date) -> list[dict]:
    """Per auditor, the audits of each day of the week (location audits against the daily cap)."""
    sunday = monday + timedelta(days=6)
    rows = db.session.execute(sa.select(AuditAuditor.user_id, Audit.planned_on, Audit.kind, sa.func.count())
                              .join(Audit, Audit.id == AuditAuditor.audit_id)
                              .where(Audit.cki_id == cki_id, Audit.planned_on.between(monday, sunday),
                                     Audit.status != AuditStatus.CANCELLED.value)
                              .group_by(AuditAuditor.user_id, Audit.planned_on, Audit.kind)).all()
    load = defaultdict(lambda: defaultdict(lambda: {"location": 0, "branch": 0}))
    for user_id, day, kind, n in rows:
        load[user_id][day]["location" if rules.AuditKind(kind).is_location else "branch"] += n
    names = {uid: name for uid, name in db.session.execute(sa.select(User.id, User.name).where(User.id.in_(list(load))))}
    days = [monday + timedelta(days=i) for i in range(7)]
    return [{"user_id": uid, "name": names.get(uid, "?"),
             "days": [{"date": d, **load[uid][d]} if d in load[uid] else {"date": d, "location": 0, "branch": 0}
                      for d in days]}
            for uid in sorted(load, key=lambda u: names.get(u, ""))]


def week_board(cki_id: int, monday: date, on: date, limit: int | None = None) -> dict:
    """The board; ``limit`` keeps the most urgent certificates (``certificates_total`` counts them all)."""
    rows = certificate_rows(cki_id, on)
    return {"week_start": monday, "week_end": monday + timedelta(days=6), "week": monday.isocalendar().week,
            "certificates": rows[:limit] if limit else rows, "certificates_total": len(rows),
            "meldingen": melding_candidates(cki_id, monday), "auditors": auditor_load(cki_id, monday),
            "changed": changed_meldingen(cki_id, on)}
