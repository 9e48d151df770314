"""Contract §2 collections: items/next_cursor, limit, ordering, cursors, counts, search."""

from __future__ import annotations

import base64
import json

import pytest

from tests.platform.conftest import create, ids, locs


@pytest.fixture
def sixty(admin):
    return [create("contacts", admin, first_name=f"Name{i:02d}", last_name="Same")
            for i in range(60)]


def test_page_shape_and_default_limit(admin_api, sixty):
    r = admin_api.get("contacts")
    body = r.json()
    assert set(body) == {"items", "next_cursor"}
    assert len(body["items"]) == 50
    assert isinstance(body["next_cursor"], str)
    second = admin_api.get("contacts", cursor=body["next_cursor"]).json()
    assert len(second["items"]) == 10
    assert second["next_cursor"] is None
    seen = [c["id"] for c in body["items"] + second["items"]]
    assert sorted(seen) == sorted(c.pk for c in sixty)


@pytest.mark.parametrize("limit", [0, -1, 501, 10_000, "abc", ""])
def test_limit_bounds(admin_api, limit):
    r = admin_api.get("contacts", limit=limit)
    assert ["query", "limit"] in locs(r)


def test_limit_500_is_allowed(admin_api, sixty):
    r = admin_api.get("contacts", limit=500)
    assert len(r.json()["items"]) == 60
    assert r.json()["next_cursor"] is None


def test_with_count(admin_api, sixty):
    r = admin_api.get("contacts", limit=5, with_count=1)
    assert r.json()["count"] == 60
    assert len(r.json()["items"]) == 5
    r = admin_api.get("contacts", limit=5, with_count=1,
                      filter=json.dumps({"field": "first_name", "op": "startswith",
                                         "value": "Name0"}))
    assert r.json()["count"] == 10


def test_count_respects_record_access(rep_api, rep, other_rep):
    create("contacts", rep, first_name="Mine")
    create("contacts", other_rep, first_name="Theirs")
    assert rep_api.get("contacts", with_count="true").json()["count"] == 1


class TestOrdering:
    @pytest.fixture
    def accounts(self, admin):
        rows = [("Beta", "50", 10), ("alpha", None, 3), ("Gamma", "50", None), ("Delta", "7", 3),
                ("Epsilon", None, None)]
        return {name: create("accounts", admin, name=name, annual_revenue=revenue,
                             employees=employees)
                for name, revenue, employees in rows}

    def names(self, api, ordering, limit=2):
        found, cursor = [], None
        while True:
            params = {"ordering": ordering, "limit": limit}
            if cursor:
                params["cursor"] = cursor
            body = api.get("accounts", **params).json()
            found += [a["name"] for a in body["items"]]
            cursor = body["next_cursor"]
            if not cursor:
                return found

    def test_ascending_and_descending_with_nulls_last(self, admin_api, accounts):
        by_id = sorted(accounts.values(), key=lambda a: a.pk)
        assert self.names(admin_api, "id") == [a.name for a in by_id]
        assert self.names(admin_api, "-id") == [a.name for a in reversed(by_id)]
        assert self.names(admin_api, "annual_revenue,id") == [
            "Delta", "Beta", "Gamma", "alpha", "Epsilon"]
        assert self.names(admin_api, "-annual_revenue,id") == [
            "Beta", "Gamma", "Delta", "alpha", "Epsilon"]
        assert self.names(admin_api, "employees,-annual_revenue") == [
            "Delta", "alpha", "Beta", "Gamma", "Epsilon"]
        # names compare by the database's collation ("alpha" and "Delta" may go either way)
        found = self.names(admin_api, "-employees,name", limit=1)
        assert found[0] == "Beta" and set(found[1:3]) == {"alpha", "Delta"}
        assert found[3:] == ["Epsilon", "Gamma"]

    def test_every_declared_ordering_field_works(self, admin_api, accounts):
        from vinculo.platform import registry

        for name in ("accounts", "contacts", "activities", "products", "orders"):
            for field in registry.get(name).ordering_fields:
                for key in (field, f"-{field}"):
                    r = admin_api.get(name, ordering=key, limit=2)
                    assert r.status_code == 200, (name, key, r.content)

    @pytest.mark.parametrize("ordering", ["nope", "-nope", "name,nope", "--name", "owner",
                                          "custom.x", "name;drop table"])
    def test_unknown_ordering_is_422(self, admin_api, ordering):
        r = admin_api.get("accounts", ordering=ordering)
        assert locs(r) == [["query", "ordering"]]

    def test_id_first_makes_later_keys_irrelevant(self, admin_api, accounts):
        r = admin_api.get("accounts", ordering="-id,name")
        assert ids(r) == sorted(ids(r), reverse=True)


