"""Bad input on every resource: a 422 naming the field, never a 500, nothing half-written."""

from __future__ import annotations

import pytest

from tests.platform.conftest import create, locs

VALID = {
    "accounts": {"name": "Acme"},
    "contacts": {"first_name": "Ana"},
    "activities": {"kind": "note", "subject": "Hello"},
    "products": {"sku": "SKU-1", "name": "Pen"},
    "orders": {"total": "5.00"},
}
RESOURCES = list(VALID)


def snapshot() -> dict[str, int]:
    from vinculo.activities.models import Activity
    from vinculo.customers.models import Account, Contact
    from vinculo.platform.models import AuditEntry, IdempotencyKey, SearchEntry, Tag
    from vinculo.sales.models import Order, OrderLine, Product

    models = (Account, Contact, Activity, Product, Order, OrderLine, AuditEntry, SearchEntry,
              Tag, IdempotencyKey)
    counts = {m.__name__: m._default_manager.count() for m in models}
    counts["versions"] = sum(
        m.all_objects.values_list("version", flat=True).count() and
        sum(m.all_objects.values_list("version", flat=True))
        for m in (Account, Contact, Activity, Product, Order))
    return counts


def input_fields(api, resource: str, method: str) -> dict[str, dict]:
    """The JSON-schema properties of a resource's request body, from the OpenAPI document."""
    schema = api.get("openapi.json").json()
    op = schema["paths"][f"/api/v1/{resource}" + ("/{record_id}" if method == "patch" else "")]
    ref = op[method]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    return schema["components"]["schemas"][ref.rsplit("/", 1)[1]]["properties"]


def kinds(prop: dict) -> set[str]:
    options = prop.get("anyOf", [prop])
    return {o.get("type", "object" if "$ref" in o or "additionalProperties" in o else "?")
            for o in options}


@pytest.fixture
def existing(admin):
    return {
        "accounts": create("accounts", admin, name="Old"),
        "contacts": create("contacts", admin, first_name="Old"),
        "activities": create("activities", admin, subject="Old"),
        "products": create("products", admin, sku="OLD", name="Old"),
        "orders": create("orders", admin, total="1"),
    }


def send(api, resource, method, existing, body=None, raw=None):
    if method == "post":
        return api.post(resource, body, raw=raw)
    return api.patch(f"{resource}/{existing[resource].pk}", body, raw=raw)


