"""Queues: automatic assignment (round robin, least loaded), manual pick-up, queue view."""

import pytest

from tests.conftest import api_for, make_user


@pytest.fixture
def members(db):
    return [make_user(f"agent{i}", "service") for i in range(3)]


def make_queue(api, members, method):
    r = api.post("queues", {"name": f"Q {method}", "assignment": method,
                            "member_ids": [m.pk for m in members]})
    assert r.status_code == 201, r.content
    assert r.json()["member_ids"] == sorted(m.pk for m in members)
    return r.json()


def test_round_robin_takes_turns(admin_api, members):
    queue = make_queue(admin_api, members, "round_robin")
    got = [admin_api.post("cases", {"subject": f"c{i}", "queue_id": queue["id"]}).json()
           ["assignee_id"] for i in range(6)]
    ids = sorted(m.pk for m in members)
    assert got == ids + ids


def test_least_loaded_gives_the_member_with_fewest_open_cases(admin_api, members):
    queue = make_queue(admin_api, members, "least_loaded")
    a, b, c = sorted(members, key=lambda m: m.pk)
    for _ in range(2):
        admin_api.post("cases", {"subject": "a", "queue_id": queue["id"], "assignee_id": a.pk})
    admin_api.post("cases", {"subject": "b", "queue_id": queue["id"], "assignee_id": b.pk})
    got = admin_api.post("cases", {"subject": "new", "queue_id": queue["id"]}).json()
    assert got["assignee_id"] == c.pk
    got = admin_api.post("cases", {"subject": "new2", "queue_id": queue["id"]}).json()
    assert got["assignee_id"] in (b.pk, c.pk)


def test_least_loaded_counts_open_conversations_of_the_inbox_too(admin_api, members):
    """A member busy on messaging threads is as busy as one working cases."""
    from vinculo.channels.inbox.models import Conversation

    queue = make_queue(admin_api, members, "least_loaded")
    a, b, c = sorted(members, key=lambda m: m.pk)
    admin_api.post("cases", {"subject": "a", "queue_id": queue["id"], "assignee_id": a.pk})
    for status in ("open", "waiting"):
        Conversation.objects.create(channel="sms", address="+34600000001", status=status,
                                    assignee=b)
    Conversation.objects.create(channel="sms", address="+34600000002", status="closed",
                                assignee=c)
    got = admin_api.post("cases", {"subject": "new", "queue_id": queue["id"]}).json()
    assert got["assignee_id"] == c.pk  # a: one case, b: two open threads, c: only a closed one
    got = admin_api.post("cases", {"subject": "new2", "queue_id": queue["id"]}).json()
    assert got["assignee_id"] == a.pk  # now a and c have one each; b still has two


def test_business_rule_routes_portal_cases_to_a_queue_with_its_sla(admin_api, members, policy):
    """A rule that sets the queue and the priority of cases opened in the portal: the queue
    assigns them and the SLA of the new priority applies."""
    from vinculo.customers.models import Contact
    from vinculo.service.portal import services as portal

    queue = make_queue(admin_api, members, "round_robin")
    r = admin_api.post("business-rules", {
        "entity": "cases", "name": "Portal cases to the help desk",
        "condition": {"field": "channel", "op": "eq", "value": "portal"}, "action": "set",
        "values": {"queue_id": queue["id"], "priority": "normal"}})
    assert r.status_code == 201, r.content
    contact = Contact.objects.create(first_name="Ana", last_name="Ruiz", email="ana@example.com")
    case = portal.open_case(contact, "My order did not arrive", "Order 1043")
    assert case.queue_id == queue["id"] and case.priority == "normal"
    assert case.assignee_id in {m.pk for m in members} and case.owner_id == case.assignee_id
    assert case.sla_policy_id == policy["id"] and case.resolution_due is not None
    phone = admin_api.post("cases", {"subject": "By phone", "channel": "phone"}).json()
    assert phone["queue_id"] is None and phone["assignee_id"] is None


