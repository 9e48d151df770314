"""Contract §2 items: create, versions and If-Match, Idempotency-Key, recycle bin, history."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.platform.conftest import create, locs


def test_create_returns_201_with_the_record_fields(rep, rep_api):
    r = rep_api.post("contacts", {"first_name": "Ana", "email": "ANA@Example.com"})
    assert r.status_code == 201, r.content
    body = r.json()
    for key in ("id", "version", "created_at", "updated_at", "owner_id", "custom"):
        assert key in body
    assert isinstance(body["id"], int)
    assert body["version"] == 1
    assert body["owner_id"] == rep.pk
    assert body["custom"] == {}
    assert body["email"] == "ana@example.com"
    created = dt.datetime.fromisoformat(body["created_at"])
    assert created.tzinfo is not None
    assert rep_api.get(f"contacts/{body['id']}").json() == body


@pytest.mark.parametrize("resource,payload", [
    ("accounts", {"name": "Acme"}),
    ("contacts", {"last_name": "Ruiz"}),
    ("activities", {"kind": "call", "subject": "Intro"}),
    ("orders", {"total": "10.00"}),
])
def test_every_owned_resource_has_the_common_fields(admin, admin_api, resource, payload):
    r = admin_api.post(resource, payload)
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "version", "created_at", "updated_at", "owner_id", "custom"} <= set(body)
    assert body["owner_id"] == admin.pk


def test_products_are_not_owned(admin_api):
    body = admin_api.post("products", {"sku": "P-1", "name": "Pen"}).json()
    assert {"id", "version", "created_at", "updated_at", "custom"} <= set(body)
    assert "owner_id" not in body


class TestVersions:
    @pytest.fixture
    def contact(self, rep_api):
        return rep_api.post("contacts", {"first_name": "Ana"}).json()

    def test_current_if_match_updates_and_bumps(self, rep_api, contact):
        r = rep_api.patch(f"contacts/{contact['id']}", {"city": "Lugo"},
                          headers={"If-Match": "1"})
        assert r.status_code == 200, r.content
        assert r.json()["version"] == 2
        assert r.json()["updated_at"] >= contact["updated_at"]
        r = rep_api.patch(f"contacts/{contact['id']}", {"city": "Vigo"},
                          headers={"If-Match": 'W/"2"'})
        assert r.json()["version"] == 3

    def test_stale_if_match_is_412_and_changes_nothing(self, rep_api, contact):
        path = f"contacts/{contact['id']}"
        rep_api.patch(path, {"city": "Lugo"})
        r = rep_api.patch(path, {"city": "Vigo", "tags": ["x"]}, headers={"If-Match": "1"})
        assert r.status_code == 412
        assert isinstance(r.json()["detail"], str)
        now = rep_api.get(path).json()
        assert now["city"] == "Lugo" and now["version"] == 2 and now["tags"] == []
        from vinculo.platform.models import AuditEntry

        assert AuditEntry.objects.filter(operation="update").count() == 1

    @pytest.mark.parametrize("value", ["abc", "-1", "1.0", "", "1,2", "٣", "9" * 40])
    def test_garbage_if_match_is_422(self, rep_api, contact, value):
        r = rep_api.patch(f"contacts/{contact['id']}", {"city": "X"},
                          headers={"If-Match": value})
        assert locs(r) == [["header", "If-Match"]]
        assert rep_api.get(f"contacts/{contact['id']}").json()["version"] == 1

    def test_delete_honours_if_match(self, rep_api, contact):
        path = f"contacts/{contact['id']}"
        assert rep_api.delete(path, headers={"If-Match": "7"}).status_code == 412
        assert rep_api.delete(path, headers={"If-Match": "1"}).status_code == 204

    def test_a_patch_without_a_real_change_keeps_the_version(self, rep_api, contact):
        from vinculo.platform.models import AuditEntry

        path = f"contacts/{contact['id']}"
        r = rep_api.patch(path, {"first_name": "Ana", "tags": []})
        assert r.status_code == 200
        assert r.json()["version"] == 1
        assert rep_api.patch(path, {}).json()["version"] == 1
        assert not AuditEntry.objects.filter(operation="update").exists()
        rep_api.patch(path, {"tags": ["b", "a"]})
        assert rep_api.patch(path, {"tags": ["a", "b"]}).json()["version"] == 2

    def test_null_clears_optional_values(self, rep_api, contact):
        path = f"contacts/{contact['id']}"
        rep_api.patch(path, {"city": "Lugo", "birthdate": "1990-01-01", "tags": ["x"]})
        r = rep_api.patch(path, {"city": None, "birthdate": None, "tags": None})
        assert r.status_code == 200, r.content
        assert (r.json()["city"], r.json()["birthdate"], r.json()["tags"]) == ("", None, [])


class TestIdempotency:
    def test_same_key_same_body_replays(self, rep_api):
        from vinculo.customers.models import Contact

        headers = {"Idempotency-Key": "abc-123"}
        first = rep_api.post("contacts", {"first_name": "Ana"}, headers=headers)
        second = rep_api.post("contacts", {"first_name": "Ana"}, headers=headers)
        assert first.status_code == second.status_code == 201
        assert first.json() == second.json()
        assert second["Idempotent-Replayed"] == "true"
        assert Contact.objects.count() == 1

    def test_same_key_other_body_is_422(self, rep_api):
        from vinculo.customers.models import Contact

        headers = {"Idempotency-Key": "abc-123"}
        rep_api.post("contacts", {"first_name": "Ana"}, headers=headers)
        r = rep_api.post("contacts", {"first_name": "Bea"}, headers=headers)
        assert locs(r) == [["header", "Idempotency-Key"]]
        r = rep_api.post("accounts", {"name": "Ana"}, headers=headers)
        assert locs(r) == [["header", "Idempotency-Key"]]
        assert Contact.objects.count() == 1

    def test_keys_belong_to_their_user(self, rep_api, other_api):
        from vinculo.customers.models import Contact

        headers = {"Idempotency-Key": "same"}
        a = rep_api.post("contacts", {"first_name": "Ana"}, headers=headers).json()
        b = other_api.post("contacts", {"first_name": "Ana"}, headers=headers).json()
        assert a["id"] != b["id"]
        assert Contact.objects.count() == 2

    def test_a_failed_request_does_not_burn_the_key(self, rep_api):
        headers = {"Idempotency-Key": "k1"}
        assert rep_api.post("contacts", {"email": "bad"}, headers=headers).status_code == 422
        assert rep_api.post("contacts", {"email": "good@x.es"}, headers=headers
                            ).status_code == 201

    def test_keys_expire_after_a_day(self, rep_api):
        from vinculo.customers.models import Contact
        from vinculo.platform.models import IdempotencyKey

        headers = {"Idempotency-Key": "old"}
        rep_api.post("contacts", {"first_name": "Ana"}, headers=headers)
        IdempotencyKey.objects.update(created_at=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
        rep_api.post("contacts", {"first_name": "Ana"}, headers=headers)
        assert Contact.objects.count() == 2

    @pytest.mark.parametrize("key", ["", "   ", "k" * 201])
    def test_bad_keys(self, rep_api, key):
        r = rep_api.post("contacts", {"first_name": "Ana"}, headers={"Idempotency-Key": key})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"][:2] == ["header", "Idempotency-Key"]


class TestRecycleBin:
    def test_delete_list_get_restore(self, rep_api):
        pk = rep_api.post("contacts", {"first_name": "Ana"}).json()["id"]
        r = rep_api.delete(f"contacts/{pk}")
        assert r.status_code == 204 and r.content == b""
        assert rep_api.get(f"contacts/{pk}").status_code == 404
        assert pk not in [c["id"] for c in rep_api.get("contacts").json()["items"]]
        binned = rep_api.get("contacts", deleted=1).json()["items"]
        assert [c["id"] for c in binned] == [pk]
        assert rep_api.patch(f"contacts/{pk}", {"city": "x"}).status_code == 404
        assert rep_api.delete(f"contacts/{pk}").status_code == 404
        r = rep_api.post(f"contacts/{pk}/restore")
        assert r.status_code == 200
        assert r.json()["id"] == pk and r.json()["version"] == 3
        assert rep_api.get(f"contacts/{pk}").status_code == 200
        assert rep_api.get("contacts", deleted=1).json()["items"] == []
        assert rep_api.post(f"contacts/{pk}/restore").status_code == 404

    def test_the_row_stays_in_the_database(self, rep_api):
        from vinculo.customers.models import Contact

        pk = rep_api.post("contacts", {"first_name": "Ana"}).json()["id"]
        rep_api.delete(f"contacts/{pk}")
        assert not Contact.objects.filter(pk=pk).exists()
        assert Contact.all_objects.get(pk=pk).deleted_at is not None

    def test_deleted_accounts_cannot_be_referenced(self, rep_api):
        account = rep_api.post("accounts", {"name": "Acme"}).json()["id"]
        rep_api.delete(f"accounts/{account}")
        r = rep_api.post("contacts", {"first_name": "Ana", "account_id": account})
        assert locs(r) == [["body", "account_id"]]


class TestHistory:
    def test_who_changed_what_from_what_to_what(self, rep, rep_api, manager_api):
        pk = rep_api.post("contacts", {"first_name": "Ana", "city": "Lugo"}).json()["id"]
        rep_api.patch(f"contacts/{pk}", {"city": "Vigo", "tags": ["vip"]})
        manager_api.patch(f"contacts/{pk}", {"title": "CEO"})
        rep_api.delete(f"contacts/{pk}")
        rep_api.post(f"contacts/{pk}/restore")
        items = rep_api.get(f"contacts/{pk}/history").json()["items"]
        assert [i["operation"] for i in items] == ["restore", "delete", "update", "update",
                                                   "create"]
        assert items[2]["changes"] == {"title": ["", "CEO"]}
        assert items[2]["actor"] == "maria"
        assert items[3]["changes"] == {"city": ["Lugo", "Vigo"], "tags": [[], ["vip"]]}
        assert items[3]["actor_id"] == rep.pk and items[3]["actor"] == "rita"
        assert items[4]["source"] == "api"
        times = [i["at"] for i in items]
        assert times == sorted(times, reverse=True)

    def test_history_is_paginated(self, rep_api):
        pk = rep_api.post("contacts", {"first_name": "Ana"}).json()["id"]
        for i in range(7):
            rep_api.patch(f"contacts/{pk}", {"city": f"C{i}"})
        first = rep_api.get(f"contacts/{pk}/history", limit=3).json()
        assert len(first["items"]) == 3 and first["next_cursor"]
        seen = [i["id"] for i in first["items"]]
        cursor = first["next_cursor"]
        while cursor:
            page = rep_api.get(f"contacts/{pk}/history", limit=3, cursor=cursor).json()
            seen += [i["id"] for i in page["items"]]
            cursor = page["next_cursor"]
        assert len(seen) == 8 == len(set(seen))
        assert seen == sorted(seen, reverse=True)
        assert locs(rep_api.get(f"contacts/{pk}/history", limit=501)) == [["query", "limit"]]
        assert locs(rep_api.get(f"contacts/{pk}/history", cursor="bad")) == [["query",
                                                                              "cursor"]]

    def test_custom_field_changes_are_named(self, admin_api, admin):
        admin_api.post("custom-fields", {"entity": "contacts", "key": "score",
                                         "label": "Score", "type": "number"})
        contact = create("contacts", admin, first_name="Ana", custom={"score": 1})
        admin_api.patch(f"contacts/{contact.pk}", {"custom": {"score": 2}})
        items = admin_api.get(f"contacts/{contact.pk}/history").json()["items"]
        assert items[0]["changes"] == {"custom.score": [1, 2]}


@pytest.mark.parametrize("path,body", [
    ("custom-fields", {"entity": "contacts", "key": "size", "label": "Size"}),
    ("views", {"entity": "contacts", "name": "Mine"}),
    ("teams", {"name": "Nordics"}),
    ("roles", {"name": "auditor", "label": "Auditor"}),
])
def test_every_create_honours_idempotency_keys(admin_api, path, body):
    headers = {"Idempotency-Key": f"key-{path}"}
    first = admin_api.post(path, body, headers=headers)
    second = admin_api.post(path, body, headers=headers)
    assert first.status_code == second.status_code == 201, second.content
    assert first.json() == second.json()
    changed = {**body, **{k: "other" for k in ("name", "label") if k in body}}
    assert locs(admin_api.post(path, changed, headers=headers)) == [
        ["header", "Idempotency-Key"]]
