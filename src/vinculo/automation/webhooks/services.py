"""Outgoing webhooks at work: subscriptions, signed deliveries, retries, pausing, re-sending.

Record events (`vinculo.platform.events`, after commit) reach `on_record_changed`, which
freezes one JSON body per event and makes a `Delivery` per matching active webhook; each
delivery is sent by a background task (`tasks.deliver_webhook`). Every attempt is logged
(status code, duration, error, response excerpt). A failed attempt is retried after
`VINCULO_WEBHOOK_BACKOFF_SECONDS` × 2^(attempt − 1) (re-enqueued with `run_after`; a
schedule picks up anything overdue), up to `VINCULO_WEBHOOK_MAX_ATTEMPTS`; after
`VINCULO_WEBHOOK_PAUSE_AFTER` failed attempts in a row the webhook is paused.

Signature: header `X-Vinculo-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>" keyed by the secret>`; `X-Vinculo-Event` names the event and
`X-Vinculo-Delivery` the delivery.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import logging
import time
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from vinculo.platform import events, memo, registry
from vinculo.platform.records import has_tags, jsonable, writable_fields

from . import net
from .models import Attempt, Delivery, DeliveryStatus, Webhook, new_secret

logger = logging.getLogger(__name__)

OPERATIONS = ("created", "updated", "deleted", "restored")
MAX_EVENTS = 500
EXCERPT = 1000
LEASE = dt.timedelta(minutes=5)  # a delivery being sent is not picked up again before this


def max_attempts() -> int:
    return max(1, int(getattr(settings, "VINCULO_WEBHOOK_MAX_ATTEMPTS", 8)))


def backoff_seconds() -> float:
    return float(getattr(settings, "VINCULO_WEBHOOK_BACKOFF_SECONDS", 30))


def pause_after() -> int:
    return max(1, int(getattr(settings, "VINCULO_WEBHOOK_PAUSE_AFTER", 10)))


def timeout_seconds() -> float:
    return float(getattr(settings, "VINCULO_WEBHOOK_TIMEOUT", 10))


def backoff(failed_attempts: int) -> dt.timedelta:
    """The wait after the n-th failed attempt: base, 2×base, 4×base, …"""
    return dt.timedelta(seconds=backoff_seconds() * 2 ** max(0, failed_attempts - 1))


# ------------------------------------------------------------------------------ subscriptions


def event_names() -> list[str]:
    return [f"{entity}.{op}" for entity in registry.names() for op in OPERATIONS]


def _clean_events(value: Any) -> list[str]:
    if not isinstance(value, list) or not value:
        raise ValidationError({"events": [_("Choose at least one event.")]})
    if len(value) > MAX_EVENTS:
        raise ValidationError({"events": [_("At most %(n)d events.") % {"n": MAX_EVENTS}]})
    known = set(event_names())
    for i, name in enumerate(value):
        if not isinstance(name, str) or name not in known:
            raise ValidationError({f"events.{i}": [
                _("Unknown event '%(event)s': use <resource>.created, .updated, .deleted or "
                  ".restored.") % {"event": name}]})
    return list(dict.fromkeys(value))


def _clean(data: dict[str, Any], webhook: Webhook | None = None) -> dict[str, Any]:
    cleaned: dict[str, Any] = {}
    if "url" in data or webhook is None:
        url = data.get("url")
        if not isinstance(url, str) or not url.strip():
            raise ValidationError({"url": [_("This field is required.")]})
        url = url.strip()
        if len(url) > 2000:
            raise ValidationError({"url": [_("At most %(n)d characters.") % {"n": 2000}]})
        net.check_target(url)
        cleaned["url"] = url
    if "events" in data or webhook is None:
        cleaned["events"] = _clean_events(data.get("events"))
    if "name" in data:
        name = data["name"] or ""
        if not isinstance(name, str) or len(name) > 120:
            raise ValidationError({"name": [_("At most %(n)d characters.") % {"n": 120}]})
        cleaned["name"] = name.strip()
    if "active" in data and data["active"] is not None:
        if not isinstance(data["active"], bool):
            raise ValidationError({"active": [_("Expected true or false.")]})
        cleaned["active"] = data["active"]
    return cleaned


def create_webhook(data: dict[str, Any], actor: Any = None) -> Webhook:
    cleaned = _clean(data)
    return Webhook.objects.create(**cleaned, created_by=actor if getattr(actor, "pk", None)
                                  else None)


def update_webhook(webhook: Webhook, data: dict[str, Any]) -> Webhook:
    cleaned = _clean(data, webhook)
    for key, value in cleaned.items():
        setattr(webhook, key, value)
    if cleaned.get("active") is True:  # switched on again: a fresh start
        webhook.paused_at = None
        webhook.paused_reason = ""
        webhook.consecutive_failures = 0
    webhook.version += 1
    webhook.updated_at = timezone.now()
    webhook.save()
    return webhook


def rotate_secret(webhook: Webhook) -> Webhook:
    webhook.secret = new_secret()
    webhook.version += 1
    webhook.updated_at = timezone.now()
    webhook.save(update_fields=["secret", "version", "updated_at"])
    return webhook


# ------------------------------------------------------------------------------ payloads


def record_data(entity_name: str, record_id: int) -> dict[str, Any] | None:
    """The record as JSON (its fields by API name, custom values, tags), or None if gone."""
    entity = registry.maybe(entity_name)
    if entity is None:
        return None
    manager = getattr(entity.model, "all_objects", entity.model._base_manager)
    obj = manager.filter(pk=record_id).first()
    if obj is None:
        return None
    data: dict[str, Any] = {"id": obj.pk}
    for name in ("version", "created_at", "updated_at", "deleted_at"):
        if hasattr(obj, name):
            data[name] = jsonable(getattr(obj, name))
    for name, f in writable_fields(type(obj)).items():
        if name == "custom":
            continue
        data[name] = jsonable(getattr(obj, f.attname))
    for f in type(obj)._meta.concrete_fields:  # read-only values users see (status, totals)
        if not f.editable and f.attname not in data and not f.primary_key and f.attname not in (
                "search_vector",) and not isinstance(f, models.BinaryField):
            value = getattr(obj, f.attname)
            if isinstance(value, (str, int, float, bool, type(None), dt.date, dt.datetime)) or (
                    hasattr(value, "as_tuple")):
                data[f.attname] = jsonable(value)
    if hasattr(obj, "custom"):
        data["custom"] = jsonable(obj.custom or {})
    if has_tags(type(obj)):
        data["tags"] = sorted(t.name for t in obj.tags.all())
    return data


def body_for(event: events.RecordChanged, data: dict[str, Any]) -> str:
    payload = {"event": event.name, "occurred_at": event.occurred_at, "data": data,
               "changed": list(event.changed)}
    return json.dumps(payload, cls=DjangoJSONEncoder, ensure_ascii=False,
                      separators=(",", ":"))


def sign(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


def verify(secret: str, body: bytes, header: str, tolerance: int | None = 300,
           now: float | None = None) -> bool:
    """What a receiver does: check the signature header (and that it is recent)."""
    try:
        parts = dict(p.split("=", 1) for p in header.split(","))
        timestamp = int(parts["t"])
    except (ValueError, KeyError):
        return False
    if tolerance is not None and abs((now or time.time()) - timestamp) > tolerance:
        return False
    expected = sign(secret, body, timestamp).split("v1=", 1)[1]
    return hmac.compare_digest(expected, parts.get("v1", ""))


def wants_events(entity: str) -> bool:
    """Whether an active webhook listens to any event of the entity."""
    prefix = f"{entity}."
    return any(e.startswith(prefix) for w in _active_webhooks() for e in (w.events or []))


def _active_webhooks() -> list[Webhook]:
    return memo.memo("webhooks.active", lambda: list(Webhook.objects.filter(active=True)))


def subscribed(event_name: str) -> list[Webhook]:
    return [w for w in _active_webhooks() if event_name in (w.events or [])]


@events.subscribe("*", wants=wants_events)
def on_record_changed(event: events.RecordChanged) -> None:
    """Make a delivery per active webhook subscribed to the event, and send each."""
    hooks = subscribed(event.name)
    if not hooks:
        return
    data = record_data(event.entity, event.record_id)
    if data is None:
        data = {"id": event.record_id}
    body = body_for(event, data)
    now = timezone.now()
    deliveries = [Delivery.objects.create(webhook=w, event=event.name, entity=event.entity,
                                          record_id=event.record_id, body=body,
                                          next_attempt_at=now) for w in hooks]
    for delivery in deliveries:
        enqueue(delivery.pk)


# ------------------------------------------------------------------------------ sending


def enqueue(delivery_id: int, run_after: dt.datetime | None = None, manual: bool = False
            ) -> None:
    from .tasks import deliver_webhook

    task = deliver_webhook
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the retry schedule picks it up when due
        task = task.using(run_after=run_after)
    task.enqueue(delivery_id, manual)


def _claim(delivery_id: int, now: dt.datetime, manual: bool) -> bool:
    due = Delivery.objects.filter(pk=delivery_id, status__in=[
        DeliveryStatus.PENDING, DeliveryStatus.RETRYING])
    if not manual:
        due = due.filter(next_attempt_at__lte=now)
    return bool(due.update(status=DeliveryStatus.SENDING, next_attempt_at=now + LEASE))


def attempt(delivery_id: int, *, now: dt.datetime | None = None, manual: bool = False) -> str:
    """Send a delivery once if it is due; log the attempt; plan the retry or pause the
    webhook. Returns the delivery's status afterwards ("" when it was not due)."""
    now = now or timezone.now()
    if not _claim(delivery_id, now, manual):
        return ""
    delivery = Delivery.objects.select_related("webhook").get(pk=delivery_id)
    webhook = delivery.webhook
    if not webhook.active and not manual:
        Delivery.objects.filter(pk=delivery.pk).update(
            status=DeliveryStatus.SKIPPED, next_attempt_at=None, finished_at=now,
            last_error=_("The webhook is paused."))
        return DeliveryStatus.SKIPPED
    body = delivery.body.encode("utf-8")
    timestamp = int(now.timestamp())
    headers = {"X-Vinculo-Signature": sign(webhook.secret, body, timestamp),
               "X-Vinculo-Event": delivery.event, "X-Vinculo-Delivery": str(delivery.pk)}
    status_code: int | None = None
    text, error, final = "", "", False
    started = time.monotonic()
    try:
        status_code, text = net.post_json(webhook.url, body, headers, timeout_seconds())
    except ValidationError as exc:
        error = "; ".join(m for ms in exc.message_dict.values() for m in ms) if hasattr(
            exc, "error_dict") else "; ".join(exc.messages)
        final = True  # a refused target does not get better by waiting
    except net.DeliveryError as exc:
        error = str(exc)
    duration = int((time.monotonic() - started) * 1000)
    succeeded = status_code is not None and 200 <= status_code < 300
    if status_code is not None and not succeeded:
        error = _("The target answered %(code)s.") % {"code": status_code}
    number = delivery.attempts + 1
    with transaction.atomic():
        Attempt.objects.create(delivery=delivery, number=number, at=now,
                               status_code=status_code, duration_ms=duration,
                               error=error[:500], response_excerpt=(text or "")[:EXCERPT],
                               succeeded=succeeded)
        delivery.attempts = number
        delivery.last_status_code = status_code
        delivery.last_error = error[:500]
        if succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.next_attempt_at = None
            delivery.finished_at = now
            Webhook.objects.filter(pk=webhook.pk).update(consecutive_failures=0)
        else:
            Webhook.objects.filter(pk=webhook.pk).update(
                consecutive_failures=F("consecutive_failures") + 1)
            webhook.refresh_from_db(fields=["consecutive_failures", "active", "paused_at"])
            if webhook.active and webhook.consecutive_failures >= pause_after():
                pause(webhook, now, _("Paused after %(n)d failed attempts in a row.") % {
                    "n": webhook.consecutive_failures})
            if final or number >= max_attempts() or not webhook.active:
                delivery.status = DeliveryStatus.FAILED
                delivery.next_attempt_at = None
                delivery.finished_at = now
            else:
                delivery.status = DeliveryStatus.RETRYING
                delivery.next_attempt_at = now + backoff(number)
        delivery.save(update_fields=["attempts", "last_status_code", "last_error", "status",
                                     "next_attempt_at", "finished_at"])
    if delivery.status == DeliveryStatus.RETRYING:
        transaction.on_commit(lambda: enqueue(delivery.pk, delivery.next_attempt_at),
                              robust=True)
    return delivery.status