def test_assignee_becomes_owner_so_the_agent_sees_the_case(admin_api, members):
    queue = make_queue(admin_api, members, "round_robin")
    case = admin_api.post("cases", {"subject": "x", "queue_id": queue["id"]}).json()
    assert case["owner_id"] == case["assignee_id"]
    agent = next(m for m in members if m.pk == case["assignee_id"])
    assert api_for(agent).get(f"cases/{case['id']}").status_code == 200


def test_manual_queue_leaves_cases_for_pick_up(admin_api, members):
    queue = make_queue(admin_api, members, "manual")
    case = admin_api.post("cases", {"subject": "pick me", "queue_id": queue["id"]}).json()
    assert case["assignee_id"] is None
    first, second = (api_for(m) for m in members[:2])
    page = first.get(f"queues/{queue['id']}/cases").json()
    assert [c["id"] for c in page["items"]] == [case["id"]]
    r = first.post(f"cases/{case['id']}/pick-up")
    assert r.status_code == 200, r.content
    assert r.json()["assignee_id"] == members[0].pk and r.json()["status"] == "open"
    # Taken: the other member gets a 404 now (no longer theirs to see) or 409.
    assert second.post(f"cases/{case['id']}/pick-up").status_code in (404, 409)


def test_non_member_cannot_pick_up(admin_api, members):
    queue = make_queue(admin_api, members[:1], "manual")
    case = admin_api.post("cases", {"subject": "x", "queue_id": queue["id"]}).json()
    outsider = api_for(make_user("zed", "service"))
    assert outsider.post(f"cases/{case['id']}/pick-up").status_code == 404


def test_assignee_must_be_a_member(admin_api, members, agent):
    queue = make_queue(admin_api, members, "manual")
    r = admin_api.post("cases", {"subject": "x", "queue_id": queue["id"],
                                 "assignee_id": agent.pk})
    assert r.status_code == 422 and "assignee_id" in r.content.decode()


def test_queue_bad_input(admin_api):
    r = admin_api.post("queues", {"name": "Q", "assignment": "random"})
    assert r.status_code == 422 and "assignment" in r.content.decode()
    r = admin_api.post("queues", {"name": "Q", "member_ids": [987654]})
    assert r.status_code == 422 and "member_ids" in r.content.decode()


def test_queue_view_is_sorted_by_due_and_paginated(clock, admin_api, members, policy,
                                                   calendar):
    queue = make_queue(admin_api, members, "manual")
    admin_api.post("sla-policies", {"name": "U", "priority": "urgent",
                                    "first_response_minutes": 10, "resolution_minutes": 30,
                                    "calendar_id": calendar["id"]})
    normal = [admin_api.post("cases", {"subject": f"n{i}", "queue_id": queue["id"]}).json()
              for i in range(3)]
    urgent = admin_api.post("cases", {"subject": "u", "queue_id": queue["id"],
                                      "priority": "urgent"}).json()
    member = api_for(members[0])
    page = member.get(f"queues/{queue['id']}/cases", limit=2).json()
    assert page["items"][0]["id"] == urgent["id"] and page["next_cursor"]
    rest = member.get(f"queues/{queue['id']}/cases", limit=2, cursor=page["next_cursor"]).json()
    seen = [c["id"] for c in page["items"] + rest["items"]]
    assert sorted(seen) == sorted([c["id"] for c in normal] + [urgent["id"]])


def test_only_administrators_set_up_the_service(agent_api, admin_api):
    for path, body in [("queues", {"name": "Q"}), ("calendars", {"name": "C"}),
                       ("macros", {"name": "M"}),
                       ("sla-policies", {"name": "P", "priority": "low",
                                         "first_response_minutes": 5,
                                         "resolution_minutes": 50})]:
        assert agent_api.post(path, body).status_code == 403, path
        created = admin_api.post(path, body)
        assert created.status_code == 201, created.content
        assert agent_api.get(f"{path}/{created.json()['id']}").status_code == 200
        assert agent_api.patch(f"{path}/{created.json()['id']}", {"name": "X"}
                               ).status_code == 403
