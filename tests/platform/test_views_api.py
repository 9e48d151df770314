"""Saved views (/views): visibility, sharing, owner-only edits, validation."""

from __future__ import annotations

import pytest

from tests.platform.conftest import locs

MADRID = {"field": "city", "op": "ieq", "value": "madrid"}


def save(api, **data):
    body = {"entity": "contacts", "name": "Madrid", "filter": MADRID, **data}
    r = api.post("views", body)
    assert r.status_code == 201, r.content
    return r.json()


def names(api, **params) -> set[str]:
    r = api.get("views", **params)
    assert r.status_code == 200, r.content
    return {v["name"] for v in r.json()["items"]}


def test_a_view_keeps_what_it_was_given(rep, rep_api):
    view = save(rep_api, columns=["email", "city"], ordering=["-created_at"])
    assert view["owner_id"] == rep.pk
    assert view["visibility"] == "private"
    assert view["filter"] == MADRID
    assert view["columns"] == ["email", "city"] and view["ordering"] == ["-created_at"]
    assert view["shared_with_user_ids"] == [] and view["version"] == 1
    assert rep_api.get(f"views/{view['id']}").json() == view


def test_visibility(rep_api, other_rep, other_api, outsider, manager):
    from tests.conftest import api_for

    outsider_api, manager_api = api_for(outsider), api_for(manager)
    save(rep_api, name="mine")
    team = save(rep_api, name="team", visibility="team")
    save(rep_api, name="public", visibility="public")
    save(rep_api, name="shared", shared_with_user_ids=[outsider.pk])
    assert names(rep_api) == {"mine", "team", "public", "shared"}
    assert names(other_api) == {"team", "public"}
    assert names(manager_api) == {"team", "public"}
    assert names(outsider_api) == {"public", "shared"}
    assert names(outsider_api, entity="accounts") == set()
    assert other_api.get(f"views/{team['id']}").status_code == 200
    assert outsider_api.get(f"views/{team['id']}").status_code == 404


def test_only_the_owner_changes_a_view(rep_api, other_api, outsider):
    from tests.conftest import api_for

    public = save(rep_api, name="public", visibility="public")
    private = save(rep_api, name="private")
    assert other_api.patch(f"views/{public['id']}", {"name": "Mine now"}).status_code == 403
    assert other_api.delete(f"views/{public['id']}").status_code == 403
    assert other_api.patch(f"views/{private['id']}", {"name": "x"}).status_code == 404
    assert other_api.delete(f"views/{private['id']}").status_code == 404
    assert api_for(outsider).get(f"views/{private['id']}").status_code == 404
    r = rep_api.patch(f"views/{public['id']}", {"name": "Renamed"}, headers={"If-Match": "1"})
    assert r.status_code == 200 and r.json()["version"] == 2
    assert rep_api.patch(f"views/{public['id']}", {"name": "Again"},
                         headers={"If-Match": "1"}).status_code == 412
    assert rep_api.delete(f"views/{public['id']}").status_code == 204
    assert names(other_api) == set()


def test_sharing_can_change(rep_api, other_rep, other_api, outsider):
    view = save(rep_api, shared_with_user_ids=[other_rep.pk, outsider.pk])
    assert sorted(view["shared_with_user_ids"]) == sorted([other_rep.pk, outsider.pk])
    assert names(other_api) == {"Madrid"}
    r = rep_api.patch(f"views/{view['id']}", {"shared_with_user_ids": [outsider.pk]})
    assert r.json()["shared_with_user_ids"] == [outsider.pk]
    assert names(other_api) == set()


@pytest.mark.parametrize("body,loc", [
    ({"filter": {"field": "nope", "op": "eq", "value": 1}}, ["body", "filter", "field"]),
    ({"filter": {"field": "city", "op": "like", "value": 1}}, ["body", "filter", "op"]),
    ({"filter": {"all": [{"field": "city", "op": "eq"}]}}, ["body", "filter", "all", 0,
                                                             "value"]),
    ({"filter": "city=Madrid"}, ["body", "filter"]),
    ({"entity": "ghosts"}, ["body", "entity"]),
    ({"ordering": ["nope"]}, ["body", "ordering"]),
    ({"visibility": "everyone"}, ["body", "visibility"]),
    ({"shared_with_user_ids": [999_999]}, ["body", "shared_with_user_ids"]),
    ({"team_id": 999_999}, ["body", "team_id"]),
    ({"name": ""}, ["body", "name"]),
    ({"columns": "email"}, ["body", "columns"]),
    ({"owner_id": 1}, ["body", "owner_id"]),
])
def test_bad_views_are_422(rep_api, body, loc):
    from vinculo.platform.models import SavedView

    r = rep_api.post("views", {"entity": "contacts", "name": "V", **body})
    assert loc in locs(r), r.content
    assert not SavedView.objects.exists()


def test_a_team_view_for_someone_elses_team_is_refused(rep_api, outsider):
    from vinculo.identity.models import Team

    latam = Team.objects.get(name="LatAm")
    r = rep_api.post("views", {"entity": "contacts", "name": "V", "visibility": "team",
                               "team_id": latam.pk})
    assert locs(r) == [["body", "team_id"]]


def test_a_bad_patch_changes_nothing(rep_api):
    view = save(rep_api)
    r = rep_api.patch(f"views/{view['id']}", {"name": "New",
                                              "filter": {"field": "x", "op": "eq", "value": 1}})
    assert r.status_code == 422
    assert rep_api.get(f"views/{view['id']}").json() == view


def test_filters_may_name_the_current_user(rep_api, rep):
    view = save(rep_api, filter={"field": "owner_id", "op": "eq", "value": "me"})
    assert view["filter"]["value"] == "me"
