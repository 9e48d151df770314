"""`dav_addressbook_sync`: a phone's first full sync of an address book of 10,000 contacts
(scaled) — PROPFIND depth 1, then addressbook-multiget of every card in batches of 500, as
DAVx⁵ and Apple Contacts do — in contacts per second, against reading the same contacts
through the JSON API (`GET /api/v1/contacts`, pages of 500) in the same run."""

from __future__ import annotations

import base64
import time
from typing import Any

from .. import data
from ..report import Reporter, progress
from ..sizes import Sizes
from ..world import World

FULL_BOOK = 10_000
BATCH = 500
PROPFIND = ('<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:getetag/>'
            "<d:getcontenttype/></d:prop></d:propfind>")
MULTIGET = ('<?xml version="1.0"?><card:addressbook-multiget xmlns:d="DAV:" '
            'xmlns:card="urn:ietf:params:xml:ns:carddav"><d:prop><d:getetag/>'
            "<card:address-data/></d:prop>{hrefs}</card:addressbook-multiget>")


def _owner_with_book(count: int) -> tuple[Any, str, str]:
    """A sales rep who owns `count` contacts, an app password and an API token for them."""
    from vinculo.channels.dav import passwords
    from vinculo.identity.services import token_create, user_create
    from vinculo.platform import records

    user, _pw = user_create(username="bench-dav", role="sales", password="pw-bench-dav",
                            email="dav@bench.example")
    progress(f"dav: creating an address book of {count:,} contacts")
    keep = ("first_name", "last_name", "email", "phone", "title", "city", "postal_code",
            "country")
    rows = [{k: row[k] for k in keep} for row in data.contact_rows(count, [])]
    for start in range(0, len(rows), 1_000):
        result = records.create_many("contacts", rows[start:start + 1_000], actor=user,
                                     source="bench")
        if result.errors:
            raise RuntimeError(f"dav bench contacts refused: {result.errors[:3]}")
    _row, raw = passwords.create(user, "bench")
    _token, token = token_create(user, "bench-dav")
    return user, raw, token


def _dav_sync(client: Any, auth: str, book: str) -> int:
    listing = client.generic("PROPFIND", book, PROPFIND, content_type="application/xml",
                             HTTP_DEPTH="1", HTTP_AUTHORIZATION=auth)
    if listing.status_code != 207:
        raise RuntimeError(f"PROPFIND answered {listing.status_code}")
    text = listing.content.decode()
    hrefs = [part.split("</d:href>", 1)[0] for part in text.split("<d:href>")[1:]]
    hrefs = [h for h in hrefs if h.endswith(".vcf")]
    cards = 0
    for start in range(0, len(hrefs), BATCH):
        body = MULTIGET.format(hrefs="".join(f"<d:href>{h}</d:href>"
                                             for h in hrefs[start:start + BATCH]))
        answer = client.generic("REPORT", book, body, content_type="application/xml",
                                HTTP_DEPTH="1", HTTP_AUTHORIZATION=auth)
        if answer.status_code != 207:
            raise RuntimeError(f"multiget answered {answer.status_code}")
        cards += answer.content.count(b"BEGIN:VCARD")
    return cards


def _api_listing(client: Any, token: str) -> int:
    import json

    seen, cursor = 0, None
    while True:
        query = f"?limit={BATCH}" + (f"&cursor={cursor}" if cursor else "")
        response = client.get(f"/api/v1/contacts{query}",
                              headers={"Authorization": f"Bearer {token}"})
        if response.status_code != 200:
            raise RuntimeError(f"contacts listing answered {response.status_code}")
        page = json.loads(response.content)
        seen += len(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return seen


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from django.test import Client

    count = max(200, round(FULL_BOOK * sizes.scale))
    user, raw, token = _owner_with_book(count)
    auth = "Basic " + base64.b64encode(f"{user.username}:{raw}".encode()).decode()
    book = f"/dav/addressbooks/{user.username}/contacts/"
    client = Client()
    client.get("/api/v1/contacts?limit=1", headers={"Authorization": f"Bearer {token}"})
    client.generic("PROPFIND", "/dav/", "", HTTP_DEPTH="0", HTTP_AUTHORIZATION=auth)  # warm-up
    progress("dav: full address-book sync")
    started = time.perf_counter()
    cards = _dav_sync(client, auth, book)
    dav_s = time.perf_counter() - started
    if cards != count:
        raise RuntimeError(f"the sync returned {cards} cards, expected {count}")
    started = time.perf_counter()
    listed = _api_listing(client, token)
    api_s = time.perf_counter() - started
    if listed != count:
        raise RuntimeError(f"the API listed {listed} contacts, expected {count}")
    reporter.figure("dav_api_listing", listed / api_s, "contacts/s")
    reporter.figure("dav_addressbook_sync", cards / dav_s, "contacts/s",
                    ratio=(cards / dav_s) / (listed / api_s))
