"""A custom text field filtered with `contains` finds the text inside the value (not JSON
containment, which SQLite does not have and PostgreSQL reads as the whole value)."""

import json

import pytest

from vinculo.platform import filters, records
from vinculo.platform.models import CustomField

pytestmark = pytest.mark.django_db


def test_contains_on_a_custom_text_field_finds_part_of_the_value(admin, admin_api):
    CustomField.objects.create(entity="contacts", key="segment_note", label="Note", type="text")
    inside = records.create("contacts", {"last_name": "Ruiz",
                                         "custom": {"segment_note": "vip gold"}}, actor=admin)
    records.create("contacts", {"last_name": "Soto", "custom": {"segment_note": "bronze"}},
                   actor=admin)
    records.create("contacts", {"last_name": "Vera"}, actor=admin)
    node = {"field": "custom.segment_note", "op": "contains", "value": "gold"}
    response = admin_api.get("contacts", filter=json.dumps(node))
    assert response.status_code == 200, response.json()
    assert [c["id"] for c in response.json()["items"]] == [inside.pk]
    assert filters.matches("contacts", node, inside)
