"""The natural-language reader: the sentence test set and the hard cases."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.segments.conftest import TODAY


@pytest.mark.django_db
def test_sentence_test_set_accuracy():
    from vinculo.marketing.segments.nl import evaluate

    data = evaluate.load()
    sentences = data["sentences"]
    assert len(sentences) >= 150
    spanish = sum(1 for s in sentences if s["language"] == "es")
    assert spanish >= len(sentences) * 0.45
    report = evaluate.run()
    failures = "\n".join(f"{f['text']}: {f['got']} {f['unrecognized']}"
                         for f in report.failures)
    assert report.accuracy >= 0.95, failures
    for language in ("en", "es"):
        assert evaluate.run(language).accuracy >= 0.95


@pytest.fixture
def read(db):
    from vinculo.marketing.segments.nl import evaluate, interpret
    from vinculo.marketing.segments.nl.lexicon import from_sample

    world = evaluate.load()["world"]
    lexicons: dict = {}

    def run(text, entity="contacts", language=None):
        if entity not in lexicons:
            lexicons[entity] = from_sample(entity, world)
        return interpret(entity, text, language, today=TODAY, lexicon=lexicons[entity])

    return run


def test_negations(read):
    assert read("contacts who never bought").filter == {
        "related": "orders", "agg": "count", "op": "eq", "value": 0}
    assert read("contactos sin etiqueta vip").filter == {
        "field": "tags", "op": "not_in", "value": ["vip"]}
    assert read("contactos que no son de Madrid").filter == {
        "field": "city", "op": "ne", "value": "Madrid"}
    assert read("contacts who have not opted in").filter == {
        "field": "email_opt_in", "op": "eq", "value": False}
    # "no más de" is a comparison, not a negation
    assert read("contactos con no más de 2 pedidos").filter == {
        "related": "orders", "agg": "count", "op": "lte", "value": 2}


def test_or_lists(read):
    assert read("contactos que prefieren WhatsApp o SMS").filter == {
        "field": "preferred_channel", "op": "in", "value": ["chat", "sms"]}
    assert read("contacts in Lima, Madrid or Sevilla").filter == {
        "field": "city", "op": "in", "value": ["Lima", "Madrid", "Sevilla"]}
    # an "or" between different conditions keeps both sides
    result = read("contacts in Lima or who bought more than 3 times").filter
    assert result == {"any": [{"field": "city", "op": "ieq", "value": "Lima"},
                              {"related": "orders", "agg": "count", "op": "gt", "value": 3}]}


def test_unknown_words_are_reported_never_dropped(read):
    result = read("contacts in Lima who love jazz")
    assert result.filter == {"field": "city", "op": "ieq", "value": "Lima"}
    assert result.unrecognized == ["love jazz"]
    # a dangling negation or comparison changes the meaning: it is reported
    assert read("contacts in Lima not").unrecognized == ["not"]
    assert read("contacts who bought more than").unrecognized == ["more than"]
    assert read("zzz").filter == {} and read("zzz").unrecognized == ["zzz"]


def test_numbers_in_both_locales():
    from vinculo.marketing.segments.nl.tokens import parse_number

    assert parse_number("1,000") == Decimal("1000")
    assert parse_number("1.000") == Decimal("1000")
    assert parse_number("2,5") == Decimal("2.5")
    assert parse_number("1.234,56") == Decimal("1234.56")
    assert parse_number("1,234.56") == Decimal("1234.56")
    assert parse_number("1.000.000") == Decimal("1000000")


def test_explanation_in_the_request_language(read):
    es = read("contactos de Lima con más de 2 pedidos", language="es")
    assert "ciudad" in es.explanation and "pedidos" in es.explanation
    en = read("contacts in Lima with more than 2 orders")
    assert en.language == "en" and "orders" in en.explanation
    assert read("clientes de Madrid que compraron más de 3 veces este año").language == "es"


def test_lexicon_from_the_database(world):
    """Places, tags, owners and custom fields come from the data and the schema."""
    from vinculo.marketing.segments import nl

    r = nl.interpret("contacts", "contactos de Bogotá con nivel de fidelidad gold", "es",
                     today=TODAY)
    assert r.filter == {"all": [{"field": "city", "op": "ieq", "value": "Bogotá"},
                                {"field": "custom.loyalty", "op": "eq", "value": "gold"}]}
    r = nl.interpret("contacts", "vip contacts owned by Ana Torres", today=TODAY)
    assert r.filter == {"all": [{"field": "tags", "op": "eq", "value": "vip"},
                                {"field": "owner_id", "op": "eq", "value": world["ana"].pk}]}
    assert nl.interpret("contacts", "contacts in CO", today=TODAY).filter == {
        "field": "country", "op": "eq", "value": "CO"}


def test_every_understood_filter_is_valid_and_counts(world, admin):
    from vinculo.marketing.segments import nl, selectors
    from vinculo.marketing.segments.nl import evaluate

    for item in evaluate.load()["sentences"]:
        if item["entity"] != "contacts" or "custom." in str(item["filter"]):
            continue
        result = nl.interpret("contacts", item["text"], item["language"], today=TODAY)
        selectors.matching(admin, "contacts", result.filter).count()  # no FilterError


def test_counts_of_contract_examples(world, admin_api):
    def count(text):
        r = admin_api.post("segments/interpret", {"entity": "contacts", "text": text})
        assert r.status_code == 200, r.content
        return r.json()

    assert count("contacts in Lima with no activity in the last 60 days")["count"] == 1
    assert count("contactos que prefieren WhatsApp o SMS")["count"] == 3
    assert count("gastaron más de 500 €")["count"] == 2
    assert count("contacts who bought more than 3 times in the last 30 days")["count"] == 1
    assert count("contactos sin pedidos")["count"] == 4
