"""Cases over the API: create with SLA due times, bad input, access, pause, first response."""

import datetime as dt

from vinculo.service.models import Case


def iso(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def test_a_case_gets_due_times_from_its_policy(clock, agent_api, policy):
    r = agent_api.post("cases", {"subject": "Printer on fire", "channel": "email"})
    assert r.status_code == 201, r.content
    case = r.json()
    assert case["status"] == "new" and case["priority"] == "normal"
    assert case["sla_policy_id"] == policy["id"]
    # Monday 10:00 Madrid + 60 business minutes; + 480 = Tuesday 10:00.
    assert iso(case["first_response_due"]) == dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC)
    assert iso(case["resolution_due"]) == dt.datetime(2026, 11, 24, 9, 0, tzinfo=dt.UTC)


def test_bad_input_names_the_field(agent_api):
    for body, field in [({"subject": ""}, "subject"), ({"subject": "x", "status": "lost"},
                                                       "status"),
                        ({"subject": "x", "priority": "meh"}, "priority"),
                        ({"subject": "x", "satisfaction": 9}, "satisfaction"),
                        ({"subject": "x", "queue_id": 999999}, "queue_id"),
                        ({"subject": "x", "nope": 1}, "nope")]:
        r = agent_api.post("cases", body)
        assert r.status_code == 422, (body, r.content)
        assert field in r.content.decode(), (body, r.content)


def test_another_agents_case_is_not_found(agent_api, agent2_api):
    case = agent_api.post("cases", {"subject": "Mine"}).json()
    assert agent2_api.get(f"cases/{case['id']}").status_code == 404
    assert agent2_api.patch(f"cases/{case['id']}", {"status": "open"}).status_code == 404
    assert agent_api.get(f"cases/{case['id']}").status_code == 200


def test_anonymous_is_refused(anon_api):
    assert anon_api.get("cases").status_code == 401


def test_pending_pauses_the_clock_and_resuming_moves_due_times(clock, agent_api, policy):
    case = agent_api.post("cases", {"subject": "Waiting"}).json()
    due = iso(case["resolution_due"])
    clock.advance(minutes=30)
    r = agent_api.patch(f"cases/{case['id']}", {"status": "pending"})
    assert r.status_code == 200 and r.json()["paused_at"]
    clock.advance(hours=24)  # Tuesday 10:30 Madrid: 8 business hours waiting on the customer
    r = agent_api.patch(f"cases/{case['id']}", {"status": "open"})
    body = r.json()
    assert body["paused_minutes"] == 480 and body["paused_at"] is None
    assert iso(body["resolution_due"]) == due + dt.timedelta(days=1)


def test_opening_or_an_outbound_reply_is_the_first_response(clock, agent_api, policy):
    a = agent_api.post("cases", {"subject": "A"}).json()
    clock.advance(minutes=5)
    body = agent_api.patch(f"cases/{a['id']}", {"status": "open"}).json()
    assert iso(body["first_responded_at"]) == clock.now
    b = agent_api.post("cases", {"subject": "B"}).json()
    r = agent_api.post("activities", {"kind": "email", "direction": "outbound",
                                      "subject": "Re: B", "case_id": b["id"]})
    assert r.status_code == 201, r.content
    body = agent_api.get(f"cases/{b['id']}").json()
    assert body["first_responded_at"] and body["status"] == "open"
    assert agent_api.get(f"cases/{b['id']}/timeline").json()["items"]


def test_resolving_records_when_and_reopening_clears_it(clock, agent_api, policy):
    case = agent_api.post("cases", {"subject": "R"}).json()
    body = agent_api.patch(f"cases/{case['id']}", {"status": "resolved"}).json()
    assert body["resolved_at"]
    body = agent_api.patch(f"cases/{case['id']}", {"status": "open"}).json()
    assert body["resolved_at"] is None


def test_priority_change_picks_the_policy_of_the_new_priority(clock, admin_api, agent_api,
                                                               policy, calendar):
    urgent = admin_api.post("sla-policies", {
        "name": "Urgent", "priority": "urgent", "first_response_minutes": 15,
        "resolution_minutes": 120, "calendar_id": calendar["id"]}).json()
    case = agent_api.post("cases", {"subject": "P"}).json()
    body = agent_api.patch(f"cases/{case['id']}", {"priority": "urgent"}).json()
    assert body["sla_policy_id"] == urgent["id"]
    assert iso(body["resolution_due"]) == dt.datetime(2026, 11, 23, 11, 0, tzinfo=dt.UTC)


def test_cases_show_on_the_contact_timeline_and_filter(agent_api):
    contact = agent_api.post("contacts", {"first_name": "Eva", "last_name": "Ruiz"}).json()
    case = agent_api.post("cases", {"subject": "Hello", "contact_id": contact["id"]}).json()
    items = agent_api.get(f"contacts/{contact['id']}/timeline").json()["items"]
    assert any(i["source"] == "case" and i["id"] == case["id"] for i in items)
    assert Case.objects.filter(contact_id=contact["id"]).count() == 1


def test_calendar_bad_input(admin_api):
    for body, field in [({"name": "x", "time_zone": "Mars/Base"}, "time_zone"),
                        ({"name": "x", "hours": {"8": [["09:00", "17:00"]]}}, "hours"),
                        ({"name": "x", "hours": {"0": [["17:00", "09:00"]]}}, "hours"),
                        ({"name": "x", "holidays": ["not a date"]}, "holidays")]:
        r = admin_api.post("calendars", body)
        assert r.status_code == 422, (body, r.content)
        assert field in r.content.decode()
