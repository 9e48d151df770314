"""The leads of the demo data set."""

import pytest
from django.utils import timezone

from vinculo.platform.importexport import demo as base
from vinculo.sales.leads.demo import make_leads
from vinculo.sales.leads.models import Lead, LeadEvent, ScoringRule, WebForm

pytestmark = pytest.mark.django_db


def test_make_leads(admin, django_capture_on_commit_callbacks):
    summary = base.Summary()
    owners = base.ensure_users(summary)
    ctx = base.Context(7, admin, timezone.now().replace(microsecond=0), owners)
    ctx.step("leads")
    steps = []
    with django_capture_on_commit_callbacks(execute=True):
        leads = make_leads(ctx, summary, steps.append, count=40)
    assert steps == ["leads"] and len(leads) == 40
    assert summary.counts["leads"] == 40 and summary.counts["leads converted"] >= 1
    assert ScoringRule.objects.count() >= 5 and WebForm.objects.count() == 1
    assert Lead.objects.filter(status="converted").count() == summary.counts["leads converted"]
    assert Lead.objects.filter(score__gt=0).exists()
    assert all(lead.disqualified_reason for lead in Lead.objects.filter(status="disqualified"))
    assert LeadEvent.objects.filter(kind="form_submission").exists()
    scored = Lead.objects.filter(score__gt=0).first()
    assert sum(r["points"] for r in scored.score_reasons) == scored.score
