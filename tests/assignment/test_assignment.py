"""Assignment rules: each method, order, conditions, territories, the log, bulk imports,
fairness, applying on demand, permissions and bad input."""

from __future__ import annotations

from collections import Counter

import pytest

from vinculo.platform import records
from vinculo.sales.assignment import services
from vinculo.sales.assignment.models import Assignment, AssignmentRule
from vinculo.sales.leads.models import Lead


def rule(admin_api, **fields):
    body = {"entity": "leads", "name": fields.pop("name", "rule"), **fields}
    response = admin_api.post("assignment-rules", body)
    assert response.status_code == 201, response.json()
    return response.json()


def new_lead(actor, **data):
    return records.create("leads", {"last_name": "Lead", **data}, actor=actor)


def test_a_given_user(admin, admin_api, reps):
    target = reps["south"]
    made = rule(admin_api, method="user", user_id=target.pk)
    lead = new_lead(admin)
    assert lead.owner_id == target.pk
    log = Assignment.objects.get(entity="leads", record_id=lead.pk)
    assert (log.rule_id, log.owner_id, log.actor_id, log.source) == (
        made["id"], target.pk, admin.pk, "create")
    assert log.rule_name == "rule"


def test_no_rule_leaves_the_creator_as_owner(admin, reps):
    lead = new_lead(admin)
    assert lead.owner_id == admin.pk
    assert not Assignment.objects.exists()


def test_round_robin_takes_turns_in_order(admin, admin_api, reps, team_ids):
    rule(admin_api, method="round_robin", team_id=team_ids["North"])
    owners = [new_lead(admin).owner_id for _ in range(8)]
    north = sorted(u.pk for u in reps["north"])
    assert owners == north + north


def test_round_robin_skips_inactive_members(admin, admin_api, reps, team_ids):
    rule(admin_api, method="round_robin", team_id=team_ids["North"])
    gone = reps["north"][0]
    gone.is_active = False
    gone.save()
    owners = {new_lead(admin).owner_id for _ in range(6)}
    assert gone.pk not in owners and len(owners) == 3


def test_fewest_open_leads(admin, admin_api, reps, team_ids):
    a, b, c, d = sorted(reps["north"], key=lambda u: u.pk)
    for owner, count in ((a, 3), (b, 1), (c, 2), (d, 1)):
        for _ in range(count):
            new_lead(admin, owner_id=owner.pk)
    # closed leads do not count
    for _ in range(5):
        new_lead(admin, owner_id=b.pk, status="disqualified", disqualified_reason="no")
    rule(admin_api, method="fewest_open", team_id=team_ids["North"])
    owners = [new_lead(admin).owner_id for _ in range(4)]
    # b and d have 1 (b first by id), then d, then b/c/d at 2 ...
    assert owners == [b.pk, d.pk, b.pk, c.pk]


def test_fewest_open_in_a_batch_counts_the_batch(admin, admin_api, reps, team_ids):
    rule(admin_api, method="fewest_open", team_id=team_ids["North"])
    result = records.create_many("leads", [{"last_name": f"L{i}"} for i in range(40)],
                                 actor=admin)
    assert not result.errors
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert sorted(counts.values()) == [10, 10, 10, 10]
    assert Assignment.objects.count() == 40


def test_territories(admin, admin_api, reps):
    n0, n1, n2, n3 = sorted(reps["north"], key=lambda u: u.pk)
    rule(admin_api, method="territory", territories=[
        {"country": "ES", "postal_from": "28000", "postal_to": "28999", "user_id": n0.pk},
        {"country": "es", "regions": ["Cataluña", "Aragón"], "user_id": n1.pk},
        {"country": "GB", "postal_from": "SW1", "postal_to": "SW9", "user_id": n2.pk},
        {"country": "PT", "user_id": n3.pk},
    ])
    assert new_lead(admin, country="ES", postal_code="28013").owner_id == n0.pk
    assert new_lead(admin, country="ES", region="cataluña", postal_code="08001"
                    ).owner_id == n1.pk
    assert new_lead(admin, country="GB", postal_code="SW1A 1AA").owner_id == n2.pk
    assert new_lead(admin, country="GB", postal_code="SW9 9ZZ").owner_id == n2.pk
    assert new_lead(admin, country="PT", postal_code="1000-001").owner_id == n3.pk
    # outside every territory: the rule does not apply
    assert new_lead(admin, country="ES", postal_code="41001").owner_id == admin.pk
    assert new_lead(admin, country="GB", postal_code="W1A 1AA").owner_id == admin.pk
    assert new_lead(admin, country="FR").owner_id == admin.pk


