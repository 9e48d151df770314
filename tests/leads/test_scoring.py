"""Lead scoring: fit and engagement rules, recomputed on change, with the reasons."""

import datetime as dt

import pytest
from django.utils import timezone

from vinculo.platform import records
from vinculo.sales.leads import services
from vinculo.sales.leads.models import Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules(admin_api):
    made = [
        admin_api.post("scoring-rules", {
            "name": "Software company", "kind": "fit", "points": 20,
            "condition": {"field": "industry", "op": "ieq", "value": "software"}}),
        admin_api.post("scoring-rules", {
            "name": "Big company", "kind": "fit", "points": 15,
            "condition": {"field": "employees", "op": "gte", "value": 200}}),
        admin_api.post("scoring-rules", {
            "name": "Calls", "kind": "engagement", "event": "activity",
            "activity_kind": "call", "points": 5, "max_points": 12}),
        admin_api.post("scoring-rules", {
            "name": "Form submissions", "kind": "engagement", "event": "form_submission",
            "points": 7}),
        admin_api.post("scoring-rules", {
            "name": "Email clicks", "kind": "engagement", "event": "email_click",
            "points": 3}),
        admin_api.post("scoring-rules", {
            "name": "Disqualified", "kind": "fit", "points": -50,
            "condition": {"field": "status", "op": "eq", "value": "disqualified"}}),
    ]
    for r in made:
        assert r.status_code == 201, r.content
    return [r.json() for r in made]


def reasons(lead_json) -> dict:
    return {r["name"]: r["points"] for r in lead_json["score_reasons"]}


def test_fit_points_on_create_and_change(rules, rep_api):
    lead = rep_api.post("leads", {"company": "Acme", "industry": "Software",
                                  "employees": 50}).json()
    assert lead["score"] == 20 and reasons(lead) == {"Software company": 20}
    lead = rep_api.patch(f"leads/{lead['id']}", {"employees": 500}).json()
    assert lead["score"] == 35
    assert reasons(lead) == {"Software company": 20, "Big company": 15}
    lead = rep_api.patch(f"leads/{lead['id']}", {"status": "disqualified",
                                                 "disqualified_reason": "No budget"}).json()
    assert lead["score"] == -15


def test_engagement_points_from_activities_clicks_and_forms(rules, rep_api, rep):
    lead = rep_api.post("leads", {"company": "Acme"}).json()
    for i in range(3):
        r = rep_api.post("activities", {"kind": "call", "subject": f"Call {i}",
                                        "lead_id": lead["id"]})
        assert r.status_code == 201, r.content
    rep_api.post("activities", {"kind": "note", "subject": "A note", "lead_id": lead["id"]})
    data = rep_api.get(f"leads/{lead['id']}").json()
    assert data["score"] == 12  # 3 calls x 5, at most 12
    call_reason = next(r for r in data["score_reasons"] if r["name"] == "Calls")
    assert call_reason["count"] == 3 and call_reason["kind"] == "engagement"
    services.record_engagement(lead["id"], "email_click", detail={"url": "https://x.es"})
    services.record_engagement(lead["id"], "form_submission")
    data = rep_api.get(f"leads/{lead['id']}").json()
    assert data["score"] == 12 + 3 + 7
    # Deleting an activity takes its points away.
    call = rep_api.get("activities", filter='{"field": "kind", "op": "eq", "value": "call"}')
    for item in call.json()["items"][:2]:
        assert rep_api.delete(f"activities/{item['id']}").status_code == 204
    assert rep_api.get(f"leads/{lead['id']}").json()["score"] == 5 + 3 + 7


def test_engagement_within_days(admin_api, rep, rep_api):
    admin_api.post("scoring-rules", {"name": "Recent meetings", "kind": "engagement",
                                     "event": "activity", "activity_kind": "meeting",
                                     "points": 10, "within_days": 30})
    lead = rep_api.post("leads", {"company": "Acme"}).json()
    records.create("activities", {"kind": "meeting", "subject": "Old", "lead_id": lead["id"],
                                  "occurred_at": timezone.now() - dt.timedelta(days=60)},
                   actor=rep)
    assert Lead.objects.get(pk=lead["id"]).score == 0
    records.create("activities", {"kind": "meeting", "subject": "New", "lead_id": lead["id"]},
                   actor=rep)
    assert Lead.objects.get(pk=lead["id"]).score == 10


