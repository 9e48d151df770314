"""Provider adapters: one interface for every channel account.

    send(message) -> external id          (raises SendError)
    parse_inbound(request) -> [InboundMessage]
    parse_status(request) -> [StatusUpdate]
    verify(request) -> None               (raises Forged / Replayed)

`TwilioAdapter` speaks Twilio's form-encoded webhooks (`X-Twilio-Signature`) and its REST API
shape; `JsonAdapter` speaks signed JSON (`X-Vinculo-Signature: t=…,v1=…`, the same scheme as
our outgoing webhooks) with a replay window and an event-id store.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import ChannelAccount, Message, WebhookReceipt

MAX_BODY_BYTES = 64 * 1024
MAX_TEXT = {"sms": 1600, "whatsapp": 4096}
DEFAULT_MAX_TEXT = 5000
REPLAY_WINDOW = 300  # seconds a signed JSON webhook stays valid
SEND_TIMEOUT = 10


class WebhookRefused(Exception):
    status = 400


class Forged(WebhookRefused):
    status = 403


class Replayed(WebhookRefused):
    status = 409


class TooLarge(WebhookRefused):
    status = 413


class BadPayload(WebhookRefused):
    status = 422


class SendError(Exception):
    pass


@dataclass
class InboundMessage:
    channel: str
    address: str  # the customer's number, e-mail or handle
    body: str
    external_id: str = ""
    thread_id: str = ""
    network: str = ""
    kind: str = "message"  # "message" or "mention" (social)
    url: str = ""
    name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass
class StatusUpdate:
    external_id: str
    status: str
    error: str = ""


@dataclass
class InboundCall:
    call_sid: str
    from_number: str
    to_number: str
    status: str
    direction: str
    duration_seconds: int | None = None


def max_text(channel: str) -> int:
    return MAX_TEXT.get(channel, DEFAULT_MAX_TEXT)


def remember(account: ChannelAccount, nonce: str) -> None:
    """Record a webhook's nonce once; a second time is a replay."""
    try:
        with transaction.atomic():
            WebhookReceipt.objects.create(account=account, nonce=nonce[:200])
    except IntegrityError:
        raise Replayed(_("This webhook was already received.")) from None


class Adapter:
    def __init__(self, account: ChannelAccount):
        self.account = account

    def verify(self, request: HttpRequest) -> None:
        raise NotImplementedError

    def parse_inbound(self, request: HttpRequest) -> list[InboundMessage]:
        raise NotImplementedError

    def parse_status(self, request: HttpRequest) -> list[StatusUpdate]:
        raise NotImplementedError

    def send(self, message: Message) -> str:
        raise NotImplementedError

    def nonce(self, request: HttpRequest) -> str:
        raise NotImplementedError

    def check_size(self, request: HttpRequest) -> None:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        if (declared.isdigit() and int(declared) > MAX_BODY_BYTES) \
                or len(request.body) > MAX_BODY_BYTES:
            raise TooLarge(_("The webhook is too large."))


def public_url(account: ChannelAccount, request: HttpRequest) -> str:
    """The URL the provider posted to (what its signature covers)."""
    if account.public_base_url:
        return account.public_base_url.rstrip("/") + request.get_full_path()
    return request.build_absolute_uri()


# ------------------------------------------------------------------------------ Twilio


def twilio_signature(token: str, url: str, params: dict[str, str]) -> str:
    """Base64 HMAC-SHA1 of the full URL followed by each POST parameter (name then value,
    names sorted), keyed by the auth token — Twilio's request validation."""
    data = url + "".join(f"{k}{params[k]}" for k in sorted(params))
    mac = hmac.new(token.encode(), data.encode(), hashlib.sha1)
    return base64.b64encode(mac.digest()).decode()


TWILIO_STATUSES = {"queued", "sending", "sent", "delivered", "failed", "undelivered", "read",
                   "accepted", "scheduled", "receiving", "received"}


