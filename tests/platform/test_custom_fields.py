"""Custom fields through the API: definitions (administrators only), values, filters."""

from __future__ import annotations

import json

import pytest

from tests.platform.conftest import create, ids, locs

TYPES = {
    "text": ("hello", {"a": 1}, "hello"),
    "number": (42, "forty", 42),
    "decimal": ("3.25", "pi", 3.25),
    "date": ("2025-03-01", "March", "2025-03-01"),
    "boolean": (True, "perhaps", True),
    "choice": ("b", "z", "b"),
    "multi_choice": (["a", "c"], ["a", "z"], ["a", "c"]),
    "url": ("https://example.com/x", "not a url", "https://example.com/x"),
    "email": ("Me@Example.com", "me@", "me@example.com"),
}


def define(api, **data):
    body = {"entity": "contacts", "label": data.get("key", "x").title(), **data}
    return api.post("custom-fields", body)


def test_create_list_patch_delete(admin_api, rep_api):
    r = define(admin_api, key="size", type="choice", choices=["S", "M"], label_es="Talla")
    assert r.status_code == 201, r.content
    field = r.json()
    assert {"id", "entity", "key", "label", "label_es", "type", "choices", "required",
            "version"} <= set(field)
    listed = rep_api.get("custom-fields", entity="contacts").json()
    assert [f["key"] for f in listed["items"]] == ["size"] and listed["next_cursor"] is None
    assert rep_api.get("custom-fields", entity="accounts").json()["items"] == []
    assert rep_api.get(f"custom-fields/{field['id']}").json()["key"] == "size"
    r = admin_api.patch(f"custom-fields/{field['id']}", {"choices": ["S", "M", "L"],
                                                         "required": True},
                        headers={"If-Match": "1"})
    assert r.status_code == 200, r.content
    assert r.json()["choices"] == ["S", "M", "L"] and r.json()["version"] == 2
    assert admin_api.patch(f"custom-fields/{field['id']}", {"label": "X"},
                           headers={"If-Match": "1"}).status_code == 412
    assert locs(admin_api.patch(f"custom-fields/{field['id']}", {"type": "text"})) == [
        ["body", "type"]]
    assert locs(admin_api.patch(f"custom-fields/{field['id']}", {"key": "other"})) == [
        ["body", "key"]]
    assert admin_api.delete(f"custom-fields/{field['id']}").status_code == 204
    assert admin_api.get(f"custom-fields/{field['id']}").status_code == 404
    assert admin_api.delete(f"custom-fields/{field['id']}").status_code == 404


@pytest.mark.parametrize("type_", list(TYPES))
def test_every_type_validates_and_stores_its_values(admin_api, type_):
    good, bad, stored = TYPES[type_]
    choices = ["a", "b", "c"] if "choice" in type_ else []
    assert define(admin_api, key="value", type=type_, choices=choices).status_code == 201
    r = admin_api.post("contacts", {"first_name": "Ana", "custom": {"value": good}})
    assert r.status_code == 201, r.content
    assert r.json()["custom"] == {"value": stored}
    pk = r.json()["id"]
    r = admin_api.patch(f"contacts/{pk}", {"custom": {"value": bad}})
    assert locs(r) == [["body", "custom", "value"]], (type_, r.content)
    r = admin_api.patch(f"contacts/{pk}", {"custom": {"value": None}})
    assert r.json()["custom"] == {}


@pytest.mark.parametrize("body,loc", [
    ({"key": "size", "type": "choice"}, ["body", "choices"]),
    ({"key": "size", "type": "choice", "choices": [""]}, ["body", "choices"]),
    ({"key": "size", "type": "choice", "choices": ["a", "a"]}, ["body", "choices"]),
    ({"key": "size", "type": "multi_choice", "choices": []}, ["body", "choices"]),
    ({"key": "size", "type": "text", "choices": ["a"]}, ["body", "choices"]),
    ({"key": "size", "type": "colour"}, ["body", "type"]),
    ({"key": "size", "entity": "ghosts"}, ["body", "entity"]),
    ({"key": "size", "entity": "users"}, ["body", "entity"]),
    ({"key": "Size"}, ["body", "key"]),
    ({"key": "1size"}, ["body", "key"]),
    ({"key": "si ze"}, ["body", "key"]),
    ({"key": ""}, ["body", "key"]),
    ({"key": "x" * 61}, ["body", "key"]),
    ({"key": "size", "label": ""}, ["body", "label"]),
    ({"key": "size", "required": "yes please"}, ["body", "required"]),
    ({"key": "size", "surprise": 1}, ["body", "surprise"]),
])
def test_bad_definitions(admin_api, body, loc):
    from vinculo.platform.models import CustomField

    r = admin_api.post("custom-fields", {"entity": "contacts", "label": "Size", **body})
    assert loc in locs(r), r.content
    assert not CustomField.objects.exists()


def test_duplicate_keys_per_entity(admin_api):
    assert define(admin_api, key="size").status_code == 201
    assert locs(define(admin_api, key="size")) == [["body", "key"]]
    assert define(admin_api, key="size", entity="accounts").status_code == 201


def test_only_administrators_define_fields(admin_api, rep_api, readonly_api, manager):
    from tests.conftest import api_for

    field = define(admin_api, key="size").json()
    for api in (rep_api, readonly_api, api_for(manager)):
        assert define(api, key="other").status_code == 403
        assert api.patch(f"custom-fields/{field['id']}", {"label": "X"}).status_code == 403
        assert api.delete(f"custom-fields/{field['id']}").status_code == 403


def test_values_on_every_entity_and_in_filters(admin, admin_api):
    for entity in ("accounts", "activities", "orders", "products"):
        assert define(admin_api, entity=entity, key="code", type="text").status_code == 201
    a = admin_api.post("accounts", {"name": "A", "custom": {"code": "X1"}}).json()
    admin_api.post("accounts", {"name": "B", "custom": {"code": "Y2"}})
    found = admin_api.get("accounts", filter=json.dumps(
        {"field": "custom.code", "op": "startswith", "value": "X"}))
    assert ids(found) == [a["id"]]
    p = admin_api.post("products", {"sku": "S", "name": "P", "custom": {"code": "p"}})
    assert p.json()["custom"] == {"code": "p"}


def test_a_deleted_definition_is_no_longer_filterable(admin_api):
    field = define(admin_api, key="size").json()
    admin_api.delete(f"custom-fields/{field['id']}")
    r = admin_api.get("contacts", filter=json.dumps(
        {"field": "custom.size", "op": "eq", "value": "x"}))
    assert locs(r) == [["query", "filter", "field"]]
    assert locs(admin_api.post("contacts", {"first_name": "A", "custom": {"size": "x"}})) == [
        ["body", "custom", "size"]]


def test_making_a_field_required_applies_to_new_writes(admin, admin_api):
    contact = create("contacts", admin, first_name="Ana")
    field = define(admin_api, key="source").json()
    admin_api.patch(f"custom-fields/{field['id']}", {"required": True})
    assert admin_api.patch(f"contacts/{contact.pk}", {"city": "Lugo"}).status_code == 200
    assert locs(admin_api.post("contacts", {"first_name": "Bea"})) == [
        ["body", "custom", "source"]]
