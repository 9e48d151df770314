"""E-mail campaigns over a real SMTP server: headers, personalisation, escaping, consent,
crash-resume without duplicates, rate limit, tracking and unsubscribe."""

from __future__ import annotations

import re

import pytest
from django.test import Client

from vinculo.marketing.emails import services
from vinculo.marketing.emails.models import EmailCampaign, Recipient


def _send(rep_api, campaign, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = rep_api.post(f"email-campaigns/{campaign['id']}/schedule", {})
    assert r.status_code == 200, r.content
    return r.json()


def _html(message) -> str:
    return message.get_body(("html",)).get_content()


def test_unknown_or_malicious_placeholders_are_a_422_naming_them(rep_api):
    for bad in ("{{ password }}", "{{ first_name.__class__ }}", "{% load x %}{{ x|safe }}",
                "{{ __import__('os') }}", "{{ first_name | there }}", "{{ unclosed"):
        r = rep_api.post("email-campaign-templates", {"name": "x", "html_en": bad})
        assert r.status_code == 422, (bad, r.content)
        assert "html_en" in r.content.decode()
    r = rep_api.post("email-campaign-templates", {"name": "x", "subject_en": "Hi {{ nope }}"})
    assert r.status_code == 422 and "nope" in r.content.decode()


def test_preview_personalises_with_fallbacks_and_escapes(rep_api, campaign, people):
    r = rep_api.post(f"email-campaigns/{campaign['id']}/preview",
                     {"contact_id": people["lucia"].pk})
    assert r.status_code == 200, r.content
    assert r.json()["subject"] == "Hello Lucía"
    r = rep_api.post(f"email-campaigns/{campaign['id']}/preview",
                     {"contact_id": people["noname"].pk, "language": "es"})
    assert r.json()["subject"] == "Hola amigo"
    r = rep_api.post(f"email-campaigns/{campaign['id']}/preview",
                     {"contact_id": people["evil"].pk})
    html = r.json()["html"]
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "Acme &lt;b&gt;SL&lt;/b&gt;" in html


def test_test_send_reaches_the_server(rep_api, campaign, smtp):
    r = rep_api.post(f"email-campaigns/{campaign['id']}/test", {"to": "me@example.com"})
    assert r.status_code == 200, r.content
    [(_sender, to, message)] = smtp.messages
    assert to == ["me@example.com"] and message["Subject"] == "[TEST] Hello there"
    r = rep_api.post(f"email-campaigns/{campaign['id']}/test", {"to": "not an address"})
    assert r.status_code == 422


def test_sending_respects_consent_and_sets_headers(rep_api, campaign, smtp,
                                                   django_capture_on_commit_callbacks):
    out = _send(rep_api, campaign, django_capture_on_commit_callbacks)
    assert out["excluded_count"] == 2
    got = {to[0]: message for _s, to, message in smtp.messages}
    assert set(got) == {"lucia@example.com", "noname@example.com", "evil@example.com"}
    message = got["lucia@example.com"]
    assert message["Subject"] == "Hello Lucía"
    assert re.match(r"<https://crm\.example\.com/u/[^>]+>, <mailto:",
                    message["List-Unsubscribe"])
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].startswith("<")
    assert "&lt;script&gt;" in _html(got["evil@example.com"])
    assert "Hi there" in got["noname@example.com"].get_body(("plain",)).get_content()
    ec = EmailCampaign.objects.get(pk=campaign["id"])
    assert ec.status == "sent"
    stats = rep_api.get(f"email-campaigns/{campaign['id']}/stats").json()
    assert stats["sent"] == 3 and stats["excluded"] == 2 and stats["unknown"] == 0
    page = rep_api.get(f"email-campaigns/{campaign['id']}/recipients").json()
    ids = {item["message_id"] for item in page["items"]}
    assert message["Message-ID"] in ids


def test_a_crash_between_claim_and_send_never_sends_a_second_copy(
        rep_api, campaign, smtp, admin):
    ec = EmailCampaign.objects.get(pk=campaign["id"])
    services.schedule(ec, actor=admin, at=ec.created_at)  # in the past: due
    # A worker claimed one recipient and died before (or after) the SMTP exchange.
    crashed = services._claim(ec.pk, 1)
    assert len(crashed) == 1
    services.send_campaign(ec.pk)
    services.send_campaign(ec.pk)  # running again sends nothing more
    addresses = [to[0] for _s, to, _m in smtp.messages]
    assert len(addresses) == len(set(addresses)) == 2
    assert crashed[0].email not in addresses
    stats = services.stats(EmailCampaign.objects.get(pk=ec.pk))
    assert stats["unknown"] == 1 and stats["sent"] == 2


