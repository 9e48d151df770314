"""The conversations API: the inbox list (filters, cursor pagination), record access, changes
with If-Match, starting conversations and turning them into leads, cases and opportunities."""

import pytest

from tests.conftest import api_for, make_user
from tests.inbox.conftest import sms_params
from vinculo.channels.inbox.models import Conversation
from vinculo.platform import records

pytestmark = pytest.mark.django_db


def _make(n, **kw):
    made = []
    for i in range(n):
        made.append(records.create("conversations", {
            "channel": kw.get("channel", "sms"), "status": kw.get("status", "open"),
            "address": f"+3460000{i:04d}", "thread_key": f"+3460000{i:04d}",
            "assignee_id": kw.get("assignee_id")}, source="test"))
    return made


def test_inbox_list_pages_with_a_cursor_and_filters(agent, agent_api, admin_api):
    _make(7, assignee_id=agent.pk)
    _make(3, assignee_id=agent.pk, status="closed", channel="social")
    _make(2)
    seen, cursor = [], None
    while True:
        params = {"limit": 3, "box": "mine"}
        if cursor:
            params["cursor"] = cursor
        page = agent_api.get("conversations", **params).json()
        seen += [c["id"] for c in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert len(seen) == len(set(seen)) == 10
    assert len(agent_api.get("conversations", status="open", box="mine").json()["items"]) == 7
    social = agent_api.get("conversations", channel="social").json()["items"]
    assert {c["channel"] for c in social} == {"social"} and len(social) == 3
    # The agent does not see unassigned threads outside their queues; the admin does.
    assert len(agent_api.get("conversations", box="unassigned").json()["items"]) == 0
    assert len(admin_api.get("conversations", assignee="none").json()["items"]) == 2
    assert len(admin_api.get("conversations", assignee="me").json()["items"]) == 0
    assert admin_api.get("conversations", status="nope").status_code == 422
    assert admin_api.get("conversations", cursor="forged").status_code == 422
    assert admin_api.get("conversations", assignee="bob").status_code == 422


def test_a_rep_sees_only_their_conversations(rep, other_rep, rep_api, anon_api):
    mine, = _make(1, assignee_id=rep.pk)
    other = records.create("conversations", {"channel": "sms", "address": "+34699999999",
                                             "assignee_id": other_rep.pk}, source="test")
    assert rep_api.get(f"conversations/{mine.pk}").status_code == 200
    assert rep_api.get(f"conversations/{other.pk}").status_code == 404
    assert rep_api.patch(f"conversations/{other.pk}", {"status": "closed"}).status_code == 404
    assert rep_api.post(f"conversations/{other.pk}/messages",
                        {"body": "hi"}).status_code == 404
    assert rep_api.post(f"conversations/{other.pk}/convert", {"to": "lead"}).status_code == 404
    assert [c["id"] for c in rep_api.get("conversations").json()["items"]] == [mine.pk]
    assert anon_api.get("conversations").status_code == 401
    readonly = api_for(make_user("rosa", "readonly"))
    assert readonly.get(f"conversations/{mine.pk}").status_code == 200
    assert readonly.patch(f"conversations/{mine.pk}", {"status": "closed"}).status_code == 403


def test_queue_members_see_and_take_unassigned_threads(hooks, sms, agent, agent_api, queue):
    from vinculo.service.models import Queue
    Queue.objects.filter(pk=queue.pk).update(assignment="manual")
    hooks.twilio(sms, "sms", sms_params("+34655555555", "¿Hay alguien?"))
    conversation = Conversation.objects.get()
    assert conversation.assignee_id is None
    listed = agent_api.get("conversations", box="unassigned").json()["items"]
    assert [c["id"] for c in listed] == [conversation.pk]
    r = agent_api.patch(f"conversations/{conversation.pk}", {"assignee_id": agent.pk},
                        headers={"If-Match": str(conversation.version)})
    assert r.status_code == 200, r.content
    assert r.json()["assignee_id"] == agent.pk and r.json()["owner_id"] == agent.pk
    stale = agent_api.patch(f"conversations/{conversation.pk}", {"status": "closed"},
                            headers={"If-Match": str(conversation.version)})
    assert stale.status_code == 412
    ok = agent_api.patch(f"conversations/{conversation.pk}",
                         {"status": "closed", "tags": ["vip", "stock"]},
                         headers={"If-Match": str(r.json()["version"])})
    assert ok.status_code == 200 and ok.json()["tags"] == ["stock", "vip"]
    bad = agent_api.patch(f"conversations/{conversation.pk}", {"status": "archived"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"][-1] == "status"
    unknown = agent_api.patch(f"conversations/{conversation.pk}", {"colour": "red"})
    assert unknown.status_code == 422


def test_turning_a_thread_into_a_lead_case_and_opportunity(hooks, sms, customer, agent,
                                                           agent_api):
    from vinculo.sales.leads.models import Lead
    from vinculo.service.models import Case

    hooks.twilio(sms, "sms", sms_params("+34612345678", "Quiero un presupuesto"))
    hooks.twilio(sms, "sms", sms_params("+34699000111", "Info please"))
    known = Conversation.objects.get(contact=customer)
    unknown = Conversation.objects.get(address="+34699000111")
    admin = api_for(make_user("boss", "admin"))
    r = admin.post(f"conversations/{known.pk}/convert", {"to": "case"})
    assert r.status_code == 201, r.content
    case = Case.objects.get(pk=r.json()["id"])
    assert case.contact_id == customer.pk and case.channel == "sms"
    assert case.description == "Quiero un presupuesto"
    assert r.json()["conversation"]["case_id"] == case.pk
    r = agent_api.post(f"conversations/{unknown.pk}/convert", {"to": "lead"})
    assert r.status_code == 201, r.content
    lead = Lead.objects.get(pk=r.json()["id"])
    assert lead.phone == "+34699000111" and lead.owner_id == agent.pk
    r = admin.post(f"conversations/{known.pk}/convert", {"to": "opportunity"})
    assert r.status_code == 201, r.content  # in the default pipeline's first stage
    assert r.json()["entity"] == "opportunities"
    assert agent_api.post(f"conversations/{known.pk}/convert",
                          {"to": "invoice"}).status_code == 422
    # The agent may not see the contact: the case they make is not linked to it.
    other = agent_api.post(f"conversations/{known.pk}/convert", {"to": "case"})
    assert other.status_code == 201 and Case.objects.get(pk=other.json()["id"]).contact_id is None


def test_start_uses_the_contacts_preferred_channel(customer, rep_api, sms):
    r = rep_api.post("conversations", {"contact_id": customer.pk})
    assert r.status_code == 201, r.content
    assert r.json()["channel"] == "sms" and r.json()["address"] == "+34612345678"
    again = rep_api.post("conversations", {"contact_id": customer.pk})
    assert again.json()["id"] == r.json()["id"]
    r = rep_api.post("conversations", {"contact_id": customer.pk, "channel": "email"})
    assert r.json()["channel"] == "email" and r.json()["address"] == "lucia@example.com"
    assert rep_api.post("conversations", {"contact_id": customer.pk,
                                          "channel": "social"}).status_code == 422
    assert rep_api.post("conversations", {"contact_id": 999999}).status_code == 404
