"""Contract §3: every operator on every kind of field, nesting, related aggregates, and 422s."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.platform.conftest import create, locs

DAY = dt.timedelta(days=1)


def define(entity: str, key: str, type_: str, **extra):
    from vinculo.platform.models import CustomField

    return CustomField.objects.create(entity=entity, key=key, label=key.title(), type=type_,
                                      **extra)


@pytest.fixture
def world(admin, rep):
    """Accounts, contacts, orders and activities that every operator can tell apart."""
    define("contacts", "nickname", "text")
    define("contacts", "score", "number")
    define("contacts", "ratio", "decimal")
    define("contacts", "renewal", "date")
    define("contacts", "vip_flag", "boolean")
    define("contacts", "size", "choice", choices=["S", "M", "L"])
    define("contacts", "interests", "multi_choice", choices=["golf", "wine", "tech"])
    define("contacts", "site", "url")
    define("contacts", "alt_email", "email")
    today = timezone.localdate()
    w = SimpleNamespace(today=today)
    w.acme = create("accounts", admin, name="Acme", industry="Software", city="Madrid",
                    annual_revenue="1000.50", employees=10, tags=["vip"], country="ES")
    w.beta = create("accounts", admin, name="Beta", industry="Retail", city="Barcelona")
    w.gamma = create("accounts", admin, name="Gamma", industry="Software", annual_revenue="5",
                     employees=500, tags=["vip", "partner"])
    w.ana = create("contacts", admin, first_name="Ana", last_name="García", city="Madrid",
                   account_id=w.acme.pk, birthdate="1990-05-01", lifecycle_stage="customer",
                   email_opt_in=True, email="ana@acme.es", tags=["vip", "newsletter"],
                   custom={"nickname": "Anita", "score": 90, "ratio": "0.75",
                           "renewal": (today + 30 * DAY).isoformat(), "vip_flag": True,
                           "size": "M", "interests": ["golf", "wine"],
                           "site": "https://ana.example.com", "alt_email": "Ana@Home.es"})
    w.bea = create("contacts", admin, first_name="Bea", last_name="Ruiz", city="madrid",
                   account_id=w.beta.pk, lifecycle_stage="lead", tags=["newsletter"],
                   birthdate=(today - 10 * DAY).isoformat(),
                   custom={"nickname": "B", "score": 10, "ratio": 2, "vip_flag": False,
                           "size": "S", "interests": ["tech"],
                           "renewal": (today - 400 * DAY).isoformat()})
    w.carl = create("contacts", admin, first_name="Carl", last_name="Smith", city="Berlin",
                    birthdate="1985-12-31", lifecycle_stage="evangelist", email="carl@x.de")
    w.dora = create("contacts", admin, owner_id=rep.pk, first_name="Dora", last_name="",
                    city="Madrid", account_id=w.gamma.pk, lifecycle_stage="customer", tags=["vip"],
                    custom={"score": 50})
    now = timezone.now()
    for days, total in [(5, "10"), (20, "20"), (40, "30"), (80, "40"), (200, "500")]:
        create("orders", admin, contact_id=w.ana.pk, account_id=w.acme.pk,
               ordered_at=(now - days * DAY).isoformat(), total=total)
    for days in (1, 2):
        create("orders", admin, contact_id=w.bea.pk, ordered_at=(now - days * DAY).isoformat(),
               total="99.99")
    for days in (300, 310, 320, 330, 340):
        create("orders", admin, owner_id=rep.pk, contact_id=w.dora.pk, total="1",
               ordered_at=(now - days * DAY).isoformat())
    create("activities", admin, kind="call", subject="Intro", contact_id=w.ana.pk)
    create("activities", admin, kind="call", subject="Follow-up", contact_id=w.ana.pk,
           done=True)
    create("activities", admin, kind="note", subject="Hello", contact_id=w.bea.pk)
    return w


def names(api, entity: str, node) -> set[str]:
    r = api.get(entity, filter=json.dumps(node), limit=500)
    assert r.status_code == 200, (node, r.content)
    key = "first_name" if entity == "contacts" else "name"
    return {item[key] for item in r.json()["items"]}


def check(api, entity: str, cases: list[tuple[dict, set[str]]]) -> None:
    wrong = []
    for node, expected in cases:
        found = names(api, entity, node)
        if found != expected:
            wrong.append((node, sorted(found), sorted(expected)))
    assert not wrong, "\n".join(map(str, wrong))


def f(field, op, value):
    return {"field": field, "op": op, "value": value}


ALL = {"Ana", "Bea", "Carl", "Dora"}


def test_text_operators(admin_api, world):
    check(admin_api, "contacts", [
        (f("city", "eq", "Madrid"), {"Ana", "Dora"}),
        (f("city", "ieq", "madrid"), {"Ana", "Bea", "Dora"}),
        (f("city", "ne", "Madrid"), {"Bea", "Carl"}),
        (f("last_name", "lt", "S"), {"Ana", "Bea", "Dora"}),
        (f("last_name", "gte", "S"), {"Carl"}),
        (f("first_name", "in", ["Ana", "Carl", "Zoe"]), {"Ana", "Carl"}),
        (f("first_name", "not_in", ["Ana", "Carl"]), {"Bea", "Dora"}),
        (f("email", "contains", "acme"), {"Ana"}),
        (f("first_name", "icontains", "AR"), {"Carl"}),
        (f("first_name", "startswith", "D"), {"Dora"}),
        (f("last_name", "is_null", True), {"Dora"}),
        (f("last_name", "is_null", False), {"Ana", "Bea", "Carl"}),
        (f("first_name", "between", ["B", "Cz"]), {"Bea", "Carl"}),
        (f("lifecycle_stage", "eq", "customer"), {"Ana", "Dora"}),
        (f("lifecycle_stage", "in", ["lead", "evangelist"]), {"Bea", "Carl"}),
        (f("lifecycle_stage", "icontains", "cust"), {"Ana", "Dora"}),
        (f("first_name", "eq", 5), set()),
    ])


def test_number_and_decimal_operators(admin_api, world):
    check(admin_api, "accounts", [
        (f("employees", "eq", 10), {"Acme"}),
        (f("employees", "ne", 10), {"Beta", "Gamma"}),
        (f("employees", "lt", 500), {"Acme"}),
        (f("employees", "lte", 500), {"Acme", "Gamma"}),
        (f("employees", "gt", "10"), {"Gamma"}),
        (f("employees", "gte", 10), {"Acme", "Gamma"}),
        (f("employees", "in", [10, 11]), {"Acme"}),
        (f("employees", "not_in", [10]), {"Beta", "Gamma"}),
        (f("employees", "is_null", True), {"Beta"}),
        (f("employees", "between", [5, 100]), {"Acme"}),
        (f("annual_revenue", "gt", "100"), {"Acme"}),
        (f("annual_revenue", "eq", 1000.5), {"Acme"}),
        (f("annual_revenue", "lte", 5), {"Gamma"}),
        (f("annual_revenue", "between", ["1", "1000.50"]), {"Acme", "Gamma"}),
        (f("annual_revenue", "is_null", False), {"Acme", "Gamma"}),
        (f("annual_revenue", "gt", 10**15), set()),
        (f("employees", "gt", -(2**62)), {"Acme", "Gamma"}),
    ])


def test_date_and_datetime_operators(admin_api, world):
    today = world.today
    check(admin_api, "contacts", [
        (f("birthdate", "eq", "1990-05-01"), {"Ana"}),
        (f("birthdate", "lt", "1990-01-01"), {"Carl"}),
        (f("birthdate", "between", ["1985-01-01", "1990-12-31"]), {"Ana", "Carl"}),
        (f("birthdate", "is_null", True), {"Dora"}),
        (f("birthdate", "within_last_days", 30), {"Bea"}),
        (f("birthdate", "older_than_days", 365), {"Ana", "Carl"}),
        (f("birthdate", "in", ["1990-05-01", "1985-12-31"]), {"Ana", "Carl"}),
        (f("created_at", "gt", "2000-01-01"), ALL),
        (f("created_at", "lt", "2000-01-01T00:00:00Z"), set()),
        (f("created_at", "within_last_days", 1), ALL),
        (f("created_at", "older_than_days", 1), set()),
        (f("created_at", "eq", today.isoformat()), ALL),
        (f("created_at", "between", [(today - DAY).isoformat(), (today + DAY).isoformat()]),
         ALL),
        (f("email_opt_in_at", "is_null", False), {"Ana"}),
    ])
    now = timezone.now()
    r = admin_api.get("orders", filter=json.dumps(f("ordered_at", "between", [
        (now - 30 * DAY).isoformat(), now.isoformat()])), limit=500)
    assert len(r.json()["items"]) == 4


def test_boolean_operators(admin_api, world):
    check(admin_api, "contacts", [
        (f("email_opt_in", "eq", True), {"Ana"}),
        (f("email_opt_in", "eq", False), {"Bea", "Carl", "Dora"}),
        (f("email_opt_in", "ne", True), {"Bea", "Carl", "Dora"}),
        (f("do_not_contact", "is_null", False), ALL),
    ])


def test_foreign_key_paths(admin_api, admin, rep_api, world):
    check(admin_api, "contacts", [
        (f("account.industry", "eq", "Software"), {"Ana", "Dora"}),
        (f("account.industry", "ne", "Software"), {"Bea", "Carl"}),
        (f("account.city", "ieq", "BARCELONA"), {"Bea"}),
        (f("account.annual_revenue", "gt", 100), {"Ana"}),
        (f("account.tags", "eq", "partner"), {"Dora"}),
        (f("account.tags", "contains", "VIP"), {"Ana", "Dora"}),
        (f("account_id", "eq", world.acme.pk), {"Ana"}),
        (f("account_id", "in", [world.acme.pk, world.beta.pk]), {"Ana", "Bea"}),
        (f("account_id", "is_null", True), {"Carl"}),
        (f("account", "eq", world.gamma.pk), {"Dora"}),
        (f("owner_id", "eq", "me"), {"Ana", "Bea", "Carl"}),
        (f("owner.username", "eq", "rita"), {"Dora"}),
    ])
    assert names(rep_api, "contacts", f("owner_id", "eq", "me")) == {"Dora"}
    r = admin_api.get("orders", filter=json.dumps(f("contact.account.industry", "eq",
                                                    "Software")), limit=500)
    assert len(r.json()["items"]) == 10


def test_tags(admin_api, world):
    check(admin_api, "contacts", [
        (f("tags", "eq", "vip"), {"Ana", "Dora"}),
        (f("tags", "contains", "NEWSLETTER"), {"Ana", "Bea"}),
        (f("tags", "in", ["vip", "newsletter"]), {"Ana", "Bea", "Dora"}),
        (f("tags", "not_in", ["vip"]), {"Bea", "Carl"}),
        (f("tags", "is_null", True), {"Carl"}),
        (f("tags", "is_null", False), {"Ana", "Bea", "Dora"}),
        ({"all": [f("tags", "eq", "vip"), f("tags", "eq", "newsletter")]}, {"Ana"}),
        ({"any": [f("tags", "eq", "vip"), f("tags", "eq", "newsletter")]}, {"Ana", "Bea",
                                                                            "Dora"}),
        ({"not": f("tags", "eq", "vip")}, {"Bea", "Carl"}),
    ])
    r = admin_api.get("contacts", filter=json.dumps(f("tags", "in", ["vip", "newsletter"])),
                      with_count=1)
    assert r.json()["count"] == 3  # a contact with both tags is counted once


def test_custom_fields_of_every_type(admin_api, world):
    today = world.today
    check(admin_api, "contacts", [
        (f("custom.nickname", "eq", "Anita"), {"Ana"}),
        (f("custom.nickname", "icontains", "nit"), {"Ana"}),
        (f("custom.nickname", "is_null", True), {"Carl", "Dora"}),
        (f("custom.score", "gt", 40), {"Ana", "Dora"}),
        (f("custom.score", "between", [10, 50]), {"Bea", "Dora"}),
        (f("custom.score", "in", [10, 90]), {"Ana", "Bea"}),
        (f("custom.ratio", "lt", 1), {"Ana"}),
        (f("custom.ratio", "gte", "2.0"), {"Bea"}),
        (f("custom.renewal", "gt", today.isoformat()), {"Ana"}),
        (f("custom.renewal", "older_than_days", 365), {"Bea"}),
        (f("custom.renewal", "is_null", True), {"Carl", "Dora"}),
        (f("custom.vip_flag", "eq", True), {"Ana"}),
        (f("custom.vip_flag", "eq", False), {"Bea"}),
        (f("custom.size", "eq", "M"), {"Ana"}),
        (f("custom.size", "in", ["S", "M"]), {"Ana", "Bea"}),
        (f("custom.interests", "contains", "wine"), {"Ana"}),
        (f("custom.interests", "contains", "tech"), {"Bea"}),
        (f("custom.interests", "is_null", True), {"Carl", "Dora"}),
        (f("custom.site", "startswith", "https://ana"), {"Ana"}),
        (f("custom.alt_email", "ieq", "ana@home.es"), {"Ana"}),
    ])


def test_nesting(admin_api, world):
    check(admin_api, "contacts", [
        ({"all": []}, ALL),
        ({"any": []}, set()),
        ({}, ALL),
        ({"all": [f("city", "ieq", "madrid"), {"not": f("first_name", "eq", "Bea")}]},
         {"Ana", "Dora"}),
        ({"any": [f("city", "eq", "Berlin"), {"all": [f("tags", "eq", "vip"),
                                                      f("email_opt_in", "eq", True)]}]},
         {"Ana", "Carl"}),
        ({"not": {"not": f("first_name", "eq", "Ana")}}, {"Ana"}),
        ({"not": {"any": [f("first_name", "eq", "Ana"), f("first_name", "eq", "Bea")]}},
         {"Carl", "Dora"}),
    ])


def test_related_aggregates(admin_api, world):
    recent = f("ordered_at", "within_last_days", 90)
    check(admin_api, "contacts", [
        ({"related": "orders", "agg": "count", "op": "gt", "value": 3}, {"Ana", "Dora"}),
        ({"related": "orders", "agg": "count", "op": "gt", "value": 3, "where": recent},
         {"Ana"}),
        ({"related": "orders", "agg": "count", "op": "eq", "value": 0}, {"Carl"}),
        ({"related": "orders", "agg": "count", "op": "lt", "value": 1, "where": recent},
         {"Carl", "Dora"}),
        ({"related": "orders", "agg": "count", "op": "lte", "value": 2}, {"Bea", "Carl"}),
        ({"related": "orders", "agg": "count", "op": "ne", "value": 5}, {"Bea", "Carl"}),
        ({"related": "orders", "agg": "count", "op": "between", "value": [0, 2]},
         {"Bea", "Carl"}),
        ({"related": "orders", "agg": "sum:total", "op": "gte", "value": 100},
         {"Ana", "Bea"}),
        ({"related": "orders", "agg": "sum:total", "op": "lt", "value": "10"},
         {"Carl", "Dora"}),
        ({"related": "orders", "agg": "avg:total", "op": "gt", "value": 50}, {"Ana", "Bea"}),
        ({"related": "orders", "agg": "max:total", "op": "eq", "value": "99.99"}, {"Bea"}),
        ({"related": "orders", "agg": "min:total", "op": "lte", "value": 1}, {"Dora"}),
        ({"related": "orders", "agg": "max:ordered_at", "op": "lt",
          "value": (world.today - 100 * DAY).isoformat()}, {"Dora"}),
        ({"related": "activities", "agg": "count", "op": "gte", "value": 2}, {"Ana"}),
        ({"related": "activities", "agg": "count", "op": "eq", "value": 1,
          "where": f("done", "eq", False)}, {"Ana", "Bea"}),
        ({"not": {"related": "activities", "agg": "count", "op": "gt", "value": 0}},
         {"Carl", "Dora"}),
    ])


def test_the_contract_example(admin_api, world):
    node = {"all": [{"field": "city", "op": "ieq", "value": "madrid"},
                    {"related": "orders", "agg": "count", "op": "gt", "value": 3,
                     "where": {"field": "ordered_at", "op": "within_last_days", "value": 90}}]}
    assert names(admin_api, "contacts", node) == {"Ana"}


def test_related_aggregates_on_accounts(admin_api, world):
    check(admin_api, "accounts", [
        ({"related": "contacts", "agg": "count", "op": "gte", "value": 1},
         {"Acme", "Beta", "Gamma"}),
        ({"related": "orders", "agg": "sum:total", "op": "gt", "value": 500}, {"Acme"}),
        ({"related": "orders", "agg": "count", "op": "eq", "value": 0}, {"Beta", "Gamma"}),
    ])


def test_related_rows_the_user_may_not_see_do_not_count(rep_api, world):
    # Dora is the rep's, but her orders are the rep's too; Ana's orders are the admin's.
    assert names(rep_api, "contacts", {"related": "orders", "agg": "count", "op": "gt",
                                       "value": 3}) == {"Dora"}


def test_saved_custom_number_sums(admin_api, world):
    define("orders", "margin", "decimal")
    order = create("orders", None, contact_id=world.carl.pk, total="5",
                   custom={"margin": "12.5"})
    assert order.custom == {"margin": 12.5}
    node = {"related": "orders", "agg": "sum:custom.margin", "op": "gt", "value": 10}
    assert names(admin_api, "contacts", node) == {"Carl"}


class TestErrors:
    def loc(self, api, node, entity="contacts") -> list:
        r = api.get(entity, filter=node if isinstance(node, str) else json.dumps(node))
        found = locs(r)
        assert r.json()["detail"][0]["type"] == "filter_error", r.content
        return found[0]

    @pytest.mark.parametrize("node,loc", [
        (f("nope", "eq", 1), ["query", "filter", "field"]),
        (f("password", "eq", 1), ["query", "filter", "field"]),
        (f("account.nope", "eq", 1), ["query", "filter", "field"]),
        (f("custom.nope", "eq", 1), ["query", "filter", "field"]),
        (f("city.name", "eq", 1), ["query", "filter", "field"]),
        (f("tags.name", "eq", "x"), ["query", "filter", "field"]),
        (f("account.owner.password", "eq", "x"), ["query", "filter", "field"]),
        ({"field": 5, "op": "eq", "value": 1}, ["query", "filter", "field"]),
        (f("city", "like", "x"), ["query", "filter", "op"]),
        (f("email_opt_in", "contains", "x"), ["query", "filter", "op"]),
        (f("birthdate", "icontains", "x"), ["query", "filter", "op"]),
        (f("city", "within_last_days", 3), ["query", "filter", "op"]),
        ({"field": "city", "op": "eq"}, ["query", "filter", "value"]),
        ({"field": "city", "op": "eq", "value": "x", "extra": 1}, ["query", "filter"]),
        (f("city", "eq", ["Madrid"]), ["query", "filter", "value"]),
        (f("city", "eq", True), ["query", "filter", "value"]),
        (f("city", "eq", None), ["query", "filter", "value"]),
        (f("city", "eq", {"a": 1}), ["query", "filter", "value"]),
        (f("city", "eq", "x" * 2000), ["query", "filter", "value"]),
        (f("city", "eq", "a\u0000b"), ["query", "filter", "value"]),
        (f("lifecycle_stage", "eq", "ghost"), ["query", "filter", "value"]),
        (f("birthdate", "eq", "yesterday"), ["query", "filter", "value"]),
        (f("birthdate", "eq", "2024-02-30"), ["query", "filter", "value"]),
        (f("created_at", "gt", "2024-01-01T25:00"), ["query", "filter", "value"]),
        (f("created_at", "gt", "2024-13-01T10:00"), ["query", "filter", "value"]),
        (f("birthdate", "within_last_days", -1), ["query", "filter", "value"]),
        (f("birthdate", "within_last_days", "7"), ["query", "filter", "value"]),
        (f("birthdate", "older_than_days", 10**9), ["query", "filter", "value"]),
        (f("email_opt_in", "eq", "yes"), ["query", "filter", "value"]),
        (f("email_opt_in", "is_null", "no"), ["query", "filter", "value"]),
        (f("account_id", "eq", "abc"), ["query", "filter", "value"]),
        (f("account_id", "eq", 1.5), ["query", "filter", "value"]),
        (f("account_id", "eq", 10**30), ["query", "filter", "value"]),
        (f("account_id", "in", []), ["query", "filter", "value"]),
        (f("account_id", "in", 5), ["query", "filter", "value"]),
        (f("account_id", "in", [1, "x"]), ["query", "filter", "value", 1]),
        (f("city", "between", ["a"]), ["query", "filter", "value"]),
        (f("custom.score", "gt", "many"), ["query", "filter", "value"]),
        (f("custom.score", "gt", "NaN"), ["query", "filter", "value"]),
        (f("custom.renewal", "eq", "soon"), ["query", "filter", "value"]),
        (f("custom.vip_flag", "eq", 1), ["query", "filter", "value"]),
        (f("custom.interests", "eq", "wine"), ["query", "filter", "op"]),
        ({"all": [f("city", "eq", "x"), f("nope", "eq", 1)]}, ["query", "filter", "all", 1,
                                                                 "field"]),
        ({"any": "x"}, ["query", "filter", "any"]),
        ({"all": [], "any": []}, ["query", "filter"]),
        ({"not": [f("city", "eq", "x")]}, ["query", "filter", "not"]),
        ({"not": f("city", "eq", "x"), "field": "city"}, ["query", "filter"]),
        ({"hello": 1}, ["query", "filter"]),
        ([1, 2], ["query", "filter"]),
        ("\"text\"", ["query", "filter"]),
        ("5", ["query", "filter"]),
        ({"related": "ghosts", "op": "gt", "value": 1}, ["query", "filter", "related"]),
        ({"related": "orders", "agg": "median:total", "op": "gt", "value": 1},
         ["query", "filter", "agg"]),
        ({"related": "orders", "agg": "count:total", "op": "gt", "value": 1},
         ["query", "filter", "agg"]),
        ({"related": "orders", "agg": "sum", "op": "gt", "value": 1},
         ["query", "filter", "agg"]),
        ({"related": "orders", "agg": "sum:number", "op": "gt", "value": 1},
         ["query", "filter", "agg"]),
        ({"related": "orders", "agg": "sum:ordered_at", "op": "gt", "value": 1},
         ["query", "filter", "agg"]),
        ({"related": "orders", "agg": "sum:nope", "op": "gt", "value": 1},
         ["query", "filter", "agg"]),
        ({"related": "orders", "agg": 5, "op": "gt", "value": 1}, ["query", "filter", "agg"]),
        ({"related": "orders", "agg": "count", "op": "contains", "value": 1},
         ["query", "filter", "op"]),
        ({"related": "orders", "agg": "count", "op": "gt"}, ["query", "filter", "value"]),
        ({"related": "orders", "agg": "count", "op": "gt", "value": "lots"},
         ["query", "filter", "value"]),
        ({"related": "orders", "agg": "count", "op": "gt", "value": 1,
          "where": f("nope", "eq", 1)}, ["query", "filter", "where", "field"]),
        ({"related": "orders", "agg": "count", "op": "gt", "value": 1, "extra": 1},
         ["query", "filter"]),
    ])
    def test_bad_filters_are_422_naming_the_place(self, admin_api, world, node, loc):
        assert self.loc(admin_api, node) == loc

    @pytest.mark.parametrize("text", ["{", "{'field': 'city'}", "[" * 40_000, "nan",
                                      "{\"field\": \"city\", \"op\": \"eq\", \"value\": NaN}"])
    def test_bad_json(self, admin_api, text):
        r = admin_api.get("contacts", filter=text)
        assert r.status_code == 422, r.content
        assert r.json()["detail"][0]["loc"][:2] == ["query", "filter"]

    def test_too_deep_and_too_many(self, admin_api):
        node = f("city", "eq", "x")
        for _ in range(20):
            node = {"not": node}
        assert self.loc(admin_api, node)[:3] == ["query", "filter", "not"]
        wide = {"any": [f("city", "eq", str(i)) for i in range(300)]}
        assert self.loc(admin_api, wide)[:3] == ["query", "filter", "any"]
        r = admin_api.get("contacts", filter="x" * 60_000)
        assert locs(r) == [["query", "filter"]]

    def test_messages_name_the_problem(self, admin_api):
        r = admin_api.get("contacts", filter=json.dumps(f("nope", "eq", 1)))
        assert "nope" in r.json()["detail"][0]["msg"]
        r = admin_api.get("contacts", filter=json.dumps(f("city", "like", 1)))
        assert "like" in r.json()["detail"][0]["msg"]


def test_describe_fields_lists_kinds_and_operators(world):
    from vinculo.platform.filters import describe_fields

    fields = {d["field"]: d for d in describe_fields("contacts")}
    assert fields["city"]["kind"] == "text"
    assert "icontains" in fields["city"]["ops"]
    assert fields["birthdate"]["kind"] == "date"
    assert "within_last_days" in fields["birthdate"]["ops"]
    assert fields["custom.size"]["choices"] == [["S", "S"], ["M", "M"], ["L", "L"]]
    assert fields["custom.interests"]["kind"] == "json_multi"


def test_compile_filter_without_a_user_ignores_access(world):
    from vinculo.customers.models import Contact
    from vinculo.platform.filters import compile_filter

    q = compile_filter("contacts", {"related": "orders", "agg": "count", "op": "gt",
                                    "value": 3})
    assert set(Contact.objects.filter(q).values_list("first_name", flat=True)) == {"Ana", "Dora"}
