"""Settings pages: users, teams, roles, custom fields (administrators), and everyone's profile,
language, password and API tokens."""

import pytest

from tests.web.conftest import browser_for
from vinculo.identity.models import ApiToken, Role, Team, User, hash_token
from vinculo.platform.models import CustomField


def test_an_admin_creates_a_user_with_a_role_and_teams(admin_web):
    team = Team.objects.create(name="Iberia")
    response = admin_web.post("/settings/users/new/", {
        "username": "nuria", "email": "nuria@example.com", "role": "sales", "teams": [team.pk],
        "language": "es"})
    assert response.status_code == 200
    user = User.objects.get(username="nuria")
    assert user.role.name == "sales" and list(user.teams.all()) == [team]
    html = response.content.decode()
    assert "shown only this once" in html
    password = html.split('id="new-password"')[0].rsplit('value="', 1)[1].split('"')[0]
    assert user.check_password(password)


def test_creating_a_user_that_exists_is_refused_on_the_form(admin_web, admin):
    response = admin_web.post("/settings/users/new/", {"username": "alice", "role": "sales"})
    assert response.status_code == 200
    assert "already exists" in response.content.decode()


def test_an_admin_deactivates_a_user_but_not_themselves(admin, admin_web, rep):
    data = {"first_name": "", "last_name": "", "email": rep.email, "role": rep.role_id,
            "language": ""}
    response = admin_web.post(f"/settings/users/{rep.pk}/", data)  # is_active unticked
    assert response.status_code == 302
    rep.refresh_from_db()
    assert not rep.is_active
    me = {"email": admin.email, "role": admin.role_id, "language": ""}
    response = admin_web.post(f"/settings/users/{admin.pk}/", me)
    assert "You cannot deactivate yourself." in response.content.decode()
    admin.refresh_from_db()
    assert admin.is_active


def test_teams_are_created_and_get_members(admin_web, rep, other_rep):
    admin_web.post("/settings/teams/", {"name": "North", "members": [rep.pk]})
    team = Team.objects.get(name="North")
    assert list(team.members.all()) == [rep]
    admin_web.post(f"/settings/teams/{team.pk}/", {"name": "North-East",
                                                   "members": [rep.pk, other_rep.pk]})
    team.refresh_from_db()
    assert team.name == "North-East" and team.members.count() == 2 and team.version == 2
    duplicate = admin_web.post("/settings/teams/", {"name": "North-East"})
    assert duplicate.status_code == 200 and Team.objects.filter(name="North-East").count() == 1


def test_an_admin_creates_a_custom_role_with_scopes(admin_web):
    response = admin_web.post("/settings/roles/new/", {
        "name": "support-lead", "label": "Support lead",
        "perm.*.view": "team", "perm.*.create": "own", "perm.*.change": "own",
        "perm.*.delete": "none", "perm.contacts.view": "all", "perm.contacts.delete": "own"})
    assert response.status_code == 302
    role = Role.objects.get(name="support-lead")
    assert role.permissions == {
        "*": {"view": "team", "create": "own", "change": "own", "delete": "none"},
        "contacts": {"view": "all", "delete": "own"}}
    assert role.scope("contacts", "view") == "all"
    assert role.scope("accounts", "view") == "team"
    bad = admin_web.post("/settings/roles/new/", {"name": "x", "label": "X",
                                                  "perm.*.view": "everything"})
    assert bad.status_code == 200 and not Role.objects.filter(name="x").exists()


def test_built_in_roles_are_shown_but_not_changed(admin_web):
    role = Role.objects.get(name="sales")
    page = admin_web.get(f"/settings/roles/{role.pk}/").content.decode()
    assert "Built-in roles cannot be changed" in page and "disabled" in page
    admin_web.post(f"/settings/roles/{role.pk}/", {"name": "sales", "label": "Hacked",
                                                   "perm.*.view": "all"})
    role.refresh_from_db()
    assert role.label == "Sales"