@pytest.mark.parametrize("resource", RESOURCES)
@pytest.mark.parametrize("method", ["post", "patch"])
class TestEveryResource:
    def test_malformed_json(self, admin_api, existing, resource, method):
        before = snapshot()
        for raw in ["{", "{\"name\": }", "nul", "\xff\xfe", "{'a': 1}", "[1,", "{\"a\":1}}"]:
            r = send(admin_api, resource, method, existing, raw=raw)
            assert locs(r) == [["body"]], (raw, r.content)
        assert snapshot() == before

    def test_body_must_be_an_object(self, admin_api, existing, resource, method):
        before = snapshot()
        for raw in ["[]", "\"text\"", "5", "null", "true"]:
            r = send(admin_api, resource, method, existing, raw=raw)
            assert r.status_code == 422, (raw, r.content)
            assert r.json()["detail"][0]["loc"][0] == "body"
        assert snapshot() == before

    def test_unknown_fields_are_named(self, admin_api, existing, resource, method):
        before = snapshot()
        for name in ("bogus", "id", "version", "created_at", "deleted_at", "phone_e164"):
            r = send(admin_api, resource, method, existing, {**VALID[resource], name: "x"})
            assert locs(r) == [["body", name]], (name, r.content)
        assert snapshot() == before

    def test_wrong_types_are_named(self, admin_api, existing, resource, method):
        before = snapshot()
        for name, prop in input_fields(admin_api, resource, method).items():
            allowed = kinds(prop)
            bad_values = [{"x": 1}] if "object" not in allowed else ["text", [1]]
            if "array" not in allowed:
                bad_values.append([1, 2])
            if "boolean" in allowed:
                bad_values.append("maybe")
            if allowed & {"integer", "number"} and "string" not in allowed:
                bad_values.append("many")
            for value in bad_values:
                r = send(admin_api, resource, method, existing, {**VALID[resource], name: value})
                assert r.status_code == 422, (name, value, r.content)
                assert r.json()["detail"][0]["loc"][:2] == ["body", name], (name, r.content)
        assert snapshot() == before

    def test_huge_and_nul_strings(self, admin_api, existing, resource, method):
        before = snapshot()
        huge = "x" * 1_000_000
        for name, prop in input_fields(admin_api, resource, method).items():
            if "string" not in kinds(prop):
                continue
            for value in (huge, "a\u0000b"):
                r = send(admin_api, resource, method, existing, {**VALID[resource], name: value})
                assert r.status_code == 422, (name, r.content[:200])
                assert r.json()["detail"][0]["loc"][:2] == ["body", name]
        r = send(admin_api, resource, method, existing,
                 {**VALID[resource], "custom": {"nickname": huge}})
        assert r.status_code == 422
        assert snapshot() == before

    def test_custom_values_are_validated(self, admin_api, admin, existing, resource, method):
        from vinculo.platform.models import CustomField

        CustomField.objects.create(entity=resource, key="level", label="Level", type="number")
        before = snapshot()
        cases = [({"nope": 1}, ["body", "custom", "nope"]),
                 ({"level": "high"}, ["body", "custom", "level"]),
                 ({"level": 1.5}, ["body", "custom", "level"]),
                 ({"level": True}, ["body", "custom", "level"]),
                 ({"level": [1]}, ["body", "custom", "level"]),
                 ({"level": "Infinity"}, ["body", "custom", "level"]),
                 ({"level": "NaN"}, ["body", "custom", "level"]),
                 ({"level": "1e400"}, ["body", "custom", "level"]),
                 ({"level": {"a": 1}}, ["body", "custom", "level"])]
        for custom, loc in cases:
            r = send(admin_api, resource, method, existing, {**VALID[resource], "custom": custom})
            assert loc in locs(r), (custom, r.content)
        r = send(admin_api, resource, method, existing, {**VALID[resource], "custom": "x"})
        assert locs(r)[0][:2] == ["body", "custom"]
        assert snapshot() == before

    def test_references_to_missing_records(self, admin_api, existing, resource, method):
        before = snapshot()
        for name, prop in input_fields(admin_api, resource, method).items():
            if not name.endswith("_id") or "integer" not in kinds(prop):
                continue
            for value in (999_999, 0, -1, 2**62, 10**30):
                r = send(admin_api, resource, method, existing, {**VALID[resource], name: value})
                assert r.status_code == 422, (name, value, r.content)
                assert r.json()["detail"][0]["loc"][:2] == ["body", name]
        assert snapshot() == before


def test_required_custom_fields(admin_api, admin):
    from vinculo.platform.models import CustomField

    CustomField.objects.create(entity="contacts", key="source_code", label="Source",
                               type="text", required=True)
    before = snapshot()
    r = admin_api.post("contacts", {"first_name": "Ana"})
    assert locs(r) == [["body", "custom", "source_code"]]
    r = admin_api.post("contacts", {"first_name": "Ana", "custom": {"source_code": ""}})
    assert locs(r) == [["body", "custom", "source_code"]]
    assert snapshot() == before
    r = admin_api.post("contacts", {"first_name": "Ana", "custom": {"source_code": "W1"}})
    assert r.status_code == 201
    pk = r.json()["id"]
    r = admin_api.patch(f"contacts/{pk}", {"custom": {"source_code": None}})
    assert locs(r) == [["body", "custom", "source_code"]]
    assert admin_api.patch(f"contacts/{pk}", {"city": "Lugo"}).status_code == 200


