"""Believable, reproducible data: Spanish and English names (with accents), cities in
several countries, phones that parse, skewed activity and order histories."""

from __future__ import annotations

import csv
import datetime as dt
import random
import unicodedata
from collections.abc import Iterator
from pathlib import Path

SEED = 20_261_124

FIRST_NAMES = (
    "María", "José", "Lucía", "Martín", "Sofía", "Ángel", "Inés", "Raúl", "Jesús", "Óscar",
    "Ramón", "Elena", "Carmen", "Pablo", "David", "Laura", "Andrés", "Begoña", "Iñaki",
    "Nuria", "Jorge", "Marta", "Adrián", "Rocío", "Alejandro", "Paula", "Héctor", "Noelia",
    "John", "Emma", "Oliver", "Charlotte", "James", "Olivia", "William", "Amelia", "Henry",
    "Grace", "Thomas", "Chloe", "Mateo", "Valentina", "Santiago", "Camila", "Joaquín", "Zoë",
)
LAST_NAMES = (
    "García", "Martínez", "López", "Sánchez", "Pérez", "Gómez", "Fernández", "Rodríguez",
    "González", "Díaz", "Muñoz", "Álvarez", "Romero", "Jiménez", "Ruiz", "Hernández",
    "Moreno", "Castillo", "Ibáñez", "Peña", "Núñez", "Ortega", "Delgado", "Vázquez",
    "Smith", "Johnson", "Brown", "Williams", "Taylor", "O'Brien", "Davies", "Evans",
    "Wilson", "Thompson", "Clarke", "Walker", "Müller", "Rossi", "Silva", "Costa",
)
TITLES = ("", "", "CEO", "CTO", "Sales manager", "Buyer", "Head of purchasing",
          "Marketing director", "Office manager", "Engineer", "Consultant", "Directora comercial",
          "Jefe de compras", "Responsable de marketing")
EMAIL_DOMAINS = ("gmail.com", "hotmail.es", "outlook.com", "yahoo.com", "empresa.es",
                 "correo.mx", "mail.co.uk", "example.org")
# city, country, weight, phone prefix, national digits after the prefix
CITIES = (
    ("Madrid", "ES", 15, "+34 6", 8), ("Barcelona", "ES", 10, "+34 6", 8),
    ("Valencia", "ES", 6, "+34 6", 8), ("Sevilla", "ES", 5, "+34 6", 8),
    ("Bilbao", "ES", 3, "+34 6", 8), ("Málaga", "ES", 3, "+34 6", 8),
    ("Zaragoza", "ES", 3, "+34 6", 8), ("A Coruña", "ES", 2, "+34 6", 8),
    ("Ciudad de México", "MX", 8, "+52 55", 8), ("Guadalajara", "MX", 3, "+52 33", 8),
    ("Bogotá", "CO", 5, "+57 3", 9), ("Medellín", "CO", 2, "+57 3", 9),
    ("Buenos Aires", "AR", 6, "+54 9 11", 8), ("Lisboa", "PT", 3, "+351 9", 8),
    ("London", "GB", 8, "+44 7", 9), ("Manchester", "GB", 3, "+44 7", 9),
    ("New York", "US", 6, "+1 212", 7), ("Miami", "US", 3, "+1 305", 7),
)
CITY_WEIGHTS = tuple(c[2] for c in CITIES)
STAGES = ("subscriber", "lead", "customer", "evangelist", "other")
STAGE_WEIGHTS = (20, 40, 30, 5, 5)
INDUSTRIES = ("Retail", "Software", "Manufacturing", "Logistics", "Healthcare", "Banca",
              "Hostelería", "Education", "Energía", "Construction")
COMPANY_WORDS = ("Grupo", "Soluciones", "Industrias", "Tech", "Global", "Ibérica", "Andina",
                 "Northwind", "Contoso", "Atlántico", "Nova", "Sierra", "Delta", "Horizonte")
CSV_COLUMNS = ("first_name", "last_name", "email", "phone", "title", "account_name", "city",
               "postal_code", "country", "lifecycle_stage", "email_opt_in")

