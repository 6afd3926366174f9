"""Demo data: one CKI, staff of every role, a few companies with branches and portal users.

Loaded by ``make run`` so a newcomer has something to click through. Not for production.
"""
from datetime import date

from cki.companies import operations as companies
from cki.core.auth import Principal
from cki.core.db import db
from cki.events.chain import seal
from cki.tenants.models import Cki
from cki.users import operations as users
from cki.users.models import Role

DEMO_PASSWORD = "demo-wachtwoord"
DEMO_KVK = "90000001"

STAFF = [
    ("beheer@demo-cki.nl", "Bea Beheer", [Role.ADMIN]),
    ("planner@demo-cki.nl", "Piet Planner", [Role.PLANNER]),
    ("beoordelaar@demo-cki.nl", "Bram Beoordelaar", [Role.ASSESSOR]),
    ("beoordelaar2@demo-cki.nl", "Ans Assessor", [Role.ASSESSOR]),
    ("teamleider@demo-cki.nl", "Tineke Teamleider", [Role.TEAM_LEADER, Role.ASSESSOR]),
    ("beslisser@demo-cki.nl", "Daan Beslisser", [Role.DECIDER]),
    ("secretariaat@demo-cki.nl", "Sanne Secretariaat", [Role.OFFICE]),
    ("kwaliteit@demo-cki.nl", "Kees Kwaliteit", [Role.QUALITY_MANAGER]),
    ("rva@demo-cki.nl", "Rita RvA (toezicht)", [Role.REVIEWER]),
]

COMPANIES = [
    ({"name": "Asbestinventarisatie Noord B.V.", "place": "Groningen", "kvk_number": "12345678"},
     [{"name": "Hoofdkantoor", "address": "Damsterdiep 10, 9711 SM Groningen", "is_head_office": True},
      {"name": "Filiaal Assen", "address": "Stationsstraat 3, 9401 KV Assen", "kvk_number": "12345679"}],
     "portaal@noord-inventarisatie.nl"),
    ({"name": "Sloop & Sanering Zuid B.V.", "place": "Eindhoven", "kvk_number": "23456789"},
     [{"name": "Hoofdvestiging", "address": "Kanaaldijk 5, 5611 AB Eindhoven", "is_head_office": True},
      {"name": "Vestiging Tilburg", "address": "Ringbaan-West 200, 5037 PB Tilburg"},
      {"name": None, "address": "Industrieweg 7, 5900 AA Venlo", "kvk_number": "23456790"}],
     "portaal@zuid-sanering.nl"),
    ({"name": "Veilig Asbest Midden B.V.", "place": "Utrecht", "kvk_number": "34567890"},
     [{"name": "Kantoor Utrecht", "address": "Vaartsche Rijn 40, 3523 AA Utrecht", "is_head_office": True}],
     "portaal@veilig-midden.nl"),
]


def load_demo() -> tuple[bool, list[tuple[str, str]]]:
    logins = [(email, ", ".join(r.value for r in roles)) for email, _, roles in STAFF]
    logins += [(email, f"bedrijf: {c['name']}") for c, _, email in COMPANIES]
    if db.session.scalar(db.select(Cki).where(Cki.kvk_number == DEMO_KVK)) is not None:
        return False, logins

    cki = Cki(name="Stichting Demo Certificatie Asbest", kvk_number=DEMO_KVK,
              calendar_closed=[{"date": "2026-12-31", "reason": "Kantoor gesloten (oudejaarsdag)"}])
    db.session.add(cki)
    db.session.flush()
    system = Principal(cki_id=cki.id, label="demodata")
    from flask import g

    g.principal = system  # the event log records who loaded the data
    for email, name, roles in STAFF:
        user = users.create_user(cki.id, {"email": email, "name": name, "kind": "staff",
                                          "roles": [r.value for r in roles], "password": DEMO_PASSWORD})
        for scheme in ("SC-540", "SC-530"):
            for role, function in ((Role.ASSESSOR, "assessor"), (Role.TEAM_LEADER, "team_leader"),
                                   (Role.DECIDER, "decider")):
                if role in roles:
                    users.add_qualification(user, {"scheme": scheme, "function": function,
                                                   "valid_from": date(2024, 1, 1), "valid_to": None})
    made = []
    for data, branches, portal_email in COMPANIES:
        company = companies.create_company(cki.id, data)
        for branch in branches:
            companies.create_branch(company, branch)
        users.create_user(cki.id, {"email": portal_email, "name": f"Portaal {data['name']}",
                                   "kind": "company", "company_id": company.id, "roles": [],
                                   "password": DEMO_PASSWORD})
        made.append(company)
    _demo_dossiers_and_meldingen(cki, made)
    _demo_certificates(cki, made)
    db.session.commit()
    seal()  # the demo's log entries chained at once, so `flask events verify` shows them sealed
    return True, logins


