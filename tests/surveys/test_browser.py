"""The service dashboard and the public answer page in a real browser."""

import datetime as dt
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


def _data(admin):
    from django.utils import timezone

    from vinculo.platform import records
    from vinculo.service.models import Case
    from vinculo.service.surveys import services
    from vinculo.service.surveys.models import Invitation

    contact = records.create("contacts", {"first_name": "Lucía", "email": "l@example.com",
                                          "country": "ES"}, actor=admin)
    queue = records.create("queues", {"name": "Facturación"}, actor=admin)
    now = timezone.now()
    for i in range(6):
        case = records.create("cases", {"subject": f"Caso {i}", "contact_id": contact.pk,
                                        "queue_id": queue.pk}, actor=admin)
        Case.all_objects.filter(pk=case.pk).update(
            created_at=now - dt.timedelta(days=i * 3), status="open" if i % 2 else "resolved",
            first_response_due=now - dt.timedelta(days=i * 3) + dt.timedelta(hours=1),
            first_responded_at=now - dt.timedelta(days=i * 3) + dt.timedelta(minutes=20 * i),
            resolved_at=None if i % 2 else now - dt.timedelta(days=i * 2))
    invitation = Invitation.objects.create(survey=services.case_survey(), contact=contact,
                                           case=case, email=contact.email, language="es",
                                           status="sent")
    return services.make_token(invitation)


def test_dashboard_and_answer_page(live_server):
    admin = make_user("alice", "admin")
    token = _data(admin)
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = live_server.url
        sign_in(page, base, "alice")
        page.goto(f"{base}/service/dashboard/")
        expect(page.locator("[data-kpi=backlog]")).to_have_text("3")
        expect(page.locator("[data-backlog] .bar-row")).to_have_count(1)
        page.screenshot(path="/tmp/service-dashboard.png", full_page=True)
        page.select_option("#sd-group", "month")
        expect(page).to_have_url(f"{base}/service/dashboard/?queue=&start="
                                 f"{page.locator('#sd-start').input_value()}&end="
                                 f"{page.locator('#sd-end').input_value()}&group=month")
        # The customer answers in a Spanish browser, without signing in.
        context = browser.new_context(locale="es-ES")
        customer = context.new_page()
        customer.on("pageerror", lambda exc: errors.append(str(exc)))
        customer.goto(f"{base}/s/{token}/")
        expect(customer.locator("h1")).to_contain_text("satisfecho")
        customer.screenshot(path="/tmp/survey-answer.png", full_page=True)
        customer.check("input[name=score][value='5']")
        customer.fill("#sv-comment", "Muy bien")
        customer.click("[data-survey-form] button[type=submit]")
        expect(customer.locator("[data-survey-message]")).to_be_visible()
        page.goto(f"{base}/surveys/")
        expect(page.locator("[data-csat]").first).to_have_text("5.00")
        page.screenshot(path="/tmp/surveys.png", full_page=True)
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
