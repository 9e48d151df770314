"""Fixtures of the leads tests: a pipeline with stages, a clean rate-limit cache."""

import pytest
from django.core.cache import cache

from vinculo.platform import records


@pytest.fixture(autouse=True)
def clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def pipeline(db, admin):
    from vinculo.sales.pipeline.models import Pipeline

    for other in Pipeline.objects.filter(is_default=True):
        records.update(other, {"is_default": False}, actor=admin)
    pipe = records.create("pipelines", {"name": "Sales", "is_default": True}, actor=admin)
    stages = [records.create("stages", {"pipeline_id": pipe.pk, "name": name, "order": i,
                                        "probability": p, "kind": kind}, actor=admin)
              for i, (name, p, kind) in enumerate([("Qualify", 10, "open"),
                                                   ("Propose", 50, "open"),
                                                   ("Won", 100, "won"), ("Lost", 0, "lost")])]
    pipe.stage_list = stages
    return pipe
