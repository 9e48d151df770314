"""Every page renders, in English and Spanish, and asks for a sign-in first."""

import pytest
from django.test import Client

from tests.web.conftest import browser_for, create


@pytest.fixture
def records_of_admin(admin):
    account = create("accounts", admin, name="Acme Iberia", city="Madrid", tags=["vip"])
    contact = create("contacts", admin, first_name="José", last_name="García",
                     email="jose@example.com", account_id=account.pk)
    activity = create("activities", admin, kind="note", subject="Met at the fair",
                      contact_id=contact.pk)
    product = create("products", admin, sku="SKU-1", name="Starter", unit_price="10.00")
    order = create("orders", admin, number="SO-1", contact_id=contact.pk, account_id=account.pk,
                   lines=[{"product_id": product.pk, "quantity": 2}])
    return {"accounts": account, "contacts": contact, "activities": activity,
            "products": product, "orders": order}


def test_anonymous_visitors_are_sent_to_the_login_page(db):
    client = Client()
    for path in ("/", "/dashboard/", "/contacts/", "/contacts/1/", "/search/?q=x", "/settings/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/login/?next="), path


def test_login_page_signs_in_and_logout_signs_out(admin):
    client = Client()
    page = client.get("/login/")
    assert page.status_code == 200
    assert b'name="csrfmiddlewaretoken"' in page.content or b"csrf" in page.content.lower()
    bad = client.post("/login/", {"username": "alice", "password": "wrong"})
    assert bad.status_code == 200
    assert b"didn't match" in bad.content
    ok = client.post("/login/", {"username": "alice", "password": "pw-alice"})
    assert ok.status_code == 302
    assert client.get("/dashboard/").status_code == 200
    assert client.get("/logout/").status_code == 405  # signing out needs a POST
    assert client.post("/logout/").status_code == 302
    assert client.get("/dashboard/").status_code == 302


def test_home_goes_to_the_dashboard(admin_web):
    response = admin_web.get("/")
    assert response.status_code == 302 and response["Location"] == "/dashboard/"


@pytest.mark.parametrize("language", ["en", "es"])
def test_every_page_renders(admin, records_of_admin, language):
    client = browser_for(admin, language)
    paths = ["/dashboard/", "/search/?q=garcia", "/settings/", "/settings/profile/",
             "/settings/password/", "/settings/tokens/", "/settings/users/",
             "/settings/users/new/", "/settings/teams/", "/settings/roles/",
             "/settings/roles/new/", "/settings/custom-fields/",
             "/settings/custom-fields/new/", f"/settings/users/{admin.pk}/"]
    for name, obj in records_of_admin.items():
        paths += [f"/{name}/", f"/{name}/new/", f"/{name}/{obj.pk}/", f"/{name}/{obj.pk}/edit/",
                  f"/{name}/{obj.pk}/delete/", f"/{name}/{obj.pk}/?tab=history",
                  f"/{name}/?deleted=1"]
    for path in paths:
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert f'<html lang="{language}"'.encode() in response.content, path


def test_pages_carry_a_content_security_policy_with_a_nonce(admin_web):
    response = admin_web.get("/contacts/")
    policy = response["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    html = response.content.decode()
    assert f'nonce="{nonce}"' in html
    assert "htmx" in html
    assert " onclick=" not in html and " hx-on" not in html


def test_the_user_language_setting_wins_over_the_browser(admin):
    admin.language = "es"
    admin.save()
    client = browser_for(admin, "en")
    assert b'<html lang="es"' in client.get("/dashboard/").content
    admin.language = ""
    admin.save()
    assert b'<html lang="en"' in client.get("/dashboard/").content


def test_unknown_pages_are_404_with_the_app_layout(admin_web):
    response = admin_web.get("/contacts/999999/")
    assert response.status_code == 404
    assert b"This page does not exist" in response.content


def test_the_detail_page_shows_fields_tags_owner_history_and_timeline(admin_web,
                                                                      records_of_admin):
    contact = records_of_admin["contacts"]
    html = admin_web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "José García" in html and "jose@example.com" in html
    assert "Acme Iberia" in html  # the account, linked
    assert f'href="/accounts/{records_of_admin["accounts"].pk}/"' in html
    assert "Met at the fair" in html  # the timeline
    assert "SO-1" in html  # the order on the timeline
    history = admin_web.get(f"/contacts/{contact.pk}/?tab=history").content.decode()
    assert "created" in history
    order = admin_web.get(f"/orders/{records_of_admin['orders'].pk}/").content.decode()
    assert "Starter" in order and "20.00" in order


def test_timeline_and_history_load_more(admin_web, admin):
    import datetime as dt

    from django.utils import timezone

    from vinculo.platform import records

    contact = create("contacts", admin, first_name="Ana")
    start = timezone.now() - dt.timedelta(days=90)
    for i in range(35):
        create("activities", admin, kind="call", subject=f"Call {i:02d}",
               contact_id=contact.pk, occurred_at=start + dt.timedelta(days=i))
    for i in range(25):
        records.update(contact, {"city": f"City {i}"}, actor=admin)
    page = admin_web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Load more" in page
    marker = f'hx-get="/contacts/{contact.pk}/timeline/?cursor='
    seen, fragment = [page], page
    while marker in fragment:
        cursor = fragment.split(marker)[1].split('"')[0]
        fragment = admin_web.get(f"/contacts/{contact.pk}/timeline/?cursor={cursor}",
                                 headers={"HX-Request": "true"}).content.decode()
        assert "<html" not in fragment and "Call 34" not in fragment
        seen.append(fragment)
    assert len(seen) == 3  # 61 items, 30 a page
    assert all(f"Call {i:02d}" in "".join(seen) for i in range(35))
    history = admin_web.get(f"/contacts/{contact.pk}/?tab=history").content.decode()
    assert "City 24" in history and "Load more" in history
    cursor = history.split(f'hx-get="/contacts/{contact.pk}/history/?cursor=')[1].split('"')[0]
    older = admin_web.get(f"/contacts/{contact.pk}/history/?cursor={cursor}").content.decode()
    assert "created" in older and "<html" not in older
    assert admin_web.get(f"/contacts/{contact.pk}/history/?cursor=bad").status_code == 404
    assert admin_web.get(f"/contacts/{contact.pk}/timeline/?cursor=bad").status_code == 404


def test_an_expired_session_sends_htmx_requests_to_the_login_page(db):
    response = Client().get("/contacts/", headers={"HX-Request": "true",
                                                   "HX-Current-URL": "http://testserver/contacts/"})
    assert response.status_code == 204
    assert response["HX-Redirect"] == "/login/?next=%2Fcontacts%2F"
