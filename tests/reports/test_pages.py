"""The report pages: list, builder with live preview, report, ready reports, dashboards."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from .conftest import OWNER_BY_MONTH


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def rep_client(rep):
    return client_for(rep)


@pytest.fixture
def saved(rep_api, orders):
    return rep_api.post("reports", {"name": "Orders <b>by</b> month", **OWNER_BY_MONTH}).json()


FORM = {"name": "Revenue by rep", "entity": "orders", "dim1": "owner", "dim2": "ordered_at",
        "dim2_bucket": "month", "agg0_fn": "sum", "agg0_field": "total", "agg1_fn": "count",
        "chart": "stacked_bar", "sort": "", "limit": "50", "visibility": "private",
        "scope": '{"field": "status", "op": "ne", "value": "cancelled"}'}


def test_builder_saves_and_the_report_page_shows_chart_and_table(rep_client, orders, rep):
    r = rep_client.get("/reports/new/?entity=orders")
    assert r.status_code == 200
    html = r.content.decode()
    assert 'id="filter-config"' in html and 'name="dim1"' in html and "Total" in html
    r = rep_client.post("/reports/preview/", FORM)
    assert r.status_code == 200 and "<svg" in r.content.decode()
    r = rep_client.post("/reports/new/", FORM)
    assert r.status_code == 302, r.content.decode()[:2000]
    page = rep_client.get(r["Location"]).content.decode()
    assert 'data-chart="stacked_bar"' in page and "350.50" in page
    assert "1,000" not in page  # the other rep's order is not the rep's to see
    assert 'href="/reports/' in page and "export.xlsx" in page and "data-png-export" in page


def test_builder_errors_name_the_problem(rep_client, db):
    r = rep_client.post("/reports/new/", {**FORM, "agg0_field": "currency"})
    assert r.status_code == 422
    assert "aggregates.0.field" in r.content.decode()
    r = rep_client.post("/reports/preview/", {**FORM, "dim1_bucket": "day"})
    assert r.status_code == 200 and "data-preview-problems" in r.content.decode()


def test_entity_change_swaps_the_fields(rep_client, db):
    r = rep_client.get("/reports/new/?entity=cases", headers={
        "HX-Request": "true", "HX-Target": "builder-fields"})
    html = r.content.decode()
    assert r.status_code == 200 and html.startswith('<div id="builder-fields"')
    assert 'value="queue"' in html and 'value="satisfaction"' in html


def test_report_pages_and_access(rep_client, saved, other_rep, admin):
    html = rep_client.get("/reports/").content.decode()
    assert "Orders &lt;b&gt;by&lt;/b&gt; month" in html  # escaped
    for path in (f"/reports/{saved['id']}/", f"/reports/{saved['id']}/edit/",
                 f"/reports/{saved['id']}/export.csv"):
        assert rep_client.get(path).status_code == 200, path
        assert client_for(other_rep).get(path).status_code == 404, path
    assert rep_client.get(f"/reports/{saved['id']}/export.pdf").status_code == 404


def test_pin_schedule_and_delete_from_the_page(rep_client, saved, rep, manager):
    url = f"/reports/{saved['id']}/"
    rep_client.post(url, {"action": "pin"})
    html = rep_client.get("/reports/dashboards/sales/").content.decode()
    assert "data-pinned" in html and "Orders &lt;b&gt;by&lt;/b&gt; month" in html
    rep_client.post(url, {"action": "schedule", "frequency": "daily", "attachment": "xlsx",
                          "recipients": [str(manager.pk)]})
    from vinculo.analytics.reports.models import Report

    report = Report.objects.get(pk=saved["id"])
    assert [(s.frequency, s.attachment) for s in report.schedules.all()] == [("daily", "xlsx")]
    rep_client.post(url, {"action": "delete"})
    assert not Report.objects.filter(pk=saved["id"]).exists()


@pytest.mark.parametrize("role", ["sales", "service", "marketing", "management"])
def test_dashboards_render(rep_client, orders, role):
    r = rep_client.get(f"/reports/dashboards/{role}/")
    assert r.status_code == 200
    assert r.content.decode().count("<svg") >= 2


def test_default_dashboard_is_the_role(rep_client, db):
    r = rep_client.get("/reports/dashboards/")
    assert r.status_code == 302 and r["Location"] == "/reports/dashboards/sales/"
    assert rep_client.get("/reports/dashboards/nobody/").status_code == 404


@pytest.mark.parametrize("key", ["campaign_roi", "channel_attribution", "satisfaction_trend",
                                 "lifecycle_funnel"])
def test_ready_reports(rep_client, admin, key):
    r = rep_client.get(f"/reports/ready/{key}/")
    assert r.status_code == 200
    r = rep_client.get(f"/reports/ready/{key}/?format=csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(path).status_code == 200
    return len(ctx.captured_queries)


def test_dashboards_use_a_fixed_number_of_queries(admin, rep, other_rep):
    from vinculo.platform import records

    client = client_for(admin)
    counts = {}
    for round_ in range(3):
        if round_:
            for role in ("sales", "management"):
                counts[(round_, role)] = _queries(client, f"/reports/dashboards/{role}/")
        # more data, more owners, accounts and months: the same number of queries
        for i in range(1 if round_ == 0 else 5):
            account = records.create("accounts", {"name": f"A{round_}{i}"}, actor=admin)
            for owner in (rep, other_rep, admin):
                records.create("orders", {"owner_id": owner.pk, "account_id": account.pk,
                                          "total": "10", "status": "confirmed"}, actor=admin)
                records.create("activities", {"kind": "call", "subject": "c",
                                              "owner_id": owner.pk}, actor=admin)
    assert counts[(1, "sales")] == counts[(2, "sales")]
    assert counts[(1, "management")] == counts[(2, "management")]
    assert counts[(1, "management")] < 30


def test_spanish_pages(rep, saved):
    client = client_for(rep)
    html = client.get("/reports/", headers={"Accept-Language": "es"}).content.decode()
    assert re.search(r'<html[^>]*lang="es"', html)
