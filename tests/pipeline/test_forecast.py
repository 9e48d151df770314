"""The forecast: weighted pipeline by close month, owner and team; quotas and attainment;
won/lost trends; lead conversion; all through record access. And its page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from tests.conftest import api_for
from vinculo.platform import records
from vinculo.sales.pipeline.selectors import add_months

pytestmark = pytest.mark.django_db


@pytest.fixture
def book(rep, other_rep, outsider, manager, stages):
    today = timezone.localdate()
    m1, m2 = add_months(today, 1), add_months(today, 2)

    def deal(owner, name, amount, stage, close=None, **extra):
        return records.create("opportunities", {
            "name": name, "amount": amount, "stage_id": stages[stage].pk,
            "expected_close_date": close, "owner_id": owner.pk, **extra}, actor=owner)

    deal(rep, "R1", "1000", "Proposal", m1)
    deal(rep, "R2", "2000", "Prospecting", m2)
    deal(rep, "R-undated", "9", "Prospecting")
    deal(other_rep, "O1", "500", "Negotiation", m1)
    deal(outsider, "X1", "700", "Proposal", m1)
    won = deal(rep, "R-won", "3000", "Won", today)
    deal(other_rep, "O-won", "1000", "Won", today)
    deal(rep, "R-lost", "400", "Lost", today, lost_reason="Price")
    from vinculo.identity.models import Team

    iberia = Team.objects.get(name="Iberia")
    records.create("quotas", {"user_id": rep.pk, "period": "month", "starts_on": today,
                              "amount": "6000"})
    records.create("quotas", {"team_id": iberia.pk, "period": "quarter", "starts_on": today,
                              "amount": "8000"})
    return {"today": today, "m1": m1, "m2": m2, "won": won}


def rows(body):
    return {r["key"]: r for r in body["rows"]}


def test_weighted_pipeline_by_month_for_a_rep(rep_api, book):
    r = rep_api.get("forecast")
    assert r.status_code == 200, r.content
    body = r.json()
    by_month = rows(body)
    m1, m2 = book["m1"].strftime("%Y-%m"), book["m2"].strftime("%Y-%m")
    assert by_month[m1]["count"] == 1
    assert by_month[m1]["amount"] == "1000.00" and by_month[m1]["weighted"] == "500.00"
    assert by_month[m2]["weighted"] == "200.00"
    assert len(body["rows"]) == 12
    assert body["total"]["weighted"] == "700.00" and body["total"]["count"] == 2
    assert body["undated"]["count"] == 1 and body["currency"] == "EUR"


def test_a_manager_sees_the_team_by_owner_and_by_team(manager, book):
    api = api_for(manager)
    by_month = rows(api.get("forecast").json())
    m1 = book["m1"].strftime("%Y-%m")
    assert by_month[m1]["amount"] == "1500.00" and by_month[m1]["weighted"] == "875.00"
    owners = {r["label"]: r for r in api.get("forecast", group="owner").json()["rows"]}
    assert set(owners) == {"rita", "oscar"}
    assert owners["rita"]["weighted"] == "700.00" and owners["oscar"]["weighted"] == "375.00"
    teams = api.get("forecast", group="team").json()["rows"]
    assert [(t["label"], t["weighted"]) for t in teams] == [("Iberia", "1075.00")]


def test_quotas_and_attainment(rep_api, manager, book):
    quotas = {q["label"]: q for q in rep_api.get("forecast").json()["quotas"]}
    assert quotas["rita"]["won"] == "3000.00" and quotas["rita"]["attainment"] == 0.5
    # a rep's view of the team's quota counts only the deals the rep may see
    assert quotas["Iberia"]["won"] == "3000.00" and quotas["Iberia"]["attainment"] == 0.375
    team = {q["label"]: q for q in api_for(manager).get("forecast").json()["quotas"]}["Iberia"]
    assert team["won"] == "4000.00" and team["attainment"] == 0.5
    assert team["period"] == "quarter"
    assert team["starts_on"] == book["today"].replace(
        month=(book["today"].month - 1) // 3 * 3 + 1, day=1).isoformat()


def test_won_and_lost_trend(manager, book):
    trend = api_for(manager).get("forecast").json()["trend"]
    assert len(trend) == 12
    now = trend[-1]
    assert now["month"] == book["today"].strftime("%Y-%m")
    assert (now["won_count"], now["won_amount"], now["lost_count"], now["lost_amount"]) == (
        2, "4000.00", 1, "400.00")


def test_lead_conversion(rep, rep_api, book):
    from vinculo.sales.leads.models import Lead

    converted = records.create("leads", {"last_name": "Won", "company": "W"}, actor=rep)
    records.create("leads", {"last_name": "Open", "company": "O"}, actor=rep)
    Lead.objects.filter(pk=converted.pk).update(converted_opportunity=book["won"],
                                                status="converted")
    c = rep_api.get("forecast").json()["conversion"]
    assert (c["leads"], c["converted"], c["won_from_leads"]) == (2, 1, 1)
    assert c["lead_to_opportunity"] == 0.5 and c["opportunity_to_won"] == 1.0
    assert c["lead_to_won"] == 0.5
    assert c["won"] == 1 and c["lost"] == 1 and c["win_rate"] == 0.5


def test_other_currencies_are_converted_or_kept_apart(rep, rep_api, stages, book):
    try:
        from vinculo.sales.models import ExchangeRate
    except ImportError:
        pytest.skip("no exchange rates")
    ExchangeRate.objects.create(currency="USD", rate="0.5", valid_on=book["today"])
    for currency in ("USD", "GBP"):
        records.create("opportunities", {"name": currency, "amount": "100",
                                          "currency": currency, "probability": 100,
                                          "stage_id": stages["Proposal"].pk,
                                          "expected_close_date": book["m2"]}, actor=rep)
    m2 = rows(rep_api.get("forecast").json())[book["m2"].strftime("%Y-%m")]
    assert m2["amount"] == "2050.00"  # 2000 EUR + 100 USD at 0.5
    assert m2["other_currencies"] == {"GBP": "100.00"}


def test_range_and_pipeline(rep_api, book, other_pipeline):
    m2 = book["m2"]
    body = rep_api.get("forecast", **{"from": m2.isoformat(), "to": m2.isoformat()}).json()
    assert [r["key"] for r in body["rows"]] == [m2.strftime("%Y-%m")]
    assert body["total"]["amount"] == "2000.00"
    body = rep_api.get("forecast", pipeline=other_pipeline.pk).json()
    assert body["total"]["count"] == 0 and body["quotas"]


@pytest.mark.parametrize("params, loc", [
    ({"group": "year"}, ["query", "group"]),
    ({"from": "yesterday"}, ["query", "from"]),
    ({"from": "2026-05-01", "to": "2026-01-01"}, ["query", "to"]),
    ({"pipeline": 999999}, ["query", "pipeline"]),
    ({"pipeline": "x"}, ["query", "pipeline"]),
])
def test_bad_parameters_are_a_422(rep_api, pipeline, params, loc):
    r = rep_api.get("forecast", **params)
    assert r.status_code == 422, r.content
    assert loc in [d["loc"] for d in r.json()["detail"]]


def test_no_credentials(anon_api):
    assert anon_api.get("forecast").status_code == 401


def test_the_forecast_page(rep, book):
    client = Client()
    client.force_login(rep)
    r = client.get("/opportunities/forecast/", {"group": "owner"})
    assert r.status_code == 200
    html = r.content.decode()
    assert "Sales forecast" in html and "rita" in html and "50 %" in html
    r = client.get("/opportunities/forecast/", {"from": "2026-13", "to": "nope"})
    assert r.status_code == 200
    r = client.get("/opportunities/forecast/", {"from": (book["today"] + dt.timedelta(
        days=400)).isoformat(), "to": book["today"].isoformat()})
    assert "The end comes before the start" in r.content.decode()


def test_quotas_are_set_by_managers(rep_api, manager, rep):
    r = rep_api.post("quotas", {"user_id": rep.pk, "starts_on": "2026-05-17", "amount": "10"})
    assert r.status_code == 403
    api = api_for(manager)
    r = api.post("quotas", {"user_id": rep.pk, "starts_on": "2026-05-17", "amount": "10",
                            "period": "quarter"})
    assert r.status_code == 201, r.content
    assert r.json()["starts_on"] == "2026-04-01" and r.json()["ends_on"] == "2026-06-30"
    r = api.post("quotas", {"starts_on": "2026-05-17", "amount": "10"})
    assert r.status_code == 422 and ["body", "user_id"] in [d["loc"] for d in r.json()["detail"]]
    r = api.post("quotas", {"user_id": rep.pk, "starts_on": "2026-05-17", "amount": "-1"})
    assert r.status_code == 422


@pytest.mark.parametrize("params", [{"pipeline": 2**70}, {"from": "9999-12-01"},
                                    {"from": "0001-01-01"}])
def test_extreme_parameters_are_a_422(rep_api, pipeline, params):
    assert rep_api.get("forecast", **params).status_code == 422
