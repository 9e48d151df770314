"""Figures of the knowledge base, with 5,000 articles at full scale (scaled by `BENCH_SCALE`,
at least 300), in English and Spanish:

- `knowledge_search_api`: `GET /api/v1/knowledge-articles?q=…` (accent-insensitive words), the
  median over a set of queries; `ratio` against `GET /api/v1/contacts?q=…` in the same run.
- `knowledge_suggestions_api`: `GET /api/v1/cases/<id>/suggested-articles` for cases with a
  realistic subject and description; `ratio` against `GET /api/v1/cases/<id>`.
"""

from __future__ import annotations

import random
from typing import Any

from ..report import Reporter, median, progress, samples_ms
from ..sizes import Sizes
from ..world import World

FULL = 5_000
SEED = 5005
BATCH = 500
EN_TOPICS = ("printer", "invoice", "password", "delivery", "refund", "warranty", "battery",
             "screen", "account", "subscription", "router", "payment", "shipping", "login")
EN_VERBS = ("reset", "change", "cancel", "track", "update", "install", "return", "repair")
ES_TOPICS = ("impresora", "factura", "contraseña", "envío", "devolución", "garantía",
             "batería", "pantalla", "cuenta", "suscripción", "pago", "sesión")
ES_VERBS = ("cambiar", "cancelar", "seguir", "actualizar", "instalar", "devolver", "reparar")
QUERIES = ("printer", "devolucion", "garantia bateria", "reset password", "envio",
           "factura", "router install", "pantalla")
CASES = (("My printer will not print after the update", "The printer driver fails since "
          "yesterday, I tried to reinstall it."),
         ("No puedo cambiar la contraseña", "Hola, al cambiar la contraseña de mi cuenta "
          "me da un error."),
         ("Refund for a damaged screen", "The screen arrived broken, I want a refund."))


def _article(rng: random.Random, i: int) -> dict:
    spanish = i % 3 == 0
    topics, verbs = (ES_TOPICS, ES_VERBS) if spanish else (EN_TOPICS, EN_VERBS)
    topic, other = rng.sample(topics, 2)
    verb = rng.choice(verbs)
    title = (f"Cómo {verb} {topic} ({i})" if spanish else f"How to {verb} your {topic} ({i})")
    body = " ".join(f"{rng.choice(verbs)} {rng.choice(topics)}" for _ in range(40))
    return {"title": title, "body": f"{body} {other}.", "language": "es" if spanish else "en",
            "status": "published", "public": i % 2 == 0}


def _load(world: World, count: int) -> None:
    from vinculo.platform import records

    rng = random.Random(SEED)
    for start in range(0, count, BATCH):
        rows = [_article(rng, i) for i in range(start, min(count, start + BATCH))]
        result = records.create_many("knowledge-articles", rows, actor=world.admin,
                                     source="bench")
        if result.errors:
            raise RuntimeError(f"knowledge articles refused: {result.errors[:3]}")


def run(world: World, api: Any, sizes: Sizes, reporter: Reporter) -> None:
    from vinculo.platform import records

    count = FULL if sizes.scale >= 1 else max(300, round(FULL * sizes.scale))
    progress(f"knowledge: {count:,} articles")
    _load(world, count)
    for query in QUERIES:
        if not api.get_json("knowledge-articles", q=query, limit=5)["items"]:
            raise RuntimeError(f"knowledge search found nothing for {query!r}")

    def series(get) -> list[float]:
        return [median(samples_ms(get, min_runs=3, max_runs=10, budget_s=1.0))]

    searches = [s for q in QUERIES for s in series(
        lambda q=q: api.get("knowledge-articles", q=q, limit=20))]
    contacts = [s for q in ("garcia", "maria", "smith", "lopez", "mar", "jose", "zoe", "munoz")
                for s in series(lambda q=q: api.get("contacts", q=q, limit=20))]
    reporter.figure("knowledge_search_api", median(searches), "ms",
                    ratio=median(searches) / median(contacts))

    case_ids = [records.create("cases", {"subject": subject, "description": text},
                               actor=world.admin, source="bench").pk
                for subject, text in CASES]
    for pk in case_ids:
        if not api.get_json(f"cases/{pk}/suggested-articles")["items"]:
            raise RuntimeError(f"no suggestion for bench case {pk}")
    suggest = [s for pk in case_ids
               for s in series(lambda pk=pk: api.get(f"cases/{pk}/suggested-articles"))]
    plain = [s for pk in case_ids for s in series(lambda pk=pk: api.get(f"cases/{pk}"))]
    reporter.figure("knowledge_suggestions_api", median(suggest), "ms",
                    ratio=median(suggest) / median(plain))
