"""NPS: sent to a segment or list only to consenting contacts, once each, in the background;
answers on the contact (`nps_score`) and the timeline; survey figures and access."""

from __future__ import annotations

from django.test import Client

from vinculo.activities.models import Activity
from vinculo.customers.models import Contact
from vinculo.service.surveys.models import Invitation

from .conftest import token_of

EVERYONE = {"field": "last_name", "op": "eq", "value": "Encuesta"}


def _survey(api):
    r = api.post("surveys", {"kind": "nps", "name": "Otoño 2026",
                             "question_es": "¿Nos recomendaría?"})
    assert r.status_code == 201, r.content
    return r.json()


def test_nps_goes_to_consenting_segment_members_once(
        smtp, manager, rep_api, people, django_capture_on_commit_callbacks):
    from tests.conftest import api_for

    api = api_for(manager)
    segment = rep_api.post("segments", {"name": "Encuestados", "entity": "contacts",
                                        "filter": EVERYONE, "visibility": "public"}).json()
    survey = _survey(api)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"surveys/{survey['id']}/send", {"segment_id": segment["id"]})
    assert r.status_code == 202, r.content
    # Lucía and Nora consent; Pedro has no opt-in, Marta is "do not contact", Sin no address.
    assert r.json() == {"queued": 2, "already_invited": 0, "excluded": 3}
    assert sorted(to[0] for _s, to, _m in smtp.messages) == ["lucia@example.com",
                                                             "nora@example.com"]
    with django_capture_on_commit_callbacks(execute=True):
        again = api.post(f"surveys/{survey['id']}/send", {"segment_id": segment["id"]})
    assert again.json() == {"queued": 0, "already_invited": 2, "excluded": 3}
    assert len(smtp.messages) == 2
    assert Invitation.objects.filter(status="sent").count() == 2

    lucia_message = next(m for _s, to, m in smtp.messages if to == ["lucia@example.com"])
    assert "¿Nos recomendaría?" in lucia_message.get_body(("plain",)).get_content()
    token = token_of(lucia_message)
    assert Client().post(f"/s/{token}/", {"score": "11"}).status_code == 422
    assert Client().post(f"/s/{token}/", {"score": "9", "comment": "Muy bien"}).status_code == 200
    assert Contact.objects.get(pk=people["lucia"].pk).nps_score == 9
    assert Activity.objects.filter(contact_id=people["lucia"].pk, kind="note",
                                   subject__contains="9").exists()
    # nps_score is a filter field of contacts.
    import json
    r = rep_api.get("contacts", filter=json.dumps({"field": "nps_score", "op": "gte",
                                                   "value": 9}))
    assert [c["id"] for c in r.json()["items"]] == [people["lucia"].pk]

    detail = api.get(f"surveys/{survey['id']}").json()
    assert detail["sent"] == 2 and detail["answered"] == 1
    assert detail["response_rate"] == 0.5 and detail["nps"] == 100
    assert {d["score"]: d["count"] for d in detail["distribution"]}[9] == 1
    assert len(detail["distribution"]) == 11
    listing = api.get("surveys").json()
    assert [s["id"] for s in listing] == [survey["id"]]

    browser = Client()
    browser.force_login(manager)
    page = browser.get("/surveys/")
    assert page.status_code == 200 and "Otoño 2026" in page.content.decode()
    page = browser.get(f"/surveys/{survey['id']}/")
    assert page.status_code == 200 and 'data-score="9"' in page.content.decode()


def test_nps_to_a_static_list(smtp, manager, rep_api, people,
                              django_capture_on_commit_callbacks):
    from tests.conftest import api_for

    api = api_for(manager)
    lst = rep_api.post("lists", {"name": "VIP", "entity": "contacts",
                                 "visibility": "public"}).json()
    rep_api.post(f"lists/{lst['id']}/members", {"ids": [people["nora"].pk,
                                                        people["pedro"].pk]})
    survey = _survey(api)
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post(f"surveys/{survey['id']}/send", {"list_id": lst["id"]})
    assert r.json() == {"queued": 1, "already_invited": 0, "excluded": 1}
    assert [to for _s, to, _m in smtp.messages] == [["nora@example.com"]]


def test_bad_input_and_access(manager, rep_api, anon_api, people):
    from tests.conftest import api_for

    api = api_for(manager)
    survey = _survey(api)
    assert rep_api.get("surveys").status_code == 403
    assert rep_api.post("surveys", {"name": "x"}).status_code == 403
    assert anon_api.get("surveys").status_code == 401
    r = api.post(f"surveys/{survey['id']}/send", {})
    assert r.status_code == 422 and "segment_id" in r.content.decode()
    r = api.post(f"surveys/{survey['id']}/send", {"segment_id": 999999})
    assert r.status_code == 422 and "segment_id" in r.content.decode()
    r = api.post(f"surveys/{survey['id']}/send", {"segment_id": 1, "list_id": 1})
    assert r.status_code == 422
    r = api.post("surveys", {"kind": "stars", "name": "x"})
    assert r.status_code == 422 and "kind" in r.content.decode()
    r = api.post("surveys", {"name": ""})
    assert r.status_code == 422 and "name" in r.content.decode()
    assert api.post("surveys/999999/send", {"segment_id": 1}).status_code == 404
    assert api.get("surveys/999999").status_code == 404
    browser = Client()
    from vinculo.identity.models import User

    browser.force_login(User.objects.get(username="rita"))
    assert browser.get("/surveys/").status_code == 403
