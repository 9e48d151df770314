"""Static lists over the API: create, members from ids / a segment / a filter / a search /
a file, removal, visibility, bad input."""

from __future__ import annotations

import pytest

from tests.conftest import api_for


def ids(people, *names):
    return [people[n].pk for n in names]


@pytest.mark.django_db
def test_create_with_member_ids_and_read(people, rep_api):
    r = rep_api.post("lists", {"name": "Fair 2026", "entity": "contacts",
                               "member_ids": ids(people, "Lucía", "Pedro")})
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["member_count"] == 2
    assert sorted(data["member_ids"]) == sorted(ids(people, "Lucía", "Pedro"))
    got = rep_api.get(f"lists/{data['id']}").json()
    assert got["name"] == "Fair 2026" and got["visibility"] == "private"
    page = rep_api.get("lists").json()
    assert [item["id"] for item in page["items"]] == [data["id"]]
    # patch replaces the members
    r = rep_api.patch(f"lists/{data['id']}", {"member_ids": ids(people, "Juan")})
    assert r.status_code == 200, r.content
    assert r.json()["member_ids"] == ids(people, "Juan")
    assert r.json()["version"] == 2


@pytest.mark.django_db
def test_add_ids_duplicates_ignored_and_invisible_skipped(people, rep_api):
    lst = rep_api.post("lists", {"name": "L"}).json()
    r = rep_api.post(f"lists/{lst['id']}/members",
                     {"ids": ids(people, "Lucía", "Pedro", "Oscarina")})
    assert r.status_code == 200, r.content
    # Oscarina belongs to another rep: not visible to rita, skipped
    assert r.json() == {"added": 2, "matched": 2, "skipped": 0, "member_count": 2}
    r = rep_api.post(f"lists/{lst['id']}/members", {"ids": ids(people, "Lucía", "Juan")})
    assert r.json()["added"] == 1 and r.json()["skipped"] == 1
    assert r.json()["member_count"] == 3
    r = rep_api.delete(f"lists/{lst['id']}/members", body={"ids": ids(people, "Lucía")})
    assert r.status_code == 200, r.content
    assert r.json() == {"removed": 1, "member_count": 2}
    page = rep_api.get(f"lists/{lst['id']}/members", limit=1).json()
    assert len(page["items"]) == 1 and page["next_cursor"]
    rest = rep_api.get(f"lists/{lst['id']}/members", limit=1, cursor=page["next_cursor"]).json()
    assert {page["items"][0]["email"], rest["items"][0]["email"]} == {
        "pedro@example.com", "juan@example.com"}
    assert rest["next_cursor"] is None


@pytest.mark.django_db
def test_add_from_segment_filter_and_search(people, rep_api, admin_api):
    seg = rep_api.post("segments", {"name": "Lima", "filter": {
        "field": "city", "op": "ieq", "value": "lima"}}).json()
    lst = rep_api.post("lists", {"name": "L"}).json()
    r = rep_api.post(f"lists/{lst['id']}/members", {"segment_id": seg["id"]})
    assert r.status_code == 200, r.content
    assert r.json()["added"] == 2
    r = rep_api.post(f"lists/{lst['id']}/members",
                     {"filter": {"field": "city", "op": "eq", "value": "Madrid"}})
    assert r.status_code == 200, r.content
    # only rita's Madrid contacts (Lucía, Pedro), not oscar's
    assert r.json()["added"] == 2 and r.json()["member_count"] == 4
    # the same again: nothing new
    r = rep_api.post(f"lists/{lst['id']}/members",
                     {"filter": {"field": "city", "op": "eq", "value": "Madrid"}})
    assert r.json()["added"] == 0 and r.json()["skipped"] == 2
    other = admin_api.post("lists", {"name": "Search"}).json()
    r = admin_api.post(f"lists/{other['id']}/members", {"q": "oscarina"})
    assert r.status_code == 200, r.content
    assert r.json()["added"] == 1


@pytest.mark.django_db
def test_add_from_file_reports_unmatched_rows(people, rep, rep_api):
    from django.test import Client

    lst = rep_api.post("lists", {"name": "Imported"}).json()
    body = ("email,name\nlucia@example.com,Lucía\nnobody@example.com,X\n"
            "JUAN@example.com,Juan\noscarina@example.com,O\n,\n")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile("people.csv", body.encode(), content_type="text/csv")
    client = Client()
    r = client.post(f"/api/v1/lists/{lst['id']}/members/import", {"file": upload},
                    headers=rep_api.headers)
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["added"] == 2 and data["member_count"] == 2
    assert [row["row"] for row in data["unmatched"]] == [3, 5, 6]


