"""Record access on every page: 404 for records a user may not see, 403 for what they may not do."""

import pytest

from tests.web.conftest import browser_for, create


@pytest.fixture
def others_contact(other_rep):
    return create("contacts", other_rep, first_name="Olga", last_name="Otero",
                  email="olga@example.com")


@pytest.fixture
def own_contact(rep):
    return create("contacts", rep, first_name="Rita", last_name="Contact")


def test_a_sales_rep_gets_404_on_another_reps_contact(rep_web, others_contact):
    pk = others_contact.pk
    for path in (f"/contacts/{pk}/", f"/contacts/{pk}/edit/", f"/contacts/{pk}/delete/",
                 f"/contacts/{pk}/history/", f"/contacts/{pk}/timeline/"):
        assert rep_web.get(path).status_code == 404, path
    assert rep_web.post(f"/contacts/{pk}/edit/", {"first_name": "X"}).status_code == 404
    assert rep_web.post(f"/contacts/{pk}/delete/").status_code == 404
    assert rep_web.post(f"/contacts/{pk}/restore/").status_code == 404
    others_contact.refresh_from_db()
    assert others_contact.first_name == "Olga" and others_contact.deleted_at is None


def test_lists_and_search_show_only_what_the_user_may_see(rep_web, own_contact, others_contact):
    html = rep_web.get("/contacts/").content.decode()
    assert "Rita Contact" in html and "Olga" not in html
    html = rep_web.get("/search/?q=olga").content.decode()
    assert "Olga" not in html


def test_a_manager_sees_the_records_of_the_team(manager, others_contact):
    client = browser_for(manager)
    assert client.get(f"/contacts/{others_contact.pk}/").status_code == 200


def test_a_sales_rep_cannot_see_settings(rep_web):
    for path in ("/settings/", "/settings/users/", "/settings/users/new/", "/settings/teams/",
                 "/settings/roles/", "/settings/roles/new/", "/settings/custom-fields/",
                 "/settings/custom-fields/new/"):
        assert rep_web.get(path).status_code == 403, path
    assert rep_web.post("/settings/users/new/", {"username": "evil", "role": "admin"}
                        ).status_code == 403
    assert rep_web.post("/settings/custom-fields/new/", {
        "entity": "contacts", "key": "x", "label": "X", "type": "text"}).status_code == 403
    page = rep_web.get("/dashboard/").content.decode()
    assert 'href="/settings/"' not in page


def test_everyone_has_their_own_profile_password_and_tokens(rep_web):
    for path in ("/settings/profile/", "/settings/password/", "/settings/tokens/"):
        assert rep_web.get(path).status_code == 200, path


def test_read_only_users_cannot_create_change_or_delete(reader, admin):
    contact = create("contacts", admin, first_name="Ana")
    client = browser_for(reader)
    assert client.get(f"/contacts/{contact.pk}/").status_code == 200
    assert client.get("/contacts/new/").status_code == 403
    assert client.post("/contacts/new/", {"first_name": "X"}).status_code == 403
    assert client.get(f"/contacts/{contact.pk}/edit/").status_code == 403
    assert client.post(f"/contacts/{contact.pk}/delete/").status_code == 403
    detail = client.get(f"/contacts/{contact.pk}/").content.decode()
    assert f"/contacts/{contact.pk}/edit/" not in detail
    assert "/contacts/new/" not in client.get("/contacts/").content.decode()


def test_a_rep_cannot_link_a_contact_to_an_account_they_may_not_see(rep_web, other_rep):
    hidden = create("accounts", other_rep, name="Hidden Co")
    response = rep_web.post("/contacts/new/", {"first_name": "Ana", "lifecycle_stage": "lead",
                                               "account_id": hidden.pk})
    assert response.status_code == 200
    assert "No such record" in response.content.decode()


def test_hidden_related_records_are_not_named_in_lists(rep, rep_web, other_rep):
    hidden = create("accounts", other_rep, name="Secret Holdings")
    contact = create("contacts", other_rep, first_name="Shared", account_id=hidden.pk)
    from vinculo.platform.models import RecordShare

    RecordShare.objects.create(entity="contacts", record_id=contact.pk, user=rep)
    html = rep_web.get("/contacts/").content.decode()
    assert "Shared" in html and "Secret Holdings" not in html
    detail = rep_web.get(f"/contacts/{contact.pk}/").content.decode()
    assert "Secret Holdings" not in detail