def test_first_matching_rule_wins_in_order(admin, admin_api, reps):
    n0, n1, n2, _n3 = sorted(reps["north"], key=lambda u: u.pk)
    south = reps["south"]
    rule(admin_api, name="events", order=20, method="user", user_id=n1.pk,
         condition={"field": "source", "op": "eq", "value": "event"})
    rule(admin_api, name="big", order=10, method="user", user_id=n0.pk,
         condition={"field": "employees", "op": "gte", "value": 1000})
    rule(admin_api, name="off", order=5, method="user", user_id=n2.pk, active=False)
    rule(admin_api, name="rest", order=30, method="user", user_id=south.pk)
    big_event = new_lead(admin, source="event", employees=5000)
    event = new_lead(admin, source="event", employees=10)
    other = new_lead(admin, source="web")
    assert (big_event.owner_id, event.owner_id, other.owner_id) == (n0.pk, n1.pk, south.pk)
    names = dict(Assignment.objects.values_list("record_id", "rule_name"))
    assert names == {big_event.pk: "big", event.pk: "events", other.pk: "rest"}


def test_conditions_on_custom_fields_and_related_records(admin, admin_api, reps):
    from vinculo.platform.models import CustomField

    CustomField.objects.create(entity="leads", key="tier", label="Tier", type="text")
    target = reps["south"]
    rule(admin_api, method="user", user_id=target.pk, condition={"all": [
        {"field": "custom.tier", "op": "ieq", "value": "gold"},
        {"related": "activities", "agg": "count", "op": "eq", "value": 0}]})
    assert new_lead(admin, custom={"tier": "GOLD"}).owner_id == target.pk
    assert new_lead(admin, custom={"tier": "silver"}).owner_id == admin.pk
    assert new_lead(admin).owner_id == admin.pk


def test_a_given_owner_is_kept_unless_the_rule_says_otherwise(admin, admin_api, reps):
    n0, n1, *_ = sorted(reps["north"], key=lambda u: u.pk)
    made = rule(admin_api, method="user", user_id=n0.pk)
    assert new_lead(admin, owner_id=n1.pk).owner_id == n1.pk
    admin_api.patch(f"assignment-rules/{made['id']}", {"only_unowned": False})
    assert new_lead(admin, owner_id=n1.pk).owner_id == n0.pk


def test_rule_changes_are_seen_at_once(admin, admin_api, reps):
    n0, n1, *_ = sorted(reps["north"], key=lambda u: u.pk)
    made = rule(admin_api, method="user", user_id=n0.pk)
    assert new_lead(admin).owner_id == n0.pk
    admin_api.patch(f"assignment-rules/{made['id']}", {"user_id": n1.pk})
    assert new_lead(admin).owner_id == n1.pk
    admin_api.patch(f"assignment-rules/{made['id']}", {"active": False})
    assert new_lead(admin).owner_id == admin.pk
    admin_api.patch(f"assignment-rules/{made['id']}", {"active": True})
    assert admin_api.delete(f"assignment-rules/{made['id']}").status_code == 204
    assert new_lead(admin).owner_id == admin.pk


def test_api_create_and_import_are_assigned(admin, admin_api, reps, team_ids):
    rule(admin_api, method="round_robin", team_id=team_ids["North"])
    response = admin_api.post("leads", {"last_name": "Api"})
    assert response.status_code == 201
    assert response.json()["owner_id"] in {u.pk for u in reps["north"]}
    result = records.create_many("leads", [{"last_name": f"I{i}", "email": f"i{i}@x.es"}
                                           for i in range(9)], actor=admin)
    assert not result.errors
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert sorted(counts.values()) == [2, 2, 3, 3]
    assert Assignment.objects.count() == 10