class TwilioAdapter(Adapter):
    def _params(self, request: HttpRequest) -> dict[str, str]:
        return {k: request.POST.get(k, "") for k in request.POST}

    def verify(self, request: HttpRequest) -> None:
        self.check_size(request)
        given = request.headers.get("X-Twilio-Signature", "")
        expected = twilio_signature(self.account.secret, public_url(self.account, request),
                                    self._params(request))
        if not given or not self.account.secret or not hmac.compare_digest(given, expected):
            raise Forged(_("The signature does not match."))

    def nonce(self, request: HttpRequest) -> str:
        post = request.POST
        sid = post.get("MessageSid") or post.get("SmsSid") or post.get("CallSid") or ""
        state = post.get("MessageStatus") or post.get("SmsStatus") or post.get("CallStatus") or ""
        if not sid:
            raise BadPayload(_("MessageSid or CallSid is missing."))
        return f"twilio:{sid}:{state}"

    def parse_inbound(self, request: HttpRequest) -> list[InboundMessage]:
        post = request.POST
        sender, body = post.get("From", "").strip(), post.get("Body", "")
        if not sender:
            raise BadPayload(_("From is missing."))
        if len(body) > max_text(self.account.channel):
            raise BadPayload(_("The message is too long."))
        channel = self.account.channel
        if sender.startswith("whatsapp:"):
            sender, channel = sender.removeprefix("whatsapp:"), "whatsapp"
        return [InboundMessage(channel=channel, address=sender, body=body,
                               external_id=post.get("MessageSid") or post.get("SmsSid", ""),
                               extra={"to": post.get("To", "")})]

    def parse_status(self, request: HttpRequest) -> list[StatusUpdate]:
        post = request.POST
        sid = post.get("MessageSid") or post.get("SmsSid") or ""
        status = (post.get("MessageStatus") or post.get("SmsStatus") or "").lower()
        if not sid or status not in TWILIO_STATUSES:
            raise BadPayload(_("Expected MessageSid and a known MessageStatus."))
        return [StatusUpdate(sid, status, post.get("ErrorCode", ""))]

    def parse_call(self, request: HttpRequest) -> InboundCall:
        post = request.POST
        sid, sender = post.get("CallSid", ""), post.get("From", "").strip()
        status = post.get("CallStatus", "").lower()
        if not sid or not sender or status not in {
                "queued", "ringing", "in-progress", "completed", "no-answer", "busy", "failed",
                "canceled"}:
            raise BadPayload(_("Expected CallSid, From and a known CallStatus."))
        duration = post.get("CallDuration") or post.get("DialCallDuration") or ""
        return InboundCall(sid, sender, post.get("To", ""),
                           "ringing" if status == "queued" else status,
                           post.get("Direction", "inbound"),
                           int(duration) if duration.isdigit() else None)

    def send(self, message: Message) -> str:
        account = self.account
        base = account.api_base_url.rstrip("/") or "https://api.twilio.com"
        url = f"{base}/2010-04-01/Accounts/{urllib.parse.quote(account.account_sid)}/Messages.json"
        to = message.conversation.address
        sender = account.address
        if message.conversation.channel == "whatsapp":
            to, sender = f"whatsapp:{to}", f"whatsapp:{sender}"
        form = {"To": to, "From": sender, "Body": message.body}
        if account.public_base_url:
            form["StatusCallback"] = (account.public_base_url.rstrip("/")
                                      + f"/inbox/hooks/{account.key}/status/")
        auth = base64.b64encode(f"{account.account_sid}:{account.secret}".encode()).decode()
        data = _post(url, urllib.parse.urlencode(form).encode(), {
            "Authorization": f"Basic {auth}",
            "Content-Type": "application/x-www-form-urlencoded"})
        sid = data.get("sid")
        if not sid:
            raise SendError(_("The provider gave no message id."))
        return str(sid)


# ------------------------------------------------------------------------------ JSON


def json_signature(secret: str, body: bytes, timestamp: int) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"t={timestamp},v1={mac.hexdigest()}"


