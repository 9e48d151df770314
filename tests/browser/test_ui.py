"""The web interface in a real browser (system Chromium through Playwright): sign in, create a
contact with the form, find it in the list, filter the list with the filter builder, and add a
note on its timeline; the login page in Spanish.

Playwright's sync API runs an event loop in this thread while the browser is open. The test
data is made before the browser starts and the browser is closed before the database is
cleaned, so that the database is never used from inside that loop.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.conftest import make_user  # noqa: E402
from vinculo.platform import records  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def rep_with_a_contact(db):
    rep = make_user("rita", "sales")
    records.create("contacts", {"first_name": "Bea", "last_name": "Blanco", "city": "Sevilla"},
                   actor=rep)
    return rep


def open_browser(**context_options):
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    context = browser.new_context(**context_options)
    return playwright, browser, context.new_page()


@pytest.fixture
def desktop():
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    yield page
    browser.close()
    playwright.stop()


@pytest.fixture
def spanish():
    playwright, browser, page = open_browser(locale="es-ES")
    yield page
    browser.close()
    playwright.stop()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard/")


def test_create_find_filter_and_note_a_contact(live_server, rep_with_a_contact, desktop):
    page = desktop
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    sign_in(page, base, "rita")

    page.goto(f"{base}/contacts/new/")
    page.fill("[name=first_name]", "José")
    page.fill("[name=last_name]", "García")
    page.fill("[name=email]", "jose@example.com")
    page.fill("[name=city]", "Madrid")
    page.click("form[data-record-form] button[type=submit]")
    expect(page.locator("h1")).to_have_text("José García")

    page.goto(f"{base}/contacts/")
    rows = page.locator("#results tbody tr")
    expect(rows).to_have_count(2)

    page.click("[data-toggle-panel=filter-panel]")
    page.click("text=+ Add condition")
    page.select_option("[data-fb-field]", "city")
    page.select_option("[data-fb-op]", "eq")
    page.fill("[data-fb-value]", "Madrid")
    page.click("[data-filter-apply]")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("José García")
    assert "filter=" in page.url

    page.keyboard.press("Escape")
    page.locator("body").press("/")
    expect(page.locator("#global-search")).to_be_focused()
    page.keyboard.type("blanco")
    expect(page.locator("#search-popover")).to_contain_text("Bea Blanco")

    page.goto(f"{base}/contacts/")
    page.click("text=José García")
    page.fill("#quick-body", "Prefers calls in the morning.")
    page.click("text=Add to timeline")
    expect(page.locator("#timeline")).to_contain_text("Prefers calls in the morning.")
    assert errors == []


def test_the_login_page_speaks_the_browsers_language(live_server, spanish):
    spanish.goto(f"{live_server.url}/login/")
    assert spanish.get_attribute("html", "lang") == "es"
