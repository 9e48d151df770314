"""Business rules: set, require and refuse in the write pipeline of any entity, with the
filter language plus `changed`, `changed_from` and `changed_to`, messages in en/es."""

from __future__ import annotations

import pytest

from vinculo.automation import services
from vinculo.automation.models import BusinessRule, BusinessRuleStamp
from vinculo.customers.models import Contact
from vinculo.platform import records
from vinculo.sales.pipeline.models import Opportunity

pytestmark = pytest.mark.django_db

REOPEN = {"en": "A won deal cannot be reopened.", "es": "Una oportunidad ganada no se puede "
                                                        "reabrir."}


@pytest.fixture
def stages(db):
    from vinculo.sales.pipeline.models import Pipeline

    return list(Pipeline.objects.get(is_default=True).stages.order_by("order"))


def rule(admin_api, **data):
    r = admin_api.post("business-rules", data)
    assert r.status_code == 201, r.content
    return r.json()


def fields_of(response) -> list[str]:
    return [e["loc"][-1] for e in response.json()["detail"]]


def test_set_values_when_the_condition_holds(admin_api, rep_api):
    rule(admin_api, entity="contacts", name="Spanish contacts are leads",
         condition={"field": "country", "op": "eq", "value": "ES"}, action="set",
         values={"lifecycle_stage": "customer", "preferred_channel": "phone"})
    r = rep_api.post("contacts", {"last_name": "García", "country": "ES"})
    assert r.status_code == 201, r.content
    assert (r.json()["lifecycle_stage"], r.json()["preferred_channel"]) == ("customer", "phone")
    r = rep_api.post("contacts", {"last_name": "Smith", "country": "GB"})
    assert r.json()["lifecycle_stage"] != "customer"
    # on update too, and the values set reach the history
    r = rep_api.patch(f"contacts/{r.json()['id']}", {"country": "ES"})
    assert r.json()["lifecycle_stage"] == "customer"
    history = rep_api.get(f"contacts/{r.json()['id']}/history").json()["items"]
    assert "lifecycle_stage" in history[0]["changes"]


def test_require_fields_names_them_in_the_422(admin_api, rep_api, stages):
    won = next(s for s in stages if s.kind == "won")
    rule(admin_api, entity="opportunities", name="Won deals need a close date",
         condition={"field": "stage_id", "op": "changed_to", "value": won.pk},
         action="require", fields=["expected_close_date", "contact_id"])
    deal = rep_api.post("opportunities", {"name": "Deal", "amount": "10",
                                          "stage_id": stages[0].pk}).json()
    r = rep_api.patch(f"opportunities/{deal['id']}", {"stage_id": won.pk})
    assert r.status_code == 422
    assert sorted(fields_of(r)) == ["contact_id", "expected_close_date"]
    assert Opportunity.objects.get(pk=deal["id"]).stage_id == stages[0].pk
    contact = rep_api.post("contacts", {"last_name": "Buyer"}).json()
    r = rep_api.patch(f"opportunities/{deal['id']}", {
        "stage_id": won.pk, "expected_close_date": "2026-12-01", "contact_id": contact["id"]})
    assert r.status_code == 200, r.content
    # the rule is about the move: later edits of the won deal are not held up
    r = rep_api.patch(f"opportunities/{deal['id']}", {"expected_close_date": None})
    assert r.status_code == 200, r.content


def test_refuse_with_changed_from_in_the_users_language(admin_api, rep_api, stages):
    won = next(s for s in stages if s.kind == "won")
    rule(admin_api, entity="opportunities", name="No reopening",
         condition={"field": "stage_id", "op": "changed_from", "value": won.pk},
         action="refuse", fields=["stage_id"], message=REOPEN)
    deal = rep_api.post("opportunities", {"name": "Closed", "amount": "10",
                                          "stage_id": won.pk}).json()
    r = rep_api.patch(f"opportunities/{deal['id']}", {"stage_id": stages[0].pk})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body", "stage_id"], "msg": REOPEN["en"],
                                   "type": "value_error"}]
    r = rep_api.patch(f"opportunities/{deal['id']}", {"stage_id": stages[0].pk},
                      headers={"Accept-Language": "es"})
    assert r.status_code == 422
    assert r.json()["detail"][0]["msg"] == REOPEN["es"]
    assert Opportunity.objects.get(pk=deal["id"]).status == "won"
    # other edits of the won deal are fine
    assert rep_api.patch(f"opportunities/{deal['id']}", {"name": "Closed!"}).status_code == 200


