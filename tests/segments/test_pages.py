"""The segment pages: list with the editor, live count, saving, members, permissions."""

from __future__ import annotations

import json

import pytest
from django.test import Client


@pytest.fixture
def browser(admin):
    client = Client()
    client.force_login(admin)
    return client


@pytest.mark.django_db
def test_list_page_and_saving(world, browser):
    r = browser.get("/segments/")
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="nl-text"' in body and "data-filter-builder" in body
    node = {"field": "city", "op": "ieq", "value": "lima"}
    r = browser.post("/segments/count/", {"entity": "contacts", "filter": json.dumps(node)})
    assert r.status_code == 200 and 'data-segment-count>2<' in r.content.decode()
    r = browser.post("/segments/", {"name": "Lima", "entity": "contacts",
                                    "filter": json.dumps(node), "visibility": "public",
                                    "text": "contacts in Lima"})
    assert r.status_code == 302
    from vinculo.marketing.segments.models import Segment

    seg = Segment.objects.get(name="Lima")
    r = browser.get(f"/segments/{seg.pk}/")
    assert r.status_code == 200
    body = r.content.decode()
    assert "lima1@example.com" in body and "data-segment-count>2<" in body
    assert browser.get("/segments/").content.decode().count(f"/segments/{seg.pk}/") >= 1
    r = browser.get(f"/segments/{seg.pk}/edit/")
    assert r.status_code == 200
    r = browser.post(f"/segments/{seg.pk}/edit/", {"name": "Lima 2", "entity": "contacts",
                                                   "filter": json.dumps(node),
                                                   "visibility": "private"})
    assert r.status_code == 302
    seg.refresh_from_db()
    assert seg.name == "Lima 2" and seg.version == 2


@pytest.mark.django_db
def test_bad_filter_on_the_page_is_shown_not_500(world, browser):
    r = browser.post("/segments/", {"name": "Bad", "entity": "contacts",
                                    "filter": json.dumps({"field": "zzz", "op": "eq",
                                                          "value": 1})})
    assert r.status_code == 422 and "zzz" in r.content.decode()
    r = browser.post("/segments/", {"name": "Bad", "entity": "contacts", "filter": "{nope"})
    assert r.status_code == 422
    r = browser.post("/segments/count/", {"entity": "contacts", "filter": "{nope"})
    assert r.status_code == 200 and "data-count-error" in r.content.decode()
    r = browser.get("/segments/?filter=" + json.dumps({"field": "zzz", "op": "eq", "value": 1}))
    assert r.status_code == 422


@pytest.mark.django_db
def test_save_from_a_list_filter(world, browser):
    node = {"field": "country", "op": "eq", "value": "ES"}
    r = browser.get("/segments/", {"entity": "contacts", "filter": json.dumps(node)})
    assert r.status_code == 200
    assert "&quot;country&quot;" in r.content.decode()


@pytest.mark.django_db
def test_pages_respect_ownership(world, rep, other_rep):
    from vinculo.marketing.segments import services

    seg = services.save(rep, {"name": "Private", "filter": {}})
    other = Client()
    other.force_login(other_rep)
    assert other.get(f"/segments/{seg.pk}/").status_code == 404
    assert other.get(f"/segments/{seg.pk}/edit/").status_code == 404
    assert other.post(f"/segments/{seg.pk}/delete/").status_code == 404
    owner = Client()
    owner.force_login(rep)
    assert owner.post(f"/segments/{seg.pk}/delete/").status_code == 302
    assert Client().get("/segments/").status_code == 302  # sign in first
