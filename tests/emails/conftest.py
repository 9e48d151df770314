"""Contacts with and without consent, a list of them, a template and a real SMTP server."""

from __future__ import annotations

import pytest

from tests.sales.smtp import SMTPServer


@pytest.fixture
def smtp(settings):
    with SMTPServer() as server:
        settings.MAILERS = {"default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 5}}}
        settings.VINCULO_SITE_URL = "https://crm.example.com"
        settings.VINCULO_EMAIL_RATE_PER_MINUTE = 0
        yield server


@pytest.fixture
def people(db, admin, rep):
    from vinculo.platform import records

    acme = records.create("accounts", {"name": "Acme <b>SL</b>"}, actor=admin)
    rows = [
        ("Lucía", "lucia@example.com", True, False),
        ("", "noname@example.com", True, False),
        ("<script>x</script>", "evil@example.com", True, False),
        ("Pedro", "pedro@example.com", False, False),   # no opt-in
        ("Marta", "marta@example.com", True, True),     # do not contact
    ]
    out = {}
    for first, email, opt_in, dnc in rows:
        out[email.split("@")[0]] = records.create("contacts", {
            "first_name": first, "last_name": "Prueba", "email": email,
            "email_opt_in": opt_in, "do_not_contact": dnc, "owner_id": rep.pk,
            "account_id": acme.pk}, actor=admin)
    return out


@pytest.fixture
def static_list(rep_api, people):
    r = rep_api.post("lists", {"name": "Newsletter", "entity": "contacts"})
    assert r.status_code == 201, r.content
    lst = r.json()
    r = rep_api.post(f"lists/{lst['id']}/members",
                     {"ids": [c.pk for c in people.values()]})
    assert r.status_code in (200, 201), r.content
    return lst


@pytest.fixture
def template(rep_api):
    r = rep_api.post("email-campaign-templates", {
        "name": "Welcome",
        "subject_en": "Hello {{ first_name | \"there\" }}",
        "subject_es": "Hola {{ first_name|default:\"amigo\" }}",
        "html_en": '<p>Hi {{ first_name | "there" }} from {{ account_name }}</p>'
                   '<p><a href="https://shop.example.com/offer?a=1&amp;b=2">Offer</a></p>',
        "html_es": '<p>Hola {{ first_name|default:"amigo" }}</p>',
        "text_en": "Hi {{ first_name | \"there\" }}",
    })
    assert r.status_code == 201, r.content
    return r.json()


@pytest.fixture
def campaign(rep_api, template, static_list):
    r = rep_api.post("email-campaigns", {"name": "Spring", "template_id": template["id"],
                                         "list_id": static_list["id"]})
    assert r.status_code == 201, r.content
    return r.json()
