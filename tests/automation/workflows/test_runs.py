"""Workflows triggered by record changes, run step by step, in process."""

import datetime as dt
import logging

import pytest
from django.core import mail
from django.utils import timezone

from vinculo.activities.models import Activity
from vinculo.automation.workflows import engine, services
from vinculo.automation.workflows.models import StepRun, Workflow, WorkflowRun
from vinculo.customers.models import Contact
from vinculo.platform import records

pytestmark = pytest.mark.django_db


def make(admin_api, **data) -> dict:
    body = {"entity": "contacts", "name": "Welcome", "trigger": {"on": "created"},
            "steps": [], "active": True, **data}
    response = admin_api.post("workflows", body)
    assert response.status_code == 201, response.json()
    return response.json()


def test_created_trigger_runs_its_steps_and_logs_each(admin_api, admin, rep, commit):
    flow = make(admin_api, condition={"field": "city", "op": "ieq", "value": "madrid"}, steps=[
        {"type": "update_record", "values": {"lifecycle_stage": "lead",
                                             "title": "Hello {{ record.first_name }}"}},
        {"type": "create_task", "subject": "Call {{ record.title }}", "due_in_days": 2},
        {"type": "send_email", "to": "record", "subject": "Hi {{ record.first_name }}",
         "body": "Dear {{ record.first_name }} {{ record.last_name }}"},
    ])
    with commit():
        lucia = records.create("contacts", {"first_name": "Lucía", "last_name": "Gil",
                                            "email": "lucia@example.com", "city": "Madrid",
                                            "owner_id": rep.pk}, actor=rep)
        records.create("contacts", {"first_name": "Ana", "city": "Sevilla"}, actor=rep)
    lucia.refresh_from_db()
    assert lucia.lifecycle_stage == "lead" and lucia.title == "Hello Lucía"
    task = Activity.objects.get(contact=lucia)
    assert (task.kind, task.subject, task.owner_id) == ("task", "Call Hello Lucía", rep.pk)
    assert [m.subject for m in mail.outbox] == ["Hi Lucía"]
    assert mail.outbox[0].to == ["lucia@example.com"]
    runs = admin_api.get(f"workflows/{flow['id']}/runs").json()["items"]
    assert len(runs) == 1 and runs[0]["status"] == "succeeded"
    assert runs[0]["record_id"] == lucia.pk
    steps = runs[0]["steps"]
    assert [(s["type"], s["status"], s["attempts"]) for s in steps] == [
        ("update_record", "succeeded", 1), ("create_task", "succeeded", 1),
        ("send_email", "succeeded", 1)]
    assert steps[0]["output"]["changed"]["title"] == ["", "Hello Lucía"]
    assert steps[1]["output"]["activity_id"] == task.pk


def test_field_changed_to_a_value_and_branches(admin_api, rep, commit):
    make(admin_api, trigger={"on": "field_changed", "field": "lifecycle_stage",
                             "to": "customer"}, steps=[
        {"type": "branch", "if": {"field": "city", "op": "eq", "value": "Madrid"},
         "then": [{"type": "create_activity", "kind": "note", "subject": "Madrid customer"}],
         "else": [{"type": "create_activity", "kind": "note", "subject": "Elsewhere"}]},
        {"type": "create_activity", "kind": "note", "subject": "Always"},
    ])
    contact = records.create("contacts", {"first_name": "Pablo", "city": "Madrid"}, actor=rep)
    with commit():
        records.update(contact, {"lifecycle_stage": "lead"}, actor=rep)
    assert not Activity.objects.exists()
    with commit():
        records.update(contact, {"lifecycle_stage": "customer"}, actor=rep)
    assert sorted(Activity.objects.values_list("subject", flat=True)) == [
        "Always", "Madrid customer"]
    run = WorkflowRun.objects.get()
    assert [(s.path, s.type) for s in run.step_runs.all()] == [
        ("0", "branch"), ("0.then.0", "create_activity"), ("1", "create_activity")]


def test_the_same_event_runs_a_workflow_once(admin_api, rep, commit):
    from vinculo.platform import events

    flow = make(admin_api, steps=[{"type": "create_activity", "subject": "Once"}])
    contact = records.create("contacts", {"first_name": "Eva"}, actor=rep)
    event = events.RecordChanged("contacts", contact.pk, "created", ("first_name",), rep.pk)
    with commit():
        events.dispatch([event.as_dict()])
    with commit():
        events.dispatch([event.as_dict()])
    assert Activity.objects.filter(subject="Once").count() == 1
    assert WorkflowRun.objects.filter(workflow_id=flow["id"]).count() == 1