def _demo_dossiers_and_meldingen(cki, made):
    """Two applications to click through, and a few meldingen in the coming weeks."""
    from datetime import timedelta

    from cki.core.clock import today
    from cki.dossiers import operations as dossiers
    from cki.meldingen.operations import submit_melding
    from workflows.calendar import legal_calendar

    noord, zuid, midden = made
    start = today()
    # Noord applied for SC-540 and handed in its declaration: ready to be taken into treatment.
    d = dossiers.create_dossier(cki.id, {"company_id": noord.id, "scheme": "SC-540", "applied_on": start})
    dossiers.record_declaration(d, {"declared_on": start, "held_or_applied_elsewhere": False,
                                    "informed_of_rules": True})
    # Midden applied for SC-540 without the declaration yet: the page says what is missing.
    dossiers.create_dossier(cki.id, {"company_id": midden.id, "scheme": "SC-540", "applied_on": start})
    # Zuid applied for SC-530.
    dossiers.create_dossier(cki.id, {"company_id": zuid.id, "scheme": "SC-530", "applied_on": start})
    cal = legal_calendar()
    for n, (street, postcode, place) in enumerate([("Kanaaldijk 12", "5611AB", "Eindhoven"),
                                                    ("Stratumseind 3", "5611EN", "Eindhoven"),
                                                    ("Heuvel 9", "5038CS", "Tilburg")]):
        first = cal.add(start, 5 + 3 * n)
        submit_melding(zuid, {"scheme": "SC-530", "street": street, "postcode": postcode, "place": place,
                              "client": "Woonstichting Zuid", "responsible_person": "DTA P. de Wit",
                              "containment": n != 1, "planned_start": first,
                              "planned_end": first + timedelta(days=2)}, channel="portal", source="demo")


