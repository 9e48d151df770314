"""Merging duplicate contacts and accounts: values, related rows, history, atomicity, access."""

import datetime as dt

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.utils import timezone

from tests.conftest import api_for, make_user
from vinculo.activities.models import Activity
from vinculo.activities.selectors import timeline
from vinculo.customers import selectors
from vinculo.customers.models import Account, Contact
from vinculo.customers.services import MergeConflict, account_merge, contact_merge
from vinculo.platform import records, search
from vinculo.platform.hooks_registry import Stage, register, unregister
from vinculo.platform.models import AuditEntry, CustomField, RecordShare
from vinculo.sales.models import Order

PAST = timezone.now() - dt.timedelta(days=3)


def contact(actor, **data):
    return records.create("contacts", data, actor=actor)


def call(actor, **data):
    return records.create("activities", {"kind": "call", "subject": "Call",
                                         "occurred_at": PAST, **data}, actor=actor)


@pytest.fixture
def trio(rep):
    CustomField.objects.create(entity="contacts", key="shoe_size", label="Shoe size",
                               type="number")
    CustomField.objects.create(entity="contacts", key="team", label="Team", type="text")
    survivor = contact(rep, first_name="Ana", last_name="Ruiz", email="ana@example.com",
                       phone="+34600000001", tags=["vip"], custom={"team": "Blue"})
    dup1 = contact(rep, first_name="Ana", last_name="Ruiz", email="ana.ruiz@example.com",
                   phone="600 000 002", country="ES", tags=["madrid", "vip"],
                   custom={"team": "Red", "shoe_size": 38}, email_opt_in=True,
                   email_opt_in_source="fair")
    dup2 = contact(rep, first_name="Anna", email="anna@example.com", tags=["lead"])
    return survivor, dup1, dup2


def test_contact_merge_moves_every_related_row(rep, other_rep, trio):
    survivor, dup1, dup2 = trio
    a1 = call(rep, contact_id=dup1.pk)
    a2 = call(rep, contact_id=dup2.pk)
    gone = call(rep, contact_id=dup1.pk)
    records.delete(gone, actor=rep)
    kept = call(rep, contact_id=survivor.pk)
    o1 = records.create("orders", {"contact_id": dup1.pk, "total": "12.00"}, actor=rep)
    RecordShare.objects.create(entity="contacts", record_id=dup1.pk, user=other_rep)
    RecordShare.objects.create(entity="contacts", record_id=dup2.pk, user=other_rep,
                               can_edit=True)
    old = contact(rep, email="old@example.com")
    contact_merge(survivor=dup2, others=[old], actor=rep)

    merged = contact_merge(survivor=survivor, others=[dup1, dup2], actor=rep,
                           field_choices={"phone": dup1.pk, "email_opt_in": dup1.pk})

    assert set(Activity.all_objects.filter(contact_id=survivor.pk)) == {a1, a2, gone, kept}
    assert list(Order.objects.filter(contact_id=survivor.pk)) == [o1]
    shares = RecordShare.objects.filter(entity="contacts")
    assert [(s.record_id, s.user_id, s.can_edit) for s in shares] == [
        (survivor.pk, other_rep.pk, True)]
    assert Contact.all_objects.get(pk=old.pk).merged_into_id == survivor.pk

    assert merged.email == "ana@example.com"
    assert merged.phone == "+34600000002" and merged.phone_e164 == "+34600000002"
    assert merged.email_opt_in and merged.email_opt_in_source == "fair"
    assert merged.email_opt_in_at == Contact.all_objects.get(pk=dup1.pk).email_opt_in_at
    assert sorted(t.name for t in merged.tags.all()) == ["lead", "madrid", "vip"]
    assert merged.custom == {"team": "Blue", "shoe_size": 38}
    assert merged.version == 2

    for loser in (dup1, dup2):
        loser = Contact.all_objects.get(pk=loser.pk)
        assert loser.deleted_at is not None and loser.merged_into_id == survivor.pk
    assert not Contact.objects.filter(pk__in=[dup1.pk, dup2.pk]).exists()
    assert [h.record_id for h in search.query(rep, "anna")] == []

    entry = AuditEntry.objects.filter(entity="contacts", record_id=survivor.pk,
                                      operation="merge").get()
    assert entry.changes["merged_ids"] == [dup1.pk, dup2.pk]
    moved = AuditEntry.objects.get(entity="activities", record_id=a1.pk, source="merge")
    assert moved.changes == {"contact_id": [dup1.pk, survivor.pk]}


