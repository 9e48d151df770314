"""The campaign pages: generic list/detail/form, preview, test send and scheduling."""

from __future__ import annotations

import pytest
from django.test import Client


@pytest.fixture
def web(rep):
    client = Client()
    client.force_login(rep)
    return client


def test_pages_list_detail_and_preview(web, campaign, template, people):
    assert web.get("/email-campaigns/").status_code == 200
    assert web.get("/email-campaign-templates/").status_code == 200
    assert web.get(f"/email-campaign-templates/{template['id']}/").status_code == 200
    r = web.get(f"/email-campaigns/{campaign['id']}/")
    assert r.status_code == 200 and b"data-email-actions" in r.content
    assert web.get("/email-campaigns/new/").status_code == 200
    r = web.get(f"/email-campaigns/{campaign['id']}/preview/?contact_id={people['evil'].pk}")
    assert r.status_code == 200
    assert b"<script>x" not in r.content


def test_buttons_test_send_schedule_and_cancel(web, campaign, smtp, people):
    r = web.post(f"/email-campaigns/{campaign['id']}/test/", {"to": "me@example.com"})
    assert r.status_code == 302 and len(smtp.messages) == 1
    r = web.post(f"/email-campaigns/{campaign['id']}/schedule/", {"at": "2099-01-01T09:00"})
    assert r.status_code == 302
    from vinculo.marketing.emails.models import EmailCampaign

    ec = EmailCampaign.objects.get(pk=campaign["id"])
    assert ec.status == "scheduled" and ec.recipients.count() == 3 and ec.excluded_count == 2
    r = web.post(f"/email-campaigns/{campaign['id']}/cancel/")
    assert r.status_code == 302
    ec.refresh_from_db()
    assert ec.status == "cancelled"