def pause(webhook: Webhook, now: dt.datetime, reason: str) -> None:
    Webhook.objects.filter(pk=webhook.pk).update(active=False, paused_at=now,
                                                 paused_reason=reason[:300],
                                                 version=F("version") + 1, updated_at=now)
    webhook.active, webhook.paused_at, webhook.paused_reason = False, now, reason
    logger.warning("Webhook %s (%s) paused: %s", webhook.pk, webhook.url, reason)


def retry_due(now: dt.datetime | None = None) -> int:
    """Queue every delivery whose retry is due (and any left half-sent by a lost worker);
    the workers send them in parallel. Returns how many were queued."""
    now = now or timezone.now()
    Delivery.objects.filter(status=DeliveryStatus.SENDING, next_attempt_at__lte=now).update(
        status=DeliveryStatus.RETRYING)
    due = list(Delivery.objects.filter(
        status__in=[DeliveryStatus.PENDING, DeliveryStatus.RETRYING],
        next_attempt_at__lte=now).order_by("next_attempt_at").values_list("pk", flat=True)[:1000])
    from .tasks import deliver_webhook

    for delivery_id in due:
        deliver_webhook.enqueue(delivery_id, False, now.isoformat())
    return len(due)


def resend(delivery: Delivery) -> Delivery:
    """A new delivery of the same body (signed afresh), sent now even if the webhook is
    paused — the way to check a fixed receiver before switching the webhook on again."""
    copy = Delivery.objects.create(webhook=delivery.webhook, event=delivery.event,
                                   entity=delivery.entity, record_id=delivery.record_id,
                                   body=delivery.body, resent_from=delivery,
                                   next_attempt_at=timezone.now())
    transaction.on_commit(lambda: enqueue(copy.pk, manual=True), robust=True)
    return copy


def ping(webhook: Webhook) -> Delivery:
    """A test delivery (event `ping`, data `{"webhook_id": …}`), sent now even if paused."""
    body = json.dumps({"event": "ping", "occurred_at": timezone.now().isoformat(),
                       "data": {"webhook_id": webhook.pk}, "changed": []},
                      separators=(",", ":"))
    delivery = Delivery.objects.create(webhook=webhook, event="ping", body=body,
                                       next_attempt_at=timezone.now())
    transaction.on_commit(lambda: enqueue(delivery.pk, manual=True), robust=True)
    return delivery


def log_days() -> int:
    return max(1, int(getattr(settings, "VINCULO_WEBHOOK_LOG_DAYS", 30)))


def prune(now: dt.datetime | None = None) -> int:
    """Forget finished deliveries (and their attempts) older than the log keeps."""
    cutoff = (now or timezone.now()) - dt.timedelta(days=log_days())
    deleted, _counts = Delivery.objects.filter(
        created_at__lt=cutoff, status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED,
                                           DeliveryStatus.SKIPPED]).delete()
    return deleted
