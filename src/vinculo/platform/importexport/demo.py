"""The demo data set: a believable CRM in Spanish- and English-speaking countries.

Users of every built-in role in three teams; accounts with industries and parent companies;
contacts with consent, lifecycle stages and tags; two years of activities of every kind,
tasks (some overdue), products, and orders with lines. Everything is written through the
write pipeline's bulk path (`records.create_many`), so audit and search are filled as for
real data. The same `seed` gives the same data set (dates are relative to today).
"""

from __future__ import annotations

import datetime as dt
import random
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from vinculo.platform import records

from . import demo_data as data

BATCH = 1000


@dataclass
class Summary:
    counts: dict[str, int] = field(default_factory=dict)
    users: list[str] = field(default_factory=list)
    password: str = data.DEMO_PASSWORD


@dataclass
class Context:
    seed: int
    actor: Any
    now: dt.datetime
    owners_by_team: dict[str, list[int]]
    accounts: list[dict] = field(default_factory=list)  # {"id", "country", "domain", "owner"}
    contacts: list[dict] = field(default_factory=list)  # {"id", "country", "account", ...}
    products: list[dict] = field(default_factory=list)
    rnd: random.Random = field(default_factory=random.Random)

    def step(self, name: str) -> None:
        """Each step draws from its own generator, so that one step's choices (which depend
        on what exists already) never shift the next step's."""
        self.rnd = random.Random(f"{self.seed}:{name}")


def _slug(text: str) -> str:
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()
    return re.sub(r"[^a-z0-9]+", "-", plain).strip("-")


def _fill(pattern: str, rnd: random.Random) -> str:
    return "".join(str(rnd.randint(0, 9)) if c == "#" else c for c in pattern)


def _country(rnd: random.Random) -> str:
    return rnd.choices(list(data.COUNTRY_WEIGHTS), weights=list(data.COUNTRY_WEIGHTS.values()))[0]


def _create(entity: str, rows: list[dict], ctx: Context, summary: Summary,
            on_step: Callable[[str], None]) -> list[Any]:
    created: list[Any] = []
    for start in range(0, len(rows), BATCH):
        result = records.create_many(entity, rows[start : start + BATCH], actor=ctx.actor,
                                     source="demo")
        if result.errors:
            first = next(iter(result.errors.items()))
            raise RuntimeError(f"Demo {entity} refused: row {first[0]}: {first[1]}")
        created.extend(result.created)
    summary.counts[entity] = summary.counts.get(entity, 0) + len(created)
    on_step(entity)
    return created


# ---------------------------------------------------------------------------- users


def ensure_users(summary: Summary) -> dict[str, list[int]]:
    """The demo users (created once, with the demo password); owner ids by team."""
    from django.contrib.auth.hashers import make_password

    from vinculo.identity.models import Role, Team, User
    from vinculo.identity.services import roles_ensure_builtin

    roles_ensure_builtin()
    roles = {r.name: r for r in Role.objects.all()}
    by_team: dict[str, list[int]] = {}
    hashed = None
    for username, first, last, role, team in data.DEMO_USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            # As identity's user_create, with one password hash for all the demo users:
            # hashing takes about a second each.
            hashed = hashed or make_password(data.DEMO_PASSWORD)
            user = User(username=username, first_name=first, last_name=last,
                        email=f"{username}@vinculo.example", role=roles[role],
                        is_staff=roles[role].is_admin, password=hashed,
                        language="en" if team == "UK & US" else "es")
            user.full_clean(exclude=["password"])
            user.save()
            if team:
                user.teams.add(Team.objects.get_or_create(name=team)[0])
        summary.users.append(f"{username} ({role})")
        if team and role in ("sales", "manager"):
            by_team.setdefault(team, []).append(user.pk)
    return by_team


# ---------------------------------------------------------------------------- records


