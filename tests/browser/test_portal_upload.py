"""A company uploads a CSV of meldingen in a real browser: the report appears in the page.

Deterministic: each step waits for what it needs (the page loaded, htmx ready) instead of racing
the browser; visibility is asserted with Playwright's waiting expectations."""
import pytest
from playwright.sync_api import expect

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CSV = ("scheme;street;postcode;place;planned_start;planned_end\n"
       "SC-530;Laan 1;3511AB;Utrecht;2030-03-04;2030-03-05\n"
       "SC-530;Laan 2;35;Utrecht;2030-03-04;2030-03-05\n")


def _open_upload_page(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/start")
    page.click("text=Uploaden")
    page.wait_for_url("**/meldingen/uploaden")
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.htmx !== undefined")  # htmx's deferred script has run


def test_company_uploads_meldingen_and_reads_the_report(tenant, live_server, page, tmp_path):
    upload = tmp_path / "meldingen.csv"
    upload.write_text(CSV)
    _open_upload_page(page, live_server, tenant.emails["company1"])
    expect(page.locator("#bezig-meldingen")).to_be_hidden()  # shown only while the file is processed

    form = page.locator("form[hx-post$='/uploaden/meldingen']")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("button[type=submit]").click()

    result = page.locator("#resultaat-meldingen .upload-result")
    expect(result).to_contain_text("1 aangenomen")
    expect(result).to_contain_text("1 geweigerd")
    assert page.url.endswith("/meldingen/uploaden")  # swapped into the page, not a new page
    expect(page.locator("#bezig-meldingen")).to_be_hidden()


def test_an_upload_over_the_size_limit_says_why_in_the_page(app, tenant, live_server, page, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    upload = tmp_path / "groot.csv"
    upload.write_text(CSV + "SC-530;Laan 3;3511AB;Utrecht;2030-03-04;2030-03-05\n" * 30_000)  # about 1.5 MB
    _open_upload_page(page, live_server, tenant.emails["company1"])
    form = page.locator("form[hx-post$='/uploaden/meldingen']")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("button[type=submit]").click()
    expect(page.locator("#resultaat-meldingen [role=alert]")).to_contain_text("groter dan de toegestane 1 MB")
    assert page.url.endswith("/meldingen/uploaden")
    expect(page.locator("#bezig-meldingen")).to_be_hidden()
