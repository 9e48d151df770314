"""The rule form in a real browser: the filter builder writes the rule's condition."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser, sign_in  # noqa: E402
from tests.conftest import make_user  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_a_rule_with_a_condition_from_the_filter_builder(live_server):
    from vinculo.sales.assignment.models import AssignmentRule

    make_user("alice", "admin")
    make_user("sam", "sales", teams=["North"])
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = live_server.url
        sign_in(page, base, "alice")
        page.goto(f"{base}/settings/assignment-rules/new/?entity=leads")
        page.fill("[name=name]", "Web leads")
        page.select_option("[name=method]", "round_robin")
        page.select_option("[name=team_id]", label="North")
        page.click("text=+ Add condition")
        page.select_option("[data-fb-field]", "source")
        page.select_option("[data-fb-op]", "eq")
        value = page.locator("[data-fb-value]")
        if value.evaluate("el => el.tagName") == "SELECT":
            value.select_option("web")
        else:
            value.fill("web")
        page.click("#rule-form button[type=submit]")
        expect(page).to_have_url(f"{base}/settings/assignment-rules/")
        expect(page.locator("table")).to_contain_text("Web leads")
        page.click("a.row-link:has-text(\"Web leads\")")
        expect(page.locator("[data-fb-field]")).to_have_value("source")
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
    rule = AssignmentRule.objects.get(name="Web leads")
    assert rule.condition == {"all": [{"field": "source", "op": "eq", "value": "web"}]}
    assert rule.method == "round_robin"
