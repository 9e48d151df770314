"""A campaign in a real browser (system Chromium through Playwright): open it, plan an item,
add the target segment's contacts and see the plan, the member counts and the ROI panel."""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect  # noqa: E402

from tests.browser.test_ui import fast_password_hashing, open_browser, sign_in  # noqa: E402, F401
from tests.conftest import make_user  # noqa: E402
from vinculo.platform import records  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def browser_page():
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    yield page
    browser.close()
    playwright.stop()


@pytest.fixture
def campaign(db):
    from vinculo.marketing.segments.models import Segment

    rep = make_user("rita", "sales")
    for name in ("Ana", "Bea", "Carla"):
        records.create("contacts", {"first_name": name, "last_name": "Ruiz", "city": "Huelva"},
                       actor=rep)
    seg = Segment.objects.create(name="Huelva", owner=rep, entity="contacts",
                                 filter={"field": "city", "op": "eq", "value": "Huelva"})
    return records.create("campaigns", {"name": "Open day", "kind": "event", "budget": "900",
                                        "segment_id": seg.pk, "owner_id": rep.pk}, actor=rep)


def test_plan_and_members_on_the_detail_page(live_server, campaign, browser_page):
    page = browser_page
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    sign_in(page, base, "rita")
    page.goto(f"{base}/campaigns/")
    page.get_by_role("link", name="Open day").first.click()
    expect(page.get_by_role("heading", name="Return on investment")).to_be_visible()

    page.get_by_label("Title").fill("Catering")
    page.get_by_label("Budget", exact=True).fill("400")
    page.get_by_label("Actual cost", exact=True).fill("350")
    page.get_by_role("button", name="Add item").click()
    expect(page.get_by_role("cell", name="Catering")).to_be_visible()

    page.get_by_role("button", name="Add the target segment's contacts").click()
    expect(page.locator("[data-campaign-members]")).to_have_text("3")
    assert errors == []
