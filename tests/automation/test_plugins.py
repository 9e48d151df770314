"""Plug-ins named in VINCULO_PLUGINS: the two shipped examples change and refuse data through
the write pipeline, and a failing plug-in leaves nothing half-written."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from vinculo.activities.models import Activity  # noqa: F401  (apps loaded)
from vinculo.customers.models import Contact
from vinculo.platform import hooks_registry, records
from vinculo.platform.models import AuditEntry
from vinculo.sales.pipeline.models import Opportunity, OpportunityLine

PHONE = "vinculo.automation.plugins.phone_e164"
WON = "vinculo.automation.plugins.won_needs_product"
BROKEN = "tests.automation.broken_plugin"


@pytest.fixture
def example_plugins(settings):
    settings.VINCULO_PLUGINS = [PHONE, WON]
    loaded = hooks_registry.load_plugins()
    yield loaded
    for plugin in loaded:
        hooks_registry.unload_plugin(plugin.name)


@pytest.fixture
def broken_plugin():
    plugin = hooks_registry.load_plugin(BROKEN)
    yield plugin
    hooks_registry.unload_plugin(BROKEN)


@pytest.fixture
def stages(db):
    from vinculo.sales.pipeline.models import Pipeline

    return {s.name: s for s in Pipeline.objects.get(is_default=True).stages.all()}


def won_stage(stages):
    return next(s for s in stages.values() if s.kind == "won")


def test_the_examples_load_from_the_setting_and_describe_their_hooks(example_plugins):
    names = [p.name for p in hooks_registry.plugins()]
    assert PHONE in names and WON in names
    won = next(p for p in example_plugins if p.name == WON)
    assert won.description.startswith("An opportunity can only be closed as won")
    assert won.describe()["hooks"] == [{
        "entity": "opportunities", "stage": "before_save", "name": "plugins.won_needs_product",
        "order": 60, "operations": ["create", "update"]}]


@pytest.mark.django_db
def test_unloaded_plugins_change_nothing(rep):
    contact = records.create("contacts", {"last_name": "Plain", "phone": "600 111 222",
                                          "country": "ES"}, actor=rep)
    assert contact.phone == "600 111 222"


@pytest.mark.django_db
def test_phone_numbers_are_stored_in_e164(example_plugins, rep_api):
    r = rep_api.post("contacts", {"last_name": "Ruiz", "country": "ES",
                                  "phone": "600 111 222", "mobile": "(0034) 611-22-33-44"})
    assert r.status_code == 201, r.content
    assert (r.json()["phone"], r.json()["mobile"]) == ("+34600111222", "+34611223344")
    # the country already stored is used on update
    r = rep_api.patch(f"contacts/{r.json()['id']}", {"phone": "91 123 45 67"})
    assert r.json()["phone"] == "+34911234567"
    r = rep_api.post("accounts", {"name": "Acme", "country": "US", "phone": "(415) 555-2671"})
    assert r.json()["phone"] == "+14155552671"
    # a number that cannot be read is left to the usual validation (422 naming the field)
    r = rep_api.post("contacts", {"last_name": "Bad", "phone": "call me maybe"})
    assert r.status_code == 422
    assert [e["loc"][-1] for e in r.json()["detail"]] == ["phone"]


@pytest.mark.django_db
def test_winning_without_a_product_line_is_refused_and_nothing_changes(
        example_plugins, rep_api, stages):
    won = won_stage(stages)
    first = next(s for s in stages.values() if s.kind == "open")
    r = rep_api.post("opportunities", {"name": "Big deal", "amount": "100",
                                       "stage_id": first.pk,
                                       "lines": [{"description": "Consulting",
                                                  "unit_price": "100"}]})
    assert r.status_code == 201, r.content
    deal_id = r.json()["id"]
    audit_before = AuditEntry.objects.count()
    r = rep_api.patch(f"opportunities/{deal_id}", {"stage_id": won.pk})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"][-1] == "lines"
    assert "product line" in r.json()["detail"][0]["msg"]
    deal = Opportunity.objects.get(pk=deal_id)
    assert (deal.stage_id, deal.status, deal.version) == (first.pk, "open", 1)
    assert AuditEntry.objects.count() == audit_before
    # a new line with a product in the same write lets it through, and the lines are saved
    product = records.create("products", {"sku": "P-9", "name": "Widget", "unit_price": "50"})
    r = rep_api.patch(f"opportunities/{deal_id}", {
        "stage_id": won.pk, "lines": [{"product_id": product.pk, "quantity": "2"}]})
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "won"
    assert OpportunityLine.objects.filter(opportunity_id=deal_id, product=product).exists()
    # created straight in a won stage without lines: refused, no row
    r = rep_api.post("opportunities", {"name": "Instant", "amount": "5", "stage_id": won.pk})
    assert r.status_code == 422
    assert not Opportunity.all_objects.filter(name="Instant").exists()


@pytest.mark.django_db
def test_an_unexpected_error_in_a_plugin_refuses_the_write_clearly(broken_plugin, rep_api,
                                                                    rep):
    r = rep_api.post("contacts", {"first_name": "Ana", "last_name": "Boom"})
    assert r.status_code == 422
    message = r.json()["detail"][0]["msg"]
    assert BROKEN in message and "RuntimeError" in message and "nothing was saved" in message
    assert not Contact.all_objects.filter(last_name="Boom").exists()
    assert not AuditEntry.objects.filter(entity="contacts").exists()
    # the same on update: the row keeps its values and version
    contact = records.create("contacts", {"last_name": "Calm"}, actor=rep)
    r = rep_api.patch(f"contacts/{contact.pk}", {"last_name": "Boom"})
    assert r.status_code == 422
    contact.refresh_from_db()
    assert (contact.last_name, contact.version) == ("Calm", 1)


def test_a_plugin_that_cannot_be_imported_is_a_clear_configuration_error():
    with pytest.raises(ImproperlyConfigured, match="no_such_plugin"):
        hooks_registry.load_plugin("vinculo.no_such_plugin")


def test_plugins_named_in_the_environment_load_at_start():
    root = Path(__file__).resolve().parents[2]
    env = {**os.environ, "VINCULO_PLUGINS": f"{PHONE}, {WON}",
           "DJANGO_SETTINGS_MODULE": "vinculo.settings"}
    code = ("import django; django.setup(); from vinculo.platform import hooks_registry as h;"
            "print(','.join(p.name for p in h.plugins()))")
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True,
                         text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == f"{PHONE},{WON}"


@pytest.mark.django_db
def test_a_deliberate_permission_refusal_keeps_its_403(broken_plugin, rep_api):
    r = rep_api.post("contacts", {"last_name": "Forbidden"})
    assert r.status_code == 403
    assert not Contact.all_objects.filter(last_name="Forbidden").exists()
