"""The segment editor in a real browser: a Spanish sentence becomes editable conditions with
a live count, and the segment is saved."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import open_browser, sign_in  # noqa: E402
from tests.conftest import make_user  # noqa: E402
from vinculo.platform import records  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def marketer(db):
    user = make_user("mara", "admin")
    for first, city, channel in (("Ana", "Madrid", "sms"), ("Bea", "Madrid", "chat"),
                                 ("Cris", "Madrid", "email"), ("Dani", "Lima", "sms")):
        records.create("contacts", {"first_name": first, "last_name": "Prueba", "city": city,
                                    "email": f"{first.lower()}@example.com",
                                    "mobile": "+34600000000", "preferred_channel": channel},
                       actor=user)
    return user


@pytest.fixture
def desktop():
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900},
                                             locale="es-ES")
    yield page
    browser.close()
    playwright.stop()


def test_spanish_sentence_to_saved_segment(live_server, marketer, desktop):
    page = desktop
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    sign_in(page, base, "mara")
    page.goto(f"{base}/segments/")
    expect(page.locator("[data-segment-count]")).to_have_text("4")

    page.fill("#nl-text", "contactos de Madrid que prefieren SMS o chat y aman el jazz")
    page.click("[data-nl-submit]")
    # the understood conditions, editable in the builder
    expect(page.locator("[data-fb-field]")).to_have_count(2)
    expect(page.locator("[data-fb-field]").first).to_have_value("city")
    expect(page.locator("[data-fb-field]").nth(1)).to_have_value("preferred_channel")
    expect(page.locator("[data-segment-count]")).to_have_text("2")
    # what it did not understand is shown, highlighted
    expect(page.locator(".nl-unknown").first).to_be_visible()
    expect(page.locator("[data-nl-words]")).to_contain_text("aman")
    expect(page.locator("[data-nl-condition]")).to_have_count(2)

    page.fill("#seg-name", "Madrid por mensaje")
    page.click("[data-segment-save-button]")
    expect(page.locator("h1")).to_have_text("Madrid por mensaje")
    expect(page.locator("[data-segment-count]")).to_have_text("2")
    expect(page.locator("[data-segment-members] tbody tr")).to_have_count(2)
    assert errors == []


def test_related_conditions_can_be_removed(live_server, marketer, desktop):
    page = desktop
    base = live_server.url
    sign_in(page, base, "mara")
    page.goto(f"{base}/segments/")
    page.fill("#nl-text", "contactos de Madrid sin pedidos")
    page.click("[data-nl-submit]")
    expect(page.locator("[data-nl-condition]")).to_have_count(2)
    expect(page.locator("[data-segment-count]")).to_have_text("3")
    page.locator("[data-nl-condition] .nl-remove").first.click()
    expect(page.locator("[data-nl-condition]")).to_have_count(1)
    expect(page.locator("[data-segment-count]")).to_have_text("4")
