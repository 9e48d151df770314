"""The board in a real browser (system Chromium through Playwright): a card moved by drag and
drop and by keyboard changes the column totals; a lost stage asks for the reason; a card that
another user moved meanwhile tells who did it and shows where the deal is now.

As in tests/browser: data is made before the browser starts and checked after it closes.
"""

import os

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's sync API runs a loop

from playwright.sync_api import expect, sync_playwright  # noqa: E402

from tests.conftest import make_user  # noqa: E402
from vinculo.platform import records  # noqa: E402

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def deals(db):
    from vinculo.identity.services import token_create
    from vinculo.sales.pipeline.models import Pipeline

    rep = make_user("rita", "sales", teams=["Iberia"])
    manager = make_user("maria", "manager", teams=["Iberia"])
    stages = {s.name: s for s in Pipeline.objects.get(is_default=True).stages.all()}
    made = {}
    for name, amount, stage in [("Alpha", "1000", "Prospecting"), ("Bravo", "500", "Prospecting"),
                                ("Charlie", "300", "Qualification"),
                                ("Delta", "200", "Prospecting")]:
        made[name] = records.create("opportunities", {"name": name, "amount": amount,
                                                      "stage_id": stages[stage].pk},
                                    actor=rep)
    _token, raw = token_create(manager, "tests")
    return {"stages": stages, "deals": made, "manager_token": raw}


@pytest.fixture
def page():
    if not os.path.exists(CHROMIUM):
        pytest.skip("Chromium is not installed (apt-get install chromium)")
    playwright = sync_playwright().start()
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    tab = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    yield tab
    browser.close()
    playwright.stop()


def column(page, stage):
    return page.locator(f"[data-column][data-stage-id='{stage.pk}']")


def card(page, deal):
    return page.locator(f"[data-card][data-id='{deal.pk}']")


def test_move_cards_by_drag_and_drop_and_by_keyboard(live_server, deals, page):
    stages, d = deals["stages"], deals["deals"]
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw-rita")
    page.click("button[type=submit]")
    page.goto(f"{base}/opportunities/board/")

    expect(page.locator("[data-column]")).to_have_count(6)
    prospecting, qualification = column(page, stages["Prospecting"]), column(
        page, stages["Qualification"])
    proposal, negotiation = column(page, stages["Proposal"]), column(page, stages["Negotiation"])
    expect(prospecting.locator("[data-count]")).to_have_text("3")
    expect(prospecting.locator("[data-amount]")).to_contain_text("1,700")

    # Drag and drop: Alpha from Prospecting to Proposal.
    card(page, d["Alpha"]).drag_to(proposal.locator("[data-dropzone]"))
    expect(proposal.locator("[data-count]")).to_have_text("1")
    expect(proposal.locator("[data-amount]")).to_contain_text("1,000")
    expect(prospecting.locator("[data-count]")).to_have_text("2")
    expect(prospecting.locator("[data-amount]")).to_contain_text("700")
    expect(proposal.locator("[data-card]")).to_contain_text("Alpha")

    # Keyboard: Bravo one stage right with Alt+→, then to Negotiation with the move menu.
    bravo = card(page, d["Bravo"])
    bravo.focus()
    page.keyboard.press("Alt+ArrowRight")
    expect(qualification.locator("[data-count]")).to_have_text("2")
    expect(qualification.locator("[data-amount]")).to_contain_text("800")
    expect(bravo).to_be_focused()
    page.keyboard.press("m")
    expect(page.locator("#move-dialog")).to_be_visible()
    page.locator(f"#move-dialog [data-move-to='{stages['Negotiation'].pk}']").focus()
    page.keyboard.press("Enter")
    expect(negotiation.locator("[data-count]")).to_have_text("1")
    expect(negotiation.locator("[data-amount]")).to_contain_text("500")
    expect(qualification.locator("[data-count]")).to_have_text("1")
    expect(bravo).to_be_focused()

    # A lost stage asks why.
    card(page, d["Delta"]).drag_to(column(page, stages["Lost"]).locator("[data-dropzone]"))
    expect(page.locator("#lost-dialog")).to_be_visible()
    page.select_option("#lost-reason", "Competitor")
    page.click("#lost-dialog button[value=ok]")
    expect(column(page, stages["Lost"]).locator("[data-count]")).to_have_text("1")
    expect(prospecting.locator("[data-count]")).to_have_text("0")
    assert errors == []
    page.context.browser.close()

    from vinculo.sales.pipeline.models import Opportunity

    moved = {o.name: (o.stage.name, o.lost_reason) for o in Opportunity.objects.all()}
    assert moved == {"Alpha": ("Proposal", ""), "Bravo": ("Negotiation", ""),
                     "Charlie": ("Qualification", ""), "Delta": ("Lost", "Competitor")}


def test_a_card_moved_meanwhile_by_someone_else(live_server, deals, page):
    stages, d = deals["stages"], deals["deals"]
    base = live_server.url
    page.goto(f"{base}/login/")
    page.fill("#id_username", "rita")
    page.fill("#id_password", "pw-rita")
    page.click("button[type=submit]")
    page.goto(f"{base}/opportunities/board/")
    alpha = card(page, d["Alpha"])
    expect(alpha).to_have_attribute("data-version", str(d["Alpha"].version))

    # The manager moves Alpha to Negotiation while Rita's board still shows it in Prospecting.
    answer = page.request.post(
        f"{base}/api/v1/opportunities/{d['Alpha'].pk}/move",
        data={"stage_id": stages["Negotiation"].pk, "version": d["Alpha"].version},
        headers={"Authorization": f"Bearer {deals['manager_token']}"})
    assert answer.status == 200

    alpha.drag_to(column(page, stages["Proposal"]).locator("[data-dropzone]"))
    toast = page.locator("[data-board-toast]")
    expect(toast).to_be_visible()
    expect(toast).to_contain_text("moved by maria meanwhile")
    negotiation = column(page, stages["Negotiation"])
    expect(negotiation.locator(f"[data-card][data-id='{d['Alpha'].pk}']")).to_have_count(1)
    expect(negotiation.locator("[data-count]")).to_have_text("1")
    expect(column(page, stages["Proposal"]).locator("[data-count]")).to_have_text("0")
    page.context.browser.close()

    from vinculo.sales.pipeline.models import Opportunity

    assert Opportunity.objects.get(pk=d["Alpha"].pk).stage_id == stages["Negotiation"].pk
