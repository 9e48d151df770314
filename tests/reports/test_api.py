"""Saved reports: visibility like saved views, owner-only changes, data and exports."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest

from tests.conftest import api_for

from .conftest import OWNER_BY_MONTH


@pytest.fixture
def saved(rep_api, orders):
    r = rep_api.post("reports", {"name": "My orders", **OWNER_BY_MONTH})
    assert r.status_code == 201, r.content
    return r.json()


def test_crud_and_data(rep_api, saved, rep):
    assert saved["owner_id"] == rep.pk and saved["visibility"] == "private"
    assert saved["dimensions"][1] == {"field": "ordered_at", "bucket": "month"}
    r = rep_api.get(f"reports/{saved['id']}/data")
    assert r.status_code == 200
    rows = r.json()["rows"]
    # run as the rep: only the rep's orders, though the report groups by every owner
    assert {tuple(row["keys"]): row["values"]["sum_total"] for row in rows} == {
        (rep.pk, "2026-01-01"): "350.50", (rep.pk, "2026-02-01"): "75.25"}
    r = rep_api.patch(f"reports/{saved['id']}", {"name": "Renamed", "chart": "line"},
                      headers={"If-Match": str(saved["version"])})
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["chart"] == "line"
    r = rep_api.patch(f"reports/{saved['id']}", {"name": "Stale"},
                      headers={"If-Match": str(saved["version"])})
    assert r.status_code == 412
    r = rep_api.patch(f"reports/{saved['id']}", {"aggregates": [{"fn": "sum",
                                                                 "field": "currency"}]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == [
        "body", "aggregates", 0, "field"]
    assert rep_api.get("reports").json()["items"][0]["name"] == "Renamed"
    assert rep_api.delete(f"reports/{saved['id']}").status_code == 204
    assert rep_api.get(f"reports/{saved['id']}").status_code == 404


def test_private_reports_are_invisible_to_others(saved, other_api, admin_api):
    for path in ("", "/data", "/export"):
        assert other_api.get(f"reports/{saved['id']}{path}").status_code == 404
    assert other_api.get("reports").json()["items"] == []
    assert other_api.delete(f"reports/{saved['id']}").status_code == 404
    assert admin_api.get(f"reports/{saved['id']}").status_code == 404  # private is private


def test_team_public_and_shared(rep_api, saved, other_rep, outsider, other_api):
    outsider_api = api_for(outsider)
    r = rep_api.patch(f"reports/{saved['id']}", {"visibility": "team"})
    assert r.status_code == 200 and r.json()["team_id"]
    assert other_api.get(f"reports/{saved['id']}").status_code == 200  # same team
    assert outsider_api.get(f"reports/{saved['id']}").status_code == 404
    # others may read but not change it
    assert other_api.patch(f"reports/{saved['id']}", {"name": "x"}).status_code == 403
    rep_api.patch(f"reports/{saved['id']}", {"visibility": "private",
                                             "shared_with_user_ids": [outsider.pk]})
    assert other_api.get(f"reports/{saved['id']}").status_code == 404
    body = outsider_api.get(f"reports/{saved['id']}/data").json()
    assert body["rows"] == []  # shared report, but the outsider sees none of these orders
    rep_api.patch(f"reports/{saved['id']}", {"visibility": "public",
                                             "shared_with_user_ids": []})
    assert other_api.get(f"reports/{saved['id']}").status_code == 200


def test_unknown_recipient_and_fields_are_422(rep_api, saved):
    r = rep_api.post("reports", {"name": "x", "entity": "orders", "bogus": 1})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "bogus"
    r = rep_api.patch(f"reports/{saved['id']}", {"shared_with_user_ids": [999999]})
    assert r.status_code == 422 and "999999" in r.json()["detail"][0]["msg"]
    r = rep_api.post(f"reports/{saved['id']}/schedules", {"recipient_ids": [999999]})
    assert r.status_code == 422


@pytest.fixture
def evil_account(admin, rep):
    from vinculo.platform import records

    account = records.create("accounts", {"name": '=HYPERLINK("http://evil","x")'},
                             actor=admin)
    records.create("orders", {"owner_id": rep.pk, "account_id": account.pk, "total": "5.00",
                              "status": "confirmed"}, actor=admin)
    return account


def test_csv_and_xlsx_exports_escape_formulas(rep_api, evil_account):
    r = rep_api.post("reports", {"name": "By account", "entity": "orders",
                                 "dimensions": ["account"], "aggregates": ["sum:total",
                                                                           "count"]})
    report = r.json()
    r = rep_api.get(f"reports/{report['id']}/export", format="csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    assert 'filename="By-account.csv"' in r["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows == [["Account", "Sum of total", "Count"],
                    ["'=HYPERLINK(\"http://evil\",\"x\")", "5.00", "1"]]
    r = rep_api.get(f"reports/{report['id']}/export", format="xlsx")
    assert r.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(r.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values == [["Account", "Sum of total", "Count"],
                      ["'=HYPERLINK(\"http://evil\",\"x\")", 5.0, 1]]
    assert sheet["A2"].data_type == "s"
    r = rep_api.get(f"reports/{report['id']}/export", format="svg")
    assert r.status_code == 200 and r["Content-Type"] == "image/svg+xml"
    svg = r.content.decode()
    assert svg.startswith("<svg") and "<title" in svg and "HYPERLINK(&quot;" in svg
    assert rep_api.get(f"reports/{report['id']}/export", format="pdf").status_code == 422


def test_anonymous_is_401(anon_api):
    assert anon_api.get("reports").status_code == 401
    assert anon_api.post("reports/preview", {"entity": "orders"}).status_code == 401


def test_ready_reports_dashboards_and_pins_by_api(rep_api, saved, orders, rep):
    keys = {item["key"] for item in rep_api.get("reports/ready").json()}
    assert {"campaign_roi", "channel_attribution", "satisfaction_trend",
            "lifecycle_funnel"} <= keys
    r = rep_api.get("reports/ready/lifecycle_funnel/data")
    assert r.status_code == 200
    assert [row["keys"][0] for row in r.json()["rows"]] == [
        "subscriber", "lead", "customer", "evangelist"]
    assert rep_api.get("reports/ready/nope/data").status_code == 404
    assert rep_api.post(f"reports/{saved['id']}/pin").status_code == 204
    r = rep_api.get("reports/dashboards/management")
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["pinned_report_ids"] == [saved["id"]]
    revenue = next(c for c in body["charts"] if c["key"] == "revenue_by_month")
    assert revenue["chart"] == "line"
    assert rep_api.get("reports/dashboards/nobody").status_code == 404
    assert rep_api.delete(f"reports/{saved['id']}/pin").status_code == 204
    assert rep_api.get("reports/dashboards/sales").json()["pinned_report_ids"] == []


def test_channel_attribution_counts_leads_opportunities_and_won_revenue(rep_api):
    from vinculo.sales.pipeline.models import Stage

    made = {}
    for name, source in (("A", "web"), ("B", "web"), ("C", "web"), ("D", "event")):
        r = rep_api.post("leads", {"last_name": name, "company": f"{name} SL",
                                   "source": source})
        assert r.status_code == 201, r.content
        made[name] = r.json()["id"]
    opportunity_ids = []
    for name, amount in (("A", "1000.00"), ("B", "250.00"), ("D", "70.00")):
        r = rep_api.post(f"leads/{made[name]}/convert",
                         {"opportunity": {"name": name, "amount": amount}})
        assert r.status_code == 200, r.content
        opportunity_ids.append(r.json()["opportunity_id"])
    won = Stage.objects.filter(kind="won").first()
    for opportunity_id in opportunity_ids[:1] + opportunity_ids[2:]:  # A and D won
        r = rep_api.patch(f"opportunities/{opportunity_id}", {"stage_id": won.pk})
        assert r.status_code == 200, r.content
    body = rep_api.get("reports/ready/channel_attribution/data").json()
    rows = {row["keys"][0]: row["values"] for row in body["rows"]}
    assert rows == {"web": {"leads": 3, "opportunities": 2, "won_revenue": "1000.00"},
                    "event": {"leads": 1, "opportunities": 1, "won_revenue": "70.00"}}


def test_campaign_roi_matches_the_campaign_roi_endpoint(rep_api, rep):
    import datetime as dt

    from django.utils import timezone

    from vinculo.marketing.campaigns import services as campaigns
    from vinculo.platform import records

    ana = records.create("contacts", {"first_name": "Ana", "last_name": "T",
                                      "email": "ana@example.com"}, actor=rep)
    made = []
    for name, cost in (("First", "100"), ("Last", "50")):
        r = rep_api.post("campaigns", {"name": name, "kind": "email", "actual_cost": cost})
        assert r.status_code == 201, r.content
        made.append(r.json())
    now = timezone.now()
    campaigns.record_response(made[0]["id"], ana.pk, "sent", now - dt.timedelta(days=10))
    campaigns.record_response(made[1]["id"], ana.pk, "responded", now - dt.timedelta(days=2))
    records.create("orders", {"contact_id": ana.pk, "total": "400.00"}, actor=rep)
    campaigns.attribute_all()
    body = rep_api.get("reports/ready/campaign_roi/data").json()
    rows = {row["labels"][0]: row["values"] for row in body["rows"]}
    endpoint = rep_api.get(f"campaigns/{made[1]['id']}/roi").json()
    assert rows["Last"]["revenue"] == endpoint["revenue_last_touch"] == "400.00"
    assert rows["Last"]["roi"] == "700.00" and rows["First"]["roi"] == "-100.00"
    assert rows["First"]["actual_cost"] == "100.00"


@pytest.mark.parametrize("body", [{"name": None}, {"visibility": None}, {"description": None},
                                  {"limit": 5000}, {"scope": {"any": "x"}}, {"dimensions": [7]},
                                  {"aggregates": [{"fn": "sum"}]}])
def test_patch_with_bad_or_null_values_is_not_a_500(rep_api, saved, body):
    r = rep_api.patch(f"reports/{saved['id']}", body)
    assert r.status_code in (200, 422), r.content
    if "description" not in body:
        assert r.status_code == 422