def test_changing_the_rules_rescores_every_lead(rules, rep_api, admin_api,
                                                django_capture_on_commit_callbacks):
    lead = rep_api.post("leads", {"company": "Acme", "industry": "software"}).json()
    assert lead["score"] == 20
    rule = rules[0]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        r = admin_api.patch(f"scoring-rules/{rule['id']}", {"points": 30})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert len(callbacks) == 1  # the background rescoring
    assert Lead.objects.get(pk=lead["id"]).score == 30
    with django_capture_on_commit_callbacks(execute=True):
        assert admin_api.delete(f"scoring-rules/{rule['id']}").status_code == 204
    assert Lead.objects.get(pk=lead["id"]).score == 0


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "kind": "fit"}, "condition"),
    ({"name": "x", "kind": "fit", "condition": {"field": "nope", "op": "eq", "value": 1}},
     "condition"),
    ({"name": "x", "kind": "engagement"}, "event"),
    ({"name": "x", "kind": "engagement", "event": "telepathy"}, "event"),
    ({"name": "x", "kind": "fit", "points": 5000, "condition": {}}, "points"),
    ({"name": "", "kind": "fit"}, "name"),
])
def test_bad_rules_are_422(admin_api, body, field):
    r = admin_api.post("scoring-rules", body)
    assert r.status_code == 422, r.content
    assert field in [e["loc"][1] for e in r.json()["detail"]]


def test_only_admins_change_rules(rep_api, rules):
    assert rep_api.get("scoring-rules").status_code == 200
    assert rep_api.post("scoring-rules", {"name": "x", "kind": "engagement",
                                          "event": "email_click"}).status_code == 403
    assert rep_api.patch(f"scoring-rules/{rules[0]['id']}", {"points": 1}).status_code == 403
    assert rep_api.delete(f"scoring-rules/{rules[0]['id']}").status_code == 403


def test_the_lead_page_shows_the_score_and_reasons(rules, client, rep, rep_api):
    lead = rep_api.post("leads", {"company": "Acme", "industry": "software"}).json()
    client.force_login(rep)
    page = client.get(f"/leads/{lead['id']}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "data-lead-score" in text and "Software company" in text and "+20" in text


def test_settings_pages_for_rules(client, admin, rules):
    client.force_login(admin)
    assert b"Software company" in client.get("/settings/scoring/").content
    r = client.post("/settings/scoring/new/", {
        "name": "Madrid", "kind": "fit", "points": "5", "order": "0", "active": "1",
        "condition": '{"field": "city", "op": "ieq", "value": "madrid"}'})
    assert r.status_code == 302
    r = client.post("/settings/scoring/new/", {"name": "Broken", "kind": "fit", "points": "5",
                                               "condition": "{nope"})
    assert r.status_code == 200 and b"not valid JSON" in r.content


def test_engagement_through_the_api(rules, rep_api, other_api):
    lead = rep_api.post("leads", {"company": "Acme"}).json()
    r = rep_api.post(f"leads/{lead['id']}/events", {"kind": "email_click",
                                                     "detail": {"url": "https://x.es/p"}})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "email_click"
    assert rep_api.get(f"leads/{lead['id']}").json()["score"] == 3
    assert [e["kind"] for e in rep_api.get(f"leads/{lead['id']}/events").json()["items"]] == [
        "email_click"]
    assert rep_api.post(f"leads/{lead['id']}/events", {"kind": "activity"}).status_code == 422
    assert rep_api.post(f"leads/{lead['id']}/events",
                        {"kind": "email_click", "detail": {"x": "y" * 6000}}).status_code == 422
    assert other_api.post(f"leads/{lead['id']}/events",
                          {"kind": "email_click"}).status_code == 404


def test_editing_and_deleting_a_rule_in_settings(client, admin, rules,
                                                 django_capture_on_commit_callbacks):
    client.force_login(admin)
    rule = rules[0]
    page = client.get(f"/settings/scoring/{rule['id']}/")
    assert page.status_code == 200 and b"industry" in page.content
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/settings/scoring/{rule['id']}/", {
            "name": "Software (more)", "kind": "fit", "points": "25", "order": "0",
            "active": "1", "condition": '{"field": "industry", "op": "ieq", "value": "software"}'})
    assert r.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/settings/scoring/{rule['id']}/", {"action": "delete"})
    assert r.status_code == 302
    assert client.get(f"/settings/scoring/{rule['id']}/").status_code == 404
