"""Outgoing webhooks, delivered to a real HTTP server started on 127.0.0.1 by the test:
signatures, retries with exponential backoff, the delivery log, pausing, re-sending, and
the refusal of private targets."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from vinculo.automation.webhooks import net, services
from vinculo.automation.webhooks.models import Delivery, Webhook

pytestmark = pytest.mark.django_db


class Receiver:
    """A local HTTP server that records what it receives and answers the scripted codes."""

    def __init__(self):
        self.requests: list[dict] = []
        self.codes: list[int] = []
        self.default = 200
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                receiver.requests.append({"path": self.path, "headers": dict(self.headers),
                                          "body": body})
                code = receiver.codes.pop(0) if receiver.codes else receiver.default
                answer = f"answer {code}".encode()
                self.send_response(code)
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver(settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    r = Receiver()
    yield r
    r.close()


@pytest.fixture
def send_now(django_capture_on_commit_callbacks):
    """Run what waits for the commit (event dispatch, re-sends) as the worker would."""
    def run(func, *args, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return func(*args, **kwargs)

    return run


def subscribe(admin_api, url, events=("contacts.created", "contacts.updated")) -> dict:
    r = admin_api.post("webhooks", {"url": url, "events": list(events), "name": "CRM sync"})
    assert r.status_code == 201, r.content
    return r.json()


def deliveries(admin_api, hook) -> list[dict]:
    r = admin_api.get(f"webhooks/{hook['id']}/deliveries")
    assert r.status_code == 200, r.content
    return r.json()["items"]


def expected_signature(secret: str, header: str, body: bytes) -> bool:
    parts = dict(p.split("=", 1) for p in header.split(","))
    mac = hmac.new(secret.encode(), parts["t"].encode() + b"." + body, hashlib.sha256)
    return hmac.compare_digest(mac.hexdigest(), parts["v1"])


def test_a_signed_delivery_reaches_the_receiver(receiver, admin_api, rep_api, send_now):
    hook = subscribe(admin_api, receiver.url)
    assert hook["secret"].startswith("whsec_")
    assert "secret" not in admin_api.get(f"webhooks/{hook['id']}").json()
    r = send_now(rep_api.post, "contacts", {"first_name": "Lucía", "last_name": "Pérez",
                                            "email": "lucia@example.com"})
    assert r.status_code == 201
    contact_id = r.json()["id"]
    assert len(receiver.requests) == 1
    got = receiver.requests[0]
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["x-vinculo-event"] == "contacts.created"
    assert headers["content-type"] == "application/json"
    assert expected_signature(hook["secret"], headers["x-vinculo-signature"], got["body"])
    assert services.verify(hook["secret"], got["body"], headers["x-vinculo-signature"])
    assert not services.verify("whsec_other", got["body"], headers["x-vinculo-signature"])
    payload = json.loads(got["body"])
    assert set(payload) == {"event", "occurred_at", "data", "changed"}
    assert payload["event"] == "contacts.created"
    assert payload["data"]["id"] == contact_id
    assert payload["data"]["email"] == "lucia@example.com"
    assert {"first_name", "last_name", "email"} <= set(payload["changed"])
    # an update carries the changed fields only
    send_now(rep_api.patch, f"contacts/{contact_id}", {"city": "Sevilla"})
    payload = json.loads(receiver.requests[1]["body"])
    assert (payload["event"], payload["changed"]) == ("contacts.updated", ["city"])
    assert payload["data"]["city"] == "Sevilla"
    # events not subscribed to are not sent
    send_now(rep_api.delete, f"contacts/{contact_id}")
    assert len(receiver.requests) == 2
    log = deliveries(admin_api, hook)
    assert [d["status"] for d in log] == ["succeeded", "succeeded"]
    attempt = log[0]["attempt_log"][0]
    assert attempt["status_code"] == 200 and attempt["succeeded"]
    assert attempt["response_excerpt"] == "answer 200" and attempt["duration_ms"] >= 0


def test_a_500_is_retried_with_exponential_backoff(receiver, admin_api, rep_api, send_now,
                                                   settings):
    settings.VINCULO_WEBHOOK_BACKOFF_SECONDS = 30
    settings.VINCULO_WEBHOOK_MAX_ATTEMPTS = 4
    hook = subscribe(admin_api, receiver.url)
    receiver.codes = [500, 503, 500, 500]
    send_now(rep_api.post, "contacts", {"last_name": "Retry"})
    delivery = Delivery.objects.get()
    waits = []
    while delivery.status == "retrying":
        last = delivery.attempt_log.order_by("-number").first()
        waits.append((delivery.next_attempt_at - last.at).total_seconds())
        # not due yet: nothing is sent
        assert services.retry_due(now=delivery.next_attempt_at - dt.timedelta(seconds=1)) == 0
        assert services.retry_due(now=delivery.next_attempt_at) == 1
        delivery.refresh_from_db()
    assert waits == [30, 60, 120]
    assert delivery.status == "failed" and delivery.attempts == 4
    log = deliveries(admin_api, hook)[0]["attempt_log"]
    assert [a["status_code"] for a in log] == [500, 503, 500, 500]
    assert log[0]["error"] == "The target answered 500." and log[0]["response_excerpt"] == (
        "answer 500")
    # every attempt carried the same body, freshly signed
    bodies = {r["body"] for r in receiver.requests}
    assert len(receiver.requests) == 4 and len(bodies) == 1


def test_a_retry_that_succeeds_ends_the_delivery(receiver, admin_api, rep_api, send_now):
    subscribe(admin_api, receiver.url)
    receiver.codes = [500]
    send_now(rep_api.post, "contacts", {"last_name": "Second time lucky"})
    delivery = Delivery.objects.get()
    assert delivery.status == "retrying" and delivery.last_status_code == 500
    services.retry_due(now=delivery.next_attempt_at)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_status_code) == (
        "succeeded", 2, 200)
    assert Webhook.objects.get().consecutive_failures == 0


def test_repeated_failures_pause_the_webhook(receiver, admin_api, rep_api, send_now, settings):
    settings.VINCULO_WEBHOOK_PAUSE_AFTER = 3
    hook = subscribe(admin_api, receiver.url)
    receiver.default = 500
    send_now(rep_api.post, "contacts", {"last_name": "One"})
    send_now(rep_api.post, "contacts", {"last_name": "Two"})
    assert Webhook.objects.get().active
    send_now(rep_api.post, "contacts", {"last_name": "Three"})
    body = admin_api.get(f"webhooks/{hook['id']}").json()
    assert body["active"] is False and body["paused_at"] is not None
    assert "3 failed attempts" in body["paused_reason"]
    assert set(Delivery.objects.values_list("status", flat=True)) == {"retrying", "failed"}
    # paused: no new deliveries, and due retries are not sent
    sent = len(receiver.requests)
    send_now(rep_api.post, "contacts", {"last_name": "Four"})
    services.retry_due(now=dt.datetime.now(dt.UTC) + dt.timedelta(days=1))
    assert len(receiver.requests) == sent == 3
    assert Delivery.objects.count() == 3
    assert not Delivery.objects.filter(status="retrying").exists()
    # switched on again: a fresh start
    receiver.default = 200
    r = admin_api.patch(f"webhooks/{hook['id']}", {"active": True})
    assert r.json()["active"] and r.json()["paused_at"] is None
    assert r.json()["consecutive_failures"] == 0
    send_now(rep_api.post, "contacts", {"last_name": "Five"})
    assert Delivery.objects.order_by("-id").first().status == "succeeded"


def test_a_host_that_does_not_answer_is_logged_clearly(settings, admin_api, rep_api, send_now):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    hook = subscribe(admin_api, f"http://127.0.0.1:{port}/hook")
    send_now(rep_api.post, "contacts", {"last_name": "Nobody home"})
    d = deliveries(admin_api, hook)[0]
    assert d["status"] == "retrying"
    attempt = d["attempt_log"][0]
    assert attempt["status_code"] is None and not attempt["succeeded"]
    assert attempt["error"] == f"Connection refused by 127.0.0.1 port {port}."


def test_resend_sends_the_same_body_again(receiver, admin_api, rep_api, send_now):
    hook = subscribe(admin_api, receiver.url)
    send_now(rep_api.post, "contacts", {"last_name": "Again"})
    first = deliveries(admin_api, hook)[0]
    # even while paused: the way to check a fixed receiver
    Webhook.objects.filter(pk=hook["id"]).update(active=False)
    r = send_now(admin_api.post, f"webhooks/{hook['id']}/deliveries/{first['id']}/resend")
    assert r.status_code == 202, r.content
    assert r.json()["resent_from_id"] == first["id"]
    assert len(receiver.requests) == 2
    assert receiver.requests[0]["body"] == receiver.requests[1]["body"]
    log = deliveries(admin_api, hook)
    assert log[0]["id"] == r.json()["id"] and log[0]["status"] == "succeeded"
    assert rep_api.post(f"webhooks/{hook['id']}/deliveries/{first['id']}/resend"
                        ).status_code == 403
    assert admin_api.post(f"webhooks/{hook['id']}/deliveries/999999/resend").status_code == 404


@pytest.mark.parametrize("url", [
    "http://10.0.0.1/hook", "http://169.254.169.254/latest/meta-data/",
    "http://localhost:8000/hook", "http://127.0.0.1/hook", "http://[::1]/hook",
    "http://192.168.1.20/hook", "ftp://example.com/hook", "file:///etc/passwd",
    "http:///nohost", "not a url"])
def test_private_targets_and_other_schemes_are_refused(url, admin_api, settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = False
    r = admin_api.post("webhooks", {"url": url, "events": ["contacts.created"]})
    assert r.status_code == 422, r.content
    assert r.json()["detail"][0]["loc"] == ["body", "url"]
    assert not Webhook.objects.exists()
    with pytest.raises(ValidationError):
        net.check_target(url)


def test_a_target_refused_at_delivery_time_is_not_retried(receiver, admin_api, rep_api,
                                                          send_now, settings):
    hook = subscribe(admin_api, receiver.url)
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = False
    send_now(rep_api.post, "contacts", {"last_name": "Blocked"})
    d = deliveries(admin_api, hook)[0]
    assert d["status"] == "failed" and receiver.requests == []
    assert "loopback" in d["attempt_log"][0]["error"]


def test_bad_subscriptions_and_permissions(admin_api, rep_api, receiver):
    r = admin_api.post("webhooks", {"url": receiver.url, "events": ["martians.created"]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "events", 0]
    r = admin_api.post("webhooks", {"url": receiver.url, "events": []})
    assert r.status_code == 422
    r = admin_api.post("webhooks", {"url": receiver.url, "events": ["contacts.created"],
                                    "colour": "red"})
    assert r.status_code == 422
    assert rep_api.get("webhooks").status_code == 403
    assert rep_api.post("webhooks", {"url": receiver.url,
                                     "events": ["contacts.created"]}).status_code == 403
    hook = subscribe(admin_api, receiver.url)
    assert rep_api.get(f"webhooks/{hook['id']}/deliveries").status_code == 403
    assert admin_api.get("webhooks/999999/deliveries").status_code == 404
    r = admin_api.post(f"webhooks/{hook['id']}/rotate-secret")
    assert r.status_code == 200 and r.json()["secret"] != hook["secret"]
    assert admin_api.delete(f"webhooks/{hook['id']}").status_code == 204


def test_deleted_records_are_announced_with_their_data(receiver, admin_api, rep_api,
                                                       send_now):
    subscribe(admin_api, receiver.url, events=["accounts.deleted"])
    account = rep_api.post("accounts", {"name": "Gone Ltd"}).json()
    send_now(rep_api.delete, f"accounts/{account['id']}")
    payload = json.loads(receiver.requests[0]["body"])
    assert payload["event"] == "accounts.deleted"
    assert payload["data"]["name"] == "Gone Ltd" and payload["data"]["deleted_at"]


@pytest.mark.skipif(connection.vendor == "sqlite", reason=(
    "the in-memory SQLite test database fails concurrent writers at once instead of waiting"))
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_send_a_delivery_once(receiver, settings):
    hook = services.create_webhook({"url": receiver.url, "events": ["contacts.created"]})
    delivery = Delivery.objects.create(webhook=hook, event="contacts.created", body="{}",
                                       next_attempt_at=dt.datetime.now(dt.UTC))
    results: list[str] = []
    barrier = threading.Barrier(4)

    def worker():
        try:
            barrier.wait()
            results.append(services.attempt(delivery.pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["", "", "", "succeeded"]
    assert len(receiver.requests) == 1


def test_a_host_that_cannot_be_resolved_is_retried(receiver, admin_api, rep_api, send_now):
    hook = subscribe(admin_api, receiver.url)
    Webhook.objects.filter(pk=hook["id"]).update(url="http://no-such-host.invalid/hook")
    send_now(rep_api.post, "contacts", {"last_name": "Lost"})
    d = deliveries(admin_api, hook)[0]
    assert d["status"] == "retrying"
    assert d["attempt_log"][0]["error"] == "The host no-such-host.invalid could not be resolved."
    r = admin_api.post("webhooks", {"url": "http://no-such-host.invalid/",
                                    "events": ["contacts.created"]})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "url"]


def test_a_test_event_is_sent_even_while_paused(receiver, admin_api, send_now):
    hook = subscribe(admin_api, receiver.url)
    Webhook.objects.filter(pk=hook["id"]).update(active=False)
    r = send_now(admin_api.post, f"webhooks/{hook['id']}/ping")
    assert r.status_code == 202 and r.json()["event"] == "ping"
    got = receiver.requests[0]
    assert json.loads(got["body"])["data"] == {"webhook_id": hook["id"]}
    headers = {k.lower(): v for k, v in got["headers"].items()}
    assert headers["x-vinculo-event"] == "ping"
    assert services.verify(hook["secret"], got["body"], headers["x-vinculo-signature"])
    assert deliveries(admin_api, hook)[0]["status"] == "succeeded"


def test_old_finished_deliveries_leave_the_log(settings):
    settings.VINCULO_ALLOW_PRIVATE_WEBHOOKS = True
    hook = services.create_webhook({"url": "http://127.0.0.1:9/", "events": ["contacts.created"]})
    old = dt.datetime.now(dt.UTC) - dt.timedelta(days=31)
    done = Delivery.objects.create(webhook=hook, event="contacts.created", body="{}",
                                   status="succeeded", created_at=old)
    Delivery.objects.create(webhook=hook, event="contacts.created", body="{}",
                            status="retrying", created_at=old)
    Delivery.objects.create(webhook=hook, event="contacts.created", body="{}",
                            status="failed")
    assert services.prune() == 1
    assert not Delivery.objects.filter(pk=done.pk).exists()
    assert Delivery.objects.count() == 2