@pytest.mark.django_db
@pytest.mark.parametrize("body, loc", [
    ({"name": ""}, "name"),
    ({"name": "x", "entity": "products"}, "entity"),
    ({"name": "x", "visibility": "world"}, "visibility"),
    ({"name": "x", "member_ids": [999999]}, "member_ids"),
    ({"name": "x", "member_ids": "1,2"}, "member_ids"),
    ({"name": "x", "unknown": 1}, "unknown"),
])
def test_bad_lists_are_422(people, rep_api, body, loc):
    r = rep_api.post("lists", body)
    assert r.status_code == 422, r.content
    assert loc in str(r.json()["detail"])


@pytest.mark.django_db
@pytest.mark.parametrize("body, loc", [
    ({}, "ids"),
    ({"ids": [1], "q": "x"}, "ids"),
    ({"ids": ["a"]}, "ids"),
    ({"segment_id": 999999}, "segment_id"),
    ({"filter": {"field": "nope", "op": "eq", "value": 1}}, "filter"),
    ({"q": "  "}, "q"),
])
def test_bad_member_requests_are_422(people, rep_api, body, loc):
    lst = rep_api.post("lists", {"name": "L"}).json()
    r = rep_api.post(f"lists/{lst['id']}/members", body)
    assert r.status_code == 422, r.content
    assert loc in str(r.json()["detail"])
    assert rep_api.get(f"lists/{lst['id']}").json()["member_count"] == 0


@pytest.mark.django_db
def test_segment_of_another_entity_is_refused(people, rep_api):
    seg = rep_api.post("segments", {"name": "Leads", "entity": "leads", "filter": {}}).json()
    lst = rep_api.post("lists", {"name": "L"}).json()
    r = rep_api.post(f"lists/{lst['id']}/members", {"segment_id": seg["id"]})
    assert r.status_code == 422 and "segment_id" in str(r.json()["detail"])


@pytest.mark.django_db
def test_private_lists_are_private(people, rep_api, other_api, outsider, manager):
    mine = rep_api.post("lists", {"name": "Mine", "member_ids": ids(people, "Lucía")}).json()
    assert other_api.get(f"lists/{mine['id']}").status_code == 404
    assert other_api.get(f"lists/{mine['id']}/members").status_code == 404
    assert other_api.post(f"lists/{mine['id']}/members", {"ids": [1]}).status_code == 404
    assert other_api.get("lists").json()["items"] == []
    team = rep_api.post("lists", {"name": "Team", "visibility": "team"}).json()
    assert other_api.get(f"lists/{team['id']}").status_code == 200
    assert api_for(outsider).get(f"lists/{team['id']}").status_code == 404
    # a colleague may read a team list but not change it
    assert other_api.patch(f"lists/{team['id']}", {"name": "Mine now"}).status_code == 403
    assert other_api.post(f"lists/{team['id']}/members",
                          {"ids": ids(people, "Oscarina")}).status_code == 403
    assert other_api.delete(f"lists/{team['id']}").status_code == 403
    assert rep_api.delete(f"lists/{team['id']}").status_code == 204


@pytest.mark.django_db
def test_members_are_read_through_record_access(people, admin_api, rep_api):
    shared = admin_api.post("lists", {"name": "All", "visibility": "public",
                                      "member_ids": ids(people, "Lucía", "Oscarina")}).json()
    page = rep_api.get(f"lists/{shared['id']}/members").json()
    assert [m["email"] for m in page["items"]] == ["lucia@example.com"]


@pytest.mark.django_db
def test_stale_version_is_412(people, rep_api):
    lst = rep_api.post("lists", {"name": "L"}).json()
    r = rep_api.patch(f"lists/{lst['id']}", {"name": "M"}, headers={"If-Match": '"7"'})
    assert r.status_code == 412


@pytest.mark.django_db
def test_add_members_service_for_workflows(people, rep):
    from vinculo.marketing.lists import services
    from vinculo.marketing.lists.models import ListMember

    lst = services.save(rep, {"name": "Workflow"})
    result = services.add_members(lst, ids(people, "Lucía", "Lucía", "Juan"), rep,
                                  source="workflow")
    assert result["added"] == 2
    assert set(ListMember.objects.filter(list=lst).values_list("source", flat=True)) == {
        "workflow"}


@pytest.mark.django_db
def test_the_collection_costs_the_same_queries_for_one_list_or_many(people, rep_api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def page_queries() -> tuple[int, list]:
        with CaptureQueriesContext(connection) as ctx:
            items = rep_api.get("lists").json()["items"]
        return len(ctx.captured_queries), items

    rep_api.post("lists", {"name": "L0", "entity": "contacts",
                           "member_ids": ids(people, "Lucía")})
    one, _ = page_queries()
    for i in range(1, 6):
        rep_api.post("lists", {"name": f"L{i}", "entity": "contacts",
                               "member_ids": ids(people, "Lucía", "Pedro")})
    many, items = page_queries()
    assert many == one
    assert sorted(len(item["member_ids"]) for item in items) == [1, 2, 2, 2, 2, 2]
