"""Natural-language segmentation (contract §5): a sentence in English or Spanish becomes an
ordinary filter node, with an explanation and the words that could not be placed."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from . import explain as _explain
from . import lexicon as _lexicon
from . import words
from .parser import Parser
from .tokens import tokenize

MAX_TEXT = 500


@dataclass
class Interpretation:
    filter: dict
    explanation: str
    unrecognized: list[str] = field(default_factory=list)
    language: str = "en"


def detect_language(text: str) -> str:
    norms = [t.plain for t in tokenize(text) if t.kind == "word"]
    es = sum(1 for w in norms if w in words.LANGUAGE_HINTS["es"])
    en = sum(1 for w in norms if w in words.LANGUAGE_HINTS["en"])
    if any(c in text for c in "áéíóúñ¿¡"):
        es += 2
    return "es" if es > en else "en"


def interpret(entity: str, text: str, language: str | None = None, *,
              today: dt.date | None = None, lexicon: _lexicon.Lexicon | None = None
              ) -> Interpretation:
    """Read `text` as a filter of `entity`. `today` anchors relative dates and `lexicon`
    replaces the one built from the database (the test set's fixed world)."""
    language = language or detect_language(text)
    language = "es" if language.startswith("es") else "en"
    lex = lexicon or _lexicon.get(entity)
    parser = Parser(lex, tokenize(text[:MAX_TEXT]), today or timezone.localdate())
    parser.run()
    node = parser.result()
    return Interpretation(node, _explain.explain(entity, node, language, lex),
                          parser.unrecognized(), language)


def explain(entity: str, node: Any, language: str = "en") -> str:
    return _explain.explain(entity, node, "es" if language.startswith("es") else "en")
