"""Scheduled e-mail of reports: each schedule fires once per day, ISO week or month.

The scheduler ticks `send_due` (tasks.py); a `ReportDelivery` row per schedule and period is
inserted before sending, and its unique constraint lets exactly one worker send a period's
mail. Each recipient gets the report run with *their own* record access, the chart inline
(an SVG image part referenced from the HTML, plus the table as HTML for clients that do not
show SVG) and the table attached as CSV or XLSX.
"""

from __future__ import annotations

import datetime as dt
import logging
from email.message import MIMEPart

from django.conf import settings
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from vinculo.channels import sender

from . import charts, engine, exports
from .models import Frequency, ReportDelivery, ReportSchedule

logger = logging.getLogger(__name__)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def period_key(frequency: str, now: dt.datetime) -> str:
    """The period `now` falls in: "2026-11-24" (daily), "2026-W48" (weekly), "2026-11"."""
    day = timezone.localtime(now).date()
    if frequency == Frequency.DAILY:
        return day.isoformat()
    if frequency == Frequency.WEEKLY:
        iso = day.isocalendar()
        return f"{iso.year}-W{iso.week:02d}"
    return f"{day.year}-{day.month:02d}"


def claim(schedule: ReportSchedule, period: str) -> ReportDelivery | None:
    """The delivery row of this period if this caller won it, else None."""
    try:
        with transaction.atomic():
            return ReportDelivery.objects.create(schedule=schedule, period=period)
    except IntegrityError:
        return None


def send_due(now: dt.datetime | None = None) -> int:
    """Send every active schedule whose current period has not been sent; return how many."""
    now = now or timezone.now()
    sent = 0
    schedules = (ReportSchedule.objects.filter(active=True)
                 .select_related("report", "report__owner").prefetch_related("recipients"))
    for schedule in schedules:
        delivery = claim(schedule, period_key(schedule.frequency, now))
        if delivery is None:
            continue
        try:
            count = deliver(schedule)
        except Exception as exc:  # the mail server refused: free the period for a retry
            logger.warning("Report schedule %s failed: %s", schedule.pk, exc)
            delivery.delete()
            continue
        ReportDelivery.objects.filter(pk=delivery.pk).update(recipients=count)
        sent += 1
    return sent


def deliver(schedule: ReportSchedule) -> int:
    """E-mail the report to each recipient (run with the recipient's access)."""
    report = schedule.report
    defn = engine.parse(report.definition())
    recipients = [u for u in schedule.recipients.all() if u.is_active and u.email]
    with sender.Sender(per_minute=0) as connection:
        for user in recipients:
            language = user.language or settings.LANGUAGE_CODE
            with translation.override(language):
                row, email = _message(schedule, defn, user)
            try:
                connection.send(email)
            except Exception as exc:
                sender.mark_failed(row, str(exc))
                raise
            sender.mark_sent(row)
    return len(recipients)


def _message(schedule: ReportSchedule, defn: engine.Definition, user):
    report = schedule.report
    result = engine.run(defn, user, title=report.name)
    chart = defn.chart if defn.chart != "table" else "bar"
    svg = str(charts.render(result, chart, title=report.name, uid="mail"))
    header, rows = exports.table(result)
    url = f"{sender.site_url()}/reports/{report.pk}/"
    subject = _("Report: %(name)s") % {"name": report.name}
    row = sender.prepare("report", user.email, subject, ref_id=report.pk)
    context = {"report": report, "url": url, "header": header, "schedule": schedule,
               "rows": [[charts.number(v) if isinstance(v, (int, float)) or hasattr(
                   v, "quantize") else v for v in r] for r in rows]}
    text = render_to_string("reports/email.txt", context)
    html = render_to_string("reports/email.html", context)
    email = sender.build(row, text=text, html=html)
    image = MIMEPart()
    image.set_content(svg.encode(), maintype="image", subtype="svg+xml", cid="<chart@vinculo>",
                      disposition="inline", filename="chart.svg")
    email.attach(image)
    slug = "".join(c if c.isalnum() else "-" for c in report.name)[:60] or "report"
    if schedule.attachment == "xlsx":
        email.attach(f"{slug}.xlsx", exports.to_xlsx(result, report.name), XLSX)
    else:
        email.attach(f"{slug}.csv", exports.to_csv(result), "text/csv")
    return row, email
