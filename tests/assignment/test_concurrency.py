"""Round-robin turns taken by concurrent writers: never the same turn twice."""

from __future__ import annotations

import threading
from collections import Counter

import pytest
from django.db import connection, connections

from vinculo.platform import records
from vinculo.sales.assignment import services
from vinculo.sales.assignment.models import Assignment, AssignmentRule
from vinculo.sales.leads.models import Lead

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="concurrent writers need PostgreSQL")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_creates_never_share_a_turn():
    from tests.conftest import make_user
    from vinculo.identity.models import Team

    admin = make_user("boss", "admin")
    reps = [make_user(f"rr{i}", "sales", teams=["RR"]) for i in range(4)]
    rule = services.create_rule({"entity": "leads", "name": "rr", "method": "round_robin",
                                 "team_id": Team.objects.get(name="RR").pk})
    per_thread, threads_n = 30, 4
    barrier = threading.Barrier(threads_n)
    failures: list[BaseException] = []

    def work(n: int) -> None:
        try:
            barrier.wait()
            for i in range(per_thread):
                if i % 10 == 0:
                    records.create_many("leads", [{"last_name": f"B{n}-{i}-{j}"}
                                                  for j in range(3)], actor=admin)
                else:
                    records.create("leads", {"last_name": f"T{n}-{i}"}, actor=admin)
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(n,)) for n in range(threads_n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures
    total = threads_n * (per_thread + 3 * 2)  # 3 batches of 3 rows per thread instead of 3
    assert Lead.objects.count() == total
    assert AssignmentRule.objects.get(pk=rule.pk).turn == total
    counts = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert set(counts) == {r.pk for r in reps}
    assert max(counts.values()) - min(counts.values()) <= 1
    assert Assignment.objects.filter(rule_id=rule.pk).count() == total