@pytest.mark.parametrize("kind", ["text", "number", "decimal", "date", "boolean", "choice",
                                  "multi_choice", "url", "email"])
def test_custom_fields_of_every_type(admin_web, kind):
    data = {"entity": "accounts", "key": f"f_{kind}", "label": kind.title(), "label_es": "",
            "type": kind, "order": 0, "choices_text": "a\nb\n"}
    response = admin_web.post("/settings/custom-fields/new/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    definition = CustomField.objects.get()
    expected = ["a", "b"] if kind in ("choice", "multi_choice") else []
    assert definition.choices == expected and definition.type == kind
    assert f'name="custom.f_{kind}"' in admin_web.get("/accounts/new/").content.decode()


def test_custom_field_rules(admin_web):
    bad_key = admin_web.post("/settings/custom-fields/new/", {
        "entity": "contacts", "key": "Bad Key", "label": "X", "type": "text", "order": 0})
    assert bad_key.status_code == 200
    no_choices = admin_web.post("/settings/custom-fields/new/", {
        "entity": "contacts", "key": "tier", "label": "Tier", "type": "choice", "order": 0})
    assert "choices" in no_choices.content.decode().lower()
    assert not CustomField.objects.exists()
    admin_web.post("/settings/custom-fields/new/", {
        "entity": "contacts", "key": "tier", "label": "Tier", "type": "choice", "order": 0,
        "choices_text": "gold\nsilver"})
    again = admin_web.post("/settings/custom-fields/new/", {
        "entity": "contacts", "key": "tier", "label": "Tier 2", "type": "text", "order": 0})
    assert "already used" in again.content.decode()
    definition = CustomField.objects.get()
    admin_web.post(f"/settings/custom-fields/{definition.pk}/", {
        "entity": "accounts", "key": "other", "type": "text", "label": "Loyalty tier",
        "label_es": "Nivel", "order": 1, "choices_text": "gold\nsilver\nbronze",
        "required": "on"})
    definition.refresh_from_db()
    assert definition.label == "Loyalty tier" and definition.required
    assert definition.choices == ["gold", "silver", "bronze"]
    assert (definition.entity, definition.key, definition.type) == ("contacts", "tier", "choice")
    admin_web.post(f"/settings/custom-fields/{definition.pk}/", {"action": "delete"})
    assert not CustomField.objects.exists()


def test_api_tokens_are_shown_once_and_revoked(rep, rep_web, other_rep):
    response = rep_web.post("/settings/tokens/", {"name": "Zapier"})
    html = response.content.decode()
    raw = html.split('id="new-token"')[0].rsplit('value="', 1)[1].split('"')[0]
    token = ApiToken.objects.get(user=rep)
    assert token.key_hash == hash_token(raw) and token.name == "Zapier"
    assert raw not in rep_web.get("/settings/tokens/").content.decode()
    api = rep_web.get("/api/v1/users/me", headers={"Authorization": f"Bearer {raw}"})
    assert api.status_code == 200
    theirs = ApiToken.objects.create(user=other_rep, prefix="x", key_hash="y" * 64)
    assert rep_web.post(f"/settings/tokens/{theirs.pk}/revoke/").status_code == 404
    assert rep_web.post(f"/settings/tokens/{token.pk}/revoke/").status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_profile_sets_the_language(rep, rep_web):
    response = rep_web.post("/settings/profile/", {"first_name": "Rita", "last_name": "Ruiz",
                                                   "email": "rita@example.com", "language": "es"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.language == "es"
    assert b'<html lang="es"' in rep_web.get("/dashboard/").content


def test_password_change(rep):
    client = browser_for(rep)
    response = client.post("/settings/password/", {
        "old_password": "pw-rita", "new_password1": "a-much-better-secret-42",
        "new_password2": "a-much-better-secret-42"})
    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("a-much-better-secret-42")
    wrong = client.post("/settings/password/", {"old_password": "nope", "new_password1": "x",
                                                "new_password2": "y"})
    assert wrong.status_code == 200