def test_rate_limit_spreads_messages():
    from vinculo.channels.sender import RateLimit

    now = [0.0]
    slept = []

    def sleep(seconds):
        slept.append(seconds)
        now[0] += seconds

    limit = RateLimit(120, clock=lambda: now[0], sleep=sleep)
    for _ in range(5):
        limit.wait()
    assert now[0] == pytest.approx(2.0)  # 5 messages at 2 a second: 4 waits of 0.5 s
    assert RateLimit(0).interval == 0


def test_rate_limit_setting_applies_to_real_sending(rep_api, campaign, smtp, admin, settings):
    import time

    ec = EmailCampaign.objects.get(pk=campaign["id"])
    services.schedule(ec, actor=admin, at=ec.created_at)
    started = time.monotonic()
    services.send_campaign(ec.pk, per_minute=600)  # 0.1 s between messages
    assert time.monotonic() - started >= 0.2
    assert len(smtp.messages) == 3


def _links(message):
    html = _html(message)
    unsub = re.search(r"/u/([^>]+)>", message["List-Unsubscribe"]).group(1)
    pixel = re.search(r"/t/o/([^\"]+)\.gif", html).group(1)
    click = re.search(r'href="https://crm\.example\.com/t/c/([^"]+)"', html).group(1)
    return unsub, pixel, click


def test_open_click_and_one_click_unsubscribe(rep_api, campaign, smtp, people,
                                              django_capture_on_commit_callbacks):
    _send(rep_api, campaign, django_capture_on_commit_callbacks)
    message = next(m for _s, to, m in smtp.messages if to == ["lucia@example.com"])
    unsub, pixel, click = _links(message)
    web = Client()
    r = web.get(f"/t/o/{pixel}.gif")
    assert r.status_code == 200 and r["Content-Type"] == "image/gif"
    recipient = Recipient.objects.get(campaign_id=campaign["id"], contact=people["lucia"])
    assert recipient.status == "opened" and recipient.opened_at
    r = web.get(f"/t/c/{click}")
    assert r.status_code == 302 and r["Location"] == "https://shop.example.com/offer?a=1&b=2"
    recipient.refresh_from_db()
    assert recipient.status == "clicked"
    # Unsubscribe page shows a button; the one-click POST unsubscribes at once.
    assert web.get(f"/u/{unsub}").status_code == 200
    people["lucia"].refresh_from_db()
    assert people["lucia"].email_opt_in is True
    r = web.post(f"/u/{unsub}", {"List-Unsubscribe": "One-Click"})
    assert r.status_code == 200 and b"Unsubscribed" in r.content
    people["lucia"].refresh_from_db()
    assert people["lucia"].email_opt_in is False
    history = rep_api.get(f"contacts/{people['lucia'].pk}/history").json()
    assert "email_opt_in" in str(history)
    version = people["lucia"].version
    r = web.post(f"/u/{unsub}")
    assert r.status_code == 200 and b"Already unsubscribed" in r.content
    people["lucia"].refresh_from_db()
    assert people["lucia"].version == version
    recipient.refresh_from_db()
    assert recipient.status == "unsubscribed"


def test_tampered_and_expired_tokens(rep_api, campaign, smtp, people,
                                     django_capture_on_commit_callbacks):
    import datetime as dt

    from django.utils import timezone

    from vinculo.channels import tokens

    _send(rep_api, campaign, django_capture_on_commit_callbacks)
    message = next(m for _s, to, m in smtp.messages if to == ["lucia@example.com"])
    unsub, pixel, click = _links(message)
    web = Client()
    tampered = click[:-3] + ("AAA" if not click.endswith("AAA") else "BBB")
    r = web.get(f"/t/c/{tampered}")
    assert r.status_code == 400 and b"not valid" in r.content
    r = web.get(f"/t/o/{pixel[:-2]}xx.gif")
    assert r.status_code == 200 and r["Content-Type"] == "image/gif"
    recipient = Recipient.objects.get(campaign_id=campaign["id"], contact=people["lucia"])
    assert recipient.opened_at is None and recipient.status == "sent"
    # A well-signed token for another action is refused too (an open token as a click).
    assert web.get(f"/t/c/{pixel}").status_code == 400
    old = tokens.make("u", recipient.message_id, at=timezone.now() - dt.timedelta(days=3000))
    r = web.post(f"/u/{old}")
    assert r.status_code == 400 and b"expired" in r.content
    assert web.post(f"/u/{unsub[:-4]}").status_code == 400
    people["lucia"].refresh_from_db()
    assert people["lucia"].email_opt_in is True


