"""Predictive lead scoring: trained on a generated history with a real signal it beats its
baselines on the newest leads; with too little history it says so and the rules stay."""

from __future__ import annotations

import numpy as np
import pytest
from django.test import override_settings

from vinculo.analytics.recommendations import leadscoring
from vinculo.analytics.recommendations.models import LeadModel
from vinculo.sales.leads.models import Lead

from .leads_history import make_leads

pytestmark = pytest.mark.django_db


def test_model_beats_rule_score_and_base_rate(admin_api, admin):
    """900 generated leads (see leads_history.py): the model, evaluated on the newest quarter
    of the closed leads, has a higher AUC than the rule-based score and a lower Brier score
    than predicting the base rate."""
    make_leads(900, owner=admin)
    model = leadscoring.train()
    assert model.n >= 500 and model.converted >= 50
    assert model.active, model.message
    assert model.auc > model.baseline_auc + 0.05
    assert model.brier < model.baseline_brier - 0.01

    r = admin_api.get("analytics/lead-scoring/model")
    assert r.status_code == 200
    body = r.json()
    assert body["active"] and body["version"] == model.version and body["n"] == model.n
    assert body["baseline"]["auc"] == pytest.approx(model.baseline_auc)
    assert body["baseline"]["auc_of"] == "rule-based score"
    assert {"name": "source=referral", "coefficient": pytest.approx(
        model.coefficients[model.features.index("source=referral")])} in body["features"]
    assert model.coefficients[model.features.index("source=referral")] > 0

    open_leads = Lead.objects.filter(status__in=["new", "working", "qualified"]).count()
    assert Lead.objects.filter(conversion_probability__isnull=False).count() == open_leads > 0
    lead = Lead.objects.filter(status="new", source="referral").first()
    r = admin_api.get(f"leads/{lead.pk}/prediction")
    assert r.status_code == 200
    body = r.json()
    assert body["method"] == "model" and 0 < body["probability"] < 1
    lead.refresh_from_db()
    assert body["probability"] == pytest.approx(lead.conversion_probability, abs=1e-4)
    labels = {item["feature"]: item["label"] for item in body["explanation"]}
    assert labels.get("source=referral") == "Source: Referral"
    contributions = [abs(item["contribution"]) for item in body["explanation"]]
    assert contributions == sorted(contributions, reverse=True)

    # the probability is a column of the lead: in the API, filters and sorting
    likely = admin_api.get("leads", filter='{"field": "conversion_probability", "op": "gte", '
                           '"value": 0.5}', ordering="-conversion_probability", limit=200)
    assert likely.status_code == 200, likely.content
    got = [item["conversion_probability"] for item in likely.json()["items"]]
    assert got and all(p >= 0.5 for p in got) and got == sorted(got, reverse=True)
    assert len(got) == min(200, Lead.objects.filter(conversion_probability__gte=0.5).count())
    assert admin_api.patch(f"leads/{lead.pk}", {"conversion_probability": 1}).status_code == 422

    with override_settings(VINCULO_LEAD_SCORING_MIN_CLOSED=10_000):
        assert not leadscoring.train().active
    assert not Lead.objects.filter(conversion_probability__isnull=False).exists()


@override_settings(VINCULO_LEAD_SCORING_MIN_CLOSED=100, VINCULO_LEAD_SCORING_MIN_CONVERTED=10)
def test_stored_numbers_predict_like_the_fitted_pipeline(admin):
    leads = make_leads(300, owner=admin)
    model = leadscoring.train()
    closed, y = leadscoring.closed_leads(model.trained_at)
    pipeline = leadscoring._pipeline().fit(leadscoring.features(closed, model.trained_at), y)
    rows = leadscoring.features(leads[:20], model.trained_at)
    expected = pipeline.predict_proba(rows)[:, 1]
    ours = np.array([leadscoring.predict(model, row).probability for row in rows])
    assert np.allclose(ours, expected, atol=1e-9)


def test_too_little_history_falls_back_to_rules(admin_api, client, admin):
    make_leads(120, owner=admin)
    model = leadscoring.train()
    assert not model.active and "Not enough history" in model.message
    assert not Lead.objects.filter(conversion_probability__isnull=False).exists()
    lead = Lead.objects.filter(status="new").first()
    body = admin_api.get(f"leads/{lead.pk}/prediction").json()
    assert body["method"] == "rules" and body["probability"] is None
    assert "Not enough history" in body["message"] and body["rule_score"] == lead.score
    model_body = admin_api.get("analytics/lead-scoring/model").json()
    assert model_body["active"] is False and "needs 500" in model_body["message"]
    client.force_login(admin)
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "Predicted conversion" in page and "rule-based score stays in use" in page
    es = client.get(f"/leads/{lead.pk}/", headers={"Accept-Language": "es"})
    assert es.status_code == 200


@override_settings(VINCULO_LEAD_SCORING_MIN_CLOSED=10, VINCULO_LEAD_SCORING_MIN_CONVERTED=5)
def test_every_closed_lead_converted(admin):
    leads = make_leads(60, owner=admin)
    Lead.objects.filter(pk__in=[lead.pk for lead in leads]).exclude(status="new").update(
        status="converted")
    model = leadscoring.train()
    assert not model.active and "nothing to tell them apart" in model.message


def test_no_leads_at_all(admin_api):
    model = leadscoring.train()
    assert not model.active and model.n == 0
    assert admin_api.get("analytics/lead-scoring/model").json()["n"] == 0


@override_settings(VINCULO_LEAD_SCORING_MIN_CLOSED=50, VINCULO_LEAD_SCORING_MIN_CONVERTED=5)
def test_settings_lower_the_threshold_and_retraining_makes_a_new_version(admin):
    make_leads(300, owner=admin)
    first = leadscoring.train()
    second = leadscoring.train()
    assert second.version == first.version + 1
    assert LeadModel.objects.filter(active=True).count() <= 1


def test_access(rep, other_rep, rep_api, anon_api, admin_api):
    make_leads(30, owner=other_rep)
    lead = Lead.objects.first()
    assert rep_api.get(f"leads/{lead.pk}/prediction").status_code == 404
    assert admin_api.get("leads/999999/prediction").status_code == 404
    assert anon_api.get("analytics/lead-scoring/model").status_code == 401
    assert rep_api.get("analytics/lead-scoring/model").status_code == 200
    assert rep_api.post("analytics/lead-scoring/train").status_code == 403
    assert admin_api.post("analytics/lead-scoring/train").status_code == 200
