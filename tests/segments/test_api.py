"""Segments over the API: validation, visibility, members through record access, counts."""

from __future__ import annotations

import pytest

from tests.conftest import api_for, make_user

IN_LIMA = {"field": "city", "op": "ieq", "value": "lima"}


@pytest.mark.django_db
def test_create_read_members_and_count(world, admin_api):
    r = admin_api.post("segments", {"name": "Lima", "entity": "contacts", "filter": IN_LIMA})
    assert r.status_code == 201, r.content
    seg = r.json()
    assert seg["visibility"] == "private" and seg["last_count"] is None
    r = admin_api.get(f"segments/{seg['id']}/members", with_count=1)
    assert r.status_code == 200, r.content
    page = r.json()
    assert page["count"] == 2
    assert {m["email"] for m in page["items"]} == {"lima1@example.com", "lima2@example.com"}
    assert admin_api.get(f"segments/{seg['id']}").json()["last_count"] == 2
    # cursor pagination
    first = admin_api.get(f"segments/{seg['id']}/members", limit=1).json()
    assert len(first["items"]) == 1 and first["next_cursor"]
    second = admin_api.get(f"segments/{seg['id']}/members", limit=1,
                           cursor=first["next_cursor"]).json()
    assert second["items"][0]["id"] != first["items"][0]["id"]
    assert second["next_cursor"] is None


@pytest.mark.django_db
def test_related_aggregate_segment(world, admin_api):
    node = {"related": "orders", "agg": "count", "op": "gt", "value": 3}
    seg = admin_api.post("segments", {"name": "Buyers", "filter": node}).json()
    page = admin_api.get(f"segments/{seg['id']}/members", with_count=1).json()
    assert page["count"] == 1 and page["items"][0]["first_name"] == "Lucía"


@pytest.mark.django_db
@pytest.mark.parametrize("body, loc", [
    ({"name": "x", "filter": {"field": "nope", "op": "eq", "value": 1}}, "field"),
    ({"name": "x", "filter": {"field": "city", "op": "bogus", "value": 1}}, "op"),
    ({"name": "x", "filter": {"field": "lifecycle_stage", "op": "eq", "value": "zzz"}},
     "value"),
    ({"name": "x", "entity": "nothing"}, "entity"),
    ({"name": "x", "visibility": "everyone"}, "visibility"),
    ({"name": "", "filter": {}}, "name"),
    ({"name": "x", "filter": {"related": "nothing", "op": "gt", "value": 1}}, "related"),
])
def test_bad_segments_are_422_naming_the_problem(world, admin_api, body, loc):
    r = admin_api.post("segments", body)
    assert r.status_code == 422, r.content
    assert loc in str(r.json()["detail"])


@pytest.mark.django_db
def test_visibility_and_ownership(world, rep, other_rep, rep_api, other_api):
    mine = rep_api.post("segments", {"name": "Mine", "filter": IN_LIMA}).json()
    public = rep_api.post("segments", {"name": "Public", "filter": IN_LIMA,
                                       "visibility": "public"}).json()
    assert other_api.get(f"segments/{mine['id']}").status_code == 404
    assert other_api.get(f"segments/{mine['id']}/members").status_code == 404
    assert other_api.get(f"segments/{public['id']}").status_code == 200
    ids = [s["id"] for s in other_api.get("segments").json()["items"]]
    assert public["id"] in ids and mine["id"] not in ids
    assert other_api.patch(f"segments/{public['id']}", {"name": "Hijack"}).status_code == 403
    assert other_api.delete(f"segments/{public['id']}").status_code == 403
    r = rep_api.patch(f"segments/{mine['id']}", {"name": "Renamed"},
                      headers={"If-Match": "99"})
    assert r.status_code == 412
    r = rep_api.patch(f"segments/{mine['id']}", {"name": "Renamed"},
                      headers={"If-Match": str(mine["version"])})
    assert r.status_code == 200 and r.json()["name"] == "Renamed"
    assert rep_api.delete(f"segments/{mine['id']}").status_code == 204


@pytest.mark.django_db
def test_team_visibility(world):
    a = make_user("seg_a", "marketing", teams=["Growth"])
    b = make_user("seg_b", "marketing", teams=["Growth"])
    c = make_user("seg_c", "marketing", teams=["Other"])
    seg = api_for(a).post("segments", {"name": "Team", "visibility": "team"}).json()
    assert seg["team_id"] is not None
    assert api_for(b).get(f"segments/{seg['id']}").status_code == 200
    assert api_for(c).get(f"segments/{seg['id']}").status_code == 404


@pytest.mark.django_db
def test_members_go_through_record_access(world):
    """A rep sees only the members they may see (their own records)."""
    ana_api = api_for(world["ana"])
    seg = ana_api.post("segments", {"name": "Customers", "filter": {
        "field": "lifecycle_stage", "op": "eq", "value": "customer"}}).json()
    page = ana_api.get(f"segments/{seg['id']}/members", with_count=1).json()
    assert {m["first_name"] for m in page["items"]} == {"Lucía", "Marta"}
    assert page["count"] == 2


@pytest.mark.django_db
def test_selector_members_is_a_queryset(world, admin):
    from vinculo.marketing.segments import selectors, services

    seg = services.save(admin, {"name": "Lima", "filter": IN_LIMA})
    qs = selectors.members(admin, seg)
    assert qs.filter(email="lima1@example.com").exists()
    assert qs.count() == 2


@pytest.mark.django_db
def test_interpret_endpoint(world, admin_api):
    r = admin_api.post("segments/interpret", {
        "entity": "contacts", "text": "contactos de Lima que compraron más de 3 veces",
        "language": "es"})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["count"] == 1
    assert body["unrecognized"] == []
    assert "Lima" in body["explanation"] and "pedidos" in body["explanation"]
    assert [c["filter"] for c in body["conditions"]] == body["filter"]["all"]
    # the understood filter is an ordinary filter: it saves as a segment
    r = admin_api.post("segments", {"name": "from text", "filter": body["filter"]})
    assert r.status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("body", [
    {"entity": "nothing", "text": "contacts in Lima"},
    {"entity": "contacts", "text": ""},
    {"entity": "contacts", "text": "x" * 600},
    {"entity": "contacts", "text": "Lima", "language": "fr"},
    {"entity": "contacts"},
])
def test_interpret_bad_input_is_422(world, admin_api, body):
    assert admin_api.post("segments/interpret", body).status_code == 422


@pytest.mark.django_db
def test_count_endpoint_and_auth(world, admin_api, anon_api):
    r = admin_api.post("segments/count", {"entity": "contacts", "filter": IN_LIMA})
    assert r.json() == {"count": 2}
    r = admin_api.post("segments/count", {"entity": "contacts",
                                          "filter": {"field": "zzz", "op": "eq", "value": 1}})
    assert r.status_code == 422
    assert anon_api.post("segments/interpret", {"text": "Lima"}).status_code == 401
    assert anon_api.get("segments").status_code == 401