class TestContacts:
    @pytest.mark.parametrize("payload,loc", [
        ({"first_name": "A", "email": "not-an-email"}, ["body", "email"]),
        ({"first_name": "A", "email": "a@b"}, ["body", "email"]),
        ({"first_name": "A", "country": "XX"}, ["body", "country"]),
        ({"first_name": "A", "country": "Spain"}, ["body", "country"]),
        ({"first_name": "A", "country": "E"}, ["body", "country"]),
        ({"first_name": "A", "phone": "12"}, ["body", "phone"]),
        ({"first_name": "A", "phone": "call me"}, ["body", "phone"]),
        ({"first_name": "A", "mobile": "+34 600"}, ["body", "mobile"]),
        ({"first_name": "A", "lifecycle_stage": "king"}, ["body", "lifecycle_stage"]),
        ({"first_name": "A", "preferred_channel": "pigeon"}, ["body", "preferred_channel"]),
        ({"first_name": "A", "birthdate": "31/12/1990"}, ["body", "birthdate"]),
        ({"first_name": "A", "birthdate": "1990-02-30"}, ["body", "birthdate"]),
        ({"first_name": "A", "email_opt_in": "perhaps"}, ["body", "email_opt_in"]),
        ({"first_name": "A", "tags": "vip"}, ["body", "tags"]),
        ({"first_name": "A", "tags": ["x" * 61]}, ["body", "tags"]),
        ({"first_name": "A", "tags": [1]}, ["body", "tags", 0]),
        ({"first_name": "A", "owner_id": 999_999}, ["body", "owner_id"]),
        ({}, ["body", "last_name"]),
        ({"first_name": " "}, ["body", "last_name"]),
    ])
    def test_field_rules(self, admin_api, payload, loc):
        before = snapshot()
        assert loc in locs(admin_api.post("contacts", payload))
        assert snapshot() == before

    def test_valid_values_are_normalised(self, admin_api):
        r = admin_api.post("contacts", {"first_name": " Ana ", "country": "es",
                                        "phone": "600 123 456", "email": " A@B.ES "})
        assert r.status_code == 201, r.content
        body = r.json()
        assert (body["first_name"], body["country"], body["email"]) == ("Ana", "ES", "a@b.es")

    def test_a_patch_that_fails_changes_nothing(self, admin_api, admin):
        contact = create("contacts", admin, first_name="Ana", city="Lugo")
        before = snapshot()
        r = admin_api.patch(f"contacts/{contact.pk}", {"city": "Vigo", "email": "broken",
                                                       "tags": ["new"]})
        assert locs(r) == [["body", "email"]]
        contact.refresh_from_db()
        assert contact.city == "Lugo" and contact.version == 1
        assert snapshot() == before


class TestAccounts:
    @pytest.mark.parametrize("payload,loc", [
        ({"name": ""}, ["body", "name"]),
        ({"name": None}, ["body", "name"]),
        ({"name": "A", "annual_revenue": "-1"}, ["body", "annual_revenue"]),
        ({"name": "A", "annual_revenue": "1.234"}, ["body", "annual_revenue"]),
        ({"name": "A", "annual_revenue": "1e30"}, ["body", "annual_revenue"]),
        ({"name": "A", "annual_revenue": "NaN"}, ["body", "annual_revenue"]),
        ({"name": "A", "annual_revenue": "Infinity"}, ["body", "annual_revenue"]),
        ({"name": "A", "employees": -1}, ["body", "employees"]),
        ({"name": "A", "employees": 1.5}, ["body", "employees"]),
        ({"name": "A", "website": "not a url"}, ["body", "website"]),
        ({"name": "A", "country": "XX"}, ["body", "country"]),
        ({"name": "A", "phone": "123"}, ["body", "phone"]),
        ({"name": "A", "parent_id": 999_999}, ["body", "parent_id"]),
    ])
    def test_field_rules(self, admin_api, payload, loc):
        before = snapshot()
        assert loc in locs(admin_api.post("accounts", payload))
        assert snapshot() == before

    def test_a_parent_loop_is_refused(self, admin_api, admin):
        a = create("accounts", admin, name="A")
        b = create("accounts", admin, name="B", parent_id=a.pk)
        assert locs(admin_api.patch(f"accounts/{a.pk}", {"parent_id": b.pk})) == [
            ["body", "parent_id"]]
        assert locs(admin_api.patch(f"accounts/{a.pk}", {"parent_id": a.pk})) == [
            ["body", "parent_id"]]