def test_refuse_on_the_whole_record_with_changed_and_filter_conditions(admin_api, rep_api):
    rule(admin_api, entity="contacts", name="Opted-out emails are locked",
         condition={"all": [{"field": "do_not_contact", "op": "eq", "value": True},
                            {"field": "email", "op": "changed"}]},
         action="refuse", message={"en": "This contact asked not to be contacted."})
    c = rep_api.post("contacts", {"last_name": "Quiet", "email": "q@example.com"}).json()
    assert rep_api.patch(f"contacts/{c['id']}", {"do_not_contact": True}).status_code == 200
    r = rep_api.patch(f"contacts/{c['id']}", {"email": "new@example.com"})
    assert r.status_code == 422
    assert r.json()["detail"] == [{"loc": ["body"], "type": "value_error",
                                   "msg": "This contact asked not to be contacted."}]
    assert Contact.objects.get(pk=c["id"]).email == "q@example.com"
    # only Spanish given: used in every language
    rule(admin_api, entity="contacts", name="Sin Pepe",
         condition={"field": "first_name", "op": "eq", "value": "Pepe"}, action="refuse",
         message={"es": "Nada de Pepes."}, fields=["first_name"])
    r = rep_api.post("contacts", {"first_name": "Pepe", "last_name": "X"})
    assert r.status_code == 422 and r.json()["detail"][0]["msg"] == "Nada de Pepes."


def test_changed_on_create_means_given(admin_api, rep_api):
    rule(admin_api, entity="contacts", name="No titles",
         condition={"field": "title", "op": "changed"}, action="refuse", fields=["title"],
         message={"en": "Titles are set by HR.", "es": "Los cargos los pone RR. HH."})
    assert rep_api.post("contacts", {"last_name": "A"}).status_code == 201
    r = rep_api.post("contacts", {"last_name": "B", "title": "CEO"})
    assert r.status_code == 422 and fields_of(r) == ["title"]
    assert not Contact.objects.filter(last_name="B").exists()


def test_inactive_rules_and_order(admin_api, rep_api):
    first = rule(admin_api, entity="contacts", name="Default city", order=1,
                 condition={}, action="set", values={"city": "Madrid"})
    rule(admin_api, entity="contacts", name="Madrid is Spain", order=2,
         condition={"field": "city", "op": "eq", "value": "Madrid"}, action="set",
         values={"country": "ES"})
    c = rep_api.post("contacts", {"last_name": "Order"}).json()
    assert (c["city"], c["country"]) == ("Madrid", "ES")
    r = admin_api.patch(f"business-rules/{first['id']}", {"active": False},
                        headers={"If-Match": str(first["version"])})
    assert r.status_code == 200 and r.json()["version"] == 2
    c = rep_api.post("contacts", {"last_name": "Order2"}).json()
    assert c["city"] == "" and c["country"] == ""
    r = admin_api.patch(f"business-rules/{first['id']}", {"active": True},
                        headers={"If-Match": "1"})
    assert r.status_code == 412


