"""The identity commands (contract §1): create_user, create_api_token, built-in roles."""

from __future__ import annotations

import pytest

from tests.conftest import Api


class TestCommands:
    def test_builtin_roles_exist_after_migrate(self, db):
        from vinculo.identity.models import Role

        assert set(Role.objects.filter(builtin=True).values_list("name", flat=True)) >= {
            "admin", "manager", "sales", "service", "marketing", "readonly"}

    def test_create_user_and_token(self, db, capsys):
        from django.core.management import call_command

        from vinculo.identity.models import User

        call_command("create_user", "bea", "--role", "sales", "--team", "Iberia",
                     "--team", "Canarias", "--password", "s3cret-pw", "--email", "bea@x.es")
        user = User.objects.get(username="bea")
        assert user.role.name == "sales"
        assert sorted(t.name for t in user.teams.all()) == ["Canarias", "Iberia"]
        assert user.check_password("s3cret-pw")
        capsys.readouterr()
        call_command("create_api_token", "bea")
        token = capsys.readouterr().out.strip().splitlines()[-1]
        assert Api(token).get("users/me").json()["username"] == "bea"

    def test_create_user_generates_a_password(self, db, capsys):
        from django.core.management import call_command

        from vinculo.identity.models import User

        call_command("create_user", "carl", "--role", "readonly")
        out = capsys.readouterr().out
        password = out.strip().splitlines()[-1].split(":", 1)[1].strip()
        assert User.objects.get(username="carl").check_password(password)

    @pytest.mark.parametrize("args", [["dan", "--role", "wizard"], ["alice", "--role", "sales"]])
    def test_create_user_refuses_bad_input(self, admin, args):
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError):
            call_command("create_user", *args)

    def test_create_api_token_for_unknown_user(self, db):
        from django.core.management import CommandError, call_command

        with pytest.raises(CommandError):
            call_command("create_api_token", "nobody")
