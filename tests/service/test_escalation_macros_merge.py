"""SLA warnings and escalation by the scheduled job (once each), macros, merge."""

from django.core import mail

from tests.conftest import api_for, make_user
from vinculo.activities.models import Activity
from vinculo.service import services
from vinculo.service.models import Case, Escalation


def test_warning_then_breach_each_acted_on_once(clock, admin_api, calendar):
    members = [make_user("e1", "service"), make_user("e2", "service")]
    queue = admin_api.post("queues", {"name": "Q", "member_ids": [m.pk for m in members]}
                           ).json()
    admin_api.post("sla-policies", {
        "name": "Normal", "priority": "normal", "first_response_minutes": 60,
        "resolution_minutes": 480, "calendar_id": calendar["id"],
        "escalate_reassign": True, "escalate_raise_priority": True})
    case = admin_api.post("cases", {"subject": "Slow", "queue_id": queue["id"]}).json()
    first_assignee = case["assignee_id"]
    assert services.escalate_due() == 0
    clock.advance(minutes=48)  # 80% of the first-response target
    assert services.escalate_due() == 1
    assert services.escalate_due() == 0
    assert Escalation.objects.filter(kind="first_response_warning").count() == 1
    assert len(mail.outbox) == 1
    clock.advance(minutes=12)  # breached
    assert services.escalate_due() == 1
    assert services.escalate_due() == 0
    row = Escalation.objects.get(kind="first_response_breach")
    assert set(row.actions) == {"raise_priority", "reassign", "notify"}
    after = Case.objects.get(pk=case["id"])
    assert after.priority == "high" and after.assignee_id != first_assignee
    tasks = Activity.objects.filter(case_id=case["id"], kind="task")
    assert tasks.count() == 2


def test_pending_cases_do_not_escalate(clock, agent_api, policy):
    case = agent_api.post("cases", {"subject": "Waiting"}).json()
    agent_api.patch(f"cases/{case['id']}", {"status": "pending"})
    clock.advance(days=3)
    assert services.escalate_due() == 0


def test_answered_cases_skip_first_response_escalation(clock, agent_api, policy):
    case = agent_api.post("cases", {"subject": "Answered"}).json()
    agent_api.patch(f"cases/{case['id']}", {"status": "open"})
    clock.advance(minutes=61)
    assert services.escalate_due() == 0


def test_macro_replies_and_sets_fields(clock, admin_api, agent_api, agent):
    macro = admin_api.post("macros", {"name": "Need info", "reply_en": "Please send logs.",
                                      "reply_es": "Envíanos los registros, por favor.",
                                      "changes": {"status": "pending", "priority": "high"}})
    assert macro.status_code == 201, macro.content
    case = agent_api.post("cases", {"subject": "Logs"}).json()
    r = agent_api.post(f"cases/{case['id']}/apply-macro",
                       {"macro_id": macro.json()["id"], "language": "es"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["status"] == "pending" and body["priority"] == "high"
    assert body["first_responded_at"]
    reply = Activity.objects.get(case_id=case["id"], direction="outbound")
    assert reply.body.startswith("Envíanos")


def test_macro_bad_input(admin_api, agent_api):
    r = admin_api.post("macros", {"name": "bad", "changes": {"subject": "x"}})
    assert r.status_code == 422 and "changes" in r.content.decode()
    case = agent_api.post("cases", {"subject": "x"}).json()
    r = agent_api.post(f"cases/{case['id']}/apply-macro", {"macro_id": 99999})
    assert r.status_code == 422 and "macro_id" in r.content.decode()


def test_merge_moves_activities_and_closes_the_duplicate(agent_api, agent2_api):
    keep = agent_api.post("cases", {"subject": "Keep"}).json()
    dup = agent_api.post("cases", {"subject": "Dup"}).json()
    agent_api.post("activities", {"kind": "note", "subject": "n", "case_id": dup["id"]})
    r = agent_api.post(f"cases/{keep['id']}/merge", {"other_id": dup["id"]})
    assert r.status_code == 200, r.content
    other = agent_api.get(f"cases/{dup['id']}").json()
    assert other["status"] == "closed" and other["merged_into_id"] == keep["id"]
    assert Activity.objects.filter(case_id=keep["id"]).count() == 1
    r = agent_api.post(f"cases/{keep['id']}/merge", {"other_id": dup["id"]})
    assert r.status_code == 422
    r = agent_api.post(f"cases/{keep['id']}/merge", {"other_id": keep["id"]})
    assert r.status_code == 422
    # Someone else's case cannot be merged in.
    theirs = agent2_api.post("cases", {"subject": "Theirs"}).json()
    r = agent_api.post(f"cases/{keep['id']}/merge", {"other_id": theirs["id"]})
    assert r.status_code == 422 and "other_id" in r.content.decode()
    assert api_for(make_user("nob", "service")).post(
        f"cases/{keep['id']}/merge", {"other_id": dup["id"]}).status_code == 404