def test_rules_referring_to_missing_fields_are_refused_on_save(admin_api):
    base = {"entity": "contacts", "name": "Bad"}
    cases = [
        ({"condition": {"field": "nope", "op": "eq", "value": 1}, "action": "refuse",
          "message": {"en": "x"}}, "condition.field"),
        ({"condition": {"field": "nope", "op": "changed_to", "value": 1}, "action": "refuse",
          "message": {"en": "x"}}, "condition.field"),
        ({"condition": {"all": [{"field": "email", "op": "changed"},
                                {"field": "ghost", "op": "changed"}]},
          "action": "refuse", "message": {"en": "x"}}, "condition.all.1.field"),
        ({"action": "set", "values": {"ghost": 1}}, "values.ghost"),
        ({"action": "set", "values": {"birthdate": "not a date"}}, "values.birthdate"),
        ({"action": "require", "fields": ["email", "ghost"]}, "fields.1"),
        ({"action": "require", "fields": []}, "fields"),
        ({"action": "refuse"}, "message"),
        ({"action": "refuse", "message": {"fr": "Non"}}, "message.fr"),
    ]
    for extra, where in cases:
        r = admin_api.post("business-rules", {**base, **extra})
        assert r.status_code == 422, (extra, r.content)
        assert ".".join(map(str, r.json()["detail"][0]["loc"][1:])) == where, (extra, r.json())
    r = admin_api.post("business-rules", {**base, "entity": "martians", "action": "refuse",
                                          "message": {"en": "x"}})
    assert r.status_code == 422 and fields_of(r) == ["entity"]
    r = admin_api.post("business-rules", {**base, "action": "explode"})
    assert r.status_code == 422
    assert not BusinessRule.objects.exists()


def test_only_administrators_manage_rules(rep_api, manager, admin_api):
    from tests.conftest import api_for

    for client in (rep_api, api_for(manager)):
        assert client.get("business-rules").status_code == 403
        assert client.post("business-rules", {"entity": "contacts", "name": "x",
                                              "action": "set", "values": {"city": "X"}}
                           ).status_code == 403
    created = rule(admin_api, entity="contacts", name="x", action="set", values={"city": "X"})
    assert rep_api.patch(f"business-rules/{created['id']}", {"name": "y"}).status_code == 403
    assert rep_api.delete(f"business-rules/{created['id']}").status_code == 403
    assert admin_api.get("business-rules", entity="contacts").json()["items"][0]["name"] == "x"
    assert admin_api.delete(f"business-rules/{created['id']}").status_code == 204
    assert admin_api.get(f"business-rules/{created['id']}").status_code == 404


def test_rules_apply_to_imports_and_every_entity(admin_api, rep):
    rule(admin_api, entity="accounts", name="No test accounts",
         condition={"field": "name", "op": "startswith", "value": "Test"}, action="refuse",
         fields=["name"], message={"en": "No test accounts here."})
    result = records.create_many("accounts", [{"name": "Real"}, {"name": "Test Co"}],
                                 actor=rep)
    assert len(result.created) == 1
    assert list(result.errors) and "No test accounts here." in str(result.errors)


def test_a_change_made_by_another_process_is_seen_on_the_next_write(admin_api, rep):
    created = rule(admin_api, entity="contacts", name="City", action="set",
                   values={"city": "Lima"})
    assert records.create("contacts", {"last_name": "A"}, actor=rep).city == "Lima"
    # another process edits the rule and moves the stamp (no local cache update here)
    BusinessRule.objects.filter(pk=created["id"]).update(values={"city": "Quito"})
    BusinessRuleStamp.objects.filter(entity="contacts").update(version=12345)
    assert records.create("contacts", {"last_name": "B"}, actor=rep).city == "Quito"
    assert services._compiled["contacts"][0] == 12345


def test_changed_from_on_a_value_the_pipeline_sets(admin_api, rep_api, stages):
    """The example of the documentation: the status follows the stage, set by the
    opportunity's own rules before business rules run."""
    won = next(s for s in stages if s.kind == "won")
    rule(admin_api, entity="opportunities", name="No reopening won deals",
         condition={"field": "status", "op": "changed_from", "value": "won"},
         action="refuse", fields=["stage_id"], message=REOPEN)
    deal = rep_api.post("opportunities", {"name": "W", "amount": "1", "stage_id": won.pk}).json()
    r = rep_api.patch(f"opportunities/{deal['id']}", {"stage_id": stages[0].pk})
    assert r.status_code == 422 and fields_of(r) == ["stage_id"]


def test_the_plugins_endpoint_is_for_administrators(admin_api, rep_api):
    assert rep_api.get("plugins").status_code == 403
    r = admin_api.get("plugins")
    assert r.status_code == 200 and isinstance(r.json(), list)
