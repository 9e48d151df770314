"""The panels in a real browser, in Spanish: recommended products on a contact, the predicted
conversion on a lead, and the models' page."""

import os

import pytest
from django.test import override_settings

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser, sign_in  # noqa: E402
from tests.conftest import make_user  # noqa: E402

from .leads_history import make_leads  # noqa: E402
from .shop import generate, load  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@override_settings(VINCULO_LEAD_SCORING_MIN_CLOSED=100, VINCULO_LEAD_SCORING_MIN_CONVERTED=10)
def test_panels_and_models_page(live_server):
    from vinculo.analytics.recommendations import leadscoring, services
    from vinculo.sales.leads.models import Lead

    admin = make_user("alice", "admin")
    data = load(generate(seed=7, customers=60), owner=admin)
    services.build()
    make_leads(300, owner=admin)
    model = leadscoring.train()
    lead = Lead.objects.filter(status="new").first()
    shots = os.environ.get("VINCULO_SCREENSHOTS")
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900},
                                             locale="es-ES",
                                             extra_http_headers={"Accept-Language": "es"})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        base = live_server.url
        sign_in(page, base, "alice")
        page.goto(f"{base}/contacts/{data['contacts'][0].pk}/")
        panel = page.locator("[data-recommendations]")
        expect(panel.locator("li")).to_have_count(5)
        if shots:
            page.screenshot(path=f"{shots}/rec-contact.png", full_page=True)
        page.goto(f"{base}/leads/{lead.pk}/")
        prediction = page.locator("[data-lead-prediction]")
        if model.active:
            expect(prediction.locator("[data-probability]")).to_be_visible()
            expect(prediction.locator(".rec-bar").first).to_be_visible()
        else:
            expect(prediction.locator("[data-fallback]")).to_be_visible()
        if shots:
            page.screenshot(path=f"{shots}/rec-lead.png", full_page=True)
        page.goto(f"{base}/recommendations/")
        expect(page.locator("[data-lead-model]")).to_be_visible()
        if shots:
            page.screenshot(path=f"{shots}/rec-models.png", full_page=True)
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