class JsonAdapter(Adapter):
    """Events: `{"id", "type": "message"|"mention"|"status", "network", "handle" (or "from"),
    "text", "url", "thread_id", "message_id", "status"}` — one object or `{"events": [...]}`."""

    def verify(self, request: HttpRequest) -> None:
        self.check_size(request)
        header = request.headers.get("X-Vinculo-Signature", "")
        try:
            parts = dict(p.split("=", 1) for p in header.split(","))
            stamp = int(parts["t"])
        except (ValueError, KeyError):
            raise Forged(_("The signature header is missing or malformed.")) from None
        expected = json_signature(self.account.secret, request.body, stamp).split("v1=", 1)[1]
        if not self.account.secret or not hmac.compare_digest(expected, parts.get("v1", "")):
            raise Forged(_("The signature does not match."))
        if abs(time.time() - stamp) > REPLAY_WINDOW:
            raise Replayed(_("The signature is too old."))

    def events(self, request: HttpRequest) -> list[dict]:
        try:
            payload = json.loads(request.body or b"null")
        except (ValueError, RecursionError):
            raise BadPayload(_("The body is not valid JSON.")) from None
        items = payload.get("events") if isinstance(payload, dict) and "events" in payload \
            else [payload]
        if not isinstance(items, list) or not items or len(items) > 100 \
                or not all(isinstance(i, dict) for i in items):
            raise BadPayload(_("Expected an event object or {\"events\": [...]}."))
        return items

    def nonce(self, request: HttpRequest) -> str:
        events = self.events(request)
        ids = [str(e.get("id") or "") for e in events]
        if all(ids):
            return "json:" + ",".join(ids)[:190]
        # Without event ids the signature itself is the nonce (unique per body and time).
        return "sig:" + request.headers.get("X-Vinculo-Signature", "")[-64:]

    def parse_inbound(self, request: HttpRequest) -> list[InboundMessage]:
        found = []
        for event in self.events(request):
            if event.get("type", "message") not in ("message", "mention"):
                continue
            found.append(self._message(event))
        return found

    def _message(self, event: dict) -> InboundMessage:
        text = event.get("text", event.get("body", ""))
        sender = event.get("handle") or event.get("from") or ""
        if not isinstance(text, str) or not isinstance(sender, str) or not sender.strip():
            raise BadPayload(_("Each message needs a text and a handle (or from)."))
        if len(text) > max_text(self.account.channel):
            raise BadPayload(_("The message is too long."))
        kind = event.get("kind") or event.get("type") or "message"
        if kind not in ("message", "mention"):
            raise BadPayload(_("kind is message or mention."))
        return InboundMessage(
            channel=str(event.get("channel") or self.account.channel)[:10],
            address=sender.strip()[:200], body=text, kind=kind,
            external_id=str(event.get("message_id") or event.get("id") or "")[:200],
            thread_id=str(event.get("thread_id") or "")[:200],
            network=str(event.get("network") or "")[:40].lower(),
            url=str(event.get("url") or "")[:500], name=str(event.get("name") or "")[:200])

    def parse_status(self, request: HttpRequest) -> list[StatusUpdate]:
        updates = []
        for event in self.events(request):
            if event.get("type") != "status":
                continue
            status = str(event.get("status") or "").lower()
            if not event.get("message_id") or status not in TWILIO_STATUSES:
                raise BadPayload(_("A status needs message_id and a known status."))
            updates.append(StatusUpdate(str(event["message_id"]), status,
                                        str(event.get("error") or "")[:300]))
        return updates

    def send(self, message: Message) -> str:
        conversation = message.conversation
        body = json.dumps({"type": "message", "to": conversation.address,
                           "thread_id": conversation.thread_key, "network": conversation.network,
                           "text": message.body, "reference": message.pk}).encode()
        stamp = int(time.time())
        data = _post(self.account.api_base_url, body, {
            "Content-Type": "application/json",
            "X-Vinculo-Signature": json_signature(self.account.secret, body, stamp)})
        ref = data.get("id") or data.get("message_id")
        if not ref:
            raise SendError(_("The provider gave no message id."))
        return str(ref)


def _post(url: str, body: bytes, headers: dict[str, str]) -> dict:
    if not url.startswith(("http://", "https://")):
        raise SendError(_("The channel account has no provider URL."))
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=SEND_TIMEOUT) as response:
            raw = response.read(MAX_BODY_BYTES)
    except urllib.error.HTTPError as exc:
        raise SendError(_("The provider refused the message (HTTP %(code)s).")
                        % {"code": exc.code}) from None
    except (urllib.error.URLError, OSError, TimeoutError):
        raise SendError(_("The provider could not be reached.")) from None
    try:
        data = json.loads(raw or b"{}")
    except ValueError:
        raise SendError(_("The provider answered with something that is not JSON.")) from None
    return data if isinstance(data, dict) else {}


class EmailAdapter(Adapter):
    """Replies to e-mail threads through the configured mail server (inbound e-mail is filed
    by the e-mail-to-case module, not by a webhook)."""

    def verify(self, request: HttpRequest) -> None:
        raise Forged(_("E-mail accounts take no webhooks."))

    def send(self, message: Message) -> str:
        from vinculo.channels import sender

        conversation = message.conversation
        subject = conversation.subject or _("Your message")
        if not subject.lower().startswith("re:"):
            subject = f"Re: {subject}"
        try:
            row = sender.send_one("inbox", conversation.address, subject[:300],
                                  text=message.body, ref_id=message.pk)
        except Exception as exc:  # the mail server's error, whatever its class
            raise SendError(_("The mail server refused the message: %(error)s")
                            % {"error": str(exc)[:200]}) from None
        return row.message_id


# Adapters other modules give for a whole channel (the website chat), by channel.
_channel_adapters: dict[str, type[Adapter]] = {}


def register_channel_adapter(channel: str, adapter: type[Adapter]) -> None:
    _channel_adapters[channel] = adapter


def for_account(account: ChannelAccount) -> Adapter:
    if account.channel in _channel_adapters:
        return _channel_adapters[account.channel](account)
    if account.provider == "email":
        return EmailAdapter(account)
    return TwilioAdapter(account) if account.provider == "twilio" else JsonAdapter(account)
