"""The people and companies the benchmarks run against."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from . import data
from .report import progress

REPS = ("rita", "oscar", "lucia", "tom")
ACCOUNT_BATCH = 1_000


@dataclass
class World:
    admin: Any
    token: str
    reps: list[Any]
    account_ids: dict[str, int] = field(default_factory=dict)

    @property
    def owner_ids(self) -> list[int]:
        return [self.admin.pk, *(r.pk for r in self.reps)]


def create_people() -> World:
    """An administrator with an API token (the API client of every figure) and sales reps."""
    from vinculo.identity.services import roles_ensure_builtin, token_create, user_create

    roles_ensure_builtin()
    admin, _pw = user_create(username="bench-admin", role="admin", password="bench-admin-pw",
                             email="admin@bench.example")
    reps = [user_create(username=name, role="sales", password=f"pw-{name}", teams=["Iberia"],
                        email=f"{name}@bench.example")[0] for name in REPS]
    _token, raw = token_create(admin, "bench")
    return World(admin=admin, token=raw, reps=reps)


def create_accounts(world: World, count: int) -> None:
    """Accounts through the write pipeline (search index and audit included)."""
    from vinculo.customers.models import Account
    from vinculo.platform import records

    progress(f"creating {count:,} accounts")
    rows = list(data.account_rows(count))
    for start in range(0, len(rows), ACCOUNT_BATCH):
        result = records.create_many("accounts", rows[start:start + ACCOUNT_BATCH],
                                     actor=world.admin, source="bench")
        if result.errors:
            raise RuntimeError(f"account rows refused: {dict(list(result.errors.items())[:3])}")
    world.account_ids = dict(Account.objects.values_list("name", "id"))
