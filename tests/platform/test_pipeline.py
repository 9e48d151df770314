"""The write pipeline: hooks may change or refuse, after-save runs in the transaction, events
are published only after commit, and a write without a real change writes nothing."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from tests.platform.conftest import create, locs


@pytest.fixture
def hook():
    """Register hooks for one test and remove them afterwards."""
    from vinculo.platform import hooks_registry

    registered = []

    def add(entity, stage, func, operations=("create", "update"), order=100):
        name = f"test.{func.__name__}.{len(registered)}"
        hooks_registry.register(entity, stage, operations=operations, order=order,
                                name=name)(func)
        registered.append((entity, stage, name))

    yield add
    for entity, stage, name in registered:
        hooks_registry.unregister(entity, stage, name)


@pytest.fixture
def received():
    """Every record-changed event dispatched to subscribers during the test."""
    from vinculo.platform import events

    seen = []

    def handler(event):
        seen.append(event)

    events.subscribe("*")(handler)
    yield seen
    events._subscribers["*"].remove(handler)


def rows(model_name: str) -> int:
    from django.apps import apps

    from vinculo.platform.models import AuditEntry, SearchEntry

    counts = {"audit": AuditEntry.objects.count(), "search": SearchEntry.objects.count()}
    if model_name in counts:
        return counts[model_name]
    return apps.get_model(model_name).all_objects.count()


def fts_rows() -> int:
    if connection.vendor != "sqlite":
        return 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM platform_search_fts")
        return cursor.fetchone()[0]


class TestBeforeHooks:
    def test_before_validate_may_change_the_data(self, hook, admin_api):
        from vinculo.platform.hooks_registry import Stage

        def title_city(change):
            if change.data.get("city"):
                change.data["city"] = change.data["city"].title()

        hook("contacts", Stage.BEFORE_VALIDATE, title_city)
        r = admin_api.post("contacts", {"first_name": "Ana", "city": "las palmas"})
        assert r.json()["city"] == "Las Palmas"

    def test_before_validate_refusal_is_a_422_with_the_message(self, hook, admin_api):
        from vinculo.platform.hooks_registry import Stage

        def no_atlantis(change):
            if change.data.get("city") == "Atlantis":
                raise ValidationError({"city": ["Atlantis is not a real place."]})

        hook("contacts", Stage.BEFORE_VALIDATE, no_atlantis)
        r = admin_api.post("contacts", {"first_name": "Ana", "city": "Atlantis"})
        assert locs(r) == [["body", "city"]]
        assert r.json()["detail"][0]["msg"] == "Atlantis is not a real place."
        assert rows("customers.Contact") == rows("audit") == rows("search") == 0

    def test_before_save_may_change_the_record_or_refuse(self, hook, admin, admin_api):
        from vinculo.platform.hooks_registry import Stage

        def stamp(change):
            if change.instance.title == "refuse":
                raise ValidationError("Refused by policy.")
            change.instance.description = f"{change.operation} by {change.actor.username}"

        hook("contacts", Stage.BEFORE_SAVE, stamp)
        r = admin_api.post("contacts", {"first_name": "Ana"})
        assert r.json()["description"] == "create by alice"
        pk = r.json()["id"]
        r = admin_api.patch(f"contacts/{pk}", {"title": "refuse"})
        assert locs(r) == [["body"]]
        assert r.json()["detail"][0]["msg"] == "Refused by policy."
        assert admin_api.get(f"contacts/{pk}").json()["version"] == 1

    def test_hooks_run_in_order_and_only_for_their_operations(self, hook, admin):
        from vinculo.platform import records
        from vinculo.platform.hooks_registry import Stage

        calls = []
        hook("contacts", Stage.BEFORE_SAVE, lambda c: calls.append(("late", c.operation)),
             operations=("create", "update", "delete", "restore"), order=200)
        hook("contacts", Stage.BEFORE_SAVE, lambda c: calls.append(("early", c.operation)),
             operations=("create",), order=1)
        hook("*", Stage.BEFORE_SAVE, lambda c: calls.append(("any", c.entity.name)), order=150)
        contact = create("contacts", admin, first_name="Ana")
        records.update(contact, {"city": "Lugo"}, actor=admin)
        records.delete(contact, actor=admin)
        records.restore(contact, actor=admin)
        assert calls == [("early", "create"), ("any", "contacts"), ("late", "create"),
                         ("any", "contacts"), ("late", "update"), ("late", "delete"),
                         ("late", "restore")]

    def test_a_hook_sees_what_changed(self, hook, admin):
        from vinculo.platform import records
        from vinculo.platform.hooks_registry import Stage

        seen = {}

        def look(change):
            seen.update(changed=change.changed, was=change.was("city"), now=change.now("city"),
                        has=change.has_changed("city"))

        hook("contacts", Stage.AFTER_SAVE, look, operations=("update",))
        contact = create("contacts", admin, first_name="Ana", city="Lugo")
        records.update(contact, {"city": "Vigo"}, actor=admin)
        assert seen == {"changed": ["city"], "was": "Lugo", "now": "Vigo", "has": True}


class TestAfterSave:
    def test_an_exception_rolls_back_record_audit_and_search(self, hook, admin):
        from vinculo.platform.hooks_registry import Stage

        def explode(change):
            raise RuntimeError("downstream failed")

        hook("contacts", Stage.AFTER_SAVE, explode)
        with pytest.raises(RuntimeError):
            create("contacts", admin, first_name="Ana", tags=["x"])
        assert rows("customers.Contact") == rows("audit") == rows("search") == fts_rows() == 0

    def test_a_failing_hook_is_a_json_500_and_writes_nothing(self, hook, admin_api):
        from vinculo.platform.hooks_registry import Stage

        def explode(change):
            raise RuntimeError("downstream failed")

        hook("contacts", Stage.AFTER_SAVE, explode)
        r = admin_api.post("contacts", {"first_name": "Ana"})
        assert r.status_code == 500
        assert r.json() == {"detail": "Internal server error."}
        assert rows("customers.Contact") == rows("audit") == rows("search") == 0

    def test_a_validation_error_after_save_is_a_422_and_rolls_back(self, hook, admin,
                                                                   admin_api):
        from vinculo.platform.hooks_registry import Stage

        contact = create("contacts", admin, first_name="Ana", city="Lugo")
        audit, search_rows, fts = rows("audit"), rows("search"), fts_rows()

        def refuse_vigo(change):
            if change.instance.city == "Vigo":
                raise ValidationError({"city": ["No more contacts in Vigo."]})

        hook("contacts", Stage.AFTER_SAVE, refuse_vigo)
        r = admin_api.patch(f"contacts/{contact.pk}", {"city": "Vigo"})
        assert locs(r) == [["body", "city"]]
        contact.refresh_from_db()
        assert (contact.city, contact.version) == ("Lugo", 1)
        assert (rows("audit"), rows("search"), fts_rows()) == (audit, search_rows, fts)
        assert admin_api.get("contacts", q="vigo").json()["items"] == []

    def test_after_save_writes_join_the_transaction(self, hook, admin):
        from vinculo.platform.hooks_registry import Stage

        def log_and_fail(change):
            from vinculo.platform.models import Tag

            Tag.objects.create(name=f"by-hook-{change.instance.first_name}")
            if change.instance.city == "fail":
                raise RuntimeError

        hook("contacts", Stage.AFTER_SAVE, log_and_fail)
        create("contacts", admin, first_name="Ana")
        with pytest.raises(RuntimeError):
            create("contacts", admin, first_name="Bea", city="fail")
        from vinculo.platform.models import Tag

        assert list(Tag.objects.filter(name__startswith="by-hook").values_list(
            "name", flat=True)) == ["by-hook-Ana"]


class TestEvents:
    def test_published_on_commit_only(self, hook, admin, received,
                                      django_capture_on_commit_callbacks):
        from vinculo.platform.hooks_registry import Stage

        during = []
        hook("contacts", Stage.AFTER_SAVE, lambda c: during.append(len(received)))
        with django_capture_on_commit_callbacks(execute=True):
            contact = create("contacts", admin, first_name="Ana")
        assert during == [0]
        assert [(e.entity, e.record_id, e.operation, e.actor_id) for e in received] == [
            ("contacts", contact.pk, "created", admin.pk)]
        assert "first_name" in received[0].changed

    def test_nothing_is_published_on_rollback(self, hook, admin, received,
                                              django_capture_on_commit_callbacks):
        from vinculo.platform.hooks_registry import Stage

        def explode(change):
            raise RuntimeError

        hook("contacts", Stage.AFTER_SAVE, explode)
        with (django_capture_on_commit_callbacks(execute=True) as callbacks,
              pytest.raises(RuntimeError)):
            create("contacts", admin, first_name="Ana")
        assert callbacks == [] and received == []

    def test_every_operation_publishes_its_event(self, admin, received,
                                                 django_capture_on_commit_callbacks):
        from vinculo.platform import records

        with django_capture_on_commit_callbacks(execute=True):
            contact = create("contacts", admin, first_name="Ana")
            records.update(contact, {"city": "Lugo"}, actor=admin)
            records.update(contact, {"city": "Lugo"}, actor=admin)
            records.delete(contact, actor=admin)
            records.restore(contact, actor=admin)
        assert [e.operation for e in received] == ["created", "updated", "deleted", "restored"]
        assert received[1].changed == ("city",)

    @pytest.mark.django_db(transaction=True, serialized_rollback=True)
    def test_a_real_commit_dispatches_through_the_task_queue(self, received):
        from tests.conftest import make_user

        admin = make_user("alice", "admin")
        contact = create("contacts", admin, first_name="Ana")
        assert [(e.record_id, e.operation) for e in received] == [(contact.pk, "created")]


class TestNoChange:
    def test_update_without_a_real_change_writes_nothing(self, admin, received,
                                                        django_capture_on_commit_callbacks):
        from vinculo.platform import records
        from vinculo.platform.models import CustomField

        CustomField.objects.create(entity="contacts", key="score", label="S", type="number")
        contact = create("contacts", admin, first_name="Ana", city="Lugo", tags=["a", "b"],
                         custom={"score": 3})
        audit = rows("audit")
        with django_capture_on_commit_callbacks(execute=True):
            records.update(contact, {"first_name": "Ana", "city": " Lugo ", "tags": ["b", "a"],
                                     "custom": {"score": "3"}}, actor=admin)
        contact.refresh_from_db()
        assert contact.version == 1
        assert rows("audit") == audit
        assert received == []

    def test_delete_twice_is_one_delete(self, admin):
        from vinculo.platform import records

        contact = create("contacts", admin, first_name="Ana")
        records.delete(contact, actor=admin)
        records.delete(contact, actor=admin)
        contact.refresh_from_db()
        assert contact.version == 2
