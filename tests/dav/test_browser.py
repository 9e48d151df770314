"""The devices settings page in a real browser: an app password made there opens /dav/."""

import base64
import os
import urllib.error
import urllib.request

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from tests.browser.test_ui import open_browser, sign_in  # noqa: E402
from tests.conftest import make_user  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def propfind(base: str, username: str, password: str) -> int:
    token = base64.b64encode(f"{username}:{password}".encode()).decode()
    request = urllib.request.Request(f"{base}/dav/", method="PROPFIND",
                                     headers={"Authorization": f"Basic {token}", "Depth": "0"})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def test_create_and_revoke_an_app_password_on_the_page(live_server):
    make_user("sam", "sales")
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900},
                                             locale="es-ES")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    try:
        base = live_server.url
        sign_in(page, base, "sam")
        page.goto(f"{base}/settings/app-passwords/")
        page.fill("[name=label]", "Móvil")
        page.click("form.form-card button[type=submit] >> nth=0")
        raw = page.input_value("#new-app-password")
        assert propfind(base, "sam", raw) == 207
        page.screenshot(path="/tmp/dav_settings.png", full_page=True)
        page.once("dialog", lambda dialog: dialog.accept())
        page.click("form[action$='/revoke/'] button")
        page.wait_for_url(f"{base}/settings/app-passwords/")
        assert propfind(base, "sam", raw) == 401
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
