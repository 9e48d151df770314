"""`records.create_many`, the bulk path of the write pipeline that imports use."""

from __future__ import annotations

import pytest

from vinculo.platform import audit, records, search
from vinculo.platform.hooks_registry import Stage, register, unregister
from vinculo.platform.models import AuditEntry, CustomField, SearchEntry


def test_rows_are_created_with_tags_custom_values_audit_and_search(admin):
    CustomField.objects.create(entity="contacts", key="shoe_size", label="Shoe size",
                               type="number")
    rows = [
        {"first_name": "Lucía", "last_name": "Núñez", "email": "LUCIA@example.com",
         "tags": ["vip", "madrid"], "custom": {"shoe_size": "38"}},
        {"first_name": "Peter", "last_name": "Smith", "tags": "vip; london"},
    ]
    result = records.create_many("contacts", rows, actor=admin)
    assert result.errors == {}
    lucia, peter = result.created
    lucia.refresh_from_db()
    assert lucia.email == "lucia@example.com"
    assert lucia.custom == {"shoe_size": 38}
    assert lucia.owner_id == admin.pk
    assert sorted(t.name for t in lucia.tags.all()) == ["madrid", "vip"]
    assert sorted(t.name for t in peter.tags.all()) == ["london", "vip"]
    assert audit.history("contacts", lucia.pk).get().operation == "create"
    assert AuditEntry.objects.filter(entity="contacts").count() == 2
    hits = search.query(admin, "nunez")
    assert [h.record_id for h in hits] == [lucia.pk]
    assert SearchEntry.objects.get(entity="contacts", record_id=peter.pk).title == "Peter Smith"


def test_bad_rows_are_reported_by_index_and_the_good_ones_created(admin):
    rows = [
        {"first_name": "Ok"},
        {"email": "not-an-email"},
        {"first_name": "x" * 101},
        {"country": "XX", "first_name": "Bad country"},
        {"nonsense": 1, "first_name": "Unknown field"},
        {},
        {"first_name": "Also ok", "account_id": 999_999},
    ]
    result = records.create_many("contacts", rows, actor=admin)
    assert [c.first_name for c in result.created] == ["Ok"]
    assert set(result.errors) == {1, 2, 3, 4, 5, 6}
    assert "email" in result.errors[1]
    assert "first_name" in result.errors[2]
    assert "country" in result.errors[3]
    assert result.errors[4] == {"nonsense": ["Unknown field."]}
    assert "account_id" in result.errors[6]


def test_unique_values_conflict_with_existing_records_and_within_the_rows(admin):
    records.create("products", {"sku": "A-1", "name": "Anvil", "unit_price": "10"}, actor=admin)
    rows = [{"sku": "A-1", "name": "Dup"}, {"sku": "B-2", "name": "Bolt"},
            {"sku": "B-2", "name": "Bolt again"}]
    result = records.create_many("products", rows, actor=admin)
    assert [p.sku for p in result.created] == ["B-2"]
    assert set(result.errors) == {0, 2}
    assert "sku" in result.errors[0]


def test_hooks_run_for_every_row_and_may_refuse_one(admin):
    seen = []

    @register("accounts", Stage.BEFORE_SAVE, name="test.refuse_acme")
    def refuse(change):
        if change.instance.name == "Acme":
            from django.core.exceptions import ValidationError

            raise ValidationError({"name": ["No Acme."]})

    @register("accounts", Stage.AFTER_SAVE, name="test.after")
    def after(change):
        seen.append(change.instance.pk)

    try:
        result = records.create_many("accounts", [{"name": "Acme"}, {"name": "Globex"}],
                                     actor=admin)
    finally:
        unregister("accounts", Stage.BEFORE_SAVE, "test.refuse_acme")
        unregister("accounts", Stage.AFTER_SAVE, "test.after")
    assert result.errors == {0: {"name": ["No Acme."]}}
    assert seen == [result.created[0].pk]


def test_references_are_limited_to_what_the_actor_may_see(rep, other_rep):
    hidden = records.create("accounts", {"name": "Hidden"}, actor=other_rep)
    mine = records.create("accounts", {"name": "Mine"}, actor=rep)
    result = records.create_many(
        "contacts", [{"first_name": "A", "account_id": hidden.pk},
                     {"first_name": "B", "account_id": mine.pk}], actor=rep)
    assert list(result.errors) == [0]
    assert result.created[0].account_id == mine.pk


@pytest.mark.django_db
def test_nothing_to_create():
    assert records.create_many("contacts", []).created == []
