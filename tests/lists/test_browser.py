"""In a real browser: select contacts on the contacts page, add them to a list from the bulk
bar, share the list and open the link as a partner (no sign-in)."""

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
    for first in ("Ana", "Bea", "Cris"):
        records.create("contacts", {"first_name": first, "last_name": "Prueba",
                                    "email": f"{first.lower()}@example.com", "city": "Madrid",
                                    "email_opt_in": True}, actor=user)
    return user


@pytest.fixture
def desktop():
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    yield page
    browser.close()
    playwright.stop()


def test_add_to_list_from_contacts_and_open_share_link(live_server, marketer, desktop):
    page = desktop
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    base = live_server.url
    sign_in(page, base, "mara")
    page.goto(f"{base}/contacts/")
    boxes = page.locator("input[data-row-check]")
    expect(boxes).to_have_count(3)
    boxes.nth(0).check()
    boxes.nth(1).check()
    page.locator("summary", has_text="Add to list").click()
    page.select_option("#bulk-list", "new")
    page.fill("#bulk-new-list", "Madrid fair")
    page.locator("button[formaction='/lists/add-selected/']").click()
    expect(page).to_have_url(f"{base}/contacts/?")
    expect(page.get_by_text("2 added to")).to_be_visible()

    page.goto(f"{base}/lists/")
    page.click("text=Madrid fair")
    expect(page.locator("h1")).to_have_text("Madrid fair")
    expect(page.locator("[data-members] tbody tr")).to_have_count(2)

    page.fill("#share-partner", "Distribuidora Sur")
    page.click("text=Create link")
    url = page.locator("[data-share-url]").input_value()
    assert "/shared/lists/" in url

    partner = page.context.browser.new_context().new_page()
    partner.goto(url)
    expect(partner.locator("h1")).to_have_text("Madrid fair")
    expect(partner.locator("[data-shared-table] tbody tr")).to_have_count(2)
    expect(partner.locator("body")).to_contain_text("Distribuidora Sur")
    partner.goto(url.rstrip("/") + "x/")
    expect(partner.locator("[data-share-refused]")).to_contain_text("not valid")

    page.reload()
    expect(page.locator("[data-share-link] summary")).to_contain_text("1 access")
    assert errors == []