def test_a_workflow_triggering_itself_stops_at_the_depth_limit(admin_api, rep, commit, caplog):
    flow = make(admin_api, name="Echo", trigger={"on": "updated"}, steps=[
        {"type": "update_record", "values": {"title": "v{{ record.version }}"}}])
    contact = records.create("contacts", {"first_name": "Leo"}, actor=rep)
    with caplog.at_level(logging.WARNING, logger="vinculo.workflows"), commit():
        records.update(contact, {"title": "start"}, actor=rep)
    limit = services.max_depth()
    runs = WorkflowRun.objects.filter(workflow_id=flow["id"]).order_by("id")
    assert [r.depth for r in runs] == list(range(limit + 1))
    assert [r.status for r in runs] == ["succeeded"] * limit + ["stopped"]
    assert "triggers itself" in runs.last().error
    assert any("stopped at depth" in r.getMessage() and "Echo" in r.getMessage()
               for r in caplog.records)
    contact.refresh_from_db()
    assert contact.version == limit + 2


def test_a_failing_step_changes_nothing_and_is_reported(admin_api, rep, commit):
    make(admin_api, steps=[{"type": "update_record",
                            "values": {"first_name": "Ok", "email": "not an email"}}])
    with commit():
        contact = records.create("contacts", {"first_name": "Iris"}, actor=rep)
    contact.refresh_from_db()
    assert contact.first_name == "Iris"
    run = WorkflowRun.objects.get()
    assert run.status == "failed" and "email" in run.error and "Step 1" in run.error
    step = run.step_runs.get()
    assert step.status == "failed" and step.attempts == 1


def test_wait_parks_the_run_and_the_sweep_wakes_it(admin_api, rep, commit):
    make(admin_api, steps=[
        {"type": "create_activity", "subject": "Before"},
        {"type": "wait", "hours": 2},
        {"type": "create_activity", "subject": "After"}])
    with commit():
        records.create("contacts", {"first_name": "Sara"}, actor=rep)
    run = WorkflowRun.objects.get()
    assert run.status == "waiting" and run.position == 2
    assert StepRun.objects.get(run=run, type="wait").status == "waiting"
    assert list(Activity.objects.values_list("subject", flat=True)) == ["Before"]
    assert engine.wake_due() == 0
    WorkflowRun.objects.filter(pk=run.pk).update(wake_at=timezone.now())
    engine.wake_due()
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert sorted(Activity.objects.values_list("subject", flat=True)) == ["After", "Before"]
    assert StepRun.objects.get(run=run, type="wait").status == "succeeded"