def _company_name(country: str, rnd: random.Random, taken: set[str]) -> str:
    language = data.COUNTRIES[country][0]
    for attempt in range(50):
        kind = rnd.choice(data.COMPANY_KINDS[language])
        word = rnd.choice(data.COMPANY_WORDS[language])
        name = f"{kind} {word}" if language == "es" else f"{word} {kind}"
        if attempt > 5:
            name += f" {rnd.choice(['Norte', 'Sur', 'Este', 'Oeste', 'Global', 'Plus'])}"
        name = f"{name} {data.LEGAL_FORMS[country]}"
        if name not in taken:
            taken.add(name)
            return name
    name = f"{name} {len(taken)}"
    taken.add(name)
    return name


def _address(country: str, rnd: random.Random) -> dict[str, str]:
    language = data.COUNTRIES[country][0]
    city, region, postal = rnd.choice(data.COUNTRIES[country][2])
    number = rnd.randint(1, 180)
    street = rnd.choice(data.STREETS[language])
    return {"street": f"{street} {number}" if language == "es" else f"{number} {street}",
            "city": city, "region": region, "postal_code": _fill(postal, rnd),
            "country": country}


def _owner(ctx: Context, country: str) -> int | None:
    team = data.TEAM_OF_COUNTRY[country]
    owners = ctx.owners_by_team.get(team) or [ctx.actor.pk]
    return ctx.rnd.choice(owners)