class TestOthers:
    @pytest.mark.parametrize("resource,payload,loc", [
        ("activities", {"kind": "dance", "subject": "x"}, ["body", "kind"]),
        ("activities", {"kind": "note"}, ["body", "subject"]),
        ("activities", {"kind": "task", "body": "no subject"}, ["body", "subject"]),
        ("activities", {"subject": "x", "duration_minutes": -5}, ["body", "duration_minutes"]),
        ("activities", {"subject": "x", "occurred_at": "tomorrow"}, ["body", "occurred_at"]),
        ("activities", {"subject": "x", "direction": "sideways"}, ["body", "direction"]),
        ("products", {"sku": "A", "name": "B", "unit_price": "-0.01"}, ["body", "unit_price"]),
        ("products", {"sku": "A", "name": "B", "currency": "euro"}, ["body", "currency"]),
        ("products", {"sku": "A", "name": "B", "currency": "eur"}, ["body", "currency"]),
        ("products", {"name": "B"}, ["body", "sku"]),
        ("orders", {"total": "-1"}, ["body", "total"]),
        ("orders", {"status": "lost"}, ["body", "status"]),
        ("orders", {"ordered_at": "2024-13-01T00:00:00Z"}, ["body", "ordered_at"]),
    ])
    def test_field_rules(self, admin_api, resource, payload, loc):
        before = snapshot()
        assert loc in locs(admin_api.post(resource, payload))
        assert snapshot() == before

    def test_duplicate_sku_is_named(self, admin_api):
        assert admin_api.post("products", {"sku": "A-1", "name": "Pen"}).status_code == 201
        before = snapshot()
        assert locs(admin_api.post("products", {"sku": "A-1", "name": "Pencil"})) == [
            ["body", "sku"]]
        assert snapshot() == before

    def test_duplicate_sku_of_a_deleted_product_is_named(self, admin_api):
        pk = admin_api.post("products", {"sku": "A-1", "name": "Pen"}).json()["id"]
        admin_api.delete(f"products/{pk}")
        assert locs(admin_api.post("products", {"sku": "A-1", "name": "Pencil"})) == [
            ["body", "sku"]]

    def test_a_rep_cannot_point_at_another_reps_contact(self, rep_api, other_rep):
        theirs = create("contacts", other_rep, first_name="Olga")
        before = snapshot()
        for resource, payload in [("activities", {"subject": "x", "contact_id": theirs.pk}),
                                  ("orders", {"total": "1", "contact_id": theirs.pk})]:
            assert locs(rep_api.post(resource, payload)) == [["body", "contact_id"]]
        assert snapshot() == before


def test_wrong_content_types_are_422(admin_api):
    r = admin_api.client.post("/api/v1/contacts", data="first_name=Ana",
                              content_type="application/x-www-form-urlencoded",
                              headers=admin_api.headers)
    assert r.status_code == 422
    r = admin_api.client.post("/api/v1/contacts", data="", content_type="application/json",
                              headers=admin_api.headers)
    assert r.status_code == 422


def test_deeply_nested_body_is_422(admin_api):
    before = snapshot()
    deep = "{\"custom\": " + "{\"a\": " * 5000 + "1" + "}" * 5000 + "}"
    r = admin_api.post("contacts", raw=deep)
    assert r.status_code == 422
    deep_list = "{\"tags\": " + "[" * 100_000 + "]" * 100_000 + "}"
    assert admin_api.post("contacts", raw=deep_list).status_code == 422
    assert snapshot() == before


def test_a_body_over_the_size_limit_is_413(admin_api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    r = admin_api.post("contacts", {"first_name": "Ana", "description": "x" * 2000})
    assert r.status_code == 413
    assert r.json() == {"detail": "The request body is too large."}


@pytest.mark.parametrize("path,body,loc", [
    ("teams", {"name": "X", "member_ids": [2**64]}, ["body", "member_ids"]),
    ("views", {"entity": "contacts", "name": "V", "shared_with_user_ids": [2**70]},
     ["body", "shared_with_user_ids"]),
    ("views", {"entity": "contacts", "name": "V", "team_id": -(2**64)}, ["body", "team_id"]),
    ("contacts", {"first_name": "A", "custom": {"n": 2**80}}, ["body", "custom"]),
])
def test_numbers_no_column_can_hold_are_422(admin_api, path, body, loc):
    assert locs(admin_api.post(path, body))[0][:2] == loc[:2]


def test_custom_keys_of_unicode_digits_are_named_in_the_422(admin_api):
    r = admin_api.post("products", {"sku": "U-1", "name": "Unicode", "custom": {"¹": 1, "²3": 2}})
    assert r.status_code == 422
    assert {tuple(d["loc"]) for d in r.json()["detail"]} == {
        ("body", "custom", "¹"), ("body", "custom", "²3")}


@pytest.mark.parametrize("number", ["+34 612 345 678", "+1 (415) 555-0100", "+44 20 7946 0958",
                                    "+52 1 55 1234 5678", "+800 1234 5678", "+34 6", "+999 123",
                                    "+39 06 6982 1234", "+86 138 0013 8000", "+34-612.345.678"])
def test_quick_e164_agrees_with_the_full_parser(number):
    """The import's quick path for "+<code> <digits>" numbers accepts and refuses exactly
    what `phonenumbers` does."""
    import phonenumbers
    from django.core.exceptions import ValidationError

    from vinculo.platform.validators import to_e164

    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        parsed = None
    expected = (phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
                if parsed is not None and phonenumbers.is_possible_number(parsed) else None)
    try:
        got = to_e164(number)
    except ValidationError:
        got = None
    assert got == expected
