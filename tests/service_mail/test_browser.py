"""In a real browser: an administrator adds a mailbox and fetches it, an agent answers the
new case from its page."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser, sign_in  # noqa: E402
from tests.conftest import make_user  # noqa: E402

from .conftest import mail  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_add_a_mailbox_fetch_it_and_answer_the_case(live_server, dovecot, smtp):
    from vinculo.platform import records
    from vinculo.service.models import Case

    admin = make_user("alice", "admin")
    agent = make_user("ana", "service")
    records.create("queues", {"name": "Support", "member_ids": [agent.pk]}, actor=admin)
    user, password = dovecot.add_user()
    dovecot.append(user, password, bytes(mail(subject="Broken kettle",
                                              body="My kettle stopped working.")))
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = live_server.url
        sign_in(page, base, "alice")
        page.goto(f"{base}/settings/mailboxes/new/")
        page.fill("[name=name]", "Help desk")
        page.fill("[name=address]", "help@vinculo.test")
        page.fill("[name=host]", "127.0.0.1")
        page.fill("[name=port]", str(dovecot.port))
        page.select_option("[name=security]", "none")
        page.fill("[name=username]", user)
        page.fill("[name=password]", password)
        page.select_option("[name=queue_id]", label="Support")
        page.click("form.form-card button.btn-primary")
        expect(page.locator("h1")).to_have_text("Help desk")
        assert password not in page.content()
        page.click("text=Fetch now")
        expect(page.locator("body")).to_contain_text("1 new cases")
        page.screenshot(path="/tmp/service_mail_mailbox.png", full_page=True)
        case = Case.objects.get(subject="Broken kettle")
        page.context.clear_cookies()
        sign_in(page, base, "ana")
        page.goto(f"{base}/cases/{case.pk}/")
        expect(page.locator("[data-case-mail]")).to_contain_text("lucia@example.net")
        page.fill("#reply-body", "We are sending you a new kettle.")
        page.click("text=Send reply")
        expect(page.locator("body")).to_contain_text("Reply sent.")
        page.screenshot(path="/tmp/service_mail_case.png", full_page=True)
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
    replies = [m for _s, _r, m in smtp.messages if "new kettle" in m.get_content()]
    assert len(replies) == 1 and replies[0]["Subject"] == f"[#{case.pk}] Broken kettle"
