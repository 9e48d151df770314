"""`filters.matches` gives, in memory, the answer `compile_filter` gives in the database."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from vinculo.activities.models import Activity
from vinculo.customers.models import Account, Contact
from vinculo.platform import filters, records
from vinculo.platform.filters import FilterError
from vinculo.platform.models import CustomField

WORDS = ["ana", "Ana", "ANA", "bea", "madrid", "Madrid", "", "zoe", "ab", "b"]
CITIES = ["madrid", "Madrid", "", "sevilla", "bilbao"]
DATES = ["1970-01-01", "1990-05-20", "2000-02-29", "2020-12-31"]


@pytest.fixture
def world(db, admin):
    for key, kind in (("nick", "text"), ("size", "number"), ("rate", "decimal"),
                      ("since", "date"), ("vip", "boolean")):
        CustomField.objects.create(entity="contacts", key=key, label=key, type=kind)
    CustomField.objects.create(entity="contacts", key="langs", label="langs",
                               type="multi_choice", choices=["en", "es", "fr"])
    acme = records.create("accounts", {"name": "Acme", "industry": "Retail", "employees": 50,
                                       "annual_revenue": "1000.50"}, actor=admin)
    bare = records.create("accounts", {"name": "Bare"}, actor=admin)
    rows = [
        {"first_name": "Ana", "city": "Madrid", "country": "ES", "account_id": acme.pk,
         "birthdate": "1990-05-20", "email_opt_in": True, "tags": ["vip", "Gold"],
         "custom": {"nick": "ana", "size": 3, "rate": 2.5, "since": "2020-12-31", "vip": True,
                    "langs": ["en", "es"]}},
        {"first_name": "ana", "city": "madrid", "country": "FR", "account_id": bare.pk,
         "custom": {"nick": "Bea", "size": 0, "vip": False, "langs": ["fr"]}},
        {"first_name": "Zoe", "city": "", "lifecycle_stage": "customer",
         "birthdate": "2000-02-29", "custom": {"size": -7, "rate": 0.1}},
        {"first_name": "bea", "city": "sevilla", "account_id": acme.pk, "tags": ["gold"],
         "custom": {"nick": "", "since": "1970-01-01"}},
        {"first_name": "ab", "city": "bilbao", "do_not_contact": True},
    ]
    contacts = [records.create("contacts", row, actor=admin) for row in rows]
    Activity.objects.create(kind="call", subject="x", contact=contacts[0])
    Activity.objects.create(kind="note", subject="y", contact=contacts[0])
    Activity.objects.create(kind="call", subject="z", contact=contacts[1])
    return [Contact.objects.get(pk=c.pk) for c in contacts]


def agree(node) -> None:
    in_db = set(Contact.objects.filter(filters.compile_filter("contacts", node))
                .values_list("pk", flat=True))
    test = filters.matcher("contacts", node)
    in_memory = {c.pk for c in Contact.objects.all() if test(c)}
    assert in_memory == in_db, node


TEXT_OPS = ["eq", "ieq", "ne", "in", "not_in", "contains", "icontains", "startswith",
            "is_null", "lt", "gte", "between"]


def _text_value(op):
    if op == "is_null":
        return st.booleans()
    if op in ("in", "not_in"):
        return st.lists(st.sampled_from(WORDS), min_size=1, max_size=3)
    if op == "between":
        return st.lists(st.sampled_from(WORDS), min_size=2, max_size=2)
    return st.sampled_from(WORDS)


def _number_value(op, pool):
    if op == "is_null":
        return st.booleans()
    if op in ("in", "not_in"):
        return st.lists(st.sampled_from(pool), min_size=1, max_size=3)
    if op == "between":
        return st.lists(st.sampled_from(pool), min_size=2, max_size=2)
    return st.sampled_from(pool)


def _date_value(op):
    if op == "is_null":
        return st.booleans()
    if op in ("within_last_days", "older_than_days"):
        return st.integers(0, 20000)
    if op in ("in", "not_in"):
        return st.lists(st.sampled_from(DATES), min_size=1, max_size=2)
    if op == "between":
        return st.lists(st.sampled_from(DATES), min_size=2, max_size=2)
    return st.sampled_from(DATES)


def condition(field, ops, value_for):
    return st.sampled_from(ops).flatmap(
        lambda op: value_for(op).map(lambda v: {"field": field, "op": op, "value": v}))


NUMBER_OPS = ["eq", "ne", "lt", "lte", "gt", "gte", "in", "not_in", "is_null", "between"]
DATE_OPS = NUMBER_OPS + ["within_last_days", "older_than_days"]

# Conditions through a foreign key: alone or negated. (Combined with others in one query,
# Django's join promotion decides whether a record without the related row can match at
# all, which no per-record test reproduces; see docs/assignment.md.)
through_fk = st.one_of(
    condition("account.industry", ["eq", "ieq", "ne", "is_null", "icontains"],
              lambda op: st.booleans() if op == "is_null" else st.sampled_from(
                  ["Retail", "retail", "", "tai"])),
    condition("account.employees", NUMBER_OPS, lambda op: _number_value(op, [0, 49, 50, 51])),
    condition("account.annual_revenue", NUMBER_OPS,
              lambda op: _number_value(op, ["1000.5", "1000.50", "999", "1001"])),
)


conditions = st.one_of(
    condition("first_name", TEXT_OPS, _text_value),
    condition("city", TEXT_OPS, _text_value),
    condition("lifecycle_stage", ["eq", "ne", "in", "not_in", "is_null"],
              lambda op: st.booleans() if op == "is_null" else _number_value(
                  op, ["lead", "customer", "other"])),
    condition("email_opt_in", ["eq", "ne", "is_null"], lambda op: st.booleans()),
    condition("birthdate", DATE_OPS, _date_value),
    condition("created_at", DATE_OPS, _date_value),
    condition("tags", ["eq", "contains", "in", "not_in", "is_null"],
              lambda op: st.booleans() if op == "is_null" else _number_value(
                  op, ["vip", "gold", "Gold", "none"])),
    condition("custom.nick", ["eq", "ieq", "ne", "in", "not_in", "is_null", "icontains",
                              "startswith", "lt", "gte"], _text_value),
    condition("custom.size", NUMBER_OPS, lambda op: _number_value(op, [-7, 0, 1, 3, "3"])),
    condition("custom.rate", NUMBER_OPS, lambda op: _number_value(op, [0.1, 2.5, 1])),
    condition("custom.since", DATE_OPS, _date_value),
    condition("custom.vip", ["eq", "ne", "is_null"], lambda op: st.booleans()),
    condition("custom.langs", ["contains", "is_null"],
              lambda op: st.booleans() if op == "is_null" else st.sampled_from(
                  ["en", "ES", "de"])),
    st.builds(lambda op, n: {"related": "activities", "agg": "count", "op": op, "value": n},
              st.sampled_from(["eq", "ne", "lt", "gt", "gte"]), st.integers(0, 3)),
)

nodes = st.recursive(
    conditions,
    lambda inner: st.one_of(
        st.builds(lambda xs: {"all": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda xs: {"any": xs}, st.lists(inner, max_size=3)),
        st.builds(lambda x: {"not": x}, inner)),
    max_leaves=6)


@settings(max_examples=300, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(node=nodes)
def test_matches_agrees_with_the_database(world, node):
    agree(node)


@settings(max_examples=100, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(node=through_fk, negate=st.booleans())
def test_paths_through_a_foreign_key(world, node, negate):
    agree({"not": node} if negate else node)


@pytest.mark.parametrize("node", [
    {"field": "city", "op": "eq", "value": "Madrid"},
    {"field": "city", "op": "ieq", "value": "MADRID"},
    {"field": "city", "op": "is_null", "value": True},
    {"not": {"field": "account.industry", "op": "eq", "value": "Retail"}},
    {"field": "account_id", "op": "is_null", "value": False},
    {"field": "custom.size", "op": "ne", "value": 3},
    {"field": "custom.nick", "op": "is_null", "value": True},
    {"related": "activities", "agg": "count", "op": "gte", "value": 1,
     "where": {"field": "kind", "op": "eq", "value": "call"}},
    {"any": []},
    {"all": []},
    {},
])
def test_examples(world, node):
    agree(node)


def test_dict_of_values_about_to_be_saved(world):
    acme = Account.objects.get(name="Acme")
    node = {"all": [{"field": "city", "op": "ieq", "value": "madrid"},
                    {"field": "account.industry", "op": "eq", "value": "Retail"},
                    {"field": "birthdate", "op": "lt", "value": "2000-01-01"},
                    {"field": "custom.size", "op": "gte", "value": 2},
                    {"related": "activities", "agg": "count", "op": "eq", "value": 0}]}
    data = {"city": "MADRID", "account_id": acme.pk, "birthdate": "1999-12-31",
            "custom": {"size": 2}}
    assert filters.matches("contacts", node, data)
    assert not filters.matches("contacts", node, {**data, "account_id": None})
    assert not filters.matches("contacts", node, {**data, "birthdate": "2000-01-01"})
    assert not filters.matches("contacts", node, {**data, "custom": {}})
    # an unsaved record: no related rows yet
    assert filters.matches("contacts", node, Contact(city="madrid", account=acme,
                                                     birthdate=dt.date(1980, 1, 1),
                                                     custom={"size": 5}))
    assert filters.matches("contacts", {"field": "tags", "op": "eq", "value": "VIP"},
                           {"tags": ["vip"]})


@pytest.mark.parametrize("node, where", [
    ({"field": "nope", "op": "eq", "value": 1}, "nope"),
    ({"field": "city", "op": "frob", "value": 1}, "frob"),
    ({"field": "email_opt_in", "op": "eq", "value": "yes"}, "true or false"),
    ({"related": "nothing", "op": "gt", "value": 1}, "nothing"),
    ({"all": {"field": "city"}}, "list"),
    ([], "object"),
])
def test_bad_nodes_are_refused_like_compile_filter(world, node, where):
    with pytest.raises(FilterError) as caught:
        filters.matches("contacts", node, world[0])
    assert where in caught.value.message
