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
