"""Pipelines, stages and opportunities through the API: defaults, rules, history, lines,
permissions and the move with its version check."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.conftest import api_for
from vinculo.platform import records
from vinculo.sales.pipeline.models import Opportunity, StageChange

from .conftest import make_deal

pytestmark = pytest.mark.django_db


def locs(response) -> list[list]:
    return [item["loc"] for item in response.json()["detail"]]


def test_the_default_pipeline_has_the_usual_stages(admin_api, pipeline):
    r = admin_api.get(f"pipelines/{pipeline.pk}")
    assert r.status_code == 200
    body = r.json()
    assert body["is_default"] is True
    assert [(s["name"], s["probability"], s["kind"]) for s in body["stages"]] == [
        ("Prospecting", 10, "open"), ("Qualification", 25, "open"), ("Proposal", 50, "open"),
        ("Negotiation", 75, "open"), ("Won", 100, "won"), ("Lost", 0, "lost")]
    assert "Price" in body["lost_reasons"]


def test_a_new_deal_lands_in_the_first_open_stage_of_the_default_pipeline(rep_api, stages):
    r = rep_api.post("opportunities", {"name": "Acme renewal", "amount": "1200.50"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["stage_id"] == stages["Prospecting"].pk
    assert body["pipeline_id"] == stages["Prospecting"].pipeline_id
    assert body["status"] == "open" and body["probability"] == 10
    assert body["closed_at"] is None and body["stage_changed_at"]


def test_the_pipeline_follows_a_given_stage(rep_api, other_pipeline):
    due = other_pipeline.stages.get(name="Due")
    r = rep_api.post("opportunities", {"name": "Renewal", "stage_id": due.pk})
    assert r.status_code == 201
    assert r.json()["pipeline_id"] == other_pipeline.pk


@pytest.mark.parametrize("body, loc", [
    ({"name": "X", "stage_id": 999999}, ["body", "stage_id"]),
    ({"name": "X", "amount": "-5"}, ["body", "amount"]),
    ({"name": "X", "currency": "euro"}, ["body", "currency"]),
    ({"name": "X", "currency": "eur"}, ["body", "currency"]),
    ({"name": "X", "probability": 101}, ["body", "probability"]),
    ({"name": ""}, ["body", "name"]),
    ({"name": "X", "status": "won"}, ["body", "status"]),
    ({"name": "X", "pipeline_id": 999999}, ["body", "pipeline_id"]),
    ({"name": "X", "lines": [{"quantity": 1}]}, ["body", "lines", 0, "unit_price"]),
    ({"name": "X", "lines": [{"unit_price": "5", "discount": 150}]},
     ["body", "lines", 0, "discount"]),
    ({"name": "X", "lines": [{"product_id": 999999}]}, ["body", "lines", 0, "product_id"]),
])
def test_bad_input_is_a_422_naming_the_field(rep_api, pipeline, body, loc):
    r = rep_api.post("opportunities", body)
    assert r.status_code == 422, r.content
    assert loc in locs(r)
    assert not Opportunity.objects.filter(name="X").exists()


def test_a_stage_of_another_pipeline_is_refused(rep_api, pipeline, other_pipeline):
    due = other_pipeline.stages.get(name="Due")
    r = rep_api.post("opportunities", {"name": "X", "pipeline_id": pipeline.pk,
                                       "stage_id": due.pk})
    assert r.status_code == 422
    assert ["body", "stage_id"] in locs(r)
    assert "stage of another pipeline" in r.json()["detail"][0]["msg"]


def test_status_probability_and_closed_at_follow_the_stage(rep, rep_api, stages):
    deal = make_deal(rep)
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Proposal"].pk})
    assert r.json()["probability"] == 50 and r.json()["status"] == "open"
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Won"].pk})
    body = r.json()
    assert body["status"] == "won" and body["probability"] == 100 and body["closed_at"]
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Negotiation"].pk})
    body = r.json()
    assert body["status"] == "open" and body["closed_at"] is None
    assert body["probability"] == 75


def test_a_probability_set_by_the_user_stays(rep, rep_api, stages):
    r = rep_api.post("opportunities", {"name": "Sure thing", "probability": 90})
    assert r.json()["probability"] == 90
    r = rep_api.patch(f"opportunities/{r.json()['id']}", {"stage_id": stages["Proposal"].pk,
                                                          "probability": 60})
    assert r.json()["probability"] == 60


def test_lost_needs_a_reason_from_the_pipelines_list(rep, rep_api, stages):
    deal = make_deal(rep)
    lost = stages["Lost"].pk
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": lost})
    assert r.status_code == 422 and ["body", "lost_reason"] in locs(r)
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": lost, "lost_reason": "Bad luck"})
    assert r.status_code == 422 and ["body", "lost_reason"] in locs(r)
    assert "Price" in r.json()["detail"][0]["msg"]
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": lost, "lost_reason": "Price"})
    assert r.status_code == 200
    assert r.json()["status"] == "lost" and r.json()["lost_reason"] == "Price"
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Proposal"].pk})
    assert r.json()["lost_reason"] == "" and r.json()["status"] == "open"


def test_any_reason_when_the_pipeline_has_no_list(admin_api, rep, rep_api, other_pipeline):
    deal = make_deal(rep, stage_id=other_pipeline.stages.get(name="Due").pk)
    churned = other_pipeline.stages.get(name="Churned").pk
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": churned, "lost_reason": "Moved"})
    assert r.status_code == 200


def test_stage_history_with_time_in_each_stage(rep, rep_api, stages):
    deal = make_deal(rep)
    StageChange.objects.filter(opportunity=deal).update(
        at=deal.stage_changed_at - dt.timedelta(hours=5))
    Opportunity.objects.filter(pk=deal.pk).update(
        stage_changed_at=deal.stage_changed_at - dt.timedelta(hours=5))
    rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Proposal"].pk})
    r = rep_api.get(f"opportunities/{deal.pk}/stages")
    assert r.status_code == 200
    body = r.json()
    assert [(i["from_stage"], i["to_stage"]) for i in body["items"]] == [
        (None, "Prospecting"), ("Prospecting", "Proposal")]
    assert body["items"][1]["actor"] == "rita"
    assert 5 * 3600 - 5 <= body["items"][1]["seconds_in_previous"] <= 5 * 3600 + 60
    times = {t["stage"]: t for t in body["time_in_stage"]}
    assert times["Prospecting"]["seconds"] >= 5 * 3600 - 5
    assert times["Proposal"]["current"] is True and times["Prospecting"]["current"] is False


def test_history_is_written_with_the_move_or_not_at_all(rep, rep_api, stages):
    deal = make_deal(rep)
    rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Lost"].pk})  # refused
    assert StageChange.objects.filter(opportunity=deal).count() == 1


def test_lines_travel_with_the_deal_and_make_its_amount(rep_api, admin):
    product = records.create("products", {"sku": "P-1", "name": "Widget",
                                          "unit_price": "40.00"})
    r = rep_api.post("opportunities", {"name": "Lines", "amount": "1", "lines": [
        {"product_id": product.pk, "quantity": "3"},
        {"description": "Setup", "unit_price": "100", "discount": "10"}]})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["amount"] == "210.00"
    assert [(ln["description"], ln["amount"]) for ln in body["lines"]] == [
        ("Widget", "120.00"), ("Setup", "90.00")]
    deal_id = body["id"]
    r = rep_api.patch(f"opportunities/{deal_id}", {"amount": "5"})
    assert r.json()["amount"] == "210.00"  # the lines decide
    r = rep_api.patch(f"opportunities/{deal_id}", {"lines": [{"unit_price": "7.5",
                                                              "quantity": "2"}]})
    assert r.json()["amount"] == "15.00" and len(r.json()["lines"]) == 1
    history = rep_api.get(f"opportunities/{deal_id}/history").json()["items"]
    assert "lines" in history[0]["changes"]
    r = rep_api.patch(f"opportunities/{deal_id}", {"lines": [], "amount": "99"})
    assert r.json()["amount"] == "99.00" and r.json()["lines"] == []


def test_reps_see_and_move_only_their_deals(rep, other_rep, rep_api, other_api, manager,
                                            outsider, stages):
    deal = make_deal(rep)
    assert other_api.get(f"opportunities/{deal.pk}").status_code == 404
    r = other_api.post(f"opportunities/{deal.pk}/move", {"stage_id": stages["Proposal"].pk,
                                                         "version": deal.version})
    assert r.status_code == 404
    assert other_api.get(f"opportunities/{deal.pk}/stages").status_code == 404
    assert api_for(manager).get(f"opportunities/{deal.pk}").status_code == 200
    assert api_for(outsider).get(f"opportunities/{deal.pk}").status_code == 404


def test_only_admins_change_pipelines_and_stages(rep_api, admin_api, pipeline, stages):
    assert rep_api.post("pipelines", {"name": "Mine"}).status_code == 403
    assert rep_api.patch(f"stages/{stages['Won'].pk}", {"name": "Yay"}).status_code == 403
    assert rep_api.get(f"pipelines/{pipeline.pk}").status_code == 200
    assert admin_api.post("pipelines", {"name": "Partners",
                                        "lost_reasons": ["Price", "Other"]}).status_code == 201


def test_move_with_the_current_version(rep, rep_api, stages):
    deal = make_deal(rep)
    r = rep_api.post(f"opportunities/{deal.pk}/move",
                     {"stage_id": stages["Qualification"].pk, "version": deal.version})
    assert r.status_code == 200
    assert r.json()["stage_id"] == stages["Qualification"].pk
    assert r.json()["version"] == deal.version + 1
    r = rep_api.post(f"opportunities/{deal.pk}/move", {"stage_id": stages["Lost"].pk,
                                                       "version": deal.version + 1})
    assert r.status_code == 422 and ["body", "lost_reason"] in locs(r)
    r = rep_api.post(f"opportunities/{deal.pk}/move", {"stage_id": 999999})
    assert r.status_code == 422 and ["body", "stage_id"] in locs(r)


def test_two_users_move_the_same_card_one_wins_the_other_is_told(rep, manager, rep_api,
                                                                   stages):
    deal = make_deal(rep)
    seen = deal.version
    r = api_for(manager).post(f"opportunities/{deal.pk}/move",
                              {"stage_id": stages["Proposal"].pk, "version": seen})
    assert r.status_code == 200
    r = rep_api.post(f"opportunities/{deal.pk}/move",
                     {"stage_id": stages["Negotiation"].pk, "version": seen})
    assert r.status_code == 412
    body = r.json()
    assert "moved by maria meanwhile" in body["detail"]
    assert body["stage_id"] == stages["Proposal"].pk and body["version"] == seen + 1
    deal.refresh_from_db()
    assert deal.stage_id == stages["Proposal"].pk
    assert StageChange.objects.filter(opportunity=deal).count() == 2


def test_stage_rules(admin_api, rep, pipeline, stages, other_pipeline):
    deal = make_deal(rep)
    r = admin_api.delete(f"stages/{stages['Prospecting'].pk}")
    assert r.status_code == 422
    r = admin_api.patch(f"stages/{stages['Prospecting'].pk}", {"kind": "won"})
    assert r.status_code == 422 and ["body", "kind"] in locs(r)
    due = other_pipeline.stages.get(name="Due")
    r = admin_api.patch(f"stages/{due.pk}", {"kind": "won"})
    assert r.status_code == 422 and "open stage" in r.json()["detail"][0]["msg"]
    assert admin_api.delete(f"stages/{due.pk}").status_code == 422
    assert admin_api.delete(f"stages/{stages['Won'].pk}").status_code == 204
    records.delete(deal)
    assert admin_api.delete(f"stages/{stages['Prospecting'].pk}").status_code == 422


def test_reorder_stages(admin_api, other_pipeline):
    ids = [s.pk for s in other_pipeline.stages.order_by("order")]
    r = admin_api.post(f"pipelines/{other_pipeline.pk}/stages/reorder",
                       {"stage_ids": list(reversed(ids))})
    assert r.status_code == 200
    assert [s["id"] for s in r.json()] == list(reversed(ids))
    got = admin_api.get(f"pipelines/{other_pipeline.pk}").json()
    assert [s["id"] for s in got["stages"]] == list(reversed(ids))
    r = admin_api.post(f"pipelines/{other_pipeline.pk}/stages/reorder", {"stage_ids": ids[:1]})
    assert r.status_code == 422


def test_one_default_pipeline(admin_api, pipeline, other_pipeline):
    r = admin_api.patch(f"pipelines/{other_pipeline.pk}", {"is_default": True})
    assert r.status_code == 200
    pipeline.refresh_from_db()
    assert pipeline.is_default is False
    assert admin_api.delete(f"pipelines/{other_pipeline.pk}").status_code == 422


def test_import_through_create_many_applies_the_rules(rep, stages):
    result = records.create_many("opportunities", [
        {"name": "A", "amount": "10"},
        {"name": "B", "stage_id": stages["Won"].pk},
        {"name": "C", "stage_id": stages["Lost"].pk},
    ], actor=rep)
    assert sorted(result.errors) == [2]
    won = Opportunity.objects.get(name="B")
    assert won.status == "won" and won.closed_at and won.probability == 100
    assert StageChange.objects.filter(opportunity__name__in=["A", "B"]).count() == 2


def test_stages_list_in_pipeline_order(rep_api, stages, other_pipeline):
    r = rep_api.get("stages")
    assert r.status_code == 200
    names = [s["name"] for s in r.json()["items"]]
    assert names[:6] == ["Prospecting", "Qualification", "Proposal", "Negotiation", "Won", "Lost"]


def test_reopening_from_a_form_that_sends_every_field_clears_the_reason(rep, stages):
    deal = make_deal(rep, stage_id=stages["Lost"].pk, lost_reason="Price")
    records.update(deal, {"stage_id": stages["Proposal"].pk, "lost_reason": "Price",
                          "probability": 0}, actor=rep)
    deal.refresh_from_db()
    assert (deal.status, deal.lost_reason, deal.probability) == ("open", "", 50)


def test_moving_a_deal_to_another_pipeline(rep, rep_api, stages, other_pipeline):
    deal = make_deal(rep, stage_id=stages["Proposal"].pk)
    r = rep_api.patch(f"opportunities/{deal.pk}", {"pipeline_id": other_pipeline.pk})
    assert r.status_code == 200
    assert r.json()["stage_id"] == other_pipeline.stages.get(name="Due").pk
    assert r.json()["probability"] == 40
    r = rep_api.patch(f"opportunities/{deal.pk}", {"stage_id": stages["Proposal"].pk})
    assert r.status_code == 422 and "stage of another pipeline" in r.json()["detail"][0]["msg"]
