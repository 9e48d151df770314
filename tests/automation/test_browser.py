"""Business rules and webhooks set up in a real browser (system Chromium through Playwright):
a rule built with the filter builder refuses a contact in the contact form; a webhook made in
the settings shows its secret once and its delivery log."""

from __future__ import annotations

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.conftest import make_user  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SHOTS = os.environ.get("VINCULO_SCREENSHOTS", "")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True


@pytest.fixture
def people(db):
    return make_user("ada", "admin"), make_user("rita", "sales")


@pytest.fixture
def page():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    page = browser.new_context(viewport={"width": 1440, "height": 1000}).new_page()
    yield page
    browser.close()
    playwright.stop()


def sign_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", f"pw-{username}")
    page.click("button[type=submit]")
    expect(page).to_have_url(f"{base}/dashboard/")


def shot(page, name: str) -> None:
    if SHOTS:
        page.screenshot(path=os.path.join(SHOTS, f"{name}.png"), full_page=True)


def test_a_rule_built_in_the_browser_refuses_a_contact(live_server, people, page):
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    sign_in(page, base, "ada")
    page.goto(f"{base}/settings/business-rules/new/?entity=contacts")
    page.fill("[name=name]", "No contacts in Atlantis")
    page.select_option("[name=action]", "refuse")
    page.fill("[name=message_en]", "We do not sell in Atlantis.")
    page.fill("[name=message_es]", "No vendemos en Atlántida.")
    page.select_option("[name=fields]", ["city"])
    page.click("text=+ Add condition")
    page.select_option("[data-fb-field]", "city")
    page.select_option("[data-fb-op]", "ieq")
    page.fill("[data-fb-value]", "atlantis")
    shot(page, "business-rule-form")
    page.click("#rule-form button[type=submit]")
    expect(page).to_have_url(f"{base}/settings/business-rules/")
    expect(page.locator("table")).to_contain_text("No contacts in Atlantis")
    shot(page, "business-rules")

    page.context.clear_cookies()
    sign_in(page, base, "rita")
    page.goto(f"{base}/contacts/new/")
    page.fill("[name=last_name]", "Poseidón")
    page.fill("[name=city]", "Atlantis")
    page.click("form[data-record-form] button[type=submit]")
    expect(page.locator("[data-field=city]")).to_contain_text("We do not sell in Atlantis.")
    assert errors == []


def test_a_webhook_made_in_the_settings(live_server, people, page):
    base = live_server.url
    sign_in(page, base, "ada")
    page.goto(f"{base}/settings/webhooks/new/")
    page.fill("[name=name]", "ERP")
    page.fill("[name=url]", "http://127.0.0.1:9/hook")
    page.check("input[value='contacts.created']")
    page.check("input[value='opportunities.updated']")
    page.click("form.form-card button[type=submit]")
    expect(page.locator("#webhook-secret")).to_contain_text("whsec_")
    shot(page, "webhook-detail")
    page.reload()
    expect(page.locator("#webhook-secret")).to_have_count(0)
    expect(page.locator("input[value='contacts.created']")).to_be_checked()
    page.goto(f"{base}/settings/webhooks/")
    expect(page.locator("table")).to_contain_text("ERP")
    shot(page, "webhooks")
