"""The tokenizer: words folded (lower case, no accents), numbers in both locales, currency
symbols and comparison signs as tokens of their own."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def stem(word: str) -> str:
    """A crude singular shared by the lexicon and the tokens ("ciudades" and "ciudad" meet)."""
    if len(word) > 3 and word.endswith("s") and not word.endswith("ss") and word.isalpha():
        word = word[:-1]
        if len(word) > 4 and word.endswith("e") and word[-2] in "rnldzj":
            word = word[:-1]
    return word


@dataclass
class Token:
    text: str  # as typed
    norm: str  # folded and stemmed ("" for numbers)
    start: int
    end: int
    number: Decimal | None = None
    kind: str = "word"  # word, number, symbol

    @property
    def plain(self) -> str:
        return fold(self.text)


_TOKEN = re.compile(
    r"(?P<date>\d{4}-\d{2}-\d{2})"
    r"|(?P<number>\d+(?:[.,]\d+)*)"
    r"|(?P<sym>>=|<=|[<>=€$£%,;])"
    r"|(?P<word>[^\W\d_]+(?:['’\-][^\W\d_]+)*)",
    re.UNICODE,
)


def parse_number(text: str) -> Decimal | None:
    """"1,000" and "1.000" are a thousand; "2,5" and "2.5" two and a half; "1.234,56" and
    "1,234.56" the same amount."""
    if "," in text and "." in text:
        decimal_sep = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_sep == "," else ","
        cleaned = text.replace(thousands, "").replace(decimal_sep, ".")
    elif "," in text or "." in text:
        sep = "," if "," in text else "."
        parts = text.split(sep)
        if len(parts) > 2 or (len(parts) == 2 and len(parts[1]) == 3 and parts[0] != "0"):
            cleaned = "".join(parts)  # thousands groups
        else:
            cleaned = text.replace(sep, ".")
    else:
        cleaned = text
    try:
        return Decimal(cleaned)
    except InvalidOperation:
        return None


def tokenize(text: str) -> list[Token]:
    tokens: list[Token] = []
    for m in _TOKEN.finditer(text):
        raw = m.group(0)
        if m.lastgroup == "date":
            tokens.append(Token(raw, raw, m.start(), m.end(), kind="date"))
        elif m.lastgroup == "number":
            number = parse_number(raw)
            tokens.append(Token(raw, "", m.start(), m.end(), number=number,
                                kind="number" if number is not None else "word"))
        elif m.lastgroup == "sym":
            tokens.append(Token(raw, raw, m.start(), m.end(), kind="symbol"))
        else:
            tokens.append(Token(raw, stem(fold(raw)), m.start(), m.end()))
    return tokens


def phrase_key(text: str) -> tuple[str, ...]:
    """The lexicon key of a phrase: its words folded and stemmed."""
    return tuple(t.norm for t in tokenize(text) if t.kind in ("word", "symbol"))
