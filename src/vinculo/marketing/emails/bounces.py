"""Bounces: by Message-ID, or read from a bounce message (RFC 3464 DSN or a plain
returned message that quotes the original headers)."""

from __future__ import annotations

import email
import email.policy
import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vinculo.channels import tracking

MESSAGE_ID = re.compile(r"^(?:Original-)?Message-ID:\s*(<[^>\s]+>)", re.I | re.M)


def parse(raw: str | bytes) -> tuple[str | None, str]:
    """(the bounced message's Message-ID, a reason) from a bounce message."""
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    message = email.message_from_bytes(data, policy=email.policy.default)
    reason, found = "", None
    for part in message.walk():
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            text = part.as_string() if not part.is_multipart() else ""
            for block in part.get_payload() if part.is_multipart() else []:
                text += str(block)
            status = re.search(r"^Status:\s*(\S+)", text, re.M | re.I)
            diag = re.search(r"^Diagnostic-Code:\s*(.+)$", text, re.M | re.I)
            reason = " ".join(x for x in (status and status.group(1),
                                          diag and diag.group(1).strip()) if x)
        elif ctype in ("message/rfc822", "text/rfc822-headers") and found is None:
            body = part.as_string()
            inner = body.split("\n\n", 1)[1] if ctype == "message/rfc822" else body
            match = MESSAGE_ID.search(inner) or MESSAGE_ID.search(body)
            if match:
                found = match.group(1)
    if found is None:
        own = message.get("Message-ID", "")
        for match in MESSAGE_ID.finditer(data.decode("utf-8", "replace")):
            if match.group(1) != own:
                found = match.group(1)
                break
    return found, reason or (message.get("Subject", "") or "")[:200]


def record(*, message_id: str | None = None, raw: str | None = None,
           reason: str = "") -> dict[str, Any]:
    if not message_id and not raw:
        raise ValidationError({"message_id": [_("Give a Message-ID or a raw bounce message.")]})
    if raw and not message_id:
        message_id, parsed_reason = parse(raw)
        reason = reason or parsed_reason
        if not message_id:
            raise ValidationError({"raw": [_("No Message-ID of ours found in this message.")]})
    outcome = tracking.record_bounce(message_id=message_id, reason=reason)
    if outcome.message is None:
        return {"recorded": False, "message_id": message_id,
                "detail": _("No message sent with this Message-ID.")}
    if not outcome.done:
        return {"recorded": False, "message_id": outcome.message.message_id,
                "detail": _("This bounce was already recorded; nothing changed.")}
    return {"recorded": True, "message_id": outcome.message.message_id,
            "detail": _("Bounce recorded.")}