ACTIVITY_KINDS = ("call", "email", "meeting", "note", "task", "chat", "sms", "visit")
ACTIVITY_WEIGHTS = (30, 30, 10, 12, 10, 4, 2, 2)
TOPICS = ("renewal", "pricing", "demo", "support ticket", "onboarding", "invoice",
          "follow-up", "contract", "delivery", "complaint", "upsell", "training")
BODIES = ("", "Left a voicemail.", "Asked for a new quote.", "Happy with the service.",
          "Wants to talk to finance first.", "Sent the documentation.",
          "Needs a discount to renew.", "Meeting moved to next week.")


def ascii_slug(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return "".join(c for c in plain.lower() if c.isalnum())


def phone_for(rng: random.Random, prefix: str, digits: int) -> str:
    tail = "".join(rng.choices("0123456789", k=digits))
    return f"{prefix}{tail[:3]} {tail[3:]}"


def e164(phone: str) -> str:
    """The E.164 form of a phone written by `phone_for` (an international number)."""
    return "+" + "".join(c for c in phone if c.isdigit())


def account_names(count: int) -> list[str]:
    rng = random.Random(SEED + 1)
    names = []
    for i in range(count):
        first, second = rng.sample(COMPANY_WORDS, 2)
        names.append(f"{first} {second} {i + 1}")
    return names


def account_rows(count: int) -> Iterator[dict]:
    rng = random.Random(SEED + 2)
    for name in account_names(count):
        city, country, _w, prefix, digits = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        yield {
            "name": name,
            "domain": ascii_slug(name) + ".example",
            "industry": rng.choice(INDUSTRIES),
            "phone": phone_for(rng, prefix, digits),
            "city": city,
            "country": country,
            "employees": rng.randint(1, 5000),
        }


def contact_rows(count: int, accounts: list[str]) -> Iterator[dict]:
    """Rows as a CSV export from another system would have them (all values text)."""
    rng = random.Random(SEED + 3)
    for i in range(count):
        first = rng.choice(FIRST_NAMES)
        last = rng.choice(LAST_NAMES)
        city, country, _w, prefix, digits = rng.choices(CITIES, weights=CITY_WEIGHTS)[0]
        yield {
            "first_name": first,
            "last_name": last,
            "email": f"{ascii_slug(first)}.{ascii_slug(last)}{i}@{rng.choice(EMAIL_DOMAINS)}",
            "phone": phone_for(rng, prefix, digits),
            "title": rng.choice(TITLES),
            "account_name": rng.choice(accounts) if accounts and rng.random() < 0.6 else "",
            "city": city,
            "postal_code": f"{rng.randint(1000, 52999):05d}",
            "country": country,
            "lifecycle_stage": rng.choices(STAGES, weights=STAGE_WEIGHTS)[0],
            "email_opt_in": "true" if rng.random() < 0.4 else "false",
        }


def write_csv(path: Path, rows: Iterator[dict]) -> int:
    count = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count


def read_csv(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


class Skewed:
    """Picks ids so that a few are picked often: `hot` of the ids get `hot_share` of picks."""

    def __init__(self, rng: random.Random, ids: list[int], hot: float, hot_share: float):
        self.rng = rng
        shuffled = list(ids)
        rng.shuffle(shuffled)
        cut = max(1, int(len(shuffled) * hot))
        self.hot, self.cold = shuffled[:cut], shuffled[cut:] or shuffled[:cut]
        self.hot_share = hot_share

    def pick(self) -> tuple[int, bool]:
        if self.rng.random() < self.hot_share:
            return self.rng.choice(self.hot), True
        return self.rng.choice(self.cold), False


def moment(rng: random.Random, now: dt.datetime, recent: bool) -> dt.datetime:
    """A time in the last two years; `recent` ones fall in the last 90 days half the time."""
    days = rng.uniform(0, 90) if recent and rng.random() < 0.5 else rng.uniform(0, 730)
    return now - dt.timedelta(days=days, seconds=rng.randint(0, 86_399))