def test_history_of_merged_records_stays_readable_from_the_survivor(rep, trio):
    survivor, dup1, dup2 = trio
    records.update(dup1, {"title": "CFO"}, actor=rep)
    contact_merge(survivor=survivor, others=[dup1], actor=rep)

    entries = list(selectors.history("contacts", survivor.pk))
    pairs = {(e.record_id, e.operation) for e in entries}
    assert {(dup1.pk, "create"), (dup1.pk, "update"), (dup1.pk, "merge"),
            (dup1.pk, "delete"), (survivor.pk, "merge")} <= pairs
    assert (dup2.pk, "create") not in pairs
    assert selectors.merged_ids("contacts", survivor.pk) == [dup1.pk]

    items, _ = timeline(rep, "contacts", survivor.pk, limit=50)
    titles = [i.title for i in items if i.source == "change"]
    assert f"Merged #{dup1.pk} into this record" in titles
    assert f"Changed job title (merged record #{dup1.pk})" in titles


def test_a_refused_survivor_update_leaves_everything_unchanged(rep, trio):
    survivor, dup1, _ = trio
    activity = call(rep, contact_id=dup1.pk)

    @register("contacts", Stage.BEFORE_SAVE, name="tests.refuse_merges")
    def refuse(change):
        if change.source == "merge":
            raise ValidationError({"email": ["Merges are frozen today."]})

    audit_before = AuditEntry.objects.count()
    try:
        with pytest.raises(ValidationError):
            contact_merge(survivor=survivor, others=[dup1], actor=rep,
                          field_choices={"phone": dup1.pk})
    finally:
        unregister("contacts", Stage.BEFORE_SAVE, "tests.refuse_merges")

    activity.refresh_from_db()
    assert activity.contact_id == dup1.pk and activity.version == 1
    dup1 = Contact.all_objects.get(pk=dup1.pk)
    assert dup1.deleted_at is None and dup1.merged_into_id is None
    survivor = Contact.objects.get(pk=survivor.pk)
    assert survivor.phone == "+34600000001" and survivor.version == 1
    assert AuditEntry.objects.count() == audit_before


def test_account_merge_moves_contacts_children_activities_and_orders(rep):
    grand = records.create("accounts", {"name": "Holding"}, actor=rep)
    dup = records.create("accounts", {"name": "Acme SL", "domain": "acme.es",
                                      "parent_id": grand.pk, "tags": ["es"]}, actor=rep)
    survivor = records.create("accounts", {"name": "Acme", "parent_id": dup.pk}, actor=rep)
    child = records.create("accounts", {"name": "Acme Lisboa", "parent_id": dup.pk}, actor=rep)
    person = contact(rep, first_name="Eva", account_id=dup.pk)
    activity = call(rep, account_id=dup.pk)
    order = records.create("orders", {"account_id": dup.pk, "total": "5.00"}, actor=rep)

    merged = account_merge(survivor=survivor, others=[dup], actor=rep,
                           field_choices={"domain": dup.pk})

    assert merged.parent_id == grand.pk  # its old parent was merged into it
    assert merged.domain == "acme.es" and [t.name for t in merged.tags.all()] == ["es"]
    assert Account.objects.get(pk=child.pk).parent_id == survivor.pk
    assert Contact.objects.get(pk=person.pk).account_id == survivor.pk
    assert Activity.objects.get(pk=activity.pk).account_id == survivor.pk
    assert Order.objects.get(pk=order.pk).account_id == survivor.pk
    assert Account.all_objects.get(pk=dup.pk).merged_into_id == survivor.pk
    assert [h.record_id for h in search.query(rep, "Eva", entities=["contacts"])] == [person.pk]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_relations_added_by_other_modules_move_too(rep):
    """Tables that later modules add (any FK, one-to-one or many-to-many to contacts)."""

    class Attrs:
        app_label = "customers"

    Note = type("MergeProbeNote", (models.Model,), {
        "__module__": __name__, "Meta": Attrs,
        "contact": models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="+")})
    Card = type("MergeProbeCard", (models.Model,), {
        "__module__": __name__, "Meta": Attrs,
        "contact": models.OneToOneField(Contact, on_delete=models.CASCADE,
                                        related_name="probe_card")})
    Group = type("MergeProbeGroup", (models.Model,), {
        "__module__": __name__, "Meta": Attrs,
        "members": models.ManyToManyField(Contact, related_name="probe_groups")})
    probes = [Note, Card, Group, Group.members.through]
    with connection.schema_editor() as editor:
        for model in probes[:3]:
            editor.create_model(model)
    try:
        survivor = contact(rep, first_name="Ana")
        dup1 = contact(rep, first_name="Ana")
        dup2 = contact(rep, first_name="Ana")
        note = Note.objects.create(contact=dup1)
        Card.objects.create(contact=survivor)
        dup_card = Card.objects.create(contact=dup2)
        both, only_dup = Group.objects.create(), Group.objects.create()
        both.members.add(survivor, dup1)
        only_dup.members.add(dup1, dup2)

        contact_merge(survivor=survivor, others=[dup1, dup2], actor=rep)

        assert Note.objects.get(pk=note.pk).contact_id == survivor.pk
        assert Card.objects.get(pk=dup_card.pk).contact_id == dup2.pk  # one card each
        assert list(both.members.all()) == [survivor]
        assert list(only_dup.members.all()) == [survivor]
    finally:
        with connection.schema_editor() as editor:
            for model in reversed(probes[:3]):
                editor.delete_model(model)
        for model in probes:
            apps.all_models["customers"].pop(model._meta.model_name, None)
        apps.clear_cache()