def test_opportunities_too(admin, admin_api, reps):
    from vinculo.sales.pipeline.models import Pipeline

    target = reps["south"]
    rule(admin_api, entity="opportunities", method="user", user_id=target.pk,
         condition={"field": "amount", "op": "gte", "value": 1000})
    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    if pipeline is None:
        pytest.skip("no pipeline")
    big = records.create("opportunities", {"name": "Big", "amount": "5000",
                                           "pipeline_id": pipeline.pk}, actor=admin)
    small = records.create("opportunities", {"name": "Small", "amount": "10",
                                             "pipeline_id": pipeline.pk}, actor=admin)
    assert (big.owner_id, small.owner_id) == (target.pk, admin.pk)


def test_fairness_round_robin_over_10000_leads(admin, reps, team_ids):
    services.create_rule({"entity": "leads", "name": "all", "method": "round_robin",
                          "team_id": team_ids["North"]})
    rows = [{"last_name": f"L{i}"} for i in range(10_000)]
    for start in range(0, len(rows), 2500):
        result = records.create_many("leads", rows[start:start + 2500], actor=admin)
        assert not result.errors
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert set(counts) == {u.pk for u in reps["north"]}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert sum(counts.values()) == 10_000
    assert Assignment.objects.filter(source="create").count() == 10_000


def test_fairness_with_a_number_of_reps_that_does_not_divide(admin, reps):
    from tests.conftest import make_user
    from vinculo.identity.models import Team

    for i in range(3):
        make_user(f"east{i}", "sales", teams=["East"])
    services.create_rule({"entity": "leads", "name": "east", "method": "round_robin",
                          "team_id": Team.objects.get(name="East").pk})
    records.create_many("leads", [{"last_name": f"L{i}"} for i in range(1000)], actor=admin)
    counts = sorted(Counter(Lead.objects.values_list("owner_id", flat=True)).values())
    assert counts == [333, 333, 334]


# ------------------------------------------------------------------------------ on demand


def test_apply_to_a_selection(admin, admin_api, reps):
    n0, n1, *_ = sorted(reps["north"], key=lambda u: u.pk)
    leads = [new_lead(admin, country="ES" if i % 2 else "FR") for i in range(6)]
    rule(admin_api, method="user", user_id=n0.pk,
         condition={"field": "country", "op": "eq", "value": "ES"})
    response = admin_api.post("assignment-rules/apply",
                              {"entity": "leads", "ids": [lead.pk for lead in leads]})
    assert response.status_code == 200, response.json()
    assert response.json() == {"assigned": 3, "unchanged": 3, "skipped": 0}
    assert set(Lead.objects.filter(country="ES").values_list("owner_id", flat=True)) == {n0.pk}
    log = Assignment.objects.filter(source="manual")
    assert log.count() == 3 and {a.previous_owner_id for a in log} == {admin.pk}
    again = admin_api.post("assignment-rules/apply", {"entity": "leads", "filter": {
        "field": "country", "op": "eq", "value": "ES"}})
    assert again.json() == {"assigned": 0, "unchanged": 3, "skipped": 0}
    history = admin_api.get("assignments", entity="leads", record_id=leads[1].pk).json()
    assert [item["source"] for item in history["items"]] == ["manual"]


def test_apply_only_touches_records_the_user_may_change(admin, admin_api, rep, other_rep,
                                                        outsider, reps):
    from tests.conftest import api_for

    target = reps["south"]
    mine = new_lead(rep)
    theirs = new_lead(outsider)
    rule(admin_api, method="user", user_id=target.pk)
    response = api_for(rep).post("assignment-rules/apply",
                                 {"entity": "leads", "ids": [mine.pk, theirs.pk]})
    assert response.json() == {"assigned": 1, "unchanged": 0, "skipped": 1}
    theirs.refresh_from_db()
    assert theirs.owner_id == outsider.pk
    # the log of a record another rep cannot see is a 404 for them
    assert api_for(outsider).get("assignments", entity="leads",
                                 record_id=mine.pk).status_code == 404


