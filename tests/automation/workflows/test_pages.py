"""The workflow pages under /settings/workflows/ (administrators)."""

import json

import pytest
from django.test import Client

from vinculo.automation.workflows.models import Workflow
from vinculo.platform import records

pytestmark = pytest.mark.django_db


@pytest.fixture
def browser(admin) -> Client:
    client = Client()
    client.force_login(admin)
    return client


def form(**data) -> dict:
    return {"action": "save", "name": "Welcome", "entity": "contacts",
            "trigger": '{"on": "created"}', "condition": "{}", "active": "on",
            "steps": json.dumps([{"type": "create_task", "subject": "Call"}]), **data}


def test_create_list_edit_and_runs(browser, rep, django_capture_on_commit_callbacks):
    response = browser.post("/settings/workflows/new/", form())
    flow = Workflow.objects.get()
    assert response.status_code == 302 and response["Location"] == (
        f"/settings/workflows/{flow.pk}/")
    assert flow.active and flow.steps == [{"type": "create_task", "subject": "Call"}]
    page = browser.get("/settings/workflows/").content.decode()
    assert "Welcome" in page and f'data-workflow-id="{flow.pk}"' in page
    with django_capture_on_commit_callbacks(execute=True):
        records.create("contacts", {"first_name": "Rosa"}, actor=rep)
    runs = browser.get(f"/settings/workflows/{flow.pk}/runs/").content.decode()
    assert 'data-status="succeeded"' in runs and 'data-step-type="create_task"' in runs
    edit = browser.get(f"/settings/workflows/{flow.pk}/").content.decode()
    assert "Test against a record" in edit


def test_the_form_shows_the_checks_messages_and_keeps_nothing(browser):
    response = browser.post("/settings/workflows/new/", form(
        steps=json.dumps([{"type": "update_record", "values": {"shoe_size": 1}}]),
        condition="{not json"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This is not valid JSON" in page
    response = browser.post("/settings/workflows/new/", form(
        steps=json.dumps([{"type": "update_record", "values": {"shoe_size": 1}}])))
    page = response.content.decode()
    assert "steps.0.values.shoe_size" in page and "Step 1 (update_record)" in page
    assert not Workflow.objects.exists()


def test_testing_from_the_page(browser, rep):
    browser.post("/settings/workflows/new/", form(steps=json.dumps([
        {"type": "update_record", "values": {"city": "Cádiz"}}])))
    flow = Workflow.objects.get()
    contact = records.create("contacts", {"first_name": "Gema", "city": "Soria"}, actor=rep)
    page = browser.post(f"/settings/workflows/{flow.pk}/", {
        "action": "test", "record_id": contact.pk}).content.decode()
    assert 'data-result-status="succeeded"' in page and "Cádiz" in page
    contact.refresh_from_db()
    assert contact.city == "Soria"


def test_only_administrators(rep):
    client = Client()
    client.force_login(rep)
    assert client.get("/settings/workflows/").status_code == 403
    assert client.get("/settings/workflows/new/").status_code == 403
