"""Whatever is typed, the reader answers with a valid filter (never a 500)."""

from __future__ import annotations

import pytest

from vinculo.platform import registry

ODD = ["   ", "$$$", "entre y", "más de €", "1.2.3.4", "2025-13-45 contacts",
       "between 5 and", "no no no", "o o y y", "🙂 clientes 🙂", "más de 99999999999999999999",
       "desde", "since 31 February 2025", "hace", "last", "contacts ,,, ;;", ">= < = >",
       "entre marzo y", "contacts in", "leads con puntuación mayor a abc",
       "last order", "spent", "gastaron más de -5 euros", "0.000001 pedidos"]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ODD)
def test_odd_sentences_give_valid_filters(world, admin_api, text):
    r = admin_api.post("segments/interpret", {"entity": "contacts", "text": text})
    assert r.status_code in (200, 422), r.content
    if r.status_code == 200:
        assert isinstance(r.json()["count"], int)


@pytest.mark.django_db
def test_every_entity_can_be_read(world, admin):
    from vinculo.marketing.segments import nl, selectors
    from vinculo.platform import filters

    for entity in registry.all_entities():
        if not entity.filter_fields:
            continue
        for text in ("created this year", "más de 3 en Madrid", "no activity in 30 days"):
            result = nl.interpret(entity.name, text)
            filters.validate(entity.name, result.filter)
            if entity.owned:
                selectors.matching(admin, entity.name, result.filter).count()
