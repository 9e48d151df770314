"""The settings pages of assignment rules and the "apply the rules" action."""

from __future__ import annotations

import json

from django.test import Client

from vinculo.platform import records
from vinculo.sales.assignment import services
from vinculo.sales.assignment.models import Assignment, AssignmentRule
from vinculo.sales.leads.models import Lead


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_only_administrators_see_the_pages(admin, rep):
    assert signed_in(rep).get("/settings/assignment-rules/").status_code == 403
    assert signed_in(rep).get("/settings/assignment-rules/new/").status_code == 403
    page = signed_in(admin).get("/settings/assignment-rules/")
    assert page.status_code == 200
    assert "Assignment rules" in page.content.decode()


def test_create_edit_reorder_and_delete_through_the_pages(admin, reps, team_ids):
    client = signed_in(admin)
    form = client.get("/settings/assignment-rules/new/?entity=leads")
    assert form.status_code == 200
    body = form.content.decode()
    assert 'id="filter-input"' in body and "filter-config" in body
    response = client.post("/settings/assignment-rules/new/", {
        "name": "Spain", "entity": "leads", "method": "territory", "active": "on",
        "only_unowned": "on",
        "territories": f"ES | Madrid | 28000-28999 | {reps['south'].username}",
        "condition": json.dumps({"field": "source", "op": "eq", "value": "web"})})
    assert response.status_code == 302, response.content.decode()[:2000]
    spain = AssignmentRule.objects.get(name="Spain")
    assert spain.territories == [{"country": "ES", "regions": ["Madrid"],
                                  "postal_from": "28000", "postal_to": "28999",
                                  "user_id": reps["south"].pk}]
    client.post("/settings/assignment-rules/new/", {
        "name": "Rest", "entity": "leads", "method": "round_robin",
        "team_id": team_ids["North"], "active": "on"})
    lead = records.create("leads", {"last_name": "x", "country": "ES", "postal_code": "28001",
                                    "region": "madrid",
                                    "source": "web"}, actor=admin)
    assert lead.owner_id == reps["south"].pk
    listing = client.get("/settings/assignment-rules/").content.decode()
    assert listing.index("Spain") < listing.index("Rest")
    rest = AssignmentRule.objects.get(name="Rest")
    client.post(f"/settings/assignment-rules/{rest.pk}/move/", {"direction": "up"})
    listing = client.get("/settings/assignment-rules/").content.decode()
    assert listing.index("Rest") < listing.index("Spain")
    edit = client.get(f"/settings/assignment-rules/{spain.pk}/")
    assert edit.status_code == 200 and f"leads #{lead.pk}" in edit.content.decode()
    client.post(f"/settings/assignment-rules/{spain.pk}/", {"action": "delete"})
    assert not AssignmentRule.objects.filter(pk=spain.pk).exists()
    assert Assignment.objects.filter(record_id=lead.pk, rule=None).exists()


def test_bad_input_on_the_form_names_the_problem(admin, reps):
    client = signed_in(admin)
    response = client.post("/settings/assignment-rules/new/", {
        "name": "Bad", "entity": "leads", "method": "round_robin",
        "condition": json.dumps({"field": "nope", "op": "eq", "value": 1})})
    assert response.status_code == 200
    body = response.content.decode()
    assert "nope" in body and "Choose a team" in body
    response = client.post("/settings/assignment-rules/new/", {
        "name": "Bad", "entity": "leads", "method": "territory",
        "territories": "ES | | | nobody"})
    assert "nobody" in response.content.decode()
    assert not AssignmentRule.objects.exists()


def test_apply_from_a_list_selection(admin, rep, reps):
    leads = [records.create("leads", {"last_name": f"L{i}"}, actor=rep) for i in range(3)]
    services.create_rule({"entity": "leads", "name": "all", "method": "user",
                          "user_id": reps["south"].pk})
    response = signed_in(rep).post("/settings/assignment-rules/apply/", {
        "entity": "leads", "ids": [lead.pk for lead in leads[:2]], "next": "/leads/",
        "filter": ""})
    assert response.status_code == 302 and response["Location"] == "/leads/"
    owners = dict(Lead.objects.values_list("pk", "owner_id"))
    assert [owners[lead.pk] for lead in leads] == [reps["south"].pk, reps["south"].pk, rep.pk]


def test_the_history_tag_for_record_pages(admin, reps):
    from django.template import Context, Template

    services.create_rule({"entity": "leads", "name": "South", "method": "user",
                          "user_id": reps["south"].pk})
    lead = records.create("leads", {"last_name": "x"}, actor=admin)
    html = Template("{% load assignment_tags %}{% assignment_history obj %}").render(
        Context({"obj": lead}))
    assert "South" in html and reps["south"].display_name() in html
    other = records.create("contacts", {"last_name": "y"}, actor=admin)
    assert Template("{% load assignment_tags %}{% assignment_history obj %}").render(
        Context({"obj": other})).strip() == ""
