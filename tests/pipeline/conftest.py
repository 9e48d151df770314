"""Fixtures of the pipeline tests: the default pipeline (made by a data migration) and a
second one, and helpers to make deals through the write pipeline."""

from __future__ import annotations

import pytest
from django.conf import settings

settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def pipeline(db):
    from vinculo.sales.pipeline.models import Pipeline

    return Pipeline.objects.get(is_default=True)


@pytest.fixture
def stages(pipeline):
    """name → stage of the default pipeline."""
    return {s.name: s for s in pipeline.stages.all()}


@pytest.fixture
def other_pipeline(db):
    from vinculo.platform import records

    p = records.create("pipelines", {"name": "Renewals"})
    for order, (name, probability, kind) in enumerate(
            [("Due", 40, "open"), ("Renewed", 100, "won"), ("Churned", 0, "lost")]):
        records.create("stages", {"pipeline_id": p.pk, "name": name, "order": order * 10,
                                  "probability": probability, "kind": kind})
    return p


def make_deal(owner, **data):
    from vinculo.platform import records

    values = {"name": "Deal", "amount": "1000", **data}
    return records.create("opportunities", values, actor=owner)