# ------------------------------------------------------------------------------ API rules


def test_only_administrators_manage_rules(rep_api, manager, admin_api, reps):
    from tests.conftest import api_for

    made = rule(admin_api, method="user", user_id=reps["south"].pk)
    for client in (rep_api, api_for(manager)):
        assert client.get("assignment-rules").status_code == 403
        assert client.post("assignment-rules", {"entity": "leads", "name": "x",
                                                "method": "user"}).status_code == 403
        assert client.patch(f"assignment-rules/{made['id']}", {"name": "y"}).status_code == 403
        assert client.delete(f"assignment-rules/{made['id']}").status_code == 403
    listed = admin_api.get("assignment-rules", entity="leads").json()
    assert [item["id"] for item in listed["items"]] == [made["id"]]


@pytest.mark.parametrize("body, loc", [
    ({"method": "user", "user_id": 999999}, ["body", "user_id"]),
    ({"method": "user"}, ["body", "user_id"]),
    ({"method": "round_robin", "team_id": 999999}, ["body", "team_id"]),
    ({"method": "fewest_open"}, ["body", "team_id"]),
    ({"method": "territory", "territories": []}, ["body", "territories"]),
    ({"method": "territory", "territories": [{"country": "ESP", "user_id": 1}]},
     ["body", "territories", 0, "country"]),
    ({"method": "territory", "territories": [{"country": "ES", "user_id": 999999}]},
     ["body", "territories", 0, "user_id"]),
    ({"method": "user", "user_id": 1, "condition": {"field": "nope", "op": "eq", "value": 1}},
     ["body", "condition", "field"]),
    ({"method": "user", "user_id": 1, "condition": {"all": [
        {"field": "score", "op": "gt", "value": "many"}]}},
     ["body", "condition", "all", 0, "value"]),
    ({"method": "user", "user_id": 1, "entity": "teams"}, ["body", "entity"]),
    ({"method": "sometimes"}, ["body", "method"]),
    ({"method": "user", "user_id": 1, "colour": "red"}, ["body", "colour"]),
])
def test_bad_rules_are_422_naming_the_problem(admin_api, admin, body, loc):
    body = {"entity": "leads", "name": "bad", **body}
    if body.get("user_id") == 1:
        body["user_id"] = admin.pk
    response = admin_api.post("assignment-rules", body)
    assert response.status_code == 422, response.json()
    assert loc in [item["loc"][:len(loc)] for item in response.json()["detail"]], \
        response.json()
    assert not AssignmentRule.objects.exists()


def test_bad_apply_requests(admin_api, admin):
    assert admin_api.post("assignment-rules/apply", {"entity": "leads"}).status_code == 422
    assert admin_api.post("assignment-rules/apply", {"entity": "nope", "ids": [1]}
                          ).status_code == 422
    response = admin_api.post("assignment-rules/apply", {"entity": "leads", "filter": {
        "field": "nope", "op": "eq", "value": 1}})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][:2] == ["body", "filter"]
    assert admin_api.get("assignments", entity="nope").status_code == 422


def test_reorder(admin_api, admin, reps):
    a = rule(admin_api, name="a", method="user", user_id=admin.pk)
    b = rule(admin_api, name="b", method="user", user_id=admin.pk)
    c = rule(admin_api, name="c", method="user", user_id=admin.pk)
    response = admin_api.post(f"assignment-rules/{c['id']}/move", {"direction": "up"})
    assert response.status_code == 200
    names = [r["name"] for r in admin_api.get("assignment-rules").json()["items"]]
    assert names == ["a", "c", "b"]
    admin_api.post(f"assignment-rules/{a['id']}/move", {"direction": "up"})
    admin_api.post(f"assignment-rules/{a['id']}/move", {"direction": "down"})
    names = [r["name"] for r in admin_api.get("assignment-rules").json()["items"]]
    assert names == ["c", "a", "b"]
    assert b["id"]
    stale = admin_api.patch(f"assignment-rules/{a['id']}", {"name": "x"},
                            headers={"If-Match": "1"})
    assert stale.status_code == 412


