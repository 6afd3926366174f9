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
