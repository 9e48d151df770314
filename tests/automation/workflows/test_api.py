"""The workflows API: checking definitions (422 naming the step and field), permissions,
testing against a record, the inbound webhook trigger, e-mail templates."""

import pytest

from vinculo.activities.models import Activity
from vinculo.automation.workflows.models import Workflow, WorkflowRun
from vinculo.customers.models import Contact
from vinculo.platform import records

pytestmark = pytest.mark.django_db

BASE = {"entity": "contacts", "name": "Flow", "trigger": {"on": "created"}, "steps": []}


def errors(response) -> dict:
    assert response.status_code == 422, response.content
    return {".".join(map(str, e["loc"][1:])): e["msg"] for e in response.json()["detail"]}


@pytest.mark.parametrize(("body", "loc", "words"), [
    ({"steps": [{"type": "update_record", "values": {"shoe_size": 42}}]},
     "steps.0.values.shoe_size", ["Step 1 (update_record)", "shoe_size"]),
    ({"steps": [{"type": "teleport"}]}, "steps.0.type", ["Step 1", "teleport"]),
    ({"trigger": {"on": "field_changed", "field": "nope"}}, "trigger.field", ["nope"]),
    ({"trigger": {"on": "sometimes"}}, "trigger.on", ["created"]),
    ({"trigger": {"on": "schedule", "cron": "61 * * * *"}}, "trigger.cron", ["61"]),
    ({"trigger": {"on": "date", "field": "first_name", "offset_days": 1}}, "trigger.field",
     ["first_name"]),
    ({"condition": {"field": "nope", "op": "eq", "value": 1}}, "condition.field", ["nope"]),
    ({"steps": [{"type": "branch", "if": {"field": "city", "op": "eq", "value": "x"},
                 "then": [{"type": "create_activity", "subject": "a"},
                          {"type": "update_record", "values": {"bogus": 1}}]}]},
     "steps.0.then.1.values.bogus", ["Step 1.then.2 (update_record)", "bogus"]),
    ({"steps": [{"type": "branch", "then": "no"}]}, "steps.0.if", ["condition"]),
    ({"steps": [{"type": "add_to_list", "list_id": 10**9}]}, "steps.0.list_id",
     ["Step 1 (add_to_list)", "no list"]),
    ({"steps": [{"type": "wait"}]}, "steps.0", ["duration"]),
    ({"steps": [{"type": "wait", "days": 400}]}, "steps.0.days", ["year"]),
    ({"steps": [{"type": "send_email", "to": "someone", "subject": "s", "body": "b"}]},
     "steps.0.to", ["someone"]),
    ({"steps": [{"type": "create_task", "subject": "{% if %}"}]}, "steps.0.subject",
     ["template error"]),
    ({"steps": [{"type": "webhook", "url": "ftp://example.com/x"}]}, "steps.0.url",
     ["http"]),
    ({"steps": [{"type": "webhook", "url": "http://127.0.0.1:9/x"}]}, "steps.0.url",
     ["loopback"]),
    ({"entity": "products", "steps": [{"type": "assign"}]}, "steps.0.type",
     ["assignment rules"]),
    ({"entity": "spaceships"}, "entity", ["Unknown record type"]),
])
def test_bad_definitions_are_refused_naming_the_step_and_field(admin_api, settings, body, loc,
                                                               words):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = False
    found = errors(admin_api.post("workflows", {**BASE, **body}))
    assert loc in found, found
    for word in words:
        assert word in found[loc], found[loc]
    assert not Workflow.objects.exists()


def test_a_change_is_checked_too_and_stale_versions_refused(admin_api):
    flow = admin_api.post("workflows", BASE).json()
    found = errors(admin_api.patch(f"workflows/{flow['id']}", {
        "steps": [{"type": "update_record", "values": {"nope": 1}}]}))
    assert "steps.0.values.nope" in found
    assert admin_api.patch(f"workflows/{flow['id']}", {"name": "x"},
                           headers={"If-Match": "99"}).status_code == 412
    changed = admin_api.patch(f"workflows/{flow['id']}", {"active": True},
                              headers={"If-Match": "1"})
    assert changed.status_code == 200 and changed.json()["version"] == 2


def test_only_administrators(rep_api, anon_api, admin_api):
    assert rep_api.get("workflows").status_code == 403
    assert rep_api.post("workflows", BASE).status_code == 403
    assert anon_api.get("workflows").status_code == 401
    assert admin_api.get("workflows/999").status_code == 404
    assert admin_api.get("workflows/999/runs").status_code == 404