def test_a_rule_that_finds_nobody_passes_to_the_next(admin, admin_api, reps, team_ids):
    from vinculo.identity.models import Team

    gone = reps["north"][0]
    rule(admin_api, name="gone", order=1, method="user", user_id=gone.pk)
    gone.is_active = False
    gone.save()
    empty = Team.objects.create(name="Empty")
    rule(admin_api, name="empty", order=2, method="round_robin", team_id=empty.pk)
    rule(admin_api, name="south", order=3, method="user", user_id=reps["south"].pk)
    lead = new_lead(admin)
    assert lead.owner_id == reps["south"].pk
    assert Assignment.objects.get(record_id=lead.pk).rule_name == "south"


def test_opportunity_territory_by_its_account(admin, admin_api, reps):
    from vinculo.sales.pipeline.models import Pipeline

    pipeline = Pipeline.objects.filter(is_default=True).first() or Pipeline.objects.first()
    if pipeline is None:
        pytest.skip("no pipeline")
    account = records.create("accounts", {"name": "Acme", "country": "PT"}, actor=admin)
    rule(admin_api, entity="opportunities", method="territory",
         territories=[{"country": "PT", "user_id": reps["south"].pk}])
    deal = records.create("opportunities", {"name": "Deal", "account_id": account.pk,
                                            "pipeline_id": pipeline.pk}, actor=admin)
    assert deal.owner_id == reps["south"].pk


def test_apply_with_round_robin_and_fewest_open(admin, admin_api, reps, team_ids):
    leads = [new_lead(admin) for _ in range(8)]
    made = rule(admin_api, method="round_robin", team_id=team_ids["North"])
    response = admin_api.post("assignment-rules/apply",
                              {"entity": "leads", "ids": [lead.pk for lead in leads]})
    assert response.json() == {"assigned": 8, "unchanged": 0, "skipped": 0}
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert sorted(counts.values()) == [2, 2, 2, 2]
    admin_api.patch(f"assignment-rules/{made['id']}", {"method": "fewest_open"})
    a = sorted(reps["north"], key=lambda u: u.pk)[0]
    for lead in Lead.objects.exclude(owner_id=a.pk):
        records.update(lead, {"owner_id": a.pk}, actor=admin)
    response = admin_api.post("assignment-rules/apply", {"entity": "leads", "filter": {}})
    assert response.json()["assigned"] == 6
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert sorted(counts.values()) == [2, 2, 2, 2]


def test_the_log_of_a_record_type_is_scoped(admin, admin_api, rep, outsider, reps):
    from tests.conftest import api_for

    rule(admin_api, method="user", user_id=rep.pk)
    mine = new_lead(outsider)
    assert mine.owner_id == rep.pk
    assert [i["record_id"] for i in api_for(rep).get(
        "assignments", entity="leads").json()["items"]] == [mine.pk]
    assert api_for(outsider).get("assignments", entity="leads").json()["items"] == []
    assert admin_api.get(f"assignment-rules/{Assignment.objects.get().rule_id}/assignments"
                         ).json()["items"][0]["record_id"] == mine.pk


def test_a_csv_import_of_leads_is_assigned(admin, admin_api, reps, team_ids, tmp_path):
    from vinculo.platform.importexport.services import import_file

    made = rule(admin_api, method="round_robin", team_id=team_ids["North"],
                condition={"field": "country", "op": "eq", "value": "ES"})
    path = tmp_path / "leads.csv"
    path.write_text("last_name,email,country\n" + "".join(
        f"L{i},l{i}@example.com,{'ES' if i < 12 else 'FR'}\n" for i in range(15)))
    report = import_file(user=admin, entity="leads", path=str(path), fmt="csv")
    assert report.created == 15
    spanish = Counter(Lead.objects.filter(country="ES").values_list("owner_id", flat=True))
    assert sorted(spanish.values()) == [3, 3, 3, 3]
    assert set(Lead.objects.filter(country="FR").values_list("owner_id", flat=True)) == {
        admin.pk}
    assert Assignment.objects.filter(rule_id=made["id"]).count() == 12
    assert AssignmentRule.objects.get(pk=made["id"]).turn == 12
