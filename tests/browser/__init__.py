"""Browser tests (Playwright with Debian's chromium) and what they share."""


def login(page, live_server, email):
    """Log in through the login page and wait for the start page."""
    from tests.conftest import PASSWORD

    page.goto(f"{live_server}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/start")
