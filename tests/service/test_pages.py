"""Service pages: generic case pages and the queue view with pick-up."""

import pytest
from django.test import Client

import vinculo.service.views  # noqa: F401  (registers the resource pages)
from tests.conftest import make_user
from vinculo.platform import records
from vinculo.service.models import Case, Queue


@pytest.fixture
def web_agent(db):
    user = make_user("pia", "service")
    client = Client()
    client.force_login(user)
    return user, client


def test_queue_view_lists_open_cases_and_picks_up(web_agent, admin):
    user, client = web_agent
    queue = records.create("queues", {"name": "Support", "assignment": "manual",
                                      "member_ids": [user.pk]}, actor=admin)
    case = records.create("cases", {"subject": "Broken hinge", "queue_id": queue.pk},
                          actor=admin)
    r = client.get(f"/service/queues/{queue.pk}/")
    assert r.status_code == 200
    assert "Broken hinge" in r.content.decode() and "/pick-up/" in r.content.decode()
    r = client.post(f"/cases/{case.pk}/pick-up/")
    assert r.status_code == 302 and r["Location"] == f"/cases/{case.pk}/"
    assert Case.objects.get(pk=case.pk).assignee_id == user.pk
    r = client.get(f"/cases/{case.pk}/")
    assert r.status_code == 200 and "Broken hinge" in r.content.decode()


def test_queue_view_needs_sign_in_and_an_existing_queue(web_agent, admin):
    _user, client = web_agent
    assert Client().get("/service/queues/1/").status_code == 302
    assert client.get("/service/queues/999999/").status_code == 404
    queue = Queue.objects.create(name="Q")
    assert client.get(f"/service/queues/{queue.pk}/?cursor=garbage").status_code == 404


def test_case_list_and_form_pages(web_agent):
    _user, client = web_agent
    assert client.get("/cases/").status_code == 200
    assert client.get("/cases/new/").status_code == 200
    r = client.post("/cases/new/", {"subject": "From the form", "status": "new",
                                    "priority": "normal"})
    assert r.status_code == 302, r.content.decode()[:2000]
    assert Case.objects.filter(subject="From the form").exists()


def test_setup_pages_render(admin):
    client = Client()
    client.force_login(admin)
    queue = records.create("queues", {"name": "Support", "member_ids": [admin.pk]}, actor=admin)
    calendar = records.create("calendars", {"name": "Office", "time_zone": "Europe/Madrid",
                                            "hours": {"0": [["09:00", "17:00"]]}}, actor=admin)
    for url in ("/queues/", f"/queues/{queue.pk}/", "/calendars/", f"/calendars/{calendar.pk}/",
                f"/calendars/{calendar.pk}/edit/", "/sla-policies/", "/sla-policies/new/",
                "/macros/", "/macros/new/", f"/service/queues/{queue.pk}/"):
        assert client.get(url).status_code == 200, url
