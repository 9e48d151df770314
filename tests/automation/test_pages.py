"""The settings pages of business rules and webhooks (administrators only)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from vinculo.automation.models import BusinessRule
from vinculo.automation.webhooks import services as webhook_services
from vinculo.automation.webhooks.models import Attempt, Delivery, Webhook

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(admin):
    c = Client()
    c.force_login(admin)
    return c


@pytest.fixture
def rep_client(rep):
    c = Client()
    c.force_login(rep)
    return c


def test_pages_are_for_administrators_only(rep_client):
    for url in ("/settings/business-rules/", "/settings/business-rules/new/",
                "/settings/webhooks/", "/settings/webhooks/new/"):
        assert rep_client.get(url).status_code == 403, url


def test_a_business_rule_made_in_the_form_works(admin_client, rep):
    r = admin_client.get("/settings/business-rules/new/?entity=opportunities")
    assert r.status_code == 200
    assert b'id="filter-config"' in r.content and b"Only when this field changes" in r.content
    r = admin_client.post("/settings/business-rules/new/", {
        "entity": "contacts", "name": "Titles are locked", "action": "refuse",
        "message_en": "Titles are set by HR.", "message_es": "Los cargos los pone RR. HH.",
        "fields": ["title"], "change_field": "title", "order": "3", "active": "on",
        "condition": '{"field": "country", "op": "eq", "value": "ES"}'})
    assert r.status_code == 302, r.content.decode()[:2000]
    rule = BusinessRule.objects.get()
    assert rule.condition == {"all": [{"field": "country", "op": "eq", "value": "ES"},
                                      {"field": "title", "op": "changed"}]}
    assert rule.message == {"en": "Titles are set by HR.", "es": "Los cargos los pone RR. HH."}
    assert rule.fields == ["title"] and rule.order == 3
    page = admin_client.get("/settings/business-rules/").content.decode()
    assert "Titles are locked" in page and "Titles are set by HR." in page
    # the edit form splits the condition back into the builder and the change fields
    r = admin_client.get(f"/settings/business-rules/{rule.pk}/")
    form = r.context["form"]
    assert form.initial["change_field"] == "title"
    assert json.loads(form.initial["condition"]) == {"field": "country", "op": "eq",
                                                     "value": "ES"}
    r = admin_client.post(f"/settings/business-rules/{rule.pk}/", {
        "entity": "contacts", "name": "Titles are locked", "action": "set",
        "values": "title = Staff\nlifecycle_stage = customer", "change_field": "country",
        "change_to": "ES", "condition": ""})
    assert r.status_code == 302
    rule.refresh_from_db()
    assert rule.values == {"title": "Staff", "lifecycle_stage": "customer"}
    assert rule.condition == {"field": "country", "op": "changed_to", "value": "ES"}
    assert rule.version == 2


def test_the_rule_form_shows_errors_on_the_fields(admin_client):
    r = admin_client.post("/settings/business-rules/new/", {
        "entity": "contacts", "name": "Bad", "action": "set", "values": "ghost = 1"})
    assert r.status_code == 200
    assert "values" in r.context["form"].errors
    r = admin_client.post("/settings/business-rules/new/", {
        "entity": "contacts", "name": "Bad", "action": "refuse"})
    assert "message_en" in r.context["form"].errors
    r = admin_client.post("/settings/business-rules/new/", {
        "entity": "contacts", "name": "Bad", "action": "refuse", "message_en": "x",
        "condition": '{"field": "nope", "op": "eq", "value": 1}'})
    assert "condition" in r.context["form"].errors
    assert not BusinessRule.objects.exists()


def test_deleting_a_rule(admin_client):
    rule = BusinessRule.objects.create(entity="contacts", name="x", action="set",
                                       values={"city": "X"})
    r = admin_client.post(f"/settings/business-rules/{rule.pk}/", {"action_button": "delete"})
    assert r.status_code == 302 and not BusinessRule.objects.exists()


def test_webhook_pages_show_the_secret_once_and_the_delivery_log(admin_client, settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    r = admin_client.get("/settings/webhooks/new/")
    assert r.status_code == 200 and b'value="contacts.created"' in r.content
    r = admin_client.post("/settings/webhooks/new/", {
        "name": "ERP", "url": "http://127.0.0.1:9/hook", "active": "on",
        "events": ["contacts.created", "accounts.updated"]})
    assert r.status_code == 302
    hook = Webhook.objects.get()
    assert hook.events == ["contacts.created", "accounts.updated"]
    page = admin_client.get(r["Location"]).content.decode()
    assert hook.secret in page
    assert hook.secret not in admin_client.get(r["Location"]).content.decode()
    delivery = Delivery.objects.create(webhook=hook, event="contacts.created", entity="contacts",
                                       record_id=7, body='{"event": "contacts.created"}',
                                       status="failed", attempts=1, last_error="Refused")
    Attempt.objects.create(delivery=delivery, number=1, error="Connection refused by "
                                                               "127.0.0.1 port 9.")
    page = admin_client.get(f"/settings/webhooks/{hook.pk}/").content.decode()
    assert "Connection refused by 127.0.0.1 port 9." in page and "Re-send" in page
    list_page = admin_client.get("/settings/webhooks/").content.decode()
    assert "ERP" in list_page and "127.0.0.1:9" in list_page


def test_resend_button_queues_a_new_delivery(admin_client, settings,
                                             django_capture_on_commit_callbacks):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    hook = webhook_services.create_webhook({"url": "http://127.0.0.1:9/x",
                                            "events": ["contacts.created"]})
    delivery = Delivery.objects.create(webhook=hook, event="contacts.created", body="{}",
                                       status="failed")
    with django_capture_on_commit_callbacks(execute=True):
        r = admin_client.post(f"/settings/webhooks/{hook.pk}/deliveries/{delivery.pk}/resend/")
    assert r.status_code == 302
    copy = Delivery.objects.exclude(pk=delivery.pk).get()
    assert copy.resent_from_id == delivery.pk and copy.attempts == 1  # sent (port 9 refuses)


def test_webhook_form_errors_and_actions(admin_client, settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = False
    r = admin_client.post("/settings/webhooks/new/", {"url": "http://10.0.0.1/",
                                                      "events": ["contacts.created"]})
    assert r.status_code == 200 and "url" in r.context["form"].errors
    r = admin_client.post("/settings/webhooks/new/", {"url": "https://93.184.216.34/"})
    assert r.status_code == 200 and r.context["form"].non_field_errors()
    hook = Webhook.objects.create(url="https://93.184.216.34/", events=["contacts.created"],
                                  active=False, paused_at="2026-01-01T00:00:00Z")
    old = hook.secret
    admin_client.post(f"/settings/webhooks/{hook.pk}/action/", {"action": "rotate"})
    hook.refresh_from_db()
    assert hook.secret != old
    admin_client.post(f"/settings/webhooks/{hook.pk}/action/", {"action": "resume"})
    hook.refresh_from_db()
    assert hook.active and hook.paused_at is None
    admin_client.post(f"/settings/webhooks/{hook.pk}/action/", {"action": "delete"})
    assert not Webhook.objects.exists()


def test_the_test_event_button(admin_client, settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    hook = webhook_services.create_webhook({"url": "http://127.0.0.1:9/x",
                                            "events": ["contacts.created"]})
    assert b"Send a test event" in admin_client.get(f"/settings/webhooks/{hook.pk}/").content
    r = admin_client.post(f"/settings/webhooks/{hook.pk}/action/", {"action": "ping"})
    assert r.status_code == 302 and Delivery.objects.get().event == "ping"
