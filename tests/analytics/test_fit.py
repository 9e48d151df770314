"""Fitting through the product: stored model, scores on contacts, bad and degenerate data,
the API with its permissions, the page and the contact panel."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from vinculo.analytics import clv, services
from vinculo.analytics.models import FitRun
from vinculo.automation import schedules
from vinculo.customers.models import Contact

from .builders import START, contacts, orders, shop

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 12, 31)
SCORES = ("p_alive", "expected_purchases_90d", "clv", "churn_risk")


@pytest.fixture(autouse=True)
def quick_pareto(monkeypatch):
    """Small synthetic stores rarely pin the Pareto/NBD down; don't wait 10 s to find out."""
    monkeypatch.setattr(clv, "PARETO_BUDGET", 1.0)


def fit(**kw) -> services.Outcome:
    return services.fit(kw.pop("calibration_end", None), today=kw.pop("today", TODAY))


def assert_finite(contact: Contact) -> None:
    for name in SCORES:
        value = getattr(contact, name)
        assert value is None or math.isfinite(float(value)), (name, value)


def test_fit_stores_model_and_scores_every_buyer_without_touching_versions(admin, rep):
    people = contacts(120, owner=rep)
    shop(people)
    lonely = contacts(1, prefix="nobody")[0]
    versions = dict(Contact.objects.values_list("pk", "version"))
    outcome = fit(calibration_end=dt.date(2025, 9, 30))
    run = outcome.run
    assert run is not None and run.customers == 120 and run.repeaters >= 5
    assert run.holdout["by_frequency"] and run.holdout["weekly"]
    assert FitRun.objects.count() == 1
    scored = Contact.objects.exclude(pk=lonely.pk)
    assert scored.filter(rfm_score="").count() == 0
    assert scored.filter(p_alive__isnull=True).count() == 0
    for contact in scored:
        assert_finite(contact)
        assert 0 <= contact.p_alive <= 1 and 0 <= contact.churn_risk <= 1
        assert len(contact.rfm_score) == 3
    lonely.refresh_from_db()
    assert (lonely.rfm_score, lonely.p_alive, lonely.clv) == ("", None, None)
    assert dict(Contact.objects.values_list("pk", "version")) == versions


def test_model_endpoint_has_the_contract_shape(admin_api, rep):
    shop(contacts(60, owner=rep), seed=3)
    fit()
    body = admin_api.get("/api/v1/analytics/clv/model").json()
    assert set(body) >= {"calibration_end", "time_unit", "customers", "repeaters", "bgnbd",
                         "gamma_gamma", "fitted_at"}
    assert set(body["bgnbd"]) == {"r", "alpha", "a", "b", "log_likelihood"}
    assert set(body["gamma_gamma"]) == {"p", "q", "gamma", "log_likelihood"}
    assert body["time_unit"] == "weeks" and body["calibration_end"] == "2025-12-31"
    # No holdout after today: the report comes from a test fit on an earlier cut.
    holdout = admin_api.get("/api/v1/analytics/clv/holdout").json()
    assert holdout["validation_fit"] and holdout["calibration_end"] < "2025-12-31"


def test_scores_filter_and_sort_like_any_field(admin_api, rep):
    shop(contacts(60, owner=rep), seed=5)
    fit()
    response = admin_api.get("/api/v1/contacts", filter='{"field": "churn_risk", "op": "gte", '
                             '"value": 0}', ordering="-clv", limit=500)
    items = response.json()["items"]
    assert len(items) == 60
    values = [Decimal(i["clv"]) for i in items if i["clv"] is not None]
    assert values == sorted(values, reverse=True)


def test_too_little_history_stores_no_model_and_falls_back_to_rfm(admin):
    people = contacts(8)
    orders([(c, START + dt.timedelta(days=i), "20.00") for i, c in enumerate(people)])
    orders([(people[0], START + dt.timedelta(days=40), "30.00")])
    outcome = fit()
    assert outcome.run is None and "at least 20" in outcome.message
    assert FitRun.objects.count() == 0
    for contact in Contact.objects.all():
        assert contact.rfm_score and contact.rfm_segment
        assert contact.p_alive is None and contact.clv is None
        assert contact.churn_risk is not None and 0 <= contact.churn_risk <= 1


def test_everyone_bought_once_is_a_clear_message_not_a_crash(admin):
    people = contacts(40)
    orders([(c, START + dt.timedelta(days=i), "15.00") for i, c in enumerate(people)])
    outcome = fit()
    assert outcome.run is None and "more than once" in outcome.message
    assert set(Contact.objects.values_list("rfm_score", flat=True)) != {""}


def test_zero_negative_and_future_orders_never_give_nan(admin, rep):
    people = contacts(50, owner=rep)
    shop(people, seed=9)
    zero = contacts(10, prefix="zero")
    orders([(c, START + dt.timedelta(days=d), "0.00") for c in zero for d in (1, 30, 90)])
    orders([(people[1], START + dt.timedelta(days=5), "-50.00")])
    future = contacts(3, prefix="future")
    orders([(c, dt.datetime(2030, 1, 1, tzinfo=dt.UTC), "99.00") for c in future])
    outcome = fit()
    assert outcome.run is not None
    for contact in Contact.objects.all():
        assert_finite(contact)
    for contact in Contact.objects.filter(first_name__startswith="future"):
        assert contact.rfm_score == "" and contact.p_alive is None  # future orders ignored
    assert all(c.clv is not None and c.clv >= 0
               for c in Contact.objects.filter(first_name__startswith="zero"))