def test_schedule_trigger_fires_once_per_cron_minute(admin_api, rep, commit):
    flow = make(admin_api, trigger={"on": "schedule", "cron": "0 9 * * *"},
                condition={"field": "city", "op": "eq", "value": "Lima"},
                steps=[{"type": "create_activity", "subject": "Morning"}])
    Workflow.objects.filter(pk=flow["id"]).update(
        activated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    for name in ("A", "B"):
        records.create("contacts", {"first_name": name, "city": "Lima"}, actor=rep)
    records.create("contacts", {"first_name": "C", "city": "Quito"}, actor=rep)
    nine = dt.datetime(2026, 3, 2, 9, 0, 20, tzinfo=dt.UTC)
    with commit():
        assert services.fire_schedules(nine - dt.timedelta(minutes=1)) == 0
        assert services.fire_schedules(nine) == 2
        assert services.fire_schedules(nine + dt.timedelta(minutes=3)) == 0
    assert Activity.objects.filter(subject="Morning").count() == 2


def test_date_trigger_days_before_a_date(admin_api, rep, commit):
    make(admin_api, trigger={"on": "date", "field": "birthdate", "offset_days": -3},
         steps=[{"type": "create_task", "subject": "Birthday of {{ record.first_name }}"}])
    today = timezone.now().date()
    records.create("contacts", {"first_name": "Due", "birthdate": today + dt.timedelta(3)},
                   actor=rep)
    records.create("contacts", {"first_name": "Later", "birthdate": today + dt.timedelta(4)},
                   actor=rep)
    with commit():
        assert services.fire_dates() == 1
        assert services.fire_dates() == 0
    assert list(Activity.objects.values_list("subject", flat=True)) == ["Birthday of Due"]


def test_assign_step_applies_the_assignment_rules(admin_api, admin, rep, commit):
    from vinculo.sales.assignment import services as assignment

    assignment.create_rule({"entity": "leads", "name": "All to Rita", "method": "user",
                            "user_id": rep.pk})
    make(admin_api, entity="leads", trigger={"on": "field_changed", "field": "status",
                                             "to": "working"}, steps=[{"type": "assign"}])
    lead = records.create("leads", {"last_name": "Mora", "company": "Mora SL",
                                    "owner_id": admin.pk}, actor=admin)
    assert lead.owner_id == admin.pk
    with commit():
        records.update(lead, {"status": "working"}, actor=admin)
    lead.refresh_from_db()
    assert lead.owner_id == rep.pk
    step = StepRun.objects.get(type="assign")
    assert step.output["owner_id"] == rep.pk and step.output["previous_owner_id"] == admin.pk


def test_email_template_in_the_recipient_language(admin_api, rep, commit):
    template = admin_api.post("email-templates", {
        "name": "welcome", "subject_en": "Welcome {{ record.first_name }}",
        "body_en": "Hello", "subject_es": "Bienvenida {{ record.first_name }}",
        "body_es": "Hola {{ record.owner.name }}"}).json()
    make(admin_api, steps=[{"type": "send_email", "template_id": template["id"],
                            "language": "es", "to": ["boss@example.com"]}])
    with commit():
        records.create("contacts", {"first_name": "Nuria", "owner_id": rep.pk}, actor=rep)
    assert [(m.subject, m.body, m.to) for m in mail.outbox] == [
        ("Bienvenida Nuria", "Hola rita", ["boss@example.com"])]
    assert not Contact.objects.filter(first_name="x").exists()


def test_a_field_removed_after_saving_fails_the_run_and_changes_nothing(admin_api, rep, commit):
    from vinculo.platform.models import CustomField

    CustomField.objects.create(entity="contacts", key="budget", label="Budget", type="number")
    make(admin_api, steps=[{"type": "update_record",
                            "values": {"first_name": "Changed", "custom": {"budget": 5}}}])
    CustomField.objects.all().delete()
    with commit():
        contact = records.create("contacts", {"first_name": "Olga"}, actor=rep)
    contact.refresh_from_db()
    assert contact.first_name == "Olga" and contact.version == 1
    run = WorkflowRun.objects.get()
    assert run.status == "failed" and "budget" in run.error, run.error
    assert run.step_runs.get().attempts == 1  # not retried: trying again cannot mend it


def test_a_run_whose_worker_died_is_queued_again(admin_api, rep, commit):
    make(admin_api, steps=[{"type": "create_activity", "subject": "Done once"}])
    with commit():
        records.create("contacts", {"first_name": "Tom"}, actor=rep)
    run = WorkflowRun.objects.get()
    # As if a worker had claimed the run and been killed before finishing its first step.
    StepRun.objects.all().delete()
    Activity.objects.all().delete()
    long_ago = timezone.now() - dt.timedelta(hours=1)
    WorkflowRun.objects.filter(pk=run.pk).update(status="running", position=0,
                                                 heartbeat_at=long_ago, finished_at=None)
    assert engine.wake_due(timezone.now() - dt.timedelta(hours=1)) == 0
    engine.wake_due()
    run.refresh_from_db()
    assert run.status == "succeeded"
    assert list(Activity.objects.values_list("subject", flat=True)) == ["Done once"]


def test_add_to_list_step(admin_api, admin, rep, commit):
    from vinculo.marketing.lists.models import ListMember, StaticList

    vip = StaticList.objects.create(name="VIP", entity="contacts", owner=admin)
    leads_list = StaticList.objects.create(name="Hot leads", entity="leads", owner=admin)
    refused = admin_api.post("workflows", {
        "entity": "contacts", "name": "x", "trigger": {"on": "created"},
        "steps": [{"type": "add_to_list", "list_id": leads_list.pk}]})
    assert refused.status_code == 422
    assert "holds leads" in refused.json()["detail"][0]["msg"]
    make(admin_api, steps=[{"type": "add_to_list", "list_id": vip.pk}])
    with commit():
        contact = records.create("contacts", {"first_name": "Vera"}, actor=rep)
    assert list(ListMember.objects.filter(list=vip).values_list("record_id", "source")) == [
        (contact.pk, "workflow")]
    assert StepRun.objects.get(type="add_to_list").output["added"] == 1
