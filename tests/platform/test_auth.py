"""Contract §2 authentication and authorisation: 401 / 403 / 404 on every path."""

from __future__ import annotations

import re

from django.middleware.csrf import _get_new_csrf_string
from django.test import Client

from tests.conftest import Api, api_for, make_user
from tests.platform.conftest import create, ids

PATH_PARAM = re.compile(r"\{[^}]+\}")


def operations(anon_api) -> list[tuple[str, str]]:
    schema = anon_api.get("openapi.json").json()
    found = []
    for path, methods in schema["paths"].items():
        for method in methods:
            found.append((method, PATH_PARAM.sub("1", path)))
    return found


def test_openapi_is_public_and_lists_the_resources(anon_api):
    r = anon_api.get("openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for resource in ("accounts", "contacts", "activities", "products", "orders", "users",
                     "teams", "roles", "custom-fields", "views", "search"):
        assert f"/api/v1/{resource}" in paths


def test_every_endpoint_needs_credentials(anon_api):
    ops = operations(anon_api)
    assert len(ops) > 40
    for method, path in ops:
        r = anon_api._call(method, path, {} if method in ("post", "patch", "put") else None)
        assert r.status_code == 401, (method, path, r.status_code, r.content)
        assert r.json() == {"detail": "Authentication required."}


def test_a_bad_or_revoked_token_is_401(admin, anon_api):
    from vinculo.identity.models import ApiToken
    from vinculo.identity.services import token_create, token_revoke

    token, raw = token_create(admin, "laptop")
    client = Api(raw)
    assert client.get("contacts").status_code == 200
    token_revoke(ApiToken.objects.get(pk=token.pk))
    for method, path in operations(anon_api):
        r = client._call(method, path, {} if method in ("post", "patch") else None)
        assert r.status_code == 401, (method, path, r.status_code)
    assert Api("vk_not-a-token").get("contacts").status_code == 401
    assert Api("x" * 5000).get("contacts").status_code == 401


def test_a_deactivated_user_token_is_401(rep, rep_api):
    rep.is_active = False
    rep.save()
    assert rep_api.get("contacts").status_code == 401


def test_revoking_a_token_through_the_api(rep, rep_api):
    r = rep_api.post("api-tokens", {"name": "script"})
    assert r.status_code == 201
    body = r.json()
    new = Api(body["token"])
    assert new.get("users/me").json()["username"] == "rita"
    assert "token" not in rep_api.get("api-tokens").json()["items"][0]
    assert rep_api.delete(f"api-tokens/{body['id']}").status_code == 204
    assert new.get("users/me").status_code == 401


def test_tokens_of_others_cannot_be_revoked(rep, other_api):
    from vinculo.identity.services import token_create

    token, _raw = token_create(rep, "mine")
    assert other_api.delete(f"api-tokens/{token.pk}").status_code == 404


class TestBrowserSession:
    def client(self, user, csrf: bool = True) -> Client:
        client = Client(enforce_csrf_checks=csrf)
        client.force_login(user)
        return client

    def test_session_reads_without_csrf(self, rep):
        client = self.client(rep)
        r = client.get("/api/v1/contacts")
        assert r.status_code == 200

    def test_unsafe_methods_need_the_csrf_token(self, rep):
        client = self.client(rep)
        r = client.post("/api/v1/contacts", {"first_name": "Ana"}, content_type="application/json")
        assert r.status_code == 403
        assert "CSRF" in r.json()["detail"]
        token = _get_new_csrf_string()
        client.cookies["csrftoken"] = token
        r = client.post("/api/v1/contacts", {"first_name": "Ana"},
                        content_type="application/json", headers={"X-CSRFToken": token})
        assert r.status_code == 201, r.content
        assert r.json()["owner_id"] == rep.pk

    def test_anonymous_unsafe_request_is_401_not_a_csrf_error(self, db):
        client = Client(enforce_csrf_checks=True)
        r = client.post("/api/v1/contacts", {"first_name": "Ana"}, content_type="application/json")
        assert r.status_code == 401

    def test_a_token_needs_no_csrf(self, rep_api):
        rep_api.client = Client(enforce_csrf_checks=True)
        assert rep_api.post("contacts", {"first_name": "Ana"}).status_code == 201

    def test_logged_out_session_is_401(self, rep):
        client = self.client(rep)
        client.logout()
        assert client.get("/api/v1/contacts").status_code == 401


class TestForbidden:
    def test_readonly_reads_but_may_not_write(self, admin, readonly_api):
        contact = create("contacts", admin, first_name="Ana")
        assert readonly_api.get(f"contacts/{contact.pk}").status_code == 200
        r = readonly_api.post("contacts", {"first_name": "Bea"})
        assert r.status_code == 403
        assert isinstance(r.json()["detail"], str)
        assert readonly_api.patch(f"contacts/{contact.pk}", {"first_name": "X"}).status_code == 403
        assert readonly_api.delete(f"contacts/{contact.pk}").status_code == 403
        from vinculo.customers.models import Contact

        assert Contact.objects.count() == 1
        assert Contact.objects.get().first_name == "Ana"

    def test_a_rep_may_not_change_custom_field_definitions(self, admin_api, rep_api):
        r = admin_api.post("custom-fields", {"entity": "contacts", "key": "size", "label": "Size"})
        assert r.status_code == 201
        field_id = r.json()["id"]
        assert rep_api.post("custom-fields", {"entity": "contacts", "key": "other",
                                              "label": "Other"}).status_code == 403
        assert rep_api.patch(f"custom-fields/{field_id}", {"label": "X"}).status_code == 403
        assert rep_api.delete(f"custom-fields/{field_id}").status_code == 403
        assert rep_api.get("custom-fields").status_code == 200

    def test_a_rep_may_not_create_products_or_teams_or_roles(self, rep_api):
        assert rep_api.post("products", {"sku": "A", "name": "A"}).status_code == 403
        assert rep_api.post("teams", {"name": "Nordics"}).status_code == 403
        assert rep_api.post("roles", {"name": "x", "label": "X"}).status_code == 403