# ---------------------------------------------------------------------------- refusals


def test_conflicts(rep, trio):
    survivor, dup1, dup2 = trio
    with pytest.raises(MergeConflict):
        contact_merge(survivor=survivor, others=[survivor], actor=rep)
    contact_merge(survivor=survivor, others=[dup1], actor=rep)
    with pytest.raises(MergeConflict):
        contact_merge(survivor=dup2, others=[dup1], actor=rep)
    with pytest.raises(MergeConflict):
        contact_merge(survivor=dup1, others=[dup2], actor=rep)


def test_merge_endpoint(rep_api, rep, trio):
    survivor, dup1, dup2 = trio
    path = f"contacts/{survivor.pk}/merge"
    r = rep_api.post(path, {"merge_ids": [survivor.pk]})
    assert r.status_code == 409
    r = rep_api.post(path, {"merge_ids": []})
    assert r.status_code == 422
    r = rep_api.post(path, {"merge_ids": [dup1.pk], "field_choices": {"shoe": dup1.pk}})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "field_choices", "shoe"]
    r = rep_api.post(path, {"merge_ids": [dup1.pk], "field_choices": {"phone": 999999}})
    assert r.status_code == 422
    r = rep_api.post(path, {"merge_ids": [999999]})
    assert r.status_code == 422
    assert r.json()["detail"][0]["loc"] == ["body", "merge_ids"]
    assert Contact.objects.count() == 3

    r = rep_api.post(path, {"merge_ids": [dup1.pk, dup2.pk], "field_choices": {
        "last_name": dup2.pk}})
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["id"] == survivor.pk and body["last_name"] == ""
    assert body["tags"] == ["lead", "madrid", "vip"]
    assert rep_api.get(f"contacts/{dup1.pk}").status_code == 404
    binned = rep_api.get("contacts", deleted="true").json()["items"]
    assert {(c["id"], c["merged_into_id"]) for c in binned} == {(dup1.pk, survivor.pk),
                                                                 (dup2.pk, survivor.pk)}
    assert rep_api.post(path, {"merge_ids": [dup1.pk]}).status_code == 409
    assert rep_api.post(f"contacts/{dup1.pk}/merge",
                        {"merge_ids": [survivor.pk]}).status_code == 409
    history = rep_api.get(f"contacts/{survivor.pk}/timeline", limit=100).json()["items"]
    assert any(i["title"].startswith("Merged") for i in history)


def test_account_merge_endpoint(rep_api, rep):
    a = records.create("accounts", {"name": "Acme"}, actor=rep)
    b = records.create("accounts", {"name": "ACME S.A.", "industry": "Retail"}, actor=rep)
    r = rep_api.post(f"accounts/{a.pk}/merge", {"merge_ids": [b.pk],
                                               "field_choices": {"industry": b.pk}})
    assert r.status_code == 200, r.content
    assert r.json()["industry"] == "Retail"
    assert rep_api.post(f"accounts/{a.pk}/merge", {"merge_ids": [a.pk]}).status_code == 409


def test_merge_permissions(rep, other_rep, manager):
    mine = contact(rep, email="a@example.com")
    theirs = contact(other_rep, email="a@example.com")
    rep_api, other_api = api_for(rep), api_for(other_rep)

    r = rep_api.post(f"contacts/{mine.pk}/merge", {"merge_ids": [theirs.pk]})
    assert r.status_code == 422  # not visible to rep

    RecordShare.objects.create(entity="contacts", record_id=theirs.pk, user=rep)
    r = rep_api.post(f"contacts/{mine.pk}/merge", {"merge_ids": [theirs.pk]})
    assert r.status_code == 403  # visible, but rep may not delete it

    RecordShare.objects.create(entity="contacts", record_id=mine.pk, user=other_rep)
    r = other_api.post(f"contacts/{mine.pk}/merge", {"merge_ids": [theirs.pk]})
    assert r.status_code == 403  # other_rep may see rep's contact but not change it

    reader = make_user("rob", "readonly")
    r = api_for(reader).post(f"contacts/{mine.pk}/merge", {"merge_ids": [theirs.pk]})
    assert r.status_code == 403
    assert Contact.objects.filter(pk__in=[mine.pk, theirs.pk]).count() == 2

    r = api_for(manager).post(f"contacts/{mine.pk}/merge", {"merge_ids": [theirs.pk]})
    assert r.status_code == 200
    assert Contact.all_objects.get(pk=theirs.pk).merged_into_id == mine.pk
