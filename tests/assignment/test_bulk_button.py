"""The leads list page offers "Apply assignment rules" for the selected records."""

import pytest
from django.test import Client

from vinculo.platform import records

pytestmark = pytest.mark.django_db


def test_the_leads_bulk_bar_applies_the_rules_to_the_selection(admin, rep):
    api_rule = {"entity": "leads", "name": "To Rita", "method": "user", "user_id": rep.pk,
                "only_unowned": False}
    from tests.conftest import api_for
    assert api_for(admin).post("assignment-rules", api_rule).status_code == 201
    lead = records.create("leads", {"last_name": "Paz", "owner_id": admin.pk}, actor=admin)
    lead.refresh_from_db()
    client = Client()
    client.force_login(admin)
    page = client.get("/leads/")
    assert b'formaction="/settings/assignment-rules/apply/"' in page.content
    response = client.post("/settings/assignment-rules/apply/",
                           {"entity": "leads", "ids": [lead.pk], "next": "/leads/"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.owner_id == rep.pk
    assert b"formaction=\"/settings/assignment-rules/apply/\"" not in client.get(
        "/contacts/").content
