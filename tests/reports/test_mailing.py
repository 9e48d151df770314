"""Scheduled reports go out over a real SMTP connection, once per period per schedule."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.sales.smtp import SMTPServer

from .conftest import OWNER_BY_MONTH


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}}
        settings.VINCULO_SITE_URL = "https://crm.example.com"
        yield server


@pytest.fixture
def scheduled(rep_api, orders, rep, manager):
    report = rep_api.post("reports", {"name": "Monthly orders", **OWNER_BY_MONTH}).json()
    r = rep_api.post(f"reports/{report['id']}/schedules",
                     {"frequency": "weekly", "attachment": "csv",
                      "recipient_ids": [rep.pk, manager.pk]})
    assert r.status_code == 201, r.content
    return report


def at(day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, 11, day, hour, tzinfo=dt.UTC)  # 2026-11-23 is a Monday


def test_weekly_schedule_sends_once_per_week(scheduled, smtp, rep, manager):
    from vinculo.analytics.reports import mailing

    assert mailing.send_due(at(23)) == 1
    assert mailing.send_due(at(23, 10)) == 0  # same week: nothing more
    assert mailing.send_due(at(29, 23)) == 0  # Sunday, still the same ISO week
    assert sorted(rcpt[0] for _f, rcpt, _m in smtp.messages) == [
        manager.email, rep.email]
    assert mailing.send_due(at(30)) == 1  # the next Monday
    assert len(smtp.messages) == 4


def test_the_mail_has_the_chart_inline_and_the_table_attached(scheduled, smtp, rep,
                                                              manager):
    from vinculo.analytics.reports import mailing

    mailing.send_due(at(23))
    by_recipient = {rcpt[0]: message for _f, rcpt, message in smtp.messages}
    message = by_recipient[rep.email]
    assert message["Subject"] == "Report: Monthly orders"
    html = message.get_body(("html",)).get_content()
    assert 'src="cid:chart@vinculo"' in html and "https://crm.example.com/reports/" in html
    parts = {part.get_content_type(): part for part in message.walk()}
    svg = parts["image/svg+xml"]
    assert svg["Content-ID"] == "<chart@vinculo>" and b"<svg" in svg.get_content()
    attachment = parts["text/csv"]
    text = attachment.get_content()
    text = text.decode("utf-8-sig") if isinstance(text, bytes) else text.lstrip("\ufeff")
    # each recipient gets the report with their own access: the rep only their orders
    assert "350.50" in text and "1000.00" not in text
    manager_csv = {p.get_content_type(): p for p in by_recipient[manager.email].walk()}[
        "text/csv"].get_content()
    manager_csv = manager_csv.decode("utf-8-sig") if isinstance(manager_csv, bytes) \
        else manager_csv
    assert "1000.00" in manager_csv


def test_a_refused_send_is_retried_next_tick(scheduled, smtp):
    from vinculo.analytics.reports import mailing
    from vinculo.analytics.reports.models import ReportDelivery

    smtp.refuse = True
    assert mailing.send_due(at(23)) == 0
    assert not ReportDelivery.objects.exists()
    smtp.refuse = False
    assert mailing.send_due(at(23, 10)) == 1
    assert mailing.send_due(at(23, 11)) == 0


def test_daily_and_monthly_periods():
    from vinculo.analytics.reports.mailing import period_key

    when = dt.datetime(2026, 1, 1, 5, tzinfo=dt.UTC)
    assert period_key("daily", when) == "2026-01-01"
    assert period_key("weekly", when) == "2026-W01"
    assert period_key("monthly", when) == "2026-01"


def test_the_scheduler_runs_the_job():
    from vinculo.automation import schedules

    assert "reports.send_scheduled" in {s.name for s in schedules.registered()}
