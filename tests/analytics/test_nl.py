"""RFM segments and churn risk in the natural-language box (contract §5, §6)."""

from __future__ import annotations

import pytest

from vinculo.marketing.segments.nl import interpret
from vinculo.platform import records

pytestmark = pytest.mark.django_db

SEGMENT = {"field": "rfm_segment", "op": "eq"}


@pytest.mark.parametrize(("text", "expected"), [
    ("champions", {**SEGMENT, "value": "champions"}),
    ("customers at risk", {**SEGMENT, "value": "at_risk"}),
    ("contactos en riesgo", {**SEGMENT, "value": "at_risk"}),
    ("lost customers", {**SEGMENT, "value": "lost"}),
    ("clientes perdidos", {**SEGMENT, "value": "lost"}),
    ("contacts with high churn risk", {"field": "churn_risk", "op": "gte", "value": 0.7}),
    ("contactos con riesgo de abandono alto",
     {"field": "churn_risk", "op": "gte", "value": 0.7}),
])
def test_rfm_phrases(admin, text, expected):
    result = interpret("contacts", text)
    assert result.unrecognized == []
    assert result.filter == expected


def test_rfm_phrases_combine_with_places(admin):
    records.create("contacts", {"first_name": "Ana", "city": "Madrid"}, actor=admin)
    result = interpret("contacts", "champions in Madrid")
    assert {"field": "rfm_segment", "op": "eq", "value": "champions"} in result.filter["all"]
    not_risky = interpret("contacts", "champions without high churn risk")
    assert {"not": {"field": "churn_risk", "op": "gte", "value": 0.7}} in \
        not_risky.filter.get("all", [])
