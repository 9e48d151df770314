"""Signed tracking tokens and the public tracking pages with bad tokens."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from vinculo.channels import tokens


def test_a_token_reads_back_only_for_its_action():
    token = tokens.make("c", 7, "https://example.com/x")
    assert tokens.read(token, "c") == {"a": "c", "m": 7, "u": "https://example.com/x"}
    with pytest.raises(tokens.BadToken):
        tokens.read(token, "u")
    with pytest.raises(tokens.BadToken):
        tokens.read(token[:-1] + ("A" if token[-1] != "A" else "B"), "c")
    with pytest.raises(tokens.BadToken):
        tokens.read("garbage", "c")


def test_an_old_token_is_expired():
    old = tokens.make("o", 7, at=timezone.now() - dt.timedelta(days=4000))
    with pytest.raises(tokens.ExpiredToken):
        tokens.read(old, "o")


@pytest.mark.django_db
def test_pages_answer_bad_tokens_clearly_and_change_nothing():
    from vinculo.channels.models import OutboundMessage

    web = Client()
    r = web.get("/t/o/nonsense.gif")
    assert r.status_code == 200 and r["Content-Type"] == "image/gif"
    assert web.get("/t/c/nonsense").status_code == 400
    assert web.post("/u/nonsense").status_code == 400
    assert web.get("/u/nonsense").status_code == 400
    # A valid token for a message that does not exist records nothing.
    assert web.get(f"/t/o/{tokens.make('o', 999)}.gif").status_code == 200
    assert web.post(f"/u/{tokens.make('u', 999)}").status_code == 400
    # A click token whose URL is not http(s) is refused, never redirected.
    assert web.get(f"/t/c/{tokens.make('c', 1, 'javascript:alert(1)')}").status_code == 400
    assert OutboundMessage.objects.count() == 0