def make_accounts(ctx: Context, count: int, summary: Summary, on_step) -> None:
    rnd, taken = ctx.rnd, set()
    groups = max(1, count // 12)
    parents = []
    for _i in range(groups):
        country = _country(rnd)
        name = _company_name(country, rnd, taken).replace(data.LEGAL_FORMS[country], "Group")
        parents.append(_account_row(ctx, name, country))
    created = _create("accounts", parents, ctx, summary, lambda step: None)
    ctx.accounts += [{"id": obj.pk, "country": obj.country, "domain": obj.domain,
                      "owner": obj.owner_id} for obj in created]
    children = []
    for _i in range(max(0, count - groups)):
        country = _country(rnd)
        row = _account_row(ctx, _company_name(country, rnd, taken), country)
        if rnd.random() < 0.15:
            row["parent_id"] = rnd.choice(created).pk
        children.append(row)
    created = _create("accounts", children, ctx, summary, on_step)
    ctx.accounts += [{"id": obj.pk, "country": obj.country, "domain": obj.domain,
                      "owner": obj.owner_id} for obj in created]


def _account_row(ctx: Context, name: str, country: str) -> dict:
    rnd = ctx.rnd
    domain = f"{_slug(name.rsplit(' ', 1)[0])[:40]}.example"
    return {
        "name": name, "domain": domain, "industry": rnd.choice(data.INDUSTRIES),
        "phone": _fill(data.COUNTRIES[country][3], rnd), "website": f"https://www.{domain}",
        **_address(country, rnd),
        "annual_revenue": str(Decimal(rnd.randint(2, 4000)) * Decimal("25000")),
        "employees": rnd.choice([5, 12, 25, 40, 80, 150, 300, 750, 2000]),
        "owner_id": _owner(ctx, country),
        "tags": rnd.sample(["b2b", "partner", "vip", "upsell", "churn-risk"], rnd.randint(0, 2)),
    }


def make_contacts(ctx: Context, count: int, summary: Summary, on_step) -> None:
    rnd = ctx.rnd
    stages = ("subscriber", "lead", "customer", "evangelist", "other")
    weights = (15, 35, 35, 5, 10)
    emails: set[str] = set()
    rows = []
    for _i in range(count):
        account = rnd.choice(ctx.accounts) if ctx.accounts and rnd.random() < 0.85 else None
        country = account["country"] if account else _country(rnd)
        language = data.COUNTRIES[country][0]
        if language == "es":
            first = rnd.choice(data.SPANISH_FIRST)
            last = f"{rnd.choice(data.SPANISH_LAST)} {rnd.choice(data.SPANISH_LAST)}" \
                if country == "ES" and rnd.random() < 0.5 else rnd.choice(data.SPANISH_LAST)
        else:
            first, last = rnd.choice(data.ENGLISH_FIRST), rnd.choice(data.ENGLISH_LAST)
        domain = account["domain"] if account else rnd.choice(
            ("example.com", "example.org", "example.net"))
        local = f"{_slug(first)}.{_slug(last).replace('-', '.')}"
        email = f"{local}@{domain}"
        number = 2
        while email in emails:
            email = f"{local}{number}@{domain}"
            number += 1
        emails.add(email)
        opt_in = rnd.random() < 0.6
        stage = rnd.choices(stages, weights=weights)[0]
        phone = _fill(data.COUNTRIES[country][3], rnd) if rnd.random() < 0.5 else ""
        mobile = _fill(data.COUNTRIES[country][3], rnd) if rnd.random() < 0.7 else ""
        channels = ("email", "email", "phone", "sms", "chat", "") if phone or mobile else (
            "email", "email", "chat", "")
        row = {
            "first_name": first, "last_name": last, "email": email, "phone": phone,
            "mobile": mobile, "title": rnd.choice(data.TITLES[language]),
            **_address(country, rnd), "lifecycle_stage": stage,
            "preferred_channel": rnd.choice(channels),
            "email_opt_in": opt_in, "do_not_contact": rnd.random() < 0.03,
            "owner_id": account["owner"] if account else _owner(ctx, country),
            "tags": rnd.sample(data.TAGS, rnd.choice((0, 0, 1, 1, 2, 3))),
        }
        if opt_in:
            row["email_opt_in_at"] = ctx.now - dt.timedelta(days=rnd.randint(1, 700))
            row["email_opt_in_source"] = rnd.choice(("web form", "trade fair", "import",
                                                     "webinar"))
        if rnd.random() < 0.4:
            row["birthdate"] = dt.date(rnd.randint(1955, 2002), rnd.randint(1, 12),
                                       rnd.randint(1, 28))
        if account:
            row["account_id"] = account["id"]
        rows.append(row)
    created = _create("contacts", rows, ctx, summary, on_step)
    ctx.contacts = [{"id": obj.pk, "country": obj.country, "account": obj.account_id,
                     "owner": obj.owner_id, "stage": obj.lifecycle_stage}
                    for obj in created]


def make_activities(ctx: Context, per_contact: float, summary: Summary, on_step) -> None:
    rnd = ctx.rnd
    kinds = ("call", "email", "meeting", "note", "chat", "sms", "social", "visit")
    weights = (25, 30, 10, 12, 8, 5, 4, 6)
    rows = []
    for contact in ctx.contacts:
        language = data.COUNTRIES[contact["country"]][0]
        for _i in range(int(per_contact) + (rnd.random() < per_contact % 1)):
            kind = rnd.choices(kinds, weights=weights)[0]
            when = ctx.now - dt.timedelta(days=rnd.randint(0, 729), minutes=rnd.randint(0, 600))
            row = {"kind": kind, "subject": rnd.choice(data.SUBJECTS[language][kind]),
                   "occurred_at": when, "contact_id": contact["id"],
                   "account_id": contact["account"], "owner_id": contact["owner"]}
            if kind in ("call", "email", "chat", "sms", "social"):
                row["direction"] = rnd.choice(("inbound", "outbound"))
            if kind in ("call", "meeting", "visit"):
                row["duration_minutes"] = rnd.choice((5, 10, 15, 30, 45, 60, 90))
            rows.append(row)
        if rnd.random() < 0.35:
            rows.append(_task(ctx, contact, language))
    _create("activities", rows, ctx, summary, on_step)


def _task(ctx: Context, contact: dict, language: str) -> dict:
    rnd = ctx.rnd
    due = ctx.now + dt.timedelta(days=rnd.randint(-45, 30), hours=rnd.randint(0, 8))
    done = due < ctx.now and rnd.random() < 0.6  # the rest of the past ones are overdue
    return {"kind": "task", "subject": rnd.choice(data.SUBJECTS[language]["task"]),
            "occurred_at": min(due, ctx.now) - dt.timedelta(days=rnd.randint(1, 10)),
            "due_at": due, "done": done, "contact_id": contact["id"],
            "account_id": contact["account"], "owner_id": contact["owner"]}


def make_products(ctx: Context, summary: Summary, on_step) -> None:
    from vinculo.sales.models import Product

    existing = {p.sku: p for p in Product.all_objects.filter(
        sku__in=[sku for sku, _n, _p in data.PRODUCTS])}
    rows = [{"sku": sku, "name": name, "unit_price": price, "currency": "EUR",
             "stock": ctx.rnd.randint(0, 500) if sku.startswith("HW-") else None}
            for sku, name, price in data.PRODUCTS if sku not in existing]
    created = _create("products", rows, ctx, summary, on_step) if rows else []
    ctx.products = [{"id": p.pk, "price": p.unit_price} for p in [*existing.values(), *created]]


def make_orders(ctx: Context, summary: Summary, on_step) -> None:
    rnd = ctx.rnd
    rows, sequence = [], 0
    buyers = [c for c in ctx.contacts if c["stage"] in ("customer", "evangelist")]
    for contact in buyers:
        for _i in range(rnd.choice((1, 1, 1, 2, 2, 3, 4))):
            sequence += 1
            when = ctx.now - dt.timedelta(days=rnd.randint(0, 729), hours=rnd.randint(0, 23))
            status = "fulfilled" if when < ctx.now - dt.timedelta(days=14) else rnd.choice(
                ("confirmed", "fulfilled", "draft"))
            if rnd.random() < 0.04:
                status = "cancelled"
            row = {"number": f"ORD-{when.year}-{sequence:06d}", "contact_id": contact["id"],
                   "account_id": contact["account"], "owner_id": contact["owner"],
                   "status": status, "ordered_at": when, "currency": "EUR"}
            # Older orders carry only their total, as history brought from another system.
            recent = when > ctx.now - dt.timedelta(days=365)
            if rnd.random() < (0.4 if recent else 0.85):
                row["total"] = str(Decimal(rnd.randint(20, 3000)) + Decimal("0.90"))
            else:
                row["lines"] = [
                    {"product_id": product["id"], "quantity": rnd.choice((1, 1, 1, 2, 3, 5)),
                     "discount": rnd.choice((0, 0, 0, 5, 10))}
                    for product in rnd.sample(ctx.products, rnd.randint(1, 3))]
            rows.append(row)
    _create("orders", rows, ctx, summary, on_step)


def build(*, contacts: int = 300, seed: int = 42, actor: Any,
          on_step: Callable[[str], None] | None = None) -> Summary:
    """Create the demo data set with about `contacts` contacts."""
    summary = Summary()
    on_step = on_step or (lambda step: None)
    owners = ensure_users(summary)
    on_step("users")
    ctx = Context(seed, actor, timezone.now().replace(microsecond=0), owners)
    ctx.step("products")
    make_products(ctx, summary, on_step)
    ctx.step("accounts")
    make_accounts(ctx, max(8, contacts // 8), summary, on_step)
    ctx.step("contacts")
    make_contacts(ctx, contacts, summary, on_step)
    ctx.step("activities")
    make_activities(ctx, 2.0, summary, on_step)
    ctx.step("orders")
    make_orders(ctx, summary, on_step)
    for _order, name, make in sorted(_steps, key=lambda step: (step[0], step[1])):
        ctx.step(name)
        make(ctx, summary, on_step)
    return summary


_steps: list[tuple[int, str, Callable]] = []


def register_step(name: str, make: Callable, order: int) -> None:
    """A module's part of the data set (`make(ctx, summary, on_step)`), run after the
    customers and orders in `order` (lower first: campaigns attribute leads and deals)."""
    if all(step[1] != name for step in _steps):
        _steps.append((order, name, make))
