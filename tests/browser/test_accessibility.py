"""Accessibility in a real browser: axe-core (vendored, ``tests/browser/vendor/axe-core``) over the
main pages of every role, WCAG 2 A and AA rules; no serious or critical violation allowed."""
from pathlib import Path

import pytest

from tests.browser import login
from tests.browser.test_work_lists import _work
from tests.test_lavs_intake import upload as upload_lavs
from tests.test_meldingen import submit

#: GET routes that are no page a person works in: what they answer instead.
NOT_PAGES = {"home.index": "a redirect to the start page or the login",
             "deadlines.calendar_feed": "an iCalendar feed",
             "certificates.report_photo_file": "a photo file"}

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text()


@pytest.fixture
def clock_start():
    return "2026-04-23"


def violations(page) -> list[str]:
    """axe's serious and critical findings on the page as it is, one line each."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE + "\n;0")  # through the DevTools protocol: the page's CSP does not apply
    result = page.evaluate("""() => axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa',
                                  'wcag21a', 'wcag21aa']}, resultTypes: ['violations']})""")
    return [f"{v['id']} ({v['impact']}): {v['help']} — {node['target']}"
            for v in result["violations"] if v["impact"] in ("serious", "critical") for node in v["nodes"][:3]]


def pages(ids: dict) -> dict[str, list[str]]:
    staff = ["/start", "/meldingen/", f"/meldingen/{ids['melding']}", "/meldingen/?view=week", "/meldingen/lavs",
             f"/meldingen/lavs/{ids['lavs']}",
             "/bedrijven/", f"/bedrijven/{ids['company']}", "/dossiers/", "/certificaten/",
             f"/certificaten/{ids['certificate']}", f"/certificaten/{ids['certificate']}/besluiten", "/bevindingen/",
             f"/bevindingen/{ids['finding']}", "/post/", "/termijnen/", "/berichten/", "/planning/",
             "/zoeken/?q=bedrijf", f"/dossiers/{ids['dossier']}", "/dossiers/toestandsdiagram",
             f"/certificaten/beoordelingen/{ids['audit']}/rapport", "/meldingen/fax", f"/post/brieven/{ids['letter']}",
             "/begrippen"]
    return {"planner": staff, "admin": ["/beheer/gebruikers", f"/beheer/gebruikers/{ids['user']}",
                                       "/beheer/api-koppelingen"],
            "assessor": ["/start", f"/certificaten/beoordelingen/{ids['audit']}/rapport"],
            "decider": ["/start", "/bevindingen/voorstellen", "/bevindingen/sancties"],
            "office": ["/post/", "/post/register/", "/post/bezwaren", "/post/uitgaande-email"],
            "quality_manager": ["/post/sjablonen", "/planning/checklists"],
            "company1": ["/start", "/meldingen/", f"/meldingen/{ids['melding']}", f"/bedrijven/{ids['company']}",
                         "/meldingen/uploaden", "/post/", f"/bevindingen/{ids['finding']}"]}


def something_on_every_page(app, client, tenant, clock) -> dict:
    """A certificate with a finding, letters, an audit with its report, a melding, a dossier: the
    ids the main pages need (also for the pages in English, tests/test_i18n.py)."""
    from tests.test_dossiers import Walk

    cid = _work(app, client, tenant, clock)
    melding = submit(client, tenant, street="Kerkstraat 9", planned_start="2026-05-04", planned_end="2026-05-06")
    finding = client.get(f"/api/v1/findings?certificate_id={cid}", headers=tenant.auth("planner")).json[0]
    dossier = Walk(client, tenant, "SC-540").into_assessment()
    audit = client.get(f"/api/v1/audits?certificate_id={cid}", headers=tenant.auth("planner")).json[0]
    letter = client.get("/api/v1/letters", headers=tenant.auth("office")).json[0]
    [lavs] = upload_lavs(client, tenant, "startmelding.xml")  # its company is not known here: parked
    return {"lavs": lavs["id"], "certificate": cid, "melding": melding["id"], "company": tenant.ids["company1"], "finding": finding["id"],
            "dossier": dossier.id, "audit": audit["id"], "letter": letter["id"], "user": tenant.ids["user_assessor"]}


def test_every_page_is_in_the_accessibility_run(app):
    """A new page fails this until it is added to :func:`pages` (or, if it is no page, to NOT_PAGES)."""
    ids = {key: 1 for key in ("certificate", "melding", "company", "finding", "dossier", "audit", "letter", "user",
                              "lavs")}
    adapter = app.url_map.bind("localhost")
    checked = {adapter.match(url.split("?")[0])[0] for urls in pages(ids).values() for url in urls}
    checked.add("auth.login")  # checked first, before anyone logs in
    routes = {rule.endpoint for rule in app.url_map.iter_rules() if "GET" in rule.methods
              and not rule.rule.startswith("/api/") and rule.endpoint != "static"}
    assert routes - checked - set(NOT_PAGES) == set()


def test_no_serious_accessibility_violation_on_the_main_pages(app, client, tenant, clock, live_server, page):
    ids = something_on_every_page(app, client, tenant, clock)
    page.goto(f"{live_server}/login")
    found = [f"/login: {v}" for v in violations(page)]
    for who, urls in pages(ids).items():
        login(page, live_server, tenant.emails[who])
        for url in urls:
            response = page.goto(f"{live_server}{url}")
            assert response.status < 400, f"{who} {url}: {response.status}"
            found += [f"{who} {url}: {v}" for v in violations(page)]
        page.context.clear_cookies()
    assert not found, "\n".join(found)


@pytest.mark.parametrize("size", [(375, 740), (820, 1180)], ids=["phone", "tablet"])
def test_the_main_pages_fit_a_phone_and_a_tablet(app, client, tenant, clock, live_server, page, size):
    """Nothing cut off: the page is no wider than the screen (wide tables scroll inside themselves),
    and every menu link lies within it."""
    cid = _work(app, client, tenant, clock)
    submit(client, tenant, street="Kerkstraat 9", planned_start="2026-05-04", planned_end="2026-05-06")
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, live_server, tenant.emails["planner"])
    cut = []
    for url in ["/start", "/meldingen/", "/meldingen/?view=week", f"/certificaten/{cid}", "/planning/",
                "/termijnen/", "/bevindingen/"]:
        page.goto(f"{live_server}{url}")
        width = page.evaluate("() => document.documentElement.scrollWidth")
        if width > size[0] + 1:
            cut.append(f"{url}: {width}px wide on a {size[0]}px screen")
        outside = page.evaluate("""(w) => [...document.querySelectorAll('header.top nav a')]
            .filter(a => a.getBoundingClientRect().right > w + 1).map(a => a.textContent)""", size[0])
        if outside:
            cut.append(f"{url}: menu links cut off: {outside}")
        cut += [f"{url}: {v}" for v in violations(page)]  # a table scrolling within itself stays reachable
    assert not cut, "\n".join(cut)
