"""The portal in a real browser: sign in with the e-mailed link, open a case, reply."""

import os
import re

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser  # noqa: E402
from tests.sales.smtp import SMTPServer  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_sign_in_open_a_case_and_reply(live_server, settings):
    from vinculo.activities.models import Activity
    from vinculo.platform import records
    from vinculo.service.models import Case

    records.create("contacts", {"first_name": "Carmen", "email": "carmen@acme.test"})
    playwright, browser, page = open_browser(viewport={"width": 390, "height": 844},
                                             locale="es-ES")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        with SMTPServer() as smtp:
            settings.MAILERS = {"default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": smtp.port, "timeout": 5}}}
            settings.VINCULO_SITE_URL = live_server.url
            page.goto(f"{live_server.url}/portal/")
            expect(page).to_have_url(f"{live_server.url}/portal/login/")
            page.fill("[name=email]", "carmen@acme.test")
            page.click("button[type=submit]")
            expect(page.locator("h1")).to_be_visible()
            assert len(smtp.messages) == 1
            text = smtp.messages[0][2].get_body(("plain",)).get_content()
        link = re.search(r"(http\S+/portal/login/\S+/)", text).group(1)
        page.goto(link)
        page.click("button[type=submit]")
        expect(page).to_have_url(f"{live_server.url}/portal/")
        page.click("a[href='/portal/cases/new/']")
        page.fill("[name=subject]", "La factura está mal")
        page.fill("[name=description]", "El importe no coincide.")
        page.click("form button[type=submit].btn-primary")
        expect(page.locator("h1")).to_contain_text("La factura está mal")
        page.fill("[name=body]", "Adjunto más datos.")
        page.click("#reply button[type=submit]")
        expect(page.locator("[data-message]")).to_contain_text("Adjunto más datos.")
        page.screenshot(path="/tmp/portal-case.png", full_page=True)
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
    case = Case.objects.get(subject="La factura está mal")
    assert case.channel == "portal"
    assert Activity.objects.get(case=case, body="Adjunto más datos.").direction == "inbound"
