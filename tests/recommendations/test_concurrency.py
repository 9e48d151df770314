"""Builds and trainings started at the same moment (two workers, or a worker and the button)
replace the model one after the other: no duplicate rows, no clashing versions."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from vinculo.analytics.recommendations import leadscoring, services
from vinculo.analytics.recommendations.models import (
    ContactRecommendation,
    LeadModel,
    ProductPair,
)

from .shop import generate, load

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="concurrent writers need PostgreSQL")


def _together(work, n: int = 3) -> None:
    barrier = threading.Barrier(n)
    failures: list[BaseException] = []

    def run() -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # reported below
            failures.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures, failures


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_builds_and_trainings():
    load(generate(seed=3, customers=80))
    single = services.build()
    _together(services.build)
    assert ContactRecommendation.objects.count() == single.recommendations
    assert ProductPair.objects.count() == single.pairs
    _together(leadscoring.train)
    assert sorted(LeadModel.objects.values_list("version", flat=True)) == [1, 2, 3]