class TestCursors:
    def cursor(self, admin_api):
        return admin_api.get("contacts", limit=2).json()["next_cursor"]

    def test_tampered_cursors_are_422(self, admin_api, sixty):
        good = self.cursor(admin_api)
        payload, _sep, signature = good.rpartition(".")
        forged = base64.urlsafe_b64encode(json.dumps(["a", "b", "c"]).encode()).decode()
        for bad in ["garbage", good[:-3] + "xyz", "j" + forged + "." + signature,
                    forged, "." * 50, good + "x", "j.", "zzzz.zzzz", "\u00e9" * 10]:
            r = admin_api.get("contacts", cursor=bad)
            assert locs(r) == [["query", "cursor"]], bad

    def test_a_cursor_of_another_ordering_is_422_not_500(self, admin_api, sixty):
        by_created = admin_api.get("contacts", limit=2, ordering="created_at,email").json()
        r = admin_api.get("contacts", cursor=by_created["next_cursor"],
                          ordering="last_name,first_name")
        assert r.status_code in (200, 422)
        r = admin_api.get("contacts", cursor=by_created["next_cursor"], ordering="id")
        assert locs(r) == [["query", "cursor"]]

    def test_long_cursor_is_refused(self, admin_api):
        assert locs(admin_api.get("contacts", cursor="x" * 3000)) == [["query", "cursor"]]


class TestSearch:
    @pytest.fixture
    def people(self, admin):
        acme = create("accounts", admin, name="Ñandú Industrias")
        return {
            "garcia": create("contacts", admin, first_name="José", last_name="García",
                             city="Málaga"),
            "muller": create("contacts", admin, first_name="Jürgen", last_name="Müller",
                             email="jm@example.de"),
            "smith": create("contacts", admin, first_name="Anna", last_name="Smith",
                            account_id=acme.pk),
        }

    @pytest.mark.parametrize("text,expected", [
        ("garcia", ["garcia"]), ("GARCÍA", ["garcia"]), ("García", ["garcia"]),
        ("muller", ["muller"]), ("müller", ["muller"]), ("jurg", ["muller"]),
        ("gar", ["garcia"]), ("jose garc", ["garcia"]), ("malaga", ["garcia"]),
        ("nandu", ["smith"]), ("example.de", ["muller"]), ("jm@example", ["muller"]),
        ("zzz", []), ("garcia smith", []),
    ])
    def test_accent_insensitive_prefix_search(self, admin_api, people, text, expected):
        r = admin_api.get("contacts", q=text)
        assert sorted(ids(r)) == sorted(people[k].pk for k in expected)

    @pytest.mark.parametrize("text", ["_", "___", '"', "'", "*", "a\"b", "(", "AND", "OR NOT",
                                      "NEAR(", "-", ":", "%", "\\", "a:*", "&|!", "\u0000",
                                      "\U0001f600", "x" * 300])
    def test_odd_search_text_never_fails(self, admin_api, people, text):
        r = admin_api.get("contacts", q=text)
        assert r.status_code == 200, r.content

    def test_search_is_combined_with_filters_and_access(self, rep_api, rep, other_rep):
        mine = create("contacts", rep, first_name="Lucía", last_name="García", city="Madrid")
        create("contacts", rep, first_name="Pedro", last_name="García", city="Sevilla")
        create("contacts", other_rep, first_name="Ana", last_name="García", city="Madrid")
        r = rep_api.get("contacts", q="garcia",
                        filter=json.dumps({"field": "city", "op": "ieq", "value": "madrid"}))
        assert ids(r) == [mine.pk]

    def test_updated_records_are_found_by_their_new_text(self, admin_api, people):
        pk = people["smith"].pk
        assert admin_api.patch(f"contacts/{pk}", {"last_name": "Žižek"}).status_code == 200
        assert ids(admin_api.get("contacts", q="zizek")) == [pk]
        assert ids(admin_api.get("contacts", q="smith")) == []

    def test_deleted_records_leave_search_and_come_back(self, admin_api, people):
        pk = people["garcia"].pk
        assert admin_api.delete(f"contacts/{pk}").status_code == 204
        assert ids(admin_api.get("contacts", q="garcia")) == []
        admin_api.post(f"contacts/{pk}/restore")
        assert ids(admin_api.get("contacts", q="garcia")) == [pk]


def test_recycle_bin_listing_is_separate(admin_api, sixty):
    gone = sixty[0].pk
    assert admin_api.delete(f"contacts/{gone}").status_code == 204
    assert gone not in ids(admin_api.get("contacts", limit=500))
    assert ids(admin_api.get("contacts", deleted=1)) == [gone]
    assert admin_api.get(f"contacts/{gone}").status_code == 404
