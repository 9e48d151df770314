"""The inbox in a real browser: open a thread with the keyboard, reply with it, close it."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser, sign_in  # noqa: E402
from tests.inbox.conftest import sms_params  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def test_open_a_thread_and_reply_with_the_keyboard(live_server, hooks, sms, agent, provider):
    from vinculo.channels.inbox.models import Conversation
    from vinculo.platform import records

    records.create("contacts", {"first_name": "Lucía", "last_name": "Gómez",
                                "mobile": "+34 612 345 678"}, actor=agent)

    assert hooks.twilio(sms, "sms", sms_params("+34699000000", "Primera")).status_code == 200
    assert hooks.twilio(sms, "sms", sms_params("+34612345678", "¿Abrís el domingo?")
                        ).status_code == 200
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = live_server.url
        sign_in(page, base, "ana")
        page.goto(f"{base}/inbox/")
        expect(page.locator("[data-thread]")).to_have_count(2)
        page.keyboard.press("j")  # the newest thread: Lucía's
        expect(page.locator(".inbox-conversation")).to_contain_text("¿Abrís el domingo?")
        expect(page.locator(".inbox-contact")).to_contain_text("Lucía")
        page.keyboard.press("j")
        expect(page.locator(".inbox-conversation")).to_contain_text("Primera")
        page.keyboard.press("k")
        expect(page.locator(".inbox-conversation")).to_contain_text("¿Abrís el domingo?")
        page.keyboard.press("r")
        expect(page.locator("[data-reply]")).to_be_focused()
        page.keyboard.type("Sí, de 10 a 14")
        page.keyboard.press("Control+Enter")
        expect(page.locator(".inbox-msg-outbound")).to_contain_text("Sí, de 10 a 14")
        page.screenshot(path="/tmp/inbox.png")
        page.locator("body").click(position={"x": 5, "y": 5})
        page.keyboard.press("e")
        expect(page.locator("[data-status]")).to_have_text("Closed")
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
    assert provider.requests[-1]["form"]["Body"] == "Sí, de 10 a 14"
    lucia = Conversation.objects.get(address="+34612345678")
    assert lucia.status == "closed"
