"""The service dashboard against a constructed set of cases: exact figures, a fixed number of
queries, and who may see it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from tests.conftest import api_for
from vinculo.platform import records
from vinculo.service.models import Case
from vinculo.service.surveys import selectors, services
from vinculo.service.surveys.models import Invitation, Survey, SurveyResponse

NOW = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)  # a Monday
H = dt.timedelta(hours=1)
D = dt.timedelta(days=1)


def _case(admin, contact, queue, status, created, *, fr_due=None, responded=None,
          res_due=None, resolved=None):
    case = records.create("cases", {"subject": f"Case {created}", "contact_id": contact.pk,
                                    "queue_id": queue.pk if queue else None}, actor=admin)
    Case.all_objects.filter(pk=case.pk).update(
        status=status, created_at=created, first_response_due=fr_due,
        first_responded_at=responded, resolution_due=res_due, resolved_at=resolved)
    return case


def _answer(survey, contact, case, score, at):
    invitation = Invitation.objects.create(survey=survey, contact=contact, case=case,
                                           email="x@example.com", status="sent")
    SurveyResponse.objects.create(invitation=invitation, survey=survey, contact=contact,
                                  case=case, score=score, answered_at=at, updated_at=at)


@pytest.fixture
def world(admin, people):
    queue_a = records.create("queues", {"name": "A"}, actor=admin)
    queue_b = records.create("queues", {"name": "B"}, actor=admin)
    who = people["lucia"]
    c1 = _case(admin, who, queue_a, "open", NOW - 2 * H, fr_due=NOW - H, res_due=NOW + D)
    c2 = _case(admin, who, queue_a, "open", NOW - 2 * D, fr_due=NOW - 2 * D + H,
               responded=NOW - 2 * D + 30 * dt.timedelta(minutes=1), res_due=NOW - H)
    c3 = _case(admin, who, queue_b, "resolved", NOW - 5 * D, fr_due=NOW - 5 * D + H,
               responded=NOW - 5 * D + 2 * H, res_due=NOW - 3 * D, resolved=NOW - 4 * D)
    c4 = _case(admin, who, queue_b, "closed", NOW - 10 * D, fr_due=NOW - 10 * D + H,
               responded=NOW - 10 * D + 10 * dt.timedelta(minutes=1), res_due=NOW - 8 * D,
               resolved=NOW - 7 * D)
    _case(admin, who, None, "pending", NOW - 40 * D)
    csat = services.case_survey()
    _answer(csat, who, c3, 4, NOW - 4 * D)       # week of 16 November
    _answer(csat, who, c4, 2, NOW - 9 * D)       # week of 9 November
    nps = Survey.objects.create(kind="nps", name="NPS")
    for score, contact in zip((10, 9, 7, 3), people.values(), strict=False):
        _answer(nps, contact, None, score, NOW - D)
    return {"a": queue_a, "b": queue_b, "cases": [c1, c2, c3, c4]}


def _board(user, **kw):
    return selectors.service_dashboard(user, start=(NOW - 84 * D).date(), end=NOW.date(),
                                       now=NOW, **kw)


def test_dashboard_figures_are_exact(admin, world):
    board = _board(admin).as_json()
    assert board["backlog_total"] == 3
    backlog = {row["queue"]: (row["total"], row["ages"]) for row in board["backlog"]}
    assert backlog == {"A": (2, [1, 1, 0, 0, 0]), None: (1, [0, 0, 0, 0, 1])}
    sla = board["sla"]
    assert (sla["fr_met"], sla["fr_breached"], sla["res_met"], sla["res_breached"]) == \
        (2, 2, 1, 2)
    assert sla["fr_rate"] == 0.5 and round(sla["res_rate"], 4) == round(1 / 3, 4)
    assert board["median_first_response_minutes"] == 30.0        # 10, 30, 120
    assert board["median_resolution_minutes"] == 2880.0          # (1 day + 3 days) / 2
    assert board["csat_trend"] == [
        {"period": "2026-11-09", "average": 2.0, "count": 1},
        {"period": "2026-11-16", "average": 4.0, "count": 1}]
    assert board["csat_average"] == 3.0
    assert board["nps"] == 25 and board["nps_responses"] == 4    # (2 − 1) / 4
    monthly = _board(admin, group="month").as_json()
    assert monthly["csat_trend"] == [{"period": "2026-11-01", "average": 3.0, "count": 2}]


def test_queue_filter(admin, world):
    board = _board(admin, queue_id=world["a"].pk).as_json()
    assert board["backlog_total"] == 2
    sla = board["sla"]
    assert (sla["fr_met"], sla["fr_breached"], sla["res_met"], sla["res_breached"]) == \
        (1, 1, 0, 1)
    assert board["csat_trend"] == [] and board["csat_average"] is None


def test_query_count_does_not_grow_with_cases(admin, world, people):
    with CaptureQueriesContext(connection) as first:
        _board(admin)
    for i in range(15):
        _case(admin, people["nora"], world["a"] if i % 2 else world["b"], "open",
              NOW - i * D, fr_due=NOW, responded=NOW - i * D + H)
    with CaptureQueriesContext(connection) as second:
        _board(admin)
    assert len(first) == len(second) <= 12


def test_page_and_api_and_access(admin, rep, agent, world):
    browser = Client()
    browser.force_login(admin)
    page = browser.get("/service/dashboard/", {"start": "2026-08-31", "end": "2026-11-23",
                                               "queue": str(world["a"].pk)})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-kpi="backlog">2<' in html and "data-sla" in html
    bad = browser.get("/service/dashboard/", {"start": "2026-12-01", "end": "2026-11-01"})
    assert bad.status_code == 200 and "alert-error" in bad.content.decode()
    r = api_for(admin).get("service/dashboard", start="2026-08-31", end="2026-11-23")
    assert r.status_code == 200 and "backlog" in r.json()
    r = api_for(admin).get("service/dashboard", start="2026-12-01", end="2026-11-01")
    assert r.status_code == 422 and "start" in r.content.decode()
    r = api_for(admin).get("service/dashboard", group="year")
    assert r.status_code == 422
    # A sales rep may not see it; a service agent sees the figures of their own cases.
    assert api_for(rep).get("service/dashboard").status_code == 403
    browser.force_login(rep)
    assert browser.get("/service/dashboard/").status_code == 403
    r = api_for(agent).get("service/dashboard")
    assert r.status_code == 200 and r.json()["backlog_total"] == 0