def test_all_spend_zero_fits_frequency_and_leaves_clv_empty(admin):
    people = contacts(40)
    rows = [(c, START + dt.timedelta(days=i + 20 * k), "0.00") for i, c in enumerate(people)
            for k in range(1 + i % 4)]
    orders(rows)
    outcome = fit()
    assert outcome.run is not None and outcome.run.gamma_gamma == {}
    assert Contact.objects.filter(clv__isnull=False).count() == 0
    assert Contact.objects.filter(p_alive__isnull=True).count() == 0


def test_permissions_and_errors(admin_api, rep_api, anon_api):
    assert anon_api.get("/api/v1/analytics/clv/model").status_code == 401
    missing = admin_api.get("/api/v1/analytics/clv/model")
    assert missing.status_code == 404 and "analytics fit" in missing.json()["detail"]
    assert rep_api.post("/api/v1/analytics/clv/fit", {}).status_code == 403
    bad = admin_api.post("/api/v1/analytics/clv/fit", {"calibration_end": "31/12/2025"})
    assert bad.status_code == 422 and "calibration_end" in str(bad.json()["detail"])
    done = admin_api.post("/api/v1/analytics/clv/fit", {})
    assert done.status_code == 200 and done.json()["fitted"] is False


def test_valuable_customers_at_risk_are_scoped_to_what_the_user_sees(rep, other_rep, rep_api,
                                                                     admin_api):
    mine, theirs = contacts(40, owner=rep, prefix="mine"), contacts(40, owner=other_rep,
                                                                    prefix="theirs")
    shop(mine + theirs, seed=11, weeks=20)  # nobody bought in the last months: drifting away
    outcome = fit()
    assert outcome.run is not None
    everyone = admin_api.get("/api/v1/analytics/at-risk", limit=500).json()["items"]
    assert everyone, "a store that went quiet has valuable customers at risk"
    assert all(Decimal(i["clv"]) >= Decimal(str(outcome.run.settings["valuable_clv"]))
               and i["churn_risk"] >= 0.5 for i in everyone)
    clvs = [Decimal(i["clv"]) for i in everyone]
    assert clvs == sorted(clvs, reverse=True)
    own = rep_api.get("/api/v1/analytics/at-risk", limit=500).json()["items"]
    assert {i["id"] for i in own} <= {c.pk for c in mine}
    assert {i["id"] for i in own} == {i["id"] for i in everyone} & {c.pk for c in mine}

    scores = rep_api.get(f"/api/v1/analytics/contacts/{mine[0].pk}/scores")
    assert scores.status_code == 200
    body = scores.json()
    expected = body["expected_purchases"]
    assert 0 <= expected["30d"] <= expected["90d"] <= expected["365d"]
    assert body["explanation"].startswith("Bought") and body["rfm_score"]
    assert rep_api.get(f"/api/v1/analytics/contacts/{theirs[0].pk}/scores").status_code == 404


def test_command_fits_and_refuses_a_bad_date(admin, rep):
    shop(contacts(40, owner=rep), seed=13)
    with pytest.raises(CommandError, match="calibration-end"):
        call_command("analytics", "fit", "--calibration-end", "yesterday")
    call_command("analytics", "fit", "--calibration-end", "2025-06-30")
    assert FitRun.objects.get().calibration_end == dt.date(2025, 6, 30)


def test_the_fit_runs_every_night():
    job = {s.name: s for s in schedules.registered()}["analytics.fit"]
    assert job.cron is not None
    assert schedules.due(job, dt.datetime(2026, 1, 2, 1, 30, tzinfo=dt.UTC))
    assert not schedules.due(job, dt.datetime(2026, 1, 2, 13, 30, tzinfo=dt.UTC))


def test_page_and_contact_panel(admin, rep):
    people = contacts(60, owner=rep)
    shop(people, seed=17)
    client = Client()
    client.force_login(admin)
    empty = client.get("/analytics/")
    assert empty.status_code == 200 and b"data-analytics-empty" in empty.content
    panel = client.get(f"/contacts/{people[0].pk}/")
    assert b"data-analytics-scores" in panel.content
    fit(calibration_end=dt.date(2025, 9, 30))
    page = client.get("/analytics/", headers={"Accept-Language": "es"})
    body = page.content.decode()
    assert page.status_code == 200
    for marker in ("data-holdout-tracking", "<polyline", "data-frequency=\"7+\"",
                   "data-rfm-segments", "data-valuable-at-risk"):
        assert marker in body
    assert not re.search(r"\b(nan|inf)\b", body, re.IGNORECASE)
    buyer = Contact.objects.filter(p_alive__isnull=False).order_by("-rfm_score").first()
    detail = client.get(f"/contacts/{buyer.pk}/").content.decode()
    assert "data-analytics-explanation" in detail and "Bought" in detail
    rep_client = Client()
    rep_client.force_login(rep)
    assert rep_client.post("/analytics/fit/").status_code == 403
    assert rep_client.get("/analytics/").status_code == 200
