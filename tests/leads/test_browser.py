"""In a real browser: sign in, open a lead, convert it with the dialog, land on the contact.

The test data is made before the browser starts and the browser is closed before the database
is cleaned (Playwright's sync API runs an event loop in this thread).
"""

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


@pytest.fixture
def lead_to_convert(db):
    rep = make_user("rita", "sales")
    existing = records.create("accounts", {"name": "Acme", "domain": "acme.es"}, actor=rep)
    records.create("accounts", {"name": "Ruiz Holding"}, actor=rep)
    lead = records.create("leads", {"first_name": "Ana", "last_name": "Ruiz",
                                    "company": "Acme S.L.", "email": "ana@acme.es",
                                    "phone": "+34 612 345 678"}, actor=rep)
    records.create("activities", {"kind": "call", "subject": "Discovery call",
                                  "lead_id": lead.pk}, actor=rep)
    return lead, existing


@pytest.fixture
def browser_page():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    yield page
    browser.close()
    playwright.stop()


def test_convert_a_lead_with_the_dialog(live_server, lead_to_convert, browser_page):
    lead, existing = lead_to_convert
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url

    page.goto(f"{base}/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw-rita")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard/")

    page.goto(f"{base}/leads/")
    page.click("text=Ruiz")
    expect(page.locator("h1")).to_have_text("Ana Ruiz")
    dialog = page.locator("#convert-dialog")
    expect(dialog).to_be_hidden()
    page.click("[data-open-dialog=convert-dialog]")
    expect(dialog).to_be_visible()
    # The existing account is offered and chosen by default; the user picks another one.
    expect(dialog.locator(f"input[name=account][value='{existing.pk}']")).to_be_checked()
    dialog.locator("[name=account_other] ~ .picker-box input").fill("Holding")
    dialog.locator(".picker-option", has_text="Ruiz Holding").click()
    expect(dialog.locator("input[name=account][value=other]")).to_be_checked()
    dialog.locator("input[name=contact][value=new]").check()
    dialog.locator("[name=opportunity_name]").fill("Acme rollout")
    dialog.locator("[name=opportunity_amount]").fill("2500")
    dialog.locator("button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/contacts/\d+/$"))
    expect(page.locator("h1")).to_have_text("Ana Ruiz")
    expect(page.locator("body")).to_contain_text("Lead converted.")
    expect(page.locator("#timeline")).to_contain_text("Discovery call")
    expect(page.locator("[data-field=account_id]")).to_contain_text("Ruiz Holding")
    assert errors == []