def test_bounce_recorded_by_message_id_and_from_a_dsn(rep_api, admin_api, campaign, smtp,
                                                      people,
                                                      django_capture_on_commit_callbacks):
    _send(rep_api, campaign, django_capture_on_commit_callbacks)
    message = next(m for _s, to, m in smtp.messages if to == ["lucia@example.com"])
    dsn = (
        "From: MAILER-DAEMON@example.com\r\nTo: vinculo@localhost\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\nMessage-ID: <dsn1@example.com>\r\n"
        "MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status;"
        " boundary=\"B\"\r\n\r\n--B\r\nContent-Type: text/plain\r\n\r\nSorry.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx\r\n\r\n"
        "Final-Recipient: rfc822; lucia@example.com\r\nAction: failed\r\nStatus: 5.1.1\r\n"
        "Diagnostic-Code: smtp; 550 5.1.1 No such user\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {message['Message-ID']}\r\nSubject: Hello\r\n\r\n--B--\r\n")
    assert rep_api.post("email-bounces", {"raw": dsn}).status_code == 403
    r = admin_api.post("email-bounces", {"raw": dsn})
    assert r.status_code == 200 and r.json()["recorded"] is True, r.content
    recipient = Recipient.objects.get(campaign_id=campaign["id"], contact=people["lucia"])
    assert recipient.status == "bounced" and "5.1.1" in recipient.error
    r = admin_api.post("email-bounces", {"message_id": message["Message-ID"]})
    assert r.json()["recorded"] is False
    r = admin_api.post("email-bounces", {"message_id": "<nope@x>"})
    assert r.status_code == 200 and r.json()["recorded"] is False
    assert admin_api.post("email-bounces", {}).status_code == 422


def test_schedule_later_cancel_and_permissions(rep_api, other_api, campaign, smtp, admin):
    r = rep_api.post(f"email-campaigns/{campaign['id']}/schedule",
                     {"at": "2099-01-01T09:00:00Z"})
    assert r.status_code == 200 and r.json()["status"] == "scheduled"
    assert services.send_due() == 0 and smtp.messages == []
    assert other_api.post(f"email-campaigns/{campaign['id']}/schedule", {}).status_code == 404
    r = rep_api.post(f"email-campaigns/{campaign['id']}/cancel")
    assert r.status_code == 200 and r.json()["status"] == "cancelled"
    r = rep_api.post(f"email-campaigns/{campaign['id']}/cancel")
    assert r.status_code == 422
    assert rep_api.post(f"email-campaigns/{campaign['id']}/schedule", {}).status_code == 422
    services.send_campaign(campaign["id"])
    assert smtp.messages == []


def test_the_scheduler_sends_campaigns_when_their_time_comes(rep_api, campaign, smtp):
    import datetime as dt

    from django.utils import timezone

    r = rep_api.post(f"email-campaigns/{campaign['id']}/schedule",
                     {"at": "2099-01-01T09:00:00Z"})
    assert r.status_code == 200
    assert services.send_due() == 0 and smtp.messages == []
    later = dt.datetime(2099, 1, 1, 9, 1, tzinfo=dt.UTC)
    assert services.send_due(later) == 1
    assert len(smtp.messages) == 3
    assert EmailCampaign.objects.get(pk=campaign["id"]).status == "sent"
    assert services.send_due(later + dt.timedelta(days=1)) == 0
    assert timezone.now() < later


def test_statuses_mirror_to_the_marketing_campaign(rep_api, template, static_list, smtp,
                                                   people, django_capture_on_commit_callbacks):
    from vinculo.marketing.campaigns.models import CampaignMember

    r = rep_api.post("campaigns", {"name": "Spring", "list_id": static_list["id"]})
    assert r.status_code == 201, r.content
    marketing = r.json()
    r = rep_api.post("email-campaigns", {"name": "Spring mail", "template_id": template["id"],
                                         "campaign_id": marketing["id"]})
    assert r.status_code == 201, r.content
    _send(rep_api, r.json(), django_capture_on_commit_callbacks)
    assert len(smtp.messages) == 3  # the marketing campaign's list, consent applied
    member = CampaignMember.objects.get(campaign_id=marketing["id"], contact=people["lucia"])
    assert member.status == "sent"
    message = next(m for _s, to, m in smtp.messages if to == ["lucia@example.com"])
    _unsub, _pixel, click = _links(message)
    Client().get(f"/t/c/{click}")
    member.refresh_from_db()
    assert member.status == "clicked"
