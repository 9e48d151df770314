"""The published CDNOW results, reproduced through the product: import, fit, scores.

Sources of the figures asserted here:
- BG/NBD on the 1/10 sample (2,357 customers, calibration 1997-01-01 – 1997-09-30, 39 weeks):
  r = 0.243, α = 4.414, a = 0.793, b = 2.426, LL = −9582.4 — Fader, Hardie & Lee (2005),
  "Counting Your Customers the Easy Way: An Alternative to the Pareto/NBD Model", Marketing
  Science 24(2), 275–284, section 4; the same paper's Pareto/NBD: r = 0.553, α = 10.578,
  s = 0.606, β = 11.669, LL = −9595.0.
- The paper's worked example (section 4; also Hardie's note "Implementing the BG/NBD Model
  for Customer Base Analysis in Excel", 2005): a customer with x = 2, t_x = 30.43,
  T = 38.86 is expected to make 1.226 purchases in the next 39 weeks. That customer is
  sample id 0001 (purchases on 1997-01-01, 1997-01-18 and 1997-08-02).
- Gamma-Gamma on the 946 repeat customers' mean spend per repeat transaction in the
  calibration period: p = 6.25, q = 3.74, γ = 15.44 — Fader, Hardie & Lee (2005), "RFM and
  CLV: Using Iso-Value Curves for Customer Base Analysis", JMR 42(4), 415–430; Fader & Hardie
  (2013), "The Gamma-Gamma Model of Monetary Value".
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command

from vinculo.analytics.models import FitRun
from vinculo.customers.models import Contact

from .cdnow import email, import_sample

pytestmark = pytest.mark.django_db(transaction=False)


def test_cdnow_sample_reproduces_the_published_estimates(admin, admin_api):
    contacts, orders = import_sample(admin)
    assert contacts.errors == [] and contacts.created == 2357
    assert orders.errors == [] and orders.created == 6919

    call_command("analytics", "fit", "--calibration-end", "1997-09-30", stdout=_Sink())
    run = FitRun.objects.get()
    assert (run.customers, run.repeaters) == (2357, 946)
    assert run.calibration_end == dt.date(1997, 9, 30)

    body = admin_api.get("/api/v1/analytics/clv/model").json()
    assert body["time_unit"] == "weeks" and body["calibration_end"] == "1997-09-30"
    assert (body["customers"], body["repeaters"]) == (2357, 946)
    bg = body["bgnbd"]
    assert (round(bg["r"], 3), round(bg["alpha"], 3), round(bg["a"], 3), round(bg["b"], 3)) \
        == (0.243, 4.414, 0.793, 2.426)
    assert round(bg["log_likelihood"], 1) == -9582.4
    gg = body["gamma_gamma"]
    assert (round(gg["p"], 2), round(gg["q"], 2), round(gg["gamma"], 2)) == (6.25, 3.74, 15.44)
    pareto = run.pareto_nbd
    assert (round(pareto["r"], 3), round(pareto["alpha"], 3), round(pareto["s"], 3),
            round(pareto["beta"], 3)) == (0.553, 10.578, 0.606, 11.669)
    assert round(pareto["log_likelihood"], 1) == -9595.0

    # The paper's example customer, through the stored parameters.
    from vinculo.analytics import clv
    assert round(float(clv.bgnbd_expected(run.bgnbd, 2, 30.43, 38.86, 39)), 3) == 1.226
    example = Contact.objects.get(email=email("1"))
    assert example.rfm_score and example.rfm_segment
    assert 0 < example.p_alive < 1 and example.expected_purchases_90d > 0
    assert example.clv > 0 and 0 <= example.churn_risk <= 1

    # Holdout (weeks 40–78): not a published figure, a consistency check — the forecast of
    # the 1,882 repeat purchases is within 15 % and rises with calibration purchases.
    holdout = run.holdout
    assert holdout["holdout_weeks"] == 39.0
    assert holdout["actual_total"] == 1882
    assert abs(holdout["predicted_total"] - holdout["actual_total"]) < \
        0.15 * holdout["actual_total"]
    predicted = [g["predicted"] for g in holdout["by_frequency"]]
    assert predicted == sorted(predicted)
    assert [g["label"] for g in holdout["by_frequency"]][-1] == "7+"
    assert sum(g["customers"] for g in holdout["by_frequency"]) == 2357
    assert len(holdout["weekly"]) == 78


class _Sink:
    def write(self, _text: str) -> None:
        pass

    def flush(self) -> None:
        pass