class TestInvisibleRecords:
    def test_another_reps_contact_is_404_everywhere(self, rep_api, other_rep, other_api):
        theirs = create("contacts", other_rep, first_name="Olga")
        path = f"contacts/{theirs.pk}"
        assert rep_api.get(path).status_code == 404
        assert rep_api.patch(path, {"first_name": "Hacked"}).status_code == 404
        assert rep_api.delete(path).status_code == 404
        assert rep_api.get(f"{path}/history").status_code == 404
        assert rep_api.post(f"{path}/restore").status_code == 404
        assert theirs.pk not in ids(rep_api.get("contacts"))
        assert other_api.delete(path).status_code == 204
        assert rep_api.post(f"{path}/restore").status_code == 404
        assert rep_api.get("contacts", deleted=1).json()["items"] == []
        theirs.refresh_from_db()
        assert theirs.first_name == "Olga"
        assert theirs.deleted_at is not None

    def test_404_and_403_bodies_are_json(self, rep_api):
        r = rep_api.get("contacts/999999")
        assert r.status_code == 404
        assert r.json() == {"detail": "Not found."}

    def test_a_rep_cannot_attach_records_to_an_invisible_account(self, rep_api, other_rep):
        account = create("accounts", other_rep, name="Hidden SL")
        r = rep_api.post("contacts", {"first_name": "Ana", "account_id": account.pk})
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == ["body", "account_id"]


class TestManager:
    def test_manager_sees_and_changes_team_records_only(self, manager_api, rep, other_rep,
                                                        outsider):
        mine = create("contacts", rep, first_name="Rita's")
        colleague = create("contacts", other_rep, first_name="Oscar's")
        foreign = create("contacts", outsider, first_name="Xavi's")
        visible = ids(manager_api.get("contacts"))
        assert set(visible) == {mine.pk, colleague.pk}
        r = manager_api.patch(f"contacts/{mine.pk}", {"title": "CEO"})
        assert r.status_code == 200
        assert r.json()["title"] == "CEO"
        assert manager_api.get(f"contacts/{foreign.pk}").status_code == 404
        assert manager_api.patch(f"contacts/{foreign.pk}", {"title": "X"}).status_code == 404
        assert manager_api.delete(f"contacts/{colleague.pk}").status_code == 204

    def test_team_membership_changes_take_effect(self, manager, manager_api, outsider):
        from vinculo.identity.models import Team

        foreign = create("contacts", outsider, first_name="Xavi's")
        assert manager_api.get(f"contacts/{foreign.pk}").status_code == 404
        manager.teams.add(Team.objects.get(name="LatAm"))
        assert manager_api.get(f"contacts/{foreign.pk}").status_code == 200


class TestShares:
    def share(self, record, *, user=None, team=None, can_edit=False):
        from vinculo.platform.models import RecordShare

        return RecordShare.objects.create(entity="contacts", record_id=record.pk, user=user,
                                          team=team, can_edit=can_edit)

    def test_a_view_share_grants_view_only(self, rep, rep_api, other_rep):
        theirs = create("contacts", other_rep, first_name="Olga")
        self.share(theirs, user=rep)
        assert rep_api.get(f"contacts/{theirs.pk}").status_code == 200
        assert theirs.pk in ids(rep_api.get("contacts"))
        r = rep_api.patch(f"contacts/{theirs.pk}", {"first_name": "X"})
        assert r.status_code == 403
        assert rep_api.delete(f"contacts/{theirs.pk}").status_code == 403
        theirs.refresh_from_db()
        assert theirs.first_name == "Olga" and theirs.deleted_at is None

    def test_an_edit_share_grants_change(self, rep, rep_api, other_rep):
        theirs = create("contacts", other_rep, first_name="Olga")
        self.share(theirs, user=rep, can_edit=True)
        r = rep_api.patch(f"contacts/{theirs.pk}", {"first_name": "Olga M"})
        assert r.status_code == 200

    def test_a_team_share_reaches_every_member(self, rep, outsider_api):
        from vinculo.identity.models import Team

        mine = create("contacts", rep, first_name="Rita's")
        assert outsider_api.get(f"contacts/{mine.pk}").status_code == 404
        self.share(mine, team=Team.objects.get(name="LatAm"))
        assert outsider_api.get(f"contacts/{mine.pk}").status_code == 200
        assert outsider_api.patch(f"contacts/{mine.pk}", {"title": "x"}).status_code == 403

    def test_shares_of_another_entity_do_not_leak(self, rep, rep_api, other_rep):
        from vinculo.platform.models import RecordShare

        theirs = create("contacts", other_rep, first_name="Olga")
        RecordShare.objects.create(entity="accounts", record_id=theirs.pk, user=rep)
        assert rep_api.get(f"contacts/{theirs.pk}").status_code == 404


def test_make_user_helper_roles(db):
    user = make_user("zed", "marketing", teams=["Growth"])
    assert api_for(user).get("users/me").json()["role"] == "marketing"
