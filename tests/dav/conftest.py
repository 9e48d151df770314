"""Fixtures of the CardDAV/CalDAV tests: app passwords and a WebDAV client speaking XML."""

from __future__ import annotations

import base64
import xml.etree.ElementTree as ET

import pytest

NS = {"d": "DAV:", "card": "urn:ietf:params:xml:ns:carddav",
      "cal": "urn:ietf:params:xml:ns:caldav", "cs": "http://calendarserver.org/ns/"}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_failures():
    from django.core.cache import cache

    cache.clear()


def app_password(user, label="phone") -> str:
    from vinculo.channels.dav import passwords

    return passwords.create(user, label)[1]


class Dav:
    """WebDAV over Django's test client, signed in with HTTP Basic."""

    def __init__(self, client, username: str, password: str):
        self.client = client
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.auth = {"HTTP_AUTHORIZATION": f"Basic {token}"}
        self.username = username

    def request(self, method: str, path: str, body: str | bytes = b"",
                content_type: str = "application/xml", **headers):
        extra = {**self.auth, **{f"HTTP_{k.upper().replace('-', '_')}": v
                                 for k, v in headers.items()}}
        return self.client.generic(method, path, body, content_type=content_type, **extra)

    def propfind(self, path: str, body: str = "", depth: str = "1"):
        return self.request("PROPFIND", path, body, Depth=depth)

    def report(self, path: str, body: str, depth: str = "1"):
        return self.request("REPORT", path, body, Depth=depth)

    def put(self, path: str, body: str, content_type: str, **headers):
        return self.request("PUT", path, body.encode(), content_type=content_type, **headers)

    def get(self, path: str, **headers):
        return self.request("GET", path, **headers)

    def delete(self, path: str, **headers):
        return self.request("DELETE", path, **headers)

    @property
    def book(self) -> str:
        return f"/dav/addressbooks/{self.username}/contacts/"

    @property
    def calendar(self) -> str:
        return f"/dav/calendars/{self.username}/crm/"


def multistatus(response) -> dict[str, dict]:
    """href → {"status": …, "props": {clark name: element}} of a 207 answer."""
    assert response.status_code == 207, response.content[:500]
    root = ET.fromstring(response.content)
    out = {}
    for item in root.findall("d:response", NS):
        href = item.find("d:href", NS).text
        entry = {"status": None, "props": {}}
        status = item.find("d:status", NS)
        if status is not None:
            entry["status"] = status.text
        for propstat in item.findall("d:propstat", NS):
            if "200" in propstat.find("d:status", NS).text:
                for prop in propstat.find("d:prop", NS):
                    entry["props"][prop.tag] = prop
        out[href] = entry
    return out


def sync_token_of(response) -> str:
    root = ET.fromstring(response.content)
    return root.find("d:sync-token", NS).text


@pytest.fixture
def rep_dav(client, rep):
    return Dav(client, rep.username, app_password(rep))
