"""Signing in to the portal: a one-time link e-mailed over SMTP, single use, short-lived,
no leak of who is a customer, rate-limited; separate from staff sign-in."""

import datetime as dt
import re

import pytest
from django.test import Client
from django.utils import timezone

from vinculo.service.portal import services
from vinculo.service.portal.models import SignInLink
from vinculo.service.portal.selectors import SESSION_KEY

from .conftest import LINK


def ask(client, email, capture):
    with capture(execute=True):
        return client.post("/portal/login/", {"email": email})


def test_link_by_email_signs_in_once(smtp, carmen, django_capture_on_commit_callbacks):
    client = Client()
    r = ask(client, "Carmen@Acme.test", django_capture_on_commit_callbacks)
    assert r.status_code == 200 and b"Check your e-mail" in r.content
    assert len(smtp.messages) == 1
    _sender, recipients, message = smtp.messages[0]
    assert recipients == ["carmen@acme.test"]
    token = LINK.search(message.get_body(("plain",)).get_content()).group(1)
    assert SignInLink.objects.get().token_hash != token  # only a hash is stored
    # Opening the link asks to confirm and uses nothing up.
    assert client.get(f"/portal/login/{token}/").status_code == 200
    r = client.post(f"/portal/login/{token}/")
    assert r.status_code == 302 and r["Location"] == "/portal/"
    assert client.session[SESSION_KEY] == carmen["id"]
    assert client.get("/portal/").status_code == 200
    # No staff user is signed in: staff pages stay closed.
    assert "_auth_user_id" not in client.session
    r = client.get("/dashboard/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")
    assert client.get("/api/v1/contacts").status_code == 401
    # Replaying the link fails with a clear message, in another browser too.
    other = Client()
    r = other.post(f"/portal/login/{token}/")
    assert r.status_code == 410 and b"already used" in r.content
    assert SESSION_KEY not in other.session
    # Signing out ends the portal session.
    client.post("/portal/logout/")
    assert client.get("/portal/").status_code == 302


def test_unknown_address_gets_the_same_answer_and_no_mail(smtp, carmen,
                                                          django_capture_on_commit_callbacks):
    known = ask(Client(), "carmen@acme.test", django_capture_on_commit_callbacks)
    unknown = ask(Client(), "nobody@acme.test", django_capture_on_commit_callbacks)
    assert known.status_code == unknown.status_code == 200
    assert same_page(known.content, b"carmen@acme.test") == \
        same_page(unknown.content, b"nobody@acme.test")
    assert [m[1] for m in smtp.messages] == [["carmen@acme.test"]]


def same_page(content: bytes, email: bytes) -> bytes:
    """The page without what differs by design: the address typed, CSRF token, CSP nonce."""
    content = re.sub(rb'nonce="[^"]+"', b"", content.replace(email, b"X"))
    return re.sub(rb'"X-CSRFToken": "[^"]+"', b"", content)


def test_disabled_contact_gets_no_link(smtp, carmen, admin_api,
                                       django_capture_on_commit_callbacks):
    r = admin_api._call("put", f"contacts/{carmen['id']}/portal-access", {"enabled": False})
    assert r.status_code == 200 and r.json()["enabled"] is False
    assert ask(Client(), "carmen@acme.test",
               django_capture_on_commit_callbacks).status_code == 200
    assert smtp.messages == []


def test_expired_link(carmen, monkeypatch):
    from vinculo.customers.models import Contact

    link_token = make_link(Contact.objects.get(pk=carmen["id"]))
    later = timezone.now() + services.LINK_LIFETIME + dt.timedelta(seconds=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    client = Client()
    r = client.get(f"/portal/login/{link_token}/")
    assert r.status_code == 410 and b"expired" in r.content
    assert client.post(f"/portal/login/{link_token}/").status_code == 410
    assert SESSION_KEY not in client.session


@pytest.mark.parametrize("token", ["nope", "x" * 43, "%00", "a" * 300])
def test_wrong_token(db, token):
    client = Client()
    r = client.post(f"/portal/login/{token}/")
    assert r.status_code in (400, 404) and SESSION_KEY not in client.session
    if r.status_code == 400:
        assert b"not valid" in r.content


def test_rate_limited_per_address_and_ip(db, django_capture_on_commit_callbacks, settings):
    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    client = Client()
    for _ in range(services.MAX_PER_ADDRESS):
        assert ask(client, "a@x.test", django_capture_on_commit_callbacks).status_code == 200
    assert ask(client, "a@x.test", django_capture_on_commit_callbacks).status_code == 429
    for i in range(services.MAX_PER_IP - services.MAX_PER_ADDRESS):
        assert ask(client, f"b{i}@x.test", django_capture_on_commit_callbacks).status_code == 200
    r = ask(client, "fresh@x.test", django_capture_on_commit_callbacks)
    assert r.status_code == 429 and b"Too many" in r.content


def test_bad_address_is_a_form_error(db):
    r = Client().post("/portal/login/", {"email": "not an address"})
    assert r.status_code == 200 and b"Check your e-mail" not in r.content


def test_csrf_on_portal_forms(carmen):
    client = Client(enforce_csrf_checks=True)
    assert client.post("/portal/login/", {"email": "carmen@acme.test"}).status_code == 403
    from .conftest import portal_client

    signed_in = portal_client(carmen["id"], enforce_csrf_checks=True)
    r = signed_in.post("/portal/cases/new/", {"subject": "x", "description": "y"})
    assert r.status_code == 403


def test_staff_user_is_not_a_portal_visitor(admin):
    client = Client()
    client.force_login(admin)
    r = client.get("/portal/cases/")
    assert r.status_code == 302 and r["Location"] == "/portal/login/"


def make_link(contact) -> str:
    import secrets

    token = secrets.token_urlsafe(32)
    now = timezone.now()
    SignInLink.objects.create(contact=contact, token_hash=services._hash(token),
                              expires_at=now + services.LINK_LIFETIME)
    return token
