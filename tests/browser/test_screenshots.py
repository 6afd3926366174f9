"""The README's pictures of the main pages (`make screenshots` writes them to docs/img), taken in a
real chromium on the same data the tests build; without CKI_SCREENSHOTS the pages are still
opened and must answer, so the picture list cannot rot."""
import os
from pathlib import Path

import pytest

from tests.browser import login
from tests.browser.test_work_lists import _work
from tests.test_dossier_pages import _granted
from tests.test_meldingen import submit

pytestmark = pytest.mark.browser
IMG = Path(__file__).resolve().parents[2] / "docs" / "img"


@pytest.fixture
def clock_start():
    return "2026-04-23"


def test_the_main_pages_for_the_readme(app, client, tenant, clock, live_server, page):
    cid = _work(app, client, tenant, clock)
    dossier = _granted(client, tenant)
    for n, street in enumerate(("Kerkstraat 9", "Dorpsweg 3", "Havenkade 12")):
        submit(client, tenant, street=street, planned_start=f"2026-05-0{5 + n}", planned_end="2026-05-08")
    shots = {  # file: (who, url, viewport)
        "start-planner.png": ("planner", "/start", (1200, 900)),
        "meldingen-week.png": ("planner", "/meldingen/?view=week&day=2026-05-05", (1200, 900)),
        "dossier-window.png": ("planner", f"/dossiers/{dossier.id}", (1200, 1000)),
        "certificate-programme.png": ("planner", f"/certificaten/{cid}", (1200, 1100)),
        "search.png": ("planner", "/zoeken/?q=bedrijf", (1200, 700)),
        "users-admin.png": ("admin", "/beheer/gebruikers", (1200, 900)),
        "start-company-phone.png": ("company1", "/start", (390, 844)),
        "finding-english.png": ("team_leader", "/bevindingen/", (1200, 700)),  # who chose English
    }
    assert client.patch("/api/v1/me", json={"language": "en"}, headers=tenant.auth("team_leader")).status_code == 200
    take = bool(os.environ.get("CKI_SCREENSHOTS"))
    for name, (who, url, (width, height)) in shots.items():
        page.set_viewport_size({"width": width, "height": height})
        login(page, live_server, tenant.emails[who])
        response = page.goto(f"{live_server}{url}")
        assert response.status == 200, (name, response.status)
        if take:
            IMG.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(IMG / name))
        page.context.clear_cookies()
