"""Users (read), teams, roles and API tokens through the API."""

from __future__ import annotations

import pytest


def locs(response) -> list[list]:
    assert response.status_code == 422, (response.status_code, response.content)
    return [item["loc"] for item in response.json()["detail"]]


def test_users_are_a_paginated_collection(admin_api, rep, other_rep, outsider):
    first = admin_api.get("users", limit=2).json()
    assert len(first["items"]) == 2 and first["next_cursor"]
    rest = admin_api.get("users", limit=2, cursor=first["next_cursor"]).json()
    names = [u["username"] for u in first["items"] + rest["items"]]
    assert names == sorted(names) and set(names) == {"alice", "oscar", "rita", "xavi"}
    rita = next(u for u in first["items"] + rest["items"] if u["username"] == "rita")
    assert rita["role"] == "sales" and len(rita["team_ids"]) == 1
    assert "password" not in rita


def test_me_and_one_user(rep_api, rep, admin):
    me = rep_api.get("users/me").json()
    assert (me["id"], me["username"], me["email"]) == (rep.pk, "rita", "rita@example.com")
    assert rep_api.get(f"users/{admin.pk}").json()["role"] == "admin"
    assert rep_api.get("users/999999").status_code == 404


def test_inactive_users_are_not_listed(admin_api, rep):
    rep.is_active = False
    rep.save()
    assert "rita" not in [u["username"] for u in admin_api.get("users").json()["items"]]


class TestTeams:
    def test_admin_creates_renames_and_staffs_teams(self, admin_api, rep, other_rep):
        r = admin_api.post("teams", {"name": "Nordics", "member_ids": [rep.pk]})
        assert r.status_code == 201, r.content
        team = r.json()
        assert team["member_ids"] == [rep.pk]
        r = admin_api.patch(f"teams/{team['id']}", {"member_ids": [rep.pk, other_rep.pk]})
        assert sorted(r.json()["member_ids"]) == sorted([rep.pk, other_rep.pk])
        assert r.json()["name"] == "Nordics"
        r = admin_api.patch(f"teams/{team['id']}", {"name": "Baltics"})
        assert r.json()["name"] == "Baltics" and len(r.json()["member_ids"]) == 2
        assert admin_api.get(f"teams/{team['id']}").json()["name"] == "Baltics"
        names = [t["name"] for t in admin_api.get("teams").json()["items"]]
        assert "Baltics" in names and names == sorted(names)

    @pytest.mark.parametrize("body,loc", [({"name": ""}, ["body", "name"]),
                                          ({"name": "Iberia"}, ["body", "name"]),
                                          ({"name": "X", "member_ids": [424242]},
                                           ["body", "member_ids"]),
                                          ({"name": "X", "boss": 1}, ["body", "boss"])])
    def test_bad_teams(self, admin_api, rep, body, loc):
        from vinculo.identity.models import Team

        before = Team.objects.count()
        assert locs(admin_api.post("teams", body)) == [loc]
        assert Team.objects.count() == before

    def test_renaming_onto_another_team_is_refused(self, admin_api, rep, outsider):
        from vinculo.identity.models import Team

        latam = Team.objects.get(name="LatAm")
        assert locs(admin_api.patch(f"teams/{latam.pk}", {"name": "Iberia"})) == [
            ["body", "name"]]
        assert admin_api.patch(f"teams/{latam.pk}", {"name": "LatAm"}).status_code == 200

    def test_only_admins_change_teams(self, rep_api, rep):
        from vinculo.identity.models import Team

        team = Team.objects.get(name="Iberia")
        assert rep_api.get("teams").status_code == 200
        assert rep_api.patch(f"teams/{team.pk}", {"name": "Mine"}).status_code == 403


class TestRoles:
    def test_builtin_roles_are_listed(self, rep_api):
        roles = {r["name"]: r for r in rep_api.get("roles").json()["items"]}
        assert {"admin", "manager", "sales", "service", "marketing", "readonly"} <= set(roles)
        assert roles["admin"]["is_admin"] and roles["sales"]["builtin"]

    def test_a_custom_role_scopes_records(self, admin_api, admin):
        from tests.conftest import api_for, make_user
        from tests.platform.conftest import create

        r = admin_api.post("roles", {"name": "auditor", "label": "Auditor", "permissions": {
            "*": {"view": "all"}, "contacts": {"view": "none"}}})
        assert r.status_code == 201, r.content
        auditor = api_for(make_user("audrey", "auditor"))
        account = create("accounts", admin, name="Acme")
        contact = create("contacts", admin, first_name="Ana")
        assert auditor.get(f"accounts/{account.pk}").status_code == 200
        assert auditor.get(f"contacts/{contact.pk}").status_code == 404
        assert auditor.post("accounts", {"name": "B"}).status_code == 403

    @pytest.mark.parametrize("body,loc", [
        ({"name": "x", "label": "X", "permissions": {"ghosts": {"view": "all"}}},
         ["body", "permissions", "ghosts"]),
        ({"name": "x", "label": "X", "permissions": {"contacts": {"fly": "all"}}},
         ["body", "permissions", "contacts", "fly"]),
        ({"name": "x", "label": "X", "permissions": {"contacts": {"view": "most"}}},
         ["body", "permissions", "contacts", "view"]),
        ({"name": "sales", "label": "X"}, ["body", "name"]),
        ({"name": "Has Space", "label": "X"}, ["body", "name"]),
    ])
    def test_bad_roles(self, admin_api, body, loc):
        assert locs(admin_api.post("roles", body)) == [loc]


class TestTokens:
    def test_tokens_are_shown_once_and_stored_hashed(self, rep_api, rep):
        from vinculo.identity.models import ApiToken

        created = rep_api.post("api-tokens", {"name": "script"}).json()
        raw = created["token"]
        stored = ApiToken.objects.get(pk=created["id"])
        assert raw not in (stored.key_hash, stored.prefix) and raw.startswith(stored.prefix)
        listed = rep_api.get("api-tokens").json()["items"]
        assert all("token" not in t for t in listed)
        assert {t["name"] for t in listed} == {"script", "tests"}

    def test_token_names_are_validated(self, rep_api):
        assert locs(rep_api.post("api-tokens", {"name": "x" * 121})) == [["body", "name"]]
