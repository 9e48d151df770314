"""In a real browser (system Chromium through Playwright): create a quote with two lines in the
lines editor, accept it, and invoice the order."""

import os
import re

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
def catalogue(db):
    admin = make_user("boss", "admin")
    make_user("sam", "sales")
    pen = records.create("products", {"sku": "PEN", "name": "Pen", "unit_price": "2.50"},
                         actor=admin)
    desk = records.create("products", {"sku": "DESK", "name": "Desk", "unit_price": "200"},
                          actor=admin)
    return pen, desk


@pytest.fixture
def page():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_context(viewport={"width": 1440, "height": 900}).new_page()
    yield page
    browser.close()
    playwright.stop()


def test_quote_with_two_lines_accepted_and_invoiced(live_server, catalogue, page):
    pen, desk = catalogue
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "sam")
    page.fill("#id_password", "pw-sam")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard/")

    page.goto(f"{base}/quotes/new/")
    rows = page.locator("[data-line]")
    expect(rows).to_have_count(2)
    # Remove the blank rows, then add two lines with the editor's button.
    page.locator("[data-remove-line]").first.click()
    page.locator("[data-remove-line]").first.click()
    expect(rows).to_have_count(0)
    page.click("[data-add-line]")
    page.click("[data-add-line]")
    expect(rows).to_have_count(2)
    first, second = rows.nth(0), rows.nth(1)
    first.locator("[data-line-product]").select_option(str(pen.pk))
    first.locator("[data-line-quantity]").fill("4")
    second.locator("[data-line-product]").select_option(str(desk.pk))
    second.locator("[data-line-discount]").fill("10")
    second.locator("[data-line-tax]").fill("21")
    expect(page.locator("[data-lines-total]")).to_have_text("227.80")  # 10 + 180 × 1.21
    page.click("form[data-lines-form] button[type=submit]")

    expect(page.locator("[data-document-total]")).to_have_text("227.80 EUR")
    expect(page.locator("[data-document-lines] tbody tr")).to_have_count(2)
    quote_url = page.url

    page.click("[data-action=accept]")
    expect(page).to_have_url(re.compile(r"/orders/\d+/$"))
    expect(page.locator("[data-document-total]")).to_have_text("227.80 EUR")

    page.click("[data-action=invoice]")
    expect(page.locator("[data-action=issue]")).to_be_visible()
    page.click("[data-action=issue]")
    expect(page.locator("h1")).to_contain_text("INV-")
    expect(page.locator("[data-locked]")).to_be_visible()

    page.goto(quote_url)
    expect(page.locator("[data-action=accept]")).to_have_count(0)
    assert errors == []
