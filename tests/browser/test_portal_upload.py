"""A company uploads a CSV of meldingen in a real browser: the report appears in the page."""
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser

CSV = ("scheme;street;postcode;place;planned_start;planned_end\n"
       "SC-530;Laan 1;3511AB;Utrecht;2030-03-04;2030-03-05\n"
       "SC-530;Laan 2;35;Utrecht;2030-03-04;2030-03-05\n")


def test_company_uploads_meldingen_and_reads_the_report(tenant, live_server, page, tmp_path):
    upload = tmp_path / "meldingen.csv"
    upload.write_text(CSV)
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", tenant.emails["company1"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Uploaden")
    assert not page.locator("#bezig-meldingen").is_visible()  # shown only while the file is processed

    form = page.locator("form[hx-post$='/uploaden/meldingen']")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("button[type=submit]").click()

    result = page.locator("#resultaat-meldingen .upload-result")
    result.wait_for()
    assert "1 aangenomen" in result.inner_text() and "1 geweigerd" in result.inner_text()
    assert page.url.endswith("/meldingen/uploaden")  # swapped into the page, not a new page


def test_an_upload_over_the_size_limit_says_why_in_the_page(app, tenant, live_server, page, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024 * 1024)
    upload = tmp_path / "groot.csv"
    upload.write_text(CSV + "SC-530;Laan 3;3511AB;Utrecht;2030-03-04;2030-03-05\n" * 30_000)  # about 1.5 MB
    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", tenant.emails["company1"])
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.click("text=Uploaden")
    form = page.locator("form[hx-post$='/uploaden/meldingen']")
    form.locator("input[type=file]").set_input_files(str(upload))
    form.locator("button[type=submit]").click()
    refusal = page.locator("#resultaat-meldingen [role=alert]")
    refusal.wait_for()
    assert "groter dan de toegestane 1 MB" in refusal.inner_text()
    assert page.url.endswith("/meldingen/uploaden") and not page.locator("#bezig-meldingen").is_visible()