def _demo_certificates(cki, made):
    """Certificates in several periods, one on track and one behind with a catch-up, audits done
    and planned (one unannounced, which the company's portal does not show)."""
    from datetime import timedelta

    from cki.certificates import operations as certificates
    from cki.core.clock import today
    from cki.dossiers.models import Dossier
    from cki.findings import operations as findings
    from cki.letters import operations as letters
    from cki.letters.models import Letter
    from cki.surveillance import operations as surveillance
    from cki.surveillance.models import Audit, AuditAuditor, CatchUp
    from cki.users.models import User
    from workflows.calendar import legal_calendar
    from workflows.schemes import load_scheme
    from workflows.surveillance import period_of

    noord, zuid, _ = made
    day = today()
    staff = {u.email: u for u in db.session.scalars(db.select(User).where(User.cki_id == cki.id))}
    auditors = [staff["beoordelaar@demo-cki.nl"], staff["beoordelaar2@demo-cki.nl"], staff["teamleider@demo-cki.nl"]]
    for company in (noord, zuid):
        for person in auditors:
            users.declare_conflict(person, {"company_id": company.id, "declared_on": day - timedelta(days=900),
                                            "clear": True})

    def grant(company, scheme, issued_on):
        # Granted before this system was in use (taken over from paper): the dossier is recorded as granted.
        dossier = Dossier(cki_id=cki.id, company_id=company.id, scheme=scheme, scheme_version="overgenomen",
                          state="granted", applied_on=issued_on - timedelta(days=120), decided_on=issued_on)
        db.session.add(dossier)
        db.session.flush()
        return certificates.issue(dossier=dossier, company=company, branches=company.branches,
                                  scheme=load_scheme(scheme, issued_on), issued_on=issued_on)

    def done(certificate, branch_id, kind, on, who):
        period = period_of(surveillance.periods_of(certificate), on)
        audit = Audit(cki_id=cki.id, certificate_id=certificate.id, company_id=certificate.company_id,
                      branch_id=branch_id, kind=kind, period_index=period.index, planned_on=on, done_on=on,
                      status="done", unannounced=kind in ("regular", "total"),
                      auditors=[AuditAuditor(cki_id=cki.id, user_id=who.id)])
        db.session.add(audit)

    # Zuid, SC-530, in its third period: period 1 complete, period 2 short (caught up), period 3 under way.
    sc530 = grant(zuid, "SC-530", day - timedelta(days=2 * 365 + 200))
    head = next(b["branch_id"] for b in sc530.branches if b["is_head_office"])
    for index, days in ((0, 180), (1, 260), (2, 150)):
        surveillance.declare_figures(sc530, {"period_index": index, "branch_id": head,
                                             "figures": {"project_days": days}, "works": 9})
    periods = surveillance.periods_of(sc530)
    for n in range(7):
        done(sc530, head, "total", periods[0].start + timedelta(days=30 + 40 * n), auditors[n % 2])
    for b in sc530.branches:
        done(sc530, b["branch_id"], "branch", periods[0].start + timedelta(days=100), auditors[2])
        done(sc530, b["branch_id"], "branch", periods[1].start + timedelta(days=90), auditors[2])
    for n in range(5):
        done(sc530, head, "total", periods[1].start + timedelta(days=20 + 50 * n), auditors[n % 2])
    db.session.flush()
    shortfall = [{"branch_id": head, "kind": "total", "count": 3}]
    db.session.add(CatchUp(cki_id=cki.id, certificate_id=sc530.id, company_id=zuid.id, period_index=2,
                           shortfall=shortfall, reason="Weinig werken in de winter; aangevuld in periode 3.",
                           recorded_on=periods[1].end - timedelta(days=10)))
    for n in range(3):
        done(sc530, head, "total", periods[2].start + timedelta(days=15 + 30 * n), auditors[n % 2])
    db.session.flush()
    surveillance.plan_audit(sc530, {"kind": "total", "branch_id": head, "planned_on": day + timedelta(days=8),
                                    "auditor_ids": [auditors[0].id]})
    # Two findings of the last audit: a category A whose T1 is done, and a B waiting for the company.
    last = db.session.scalars(db.select(Audit).where(Audit.certificate_id == sc530.id, Audit.status == "done")
                              .order_by(Audit.done_on.desc())).first()
    items = surveillance.current_checklist(cki.id, "SC-530", "total", last.done_on).items
    a = findings.record(sc530, audit_id=last.id, item=items[3], category="A", found_on=last.done_on,
                        evidence="Onderdruk in de containment niet bewaakt; geen registratie van de meter.")
    b = findings.record(sc530, audit_id=last.id, item=items[2], category="B", found_on=last.done_on,
                        evidence="Logboek van de dag ervoor niet bijgewerkt.")
    db.session.flush()
    # The report letter: sent by post two werkdagen later (its dispatch date completes T1 and N1),
    # and a reminder for the B waiting for the office.
    findings.write_result(sc530, [a, b], audit=(last.id, f"beoordeling van {last.done_on:%d-%m-%Y}"))
    if last.done_on < day:
        report = db.session.scalars(db.select(Letter).where(Letter.regarding_type == "audit",
                                                            Letter.regarding_id == last.id)).one()
        letters.dispatch(report, {"sent_on": min(day, legal_calendar().add(last.done_on, 2)), "channel": "post"},
                         sent_before_recorded=True)
        findings.remind(b)

    # Noord, SC-540 with a branch, in its first period: on track.
    sc540 = grant(noord, "SC-540", day - timedelta(days=120))
    ids = [(b["branch_id"], b["is_head_office"]) for b in sc540.branches]
    for branch_id, is_head in ids:
        surveillance.declare_figures(sc540, {"period_index": 0, "branch_id": branch_id, "figures": {
            "avg_dia": 4 if is_head else 1, "avg_reports": 800 if is_head else 300}})
    head = next(b for b, is_head in ids if is_head)
    for n in range(2):
        done(sc540, head, "regular", day - timedelta(days=90 - 30 * n), auditors[n % 2])
    done(sc540, head, "result_oriented", day - timedelta(days=40), auditors[2])
    db.session.flush()
    surveillance.plan_audit(sc540, {"kind": "result_oriented", "branch_id": head,
                                    "planned_on": day + timedelta(days=15), "auditor_ids": [auditors[2].id]})