def test_testing_against_a_record_changes_nothing(admin_api, admin, rep):
    flow = admin_api.post("workflows", {**BASE, "steps": [
        {"type": "update_record", "values": {"city": "Bilbao"}},
        {"type": "wait", "days": 3},
        {"type": "create_task", "subject": "Visit {{ record.first_name }} in {{ record.city }}"},
        {"type": "send_email", "to": "record", "subject": "Hola", "body": "Hi"},
        {"type": "branch", "if": {"field": "city", "op": "eq", "value": "Bilbao"},
         "then": [{"type": "create_activity", "subject": "In Bilbao"}],
         "else": [{"type": "create_activity", "subject": "Elsewhere"}]},
    ]}).json()
    contact = records.create("contacts", {"first_name": "Mar", "email": "mar@example.com",
                                          "city": "Vigo"}, actor=rep)
    response = admin_api.post(f"workflows/{flow['id']}/test", {"record_id": contact.pk})
    assert response.status_code == 200, response.json()
    result = response.json()
    assert result["status"] == "succeeded" and result["condition"] is True
    assert [s["type"] for s in result["steps"]] == [
        "update_record", "wait", "create_task", "send_email", "branch", "create_activity"]
    assert result["steps"][2]["output"]["subject"] == "Visit Mar in Bilbao"
    assert result["steps"][3]["output"]["dry_run"] is True
    assert result["steps"][5]["output"]["subject"] == "In Bilbao"
    contact.refresh_from_db()
    assert contact.city == "Vigo" and contact.version == 1
    assert not Activity.objects.exists() and not WorkflowRun.objects.exists()
    from django.core import mail
    assert mail.outbox == []
    assert admin_api.post(f"workflows/{flow['id']}/test", {"record_id": 10**9}
                          ).status_code == 404


def test_testing_reports_a_failing_step(admin_api, rep):
    flow = admin_api.post("workflows", {**BASE, "steps": [
        {"type": "update_record", "values": {"first_name": "New"}},
        {"type": "update_record", "values": {"email": "not-an-email"}},
        {"type": "create_activity", "subject": "never"}]}).json()
    contact = records.create("contacts", {"first_name": "Old"}, actor=rep)
    result = admin_api.post(f"workflows/{flow['id']}/test", {"record_id": contact.pk}).json()
    assert result["status"] == "failed" and "Step 2" in result["error"]
    assert [s["status"] for s in result["steps"]] == ["succeeded", "failed"]
    assert "email" in result["steps"][1]["error"]
    contact.refresh_from_db()
    assert contact.first_name == "Old"


def test_inbound_webhook_trigger(admin_api, anon_api, rep, django_capture_on_commit_callbacks):
    flow = admin_api.post("workflows", {**BASE, "trigger": {"on": "webhook"}, "active": True,
                                        "steps": [{"type": "create_activity",
                                                   "subject": "Paid {{ payload.amount }}"}]}
                          ).json()
    assert flow["hook_url"] == f"/api/v1/workflows/{flow['id']}/hook"
    token = flow["hook_token"]
    contact = records.create("contacts", {"first_name": "Hugo"}, actor=rep)
    url = f"workflows/{flow['id']}/hook"
    body = {"record_id": contact.pk, "event_id": "pay-1", "data": {"amount": "12.50"}}
    assert anon_api.post(url, body).status_code == 401
    assert anon_api.post(url, body, headers={"X-Vinculo-Token": "wrong"}).status_code == 401
    assert anon_api.post("workflows/999/hook", body,
                         headers={"X-Vinculo-Token": token}).status_code == 401
    with django_capture_on_commit_callbacks(execute=True):
        first = anon_api.post(url, body, headers={"X-Vinculo-Token": token})
        again = anon_api.post(url, body, headers={"X-Vinculo-Token": token})
    assert first.status_code == 202 and first.json()["duplicate"] is False
    assert again.status_code == 202 and again.json()["duplicate"] is True
    assert list(Activity.objects.values_list("subject", "contact_id")) == [
        ("Paid 12.50", contact.pk)]
    assert errors(anon_api.post(url, {"record_id": 10**9},
                                headers={"X-Vinculo-Token": token}))["record_id"]
    admin_api.patch(f"workflows/{flow['id']}", {"active": False})
    assert anon_api.post(url, body, headers={"X-Vinculo-Token": token}).status_code == 409


def test_email_templates_are_checked(admin_api):
    found = errors(admin_api.post("email-templates", {
        "name": "x", "subject_en": "{% bogus %}", "body_en": "b"}))
    assert "subject_en" in found
    made = admin_api.post("email-templates", {"name": "x", "subject_en": "s", "body_en": "b"})
    assert made.status_code == 201
    assert "name" in errors(admin_api.post("email-templates", {
        "name": "x", "subject_en": "s", "body_en": "b"}))
    assert not Contact.objects.exists()


@pytest.mark.parametrize("body", [
    {"active": None}, {"name": None}, {"steps": None}, {"trigger": None},
    {"steps": [{"type": "wait", "days": 1e300}]},
    {"steps": [{"type": "wait", "until": "9999-12-31T23:59:59"}]},
    {"steps": [{"type": "wait", "minutes": 5, "offset_days": 10**15}]},
    {"steps": [{"type": "send_email", "to": [["x"]], "subject": "s", "body": "b"}]},
    {"steps": [{"type": "send_email", "template": {"a": 1}, "to": "owner"}]},
    {"steps": [{"type": "webhook", "url": 5}]},
    {"trigger": {"on": "schedule", "cron": ["*"]}},
    {"trigger": {"on": "date", "field": 3, "offset_days": "x", "at_hour": 99}},
    {"steps": [{"type": "branch", "if": [], "then": {}, "else": 3}]},
    {"steps": [1, "x", None, []]},
])
def test_odd_changes_are_refused_not_errors(admin_api, body):
    flow = admin_api.post("workflows", BASE).json()
    response = admin_api.patch(f"workflows/{flow['id']}", body)
    assert response.status_code in (200, 422), response.content
    if body == {"active": None}:
        assert response.status_code == 200 and response.json()["active"] is False
