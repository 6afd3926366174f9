"""What the search box finds. Read-only over the other domains' tables, each query on an index
or on a small table, so a search costs the same with ten years of meldingen behind it."""
import re
from dataclasses import dataclass

import sqlalchemy as sa

from cki.certificates.models import Certificate
from cki.companies.models import Company
from cki.core.db import db
from cki.core.schemas import MAX_INT
from cki.core.tenancy import scoped_select
from cki.dossiers.models import Dossier
from cki.meldingen.models import Melding
from workflows.text import nl_date

LIMIT = 10
_POSTCODE = re.compile(r"^(\d{4})\s?([A-Za-z]{2})\b\s*(.*)$")


@dataclass(frozen=True)
class Hit:
    kind: str  # company | certificate | melding | dossier
    id: int
    label: str
    detail: str
    url: str


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def search(query: str, principal) -> list[Hit]:
    """Hits for ``query`` among the principal's CKI, companies first, at most :data:`LIMIT` a kind."""
    q = " ".join(query.split())[:100]
    number = q.isascii() and q.isdecimal()  # "²" is a digit to Python, not a number to int()
    if len(q) < 2 and not number:
        return []
    hits: list[Hit] = []
    like = _like(q)
    companies = scoped_select(Company, principal).where(sa.or_(
        Company.name.ilike(like, escape="\\"), Company.kvk_number == q, Company.place.ilike(like, escape="\\")))
    hits += [Hit("company", c.id, c.name, f"{c.place} · KvK {c.kvk_number}", f"/bedrijven/{c.id}")
             for c in db.session.scalars(companies.order_by(Company.name).limit(LIMIT))]
    # running certificates by number, holder or KvK; an ended one by its exact number (ten years of
    # ended certificates are not read for every search)
    certificates = scoped_select(Certificate, principal).where(sa.or_(
        sa.and_(Certificate.status.in_(("valid", "suspended")), sa.or_(
            Certificate.number.ilike(like, escape="\\"), Certificate.holder_name.ilike(like, escape="\\"),
            Certificate.holder_kvk == q)),
        Certificate.number == q))
    hits += [Hit("certificate", c.id, c.number, f"{c.holder_name} · {c.status_label}", f"/certificaten/{c.id}")
             for c in db.session.scalars(certificates.order_by(Certificate.valid_until.desc()).limit(LIMIT))]
    meldingen = None
    if number and 0 < int(q) <= MAX_INT:
        meldingen = scoped_select(Melding, principal).where(sa.or_(Melding.id == int(q), Melding.lavs_project_id == q))
        dossier = db.session.scalar(scoped_select(Dossier, principal).where(Dossier.id == int(q)))
        if dossier is not None:
            hits.append(Hit("dossier", dossier.id, f"Dossier {dossier.id}", f"{dossier.company.name} · {dossier.scheme}",
                            f"/dossiers/{dossier.id}"))
    elif match := _POSTCODE.match(q):
        postcode, rest = (match.group(1) + match.group(2)).upper(), match.group(3).strip()
        meldingen = scoped_select(Melding, principal).where(Melding.postcode == postcode)
        if rest:  # a house number or street after the postcode narrows it
            meldingen = meldingen.where(Melding.street.ilike(_like(rest), escape="\\"))
    else:
        meldingen = scoped_select(Melding, principal).where(Melding.lavs_project_id == q)
    hits += [Hit("melding", m.id, f"Melding {m.id}", f"{m.street}, {m.postcode} {m.place} · {nl_date(m.planned_start)}",
                 f"/meldingen/{m.id}")
             for m in db.session.scalars(meldingen.order_by(Melding.planned_start.desc(), Melding.id.desc())
                                         .limit(LIMIT))]
    return hits
