"""The report builder in a real browser: pick records, group, see the live chart, save."""

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


def test_build_a_report_and_see_the_chart(live_server):
    from vinculo.analytics.reports.models import Report
    from vinculo.platform import records

    rita = make_user("rita", "sales", teams=["North"])
    for total, status in (("120.00", "confirmed"), ("80.00", "fulfilled"),
                          ("50.00", "cancelled")):
        records.create("orders", {"owner_id": rita.pk, "total": total, "status": status},
                       actor=rita)
    playwright, browser, page = open_browser(viewport={"width": 1440, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    try:
        base = live_server.url
        sign_in(page, base, "rita")
        page.goto(f"{base}/reports/new/")
        page.fill("[name=name]", "Orders by status")
        page.select_option("[name=entity]", "orders")
        # the entity's fields arrive by htmx and the filter builder starts on them
        expect(page.locator("#builder-fields")).to_have_attribute("data-entity", "orders")
        page.select_option("[name=dim1]", "status")
        page.select_option("[name=agg0_fn]", "sum")
        page.select_option("[name=agg0_field]", "total")
        page.select_option("[name=chart]", "bar")
        chart = page.locator("#preview svg[data-chart=bar]")
        expect(chart).to_be_visible()
        expect(chart.locator("rect title")).to_have_count(3)
        page.click("text=+ Add condition")
        page.select_option("[data-fb-field]", "status")
        page.select_option("[data-fb-op]", "ne")
        value = page.locator("[data-fb-value]")
        if value.evaluate("el => el.tagName") == "SELECT":
            value.select_option("cancelled")
        else:
            value.fill("cancelled")
        page.click("[data-filter-apply]")
        expect(chart.locator("rect title")).to_have_count(2)
        page.screenshot(path="/tmp/reports-builder.png", full_page=True)
        page.click("[data-save-report]")
        expect(page.locator("h1")).to_have_text("Orders by status")
        expect(page.locator("figure[data-chart] svg")).to_be_visible()
        expect(page.locator("[data-report-table]")).to_contain_text("120")
        page.screenshot(path="/tmp/reports-detail.png", full_page=True)
        with page.expect_download() as download:
            page.click("[data-png-export]")
        assert download.value.suggested_filename == "orders-by-status.png"
        assert errors == []
    finally:
        browser.close()
        playwright.stop()
    report = Report.objects.get(name="Orders by status")
    assert report.scope == {"all": [{"field": "status", "op": "ne", "value": "cancelled"}]}
    assert report.dimensions == [{"field": "status"}]
