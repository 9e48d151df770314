"""Concurrent writers on PostgreSQL: real threads, each with its own database connection."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from tests.conftest import api_for, make_user
from tests.platform.conftest import create, needs_postgres

pytestmark = [needs_postgres, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def in_threads(*calls: Callable[[], object]) -> list[object]:
    results: list[object] = [None] * len(calls)
    errors: list[BaseException] = []

    def run(i: int, call: Callable[[], object]) -> None:
        try:
            results[i] = call()
        except BaseException as exc:  # reported to the test below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


@pytest.fixture
def hook():
    from vinculo.platform import hooks_registry

    registered = []

    def add(entity, stage, func, operations=("create", "update")):
        name = f"test.concurrency.{len(registered)}"
        hooks_registry.register(entity, stage, operations=operations, name=name)(func)
        registered.append((entity, stage, name))

    yield add
    for entity, stage, name in registered:
        hooks_registry.unregister(entity, stage, name)


def test_concurrent_patches_with_the_same_version_one_wins():
    from vinculo.customers.models import Contact
    from vinculo.platform.models import AuditEntry

    admin = make_user("alice", "admin")
    contact = create("contacts", admin, first_name="Ana")
    clients = [api_for(admin), api_for(admin)]
    started = threading.Barrier(2, timeout=10)

    def patch(client, city):
        def call():
            started.wait()
            return client.patch(f"contacts/{contact.pk}", {"city": city},
                                headers={"If-Match": "1"})
        return call

    responses = in_threads(patch(clients[0], "Lugo"), patch(clients[1], "Vigo"))
    codes = sorted(r.status_code for r in responses)
    assert codes == [200, 412]
    winner = next(r for r in responses if r.status_code == 200).json()
    contact = Contact.objects.get(pk=contact.pk)
    assert contact.version == 2 and contact.city == winner["city"]
    assert AuditEntry.objects.filter(record_id=contact.pk, operation="update").count() == 1


def test_concurrent_requests_with_one_idempotency_key_create_one_record(hook):
    from vinculo.customers.models import Contact
    from vinculo.platform.hooks_registry import Stage
    from vinculo.platform.models import AuditEntry, IdempotencyKey

    rep = make_user("rita", "sales")
    clients = [api_for(rep), api_for(rep)]
    # Both requests are inside the write before either stores its key.
    both_inside = threading.Barrier(2, timeout=10)
    hook("contacts", Stage.BEFORE_VALIDATE, lambda change: both_inside.wait())

    def post(client):
        return lambda: client.post("contacts", {"first_name": "Ana"},
                                   headers={"Idempotency-Key": "once"})

    responses = in_threads(post(clients[0]), post(clients[1]))
    assert [r.status_code for r in responses] == [201, 201]
    assert responses[0].json() == responses[1].json()
    assert Contact.objects.count() == 1
    assert AuditEntry.objects.filter(entity="contacts").count() == 1
    assert IdempotencyKey.objects.count() == 1


def test_concurrent_creates_of_one_sku_name_the_field(hook):
    from vinculo.platform.hooks_registry import Stage
    from vinculo.sales.models import Product

    admin = make_user("alice", "admin")
    clients = [api_for(admin), api_for(admin)]
    both_inside = threading.Barrier(2, timeout=10)
    hook("products", Stage.BEFORE_SAVE, lambda change: both_inside.wait())
    responses = in_threads(*(lambda c=c: c.post("products", {"sku": "A-1", "name": "Pen"})
                             for c in clients))
    assert sorted(r.status_code for r in responses) == [201, 422]
    loser = next(r for r in responses if r.status_code == 422)
    assert loser.json()["detail"][0]["loc"] == ["body", "sku"]
    assert Product.objects.count() == 1
