"""The grammar: a left-to-right parser over the tokens that reads phrases from the lexicon
(fields, values, relations, owners) and from the fixed grammar words (comparisons,
negations, "or", dates, amounts) and produces an ordinary filter node.

Whatever it cannot place is reported as unrecognized, never dropped silently.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from . import words
from .lexicon import Lexicon, Sense
from .tokens import Token, phrase_key, stem

DATE_KINDS = {"date", "datetime", "json_date"}
NUMBER_KINDS = {"number", "decimal", "json_number"}
INVERSE = {"gt": "lte", "gte": "lt", "lt": "gte", "lte": "gt", "eq": "ne", "ne": "eq"}


def _keys(table: Any) -> dict[tuple[str, ...], Any]:
    if isinstance(table, dict):
        return {phrase_key(k): v for k, v in table.items() if phrase_key(k)}
    return {phrase_key(k): True for k in table if phrase_key(k)}


COMPARATORS = _keys(words.COMPARATORS)
NEG = _keys(words.NEG)
OR = _keys(words.OR)
AND = _keys(words.AND)
STOP = _keys(words.STOP)
TIMES = {stem(w) for w in words.TIMES}
NUMBER_WORDS = {stem(k): v for k, v in words.NUMBER_WORDS.items()}
ARTICLE_NUMBERS = {stem(k): v for k, v in words.ARTICLE_NUMBERS.items()}
CURRENCIES = {(phrase_key(k) or (k,)): v for k, v in words.CURRENCY_WORDS.items()}
MULTIPLIERS = {stem(k): v for k, v in words.MULTIPLIERS.items()}
UNITS = {stem(k): v for k, v in words.UNITS.items()}
MONTHS = {stem(k): v for k, v in words.MONTHS.items()}
LAST = {stem(w) for w in words.LAST}
PASSED = {stem(w) for w in words.PASSED}
THIS = {stem(w) for w in words.THIS}
SINCE = {stem(w) for w in words.SINCE}
BEFORE = _keys(words.BEFORE)
AFTER = _keys(words.AFTER)
LEADING = {stem(w) for w in ("in", "the", "en", "los", "las", "el", "la", "during", "durante",
                             "of", "de", "del", "within", "dentro", "over", "para")}
TODAY = {stem(w) for w in words.TODAY}
YESTERDAY = {stem(w) for w in words.YESTERDAY}
CONTAINS = _keys({"contains", "contiene", "contienen", "includes", "incluye", "incluyen",
                  "like", "con la palabra", "containing", "que contiene", "que contienen",
                  "including", "que incluye"})
AGO = {stem(w) for w in words.AGO_WORDS}
HACE = {stem(w) for w in words.HACE}


@dataclass
class DateSpec:
    op: str  # within, range, gte, lt, gt
    value: Any
    start: int = 0
    end: int = 0

    def node(self, path: str) -> dict:
        if self.op == "within":
            return {"field": path, "op": "within_last_days", "value": self.value}
        if self.op == "older":
            return {"field": path, "op": "older_than_days", "value": self.value}
        if self.op == "range":
            return {"field": path, "op": "between",
                    "value": [self.value[0].isoformat(), self.value[1].isoformat()]}
        return {"field": path, "op": self.op, "value": self.value.isoformat()}


@dataclass
class Amount:
    op: str
    values: list[Any]
    currency: str | None = None
    start: int = 0
    end: int = 0
    dates: bool = False


@dataclass
class Term:
    node: dict
    joiner: str = "and"
    rel: str | None = None  # relation name for aggregates
    measure: str = "count"
    where: list[dict] = field(default_factory=list)
    dated: bool = False
    compared: bool = False
    negated: bool = False
    customer: bool = False
    span: tuple[int, int] = (0, 0)


def _num(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


class Parser:
    def __init__(self, lexicon: Lexicon, tokens: list[Token], today: dt.date):
        self.lex = lexicon
        self.tokens = tokens
        self.norms = [t.norm for t in tokens]
        self.today = today
        self.consumed = [False] * len(tokens)
        self.terms: list[Term] = []
        self.joiner = "and"
        self.neg: list[int] = []  # token indexes of a pending negation
        self.context: tuple[str, int] | None = None  # a field word awaiting its value
        self.context_end = 0
        self.pending_amount: Amount | None = None
        self.pending_date: DateSpec | None = None

    # ------------------------------------------------------------------ phrase matching

    def match(self, table: dict, i: int, longest: int = 5) -> tuple[Any, int] | None:
        for size in range(min(longest, len(self.tokens) - i), 0, -1):
            key = tuple(self.norms[i:i + size])
            if key in table:
                return table[key], i + size
        return None

    def lex_at(self, i: int) -> tuple[list[Sense], int] | None:
        found = self.match(self.lex.phrases, i, self.lex.longest)
        if found is None:
            tok = self.tokens[i]
            if (tok.kind == "word" and len(tok.text) == 2 and tok.text.isupper()
                    and tok.text in self.lex.country_codes):
                return [Sense("value", ("country", tok.text), priority=4)], i + 1
        return found

    def use(self, start: int, end: int) -> None:
        for k in range(start, end):
            self.consumed[k] = True

    # ------------------------------------------------------------------ numbers and dates

    def number_at(self, i: int, articles: bool = False
                  ) -> tuple[Decimal, str | None, int] | None:
        """A number with its multiplier and currency: "1.000 €", "$500", "10 mil euros";
        with `articles` (after a comparison) "una" and "a" are one: "al menos una compra"."""
        currency = None
        j = i
        cur = self.match(CURRENCIES, j, 2)
        if cur:
            currency, j = cur
        if j < len(self.tokens) and self.norms[j] in NUMBER_WORDS:
            return Decimal(NUMBER_WORDS[self.norms[j]]), self._currency(currency), j + 1
        if articles and j < len(self.tokens) and self.norms[j] in ARTICLE_NUMBERS:
            return Decimal(ARTICLE_NUMBERS[self.norms[j]]), self._currency(currency), j + 1
        if j >= len(self.tokens) or self.tokens[j].kind != "number":
            return None
        value = self.tokens[j].number
        j += 1
        if j < len(self.tokens) and self.norms[j] in MULTIPLIERS:
            value *= MULTIPLIERS[self.norms[j]]
            j += 1
        if currency is None:
            cur = self.match(CURRENCIES, j, 2)
            if cur:
                currency, j = cur
        return value, self._currency(currency), j

    def _currency(self, code: str | None) -> str | None:
        if code == "PESO":
            present = [c for c in words.PESOS if c in self.lex.currencies]
            return present[0] if len(present) == 1 else "MXN"
        return code

    def point_at(self, i: int) -> tuple[dt.date, dt.date, int] | None:
        """A date or a period as (first day, last day): 2025-03-01, "March 2025", "1 de marzo
        de 2025", "March 1, 2025", "2024", "marzo"."""
        n = len(self.tokens)
        if i >= n:
            return None
        tok = self.tokens[i]
        if tok.kind == "date":
            try:
                day = dt.date.fromisoformat(tok.text)
            except ValueError:
                return None
            return day, day, i + 1
        if tok.kind == "number" and tok.number is not None:
            value = int(tok.number) if tok.number == tok.number.to_integral_value() else None
            if value and 1900 <= value <= 2100:
                return dt.date(value, 1, 1), dt.date(value, 12, 31), i + 1
            if value and 1 <= value <= 31:  # "1 de marzo (de 2025)"
                j = i + 1
                if j < n and self.norms[j] == "de":
                    j += 1
                if j < n and self.norms[j] in MONTHS:
                    month = MONTHS[self.norms[j]]
                    year, j = self._year_after(j + 1, month)
                    try:
                        day = dt.date(year, month, value)
                    except ValueError:
                        return None
                    return day, day, j
            return None
        if self.norms[i] in MONTHS and tok.kind == "word":
            month = MONTHS[self.norms[i]]
            j = i + 1
            if j < n and self.tokens[j].kind == "number" and self.tokens[j].number is not None \
                    and 1 <= self.tokens[j].number <= 31 and not (
                        1900 <= self.tokens[j].number <= 2100):
                day_no = int(self.tokens[j].number)
                year, k = self._year_after(j + 1, month)
                try:
                    day = dt.date(year, month, day_no)
                except ValueError:
                    return None
                return day, day, k
            year, j = self._year_after(j, month)
            last = calendar.monthrange(year, month)[1]
            return dt.date(year, month, 1), dt.date(year, month, last), j
        return None

    def _year_after(self, j: int, month: int) -> tuple[int, int]:
        n = len(self.tokens)
        k = j
        while k < n and self.norms[k] in ("de", "del", ","):
            k += 1
        if k < n and self.tokens[k].kind == "number" and self.tokens[k].number is not None \
                and 1900 <= self.tokens[k].number <= 2100:
            return int(self.tokens[k].number), k + 1
        year = self.today.year if month <= self.today.month else self.today.year - 1
        return year, j

    def date_at(self, i: int) -> DateSpec | None:
        start = i
        n = len(self.tokens)
        while i < n and self.norms[i] in LEADING:
            i += 1
        if i >= n:
            return None
        norm = self.norms[i]
        today = self.today
        # last/past N units, N units (after "in"), the last week/month/year
        if norm in LAST or (i > start and self.tokens[i].kind == "number"):
            j = i + 1 if norm in LAST else i
            if j < n and self.tokens[j].kind == "number" and j + 1 < n and \
                    self.norms[j + 1] in UNITS:
                count = int(self.tokens[j].number)
                return DateSpec("within", count * UNITS[self.norms[j + 1]], start, j + 2)
            if norm in LAST and j < n and self.norms[j] in UNITS:
                return self._previous(self.norms[j], start, j + 1)
        if norm in UNITS and i + 1 < n and self.norms[i + 1] in (PASSED | LAST):
            return self._previous(norm, start, i + 2)
        if norm in THIS and i + 1 < n and self.norms[i + 1] in UNITS:
            unit = UNITS[self.norms[i + 1]]
            if unit == 365:
                first, last = dt.date(today.year, 1, 1), dt.date(today.year, 12, 31)
            elif unit == 30:
                first = today.replace(day=1)
                last = today.replace(day=calendar.monthrange(today.year, today.month)[1])
            elif unit == 7:
                first = today - dt.timedelta(days=today.weekday())
                last = first + dt.timedelta(days=6)
            else:
                first = last = today
            return DateSpec("range", (first, last), start, i + 2)
        if norm in TODAY:
            return DateSpec("range", (today, today), start, i + 1)
        if norm in YESTERDAY:
            day = today - dt.timedelta(days=1)
            return DateSpec("range", (day, day), start, i + 1)
        if norm in SINCE:
            point = self.point_at(self._skip(i + 1))
            if point:
                return DateSpec("gte", point[0], start, point[2])
            return None
        before = self.match(BEFORE, i, 3)
        if before:
            point = self.point_at(self._skip(before[1]))
            if point:
                return DateSpec("lt", point[0], start, point[2])
        after = self.match(AFTER, i, 3)
        if after:
            point = self.point_at(self._skip(after[1]))
            if point:
                return DateSpec("gt", point[1], start, point[2])
        if norm in ("entre", "between"):
            first = self.point_at(i + 1)
            if first and first[2] < n and self.norms[first[2]] in ("and", "y", "e"):
                second = self.point_at(first[2] + 1)
                if second:
                    return DateSpec("range", (first[0], second[1]), start, second[2])
            return None
        if i > start or self.tokens[i].kind == "date" or norm in MONTHS:
            point = self.point_at(i)
            if point and (i > start or self.tokens[i].kind == "date"
                          or self.tokens[i].kind == "word"):
                return DateSpec("range", (point[0], point[1]), start, point[2])
        return None

    def _skip(self, j: int) -> int:
        while j < len(self.tokens) and self.norms[j] in LEADING:
            j += 1
        return j

    def _previous(self, unit_norm: str, start: int, end: int) -> DateSpec:
        today = self.today
        unit = UNITS[unit_norm]
        if unit == 365:
            first, last = dt.date(today.year - 1, 1, 1), dt.date(today.year - 1, 12, 31)
        elif unit == 30:
            last = today.replace(day=1) - dt.timedelta(days=1)
            first = last.replace(day=1)
        elif unit == 7:
            first = today - dt.timedelta(days=today.weekday() + 7)
            last = first + dt.timedelta(days=6)
        else:
            first = last = today - dt.timedelta(days=1)
        return DateSpec("range", (first, last), start, end)

    def amount_at(self, i: int) -> Amount | None:
        """A comparison and its value(s): "more than 3", "entre 2 y 5", "at least 1,000 €",
        "3 or more", "before March", "more than 90 days ago", "hace más de 90 días"."""
        hace = i < len(self.tokens) and self.norms[i] in HACE
        amount = self._amount_at(i + 1 if hace else i)
        if amount is None or amount.dates or amount.op == "between":
            return amount
        j = amount.end
        if j < len(self.tokens) and self.norms[j] in UNITS and (
                hace or (j + 1 < len(self.tokens) and self.norms[j + 1] in AGO)):
            days = int(amount.values[0]) * UNITS[self.norms[j]]
            day = self.today - dt.timedelta(days=days)
            end = j + 1 if hace else j + 2
            op = {"gt": "lt", "gte": "lte", "lt": "gt", "lte": "gte"}.get(amount.op, "eq")
            if op == "eq":
                return Amount("gte", [day.isoformat()], None, i, end, dates=True)
            return Amount(op, [day.isoformat()], None, i, end, dates=True)
        return None if hace else amount

    def _amount_at(self, i: int) -> Amount | None:
        cmp = self.match(COMPARATORS, i, 6)
        if cmp is None:
            number = self.number_at(i)
            if number is None:
                return None
            value, currency, j = number
            post = self.match(COMPARATORS, j, 2)
            if post and post[0] in ("gte_post", "lte_post"):
                return Amount(post[0][:3], [_num(value)], currency, i, post[1])
            return Amount("eq", [_num(value)], currency, i, j)
        op, j = cmp
        if op.endswith("_post"):
            return None
        if op == "between":
            first = self.number_at(j)
            if first and first[2] < len(self.tokens) and self.norms[first[2]] in ("and", "y",
                                                                                   "e"):
                second = self.number_at(first[2] + 1)
                if second:
                    return Amount("between", [_num(first[0]), _num(second[0])],
                                  first[1] or second[1], i, second[2])
            return None
        number = self.number_at(j, articles=True)
        if number is None:
            while j < len(self.tokens) and self.norms[j] in LEADING:
                j += 1
            point = self.point_at(j)
            if point is None:
                return None
            day = point[1] if op in ("gt", "lte") else point[0]
            return Amount(op, [day.isoformat()], None, i, point[2], dates=True)
        value, currency, end = number
        return Amount(op, [_num(value)], currency, i, end)

    # ------------------------------------------------------------------ terms

    def add(self, node: dict, **kw: Any) -> Term:
        term = Term(node, joiner=self.joiner, **kw)
        self.joiner = "and"
        self.terms.append(term)
        return term

    def take_neg(self) -> bool:
        if self.neg:
            for k in self.neg:
                self.consumed[k] = True
            self.neg = []
            return True
        return False

    def value_term(self, path: str, value: Any, start: int, end: int) -> None:
        negated = self.take_neg()
        info = self.lex.fields.get(path)
        kind = info.kind if info else "text"
        self.use(start, end)
        last = self.terms[-1] if self.terms else None
        if kind in ("boolean", "json_boolean"):
            self.add({"field": path, "op": "eq", "value": (not value) if negated else value})
            return
        if path == "tags":
            node = {"field": "tags", "op": "not_in" if negated else "eq",
                    "value": [value] if negated else value}
        elif kind == "json_multi":
            node = {"field": path, "op": "contains", "value": value}
            if negated:
                node = {"not": node}
        else:
            op = "ieq" if path in ("city", "region") else "eq"
            node = {"field": path, "op": ("ne" if negated else op), "value": value}
        # a list of values of one field: "Madrid, Barcelona o Valencia", "WhatsApp o SMS"
        if last is not None and last.rel is None and "field" in last.node \
                and last.node["field"] == path and (self.joiner == "or" or path != "tags") \
                and last.node["op"] in ("eq", "ieq", "in", "ne", "not_in") \
                and (last.node["op"] in ("ne", "not_in")) == (negated or self._last_negated()):
            old = last.node
            values = old["value"] if isinstance(old["value"], list) else [old["value"]]
            if value not in values:
                values = [*values, value]
            negative = old["op"] in ("ne", "not_in")
            last.node = {"field": path, "op": "not_in" if negative else "in", "value": values}
            self.joiner = "and"
            return
        self.add(node, negated=negated)

    def _last_negated(self) -> bool:
        return bool(self.terms) and self.terms[-1].negated

    def rel_term(self, rel: str, where: dict | None, measure: str, start: int, end: int
                 ) -> None:
        self.use(start, end)
        last = self.terms[-1] if self.terms else None
        if last is not None and last.rel == rel and not self._other_since(last):
            # "bought … orders", "compraron … pedidos": one relation named twice
            if where is not None and where not in last.where:
                last.where.append(where)
            return
        negated = self.take_neg()
        info = self.lex.relations[rel]
        node: dict = {"related": rel, "agg": "count", "op": "gte", "value": 1}
        if measure in ("sum", "avg"):
            node = {"related": rel, "agg": f"{measure}:{info['amount']}", "op": "gt",
                    "value": 0}
        elif measure == "last":
            node = {"related": rel, "agg": f"max:{info['date']}", "op": "eq", "value": None}
        term = self.add(node, rel=rel, measure=measure, negated=negated,
                        where=[where] if where else [], span=(start, end))
        if negated and measure != "last":
            node.update(op="eq", value=0) if measure == "count" else node.update(op="lte")
        if self.pending_amount is not None:
            self.apply_amount(term, self.pending_amount)
            self.pending_amount = None
        if self.pending_date is not None and info["date"]:
            spec, self.pending_date = self.pending_date, None
            self.attach_date(spec)

    def _other_since(self, term: Term) -> bool:
        return False

    def apply_amount(self, term: Term, amount: Amount) -> None:
        node = term.node
        info = self.lex.relations[term.rel]
        if amount.currency and term.measure == "count" and info["amount"]:
            term.measure = "sum"
            node["agg"] = f"sum:{info['amount']}"
        if amount.currency and info["currency"] and amount.currency != self.lex.base_currency:
            if info.get("amount_plain"):
                node["agg"] = f"{term.measure}:{info['amount_plain']}"
            term.where.append({"field": "currency", "op": "eq", "value": amount.currency})
        op = amount.op
        value: Any = amount.values if op == "between" else amount.values[0]
        if term.negated:
            if op == "between":
                term.node = node = {"not": node}
                node = node["not"]
            else:
                op = INVERSE[op]
        node["op"], node["value"] = op, value
        term.compared = True
        self.use(amount.start, amount.end)

    def field_condition(self, path: str, amount: Amount) -> None:
        negated = self.take_neg()
        op = amount.op
        value: Any = amount.values if op == "between" else amount.values[0]
        node: dict = {"field": path, "op": op, "value": value}
        if negated:
            node = {"not": node} if op == "between" else {**node, "op": INVERSE[op]}
        self.add(node, negated=negated)
        self.use(amount.start, amount.end)

    def attach_date(self, spec: DateSpec) -> None:
        self.use(spec.start, spec.end)
        if self.context and self.lex.fields[self.context[0]].kind in DATE_KINDS:
            negated = self.take_neg()
            node = spec.node(self.context[0])
            self.add({"not": node} if negated else node)
            self.context = None
            return
        last = self.terms[-1] if self.terms else None
        if last is not None and last.measure == "last" and not last.dated:
            self._last_date(last, spec)
            return
        if last is not None and last.rel and not last.dated:
            date_field = self.lex.relations[last.rel]["date"]
            if date_field:
                last.where.append(spec.node(date_field))
                last.dated = True
                return
        self.pending_date = spec

    def _last_date(self, term: Term, spec: DateSpec) -> None:
        """The date of the latest related record: "last order more than 90 days ago"."""
        node = term.node.get("not", term.node)
        if spec.op in ("within", "older"):
            day = (self.today - dt.timedelta(days=spec.value)).isoformat()
            node["op"], node["value"] = ("gte" if spec.op == "within" else "lt"), day
        elif spec.op == "range":
            node["op"] = "between"
            node["value"] = [spec.value[0].isoformat(), spec.value[1].isoformat()]
        else:
            node["op"], node["value"] = spec.op, spec.value.isoformat()
        if term.negated:
            term.node = {"not": node}
        term.dated = term.compared = True

    def flush_context(self) -> None:
        """A field word with nothing after it: "with email", "sin teléfono", "opted in"."""
        if self.context is None:
            return
        path, index = self.context
        self.context = None
        info = self.lex.fields[path]
        negated = self.take_neg()
        if info.kind in ("boolean", "json_boolean"):
            self.add({"field": path, "op": "eq", "value": not negated})
        elif info.kind not in DATE_KINDS and path not in ("owner_id", "preferred_channel",
                                                          "lifecycle_stage", "status",
                                                          "source"):
            self.add({"field": path, "op": "is_null", "value": negated})
        else:
            self.consumed[index] = False
            return
        self.consumed[index] = True

    # ------------------------------------------------------------------ the sentence

    def run(self) -> None:
        i, n = 0, len(self.tokens)
        while i < n:
            i = self.step(i)
        self.flush_context()
        for term in [t for t in self.terms if t.measure == "last" and not t.dated]:
            # "last order" with no date to compare it with: reported, not guessed
            self.terms.remove(term)
            for k in range(*term.span):
                self.consumed[k] = False
        if self.pending_date is not None:
            created = "created_at" if "created_at" in self.lex.fields else None
            if created:
                self.add(self.pending_date.node(created))
            else:
                for k in range(self.pending_date.start, self.pending_date.end):
                    self.consumed[k] = False
            self.pending_date = None
        if self.pending_amount is not None:
            for k in range(self.pending_amount.start, self.pending_amount.end):
                self.consumed[k] = False
        for k in self.neg:
            self.consumed[k] = False
        for k, tok in enumerate(self.tokens):
            if not self.consumed[k] and (tok.norm in STOP_WORDS or (tok.norm,) in STOP):
                self.consumed[k] = True

    def step(self, i: int) -> int:
        norm = self.norms[i]
        # a comparison after a field word or a relation: "puntuación mayor a 50"
        amount = self.amount_at(i)
        if amount is not None:
            return self.on_amount(amount)
        spec = self.date_at(i)
        if spec is not None:
            self.attach_date(spec)
            return spec.end
        if norm in TIMES and self.terms and self.terms[-1].rel:
            self.use(i, i + 1)
            return i + 1
        contains = self.match(CONTAINS, i, 3)
        if contains and self.context and i + 1 < len(self.tokens):
            path = self.context[0]
            j = contains[1]
            words_after = []
            while j < len(self.tokens) and self.tokens[j].kind == "word" and \
                    (self.norms[j],) not in AND and (self.norms[j],) not in OR:
                words_after.append(self.tokens[j].text)
                j += 1
            if words_after:
                self.consumed[self.context[1]] = True
                self.context = None
                negated = self.take_neg()
                node = {"field": path, "op": "icontains", "value": " ".join(words_after)}
                self.add({"not": node} if negated else node)
                self.use(i, j)
                return j
        found = self.lex_at(i)
        grammar = self.grammar_at(i)
        if grammar is not None and (found is None or grammar[1] >= found[1]):
            kind, end = grammar
            if kind == "neg":
                self.flush_context()
                self.neg.append(i)
                for k in range(i, end):
                    self.consumed[k] = True
                self.neg = list(range(i, end))
            elif kind == "or":
                self.flush_context()
                self.joiner = "or"
                self.use(i, end)
            elif kind == "and":
                self.flush_context()
                self.use(i, end)
            elif kind == "stop" and found is None:
                self.use(i, end)
            else:
                return self.on_lexicon(found, i) if found else end
            return end
        if found is not None:
            return self.on_lexicon(found, i)
        if self.context is not None:
            # "del sector banca": a value we do not know; the field word is reported with it
            for k in range(self.context[1], self.context_end):
                self.consumed[k] = False
            self.context = None
        return i + 1  # unrecognized

    def grammar_at(self, i: int) -> tuple[str, int] | None:
        best = None
        for kind, table in (("neg", NEG), ("or", OR), ("and", AND), ("stop", STOP)):
            m = self.match(table, i, 4)
            if m and (best is None or m[1] > best[1]):
                best = (kind, m[1])
        return best

    def on_amount(self, amount: Amount) -> int:
        if self.context is not None:
            path, index = self.context
            info = self.lex.fields[path]
            if (info.kind in NUMBER_KINDS and not amount.dates) or (
                    info.kind in DATE_KINDS and amount.dates):
                self.context = None
                self.consumed[index] = True
                self.field_condition(path, amount)
                return amount.end
        last = self.terms[-1] if self.terms else None
        if last is not None and last.rel and not last.compared and not amount.dates:
            self.apply_amount(last, amount)
            return amount.end
        if amount.dates:
            op = amount.op
            day = dt.date.fromisoformat(amount.values[0])
            spec = DateSpec({"gt": "gt", "gte": "gte", "lt": "lt", "lte": "lt"}.get(op, "gte"),
                            day if op != "lte" else day + dt.timedelta(days=1),
                            amount.start, amount.end)
            if op == "gte" and self.terms and self.terms[-1].measure == "last":
                spec.op = "gte"
            self.attach_date(spec)
            return amount.end
        # a number before its field or relation: "más de 100 empleados", "3 open deals"
        self.pending_amount = amount
        self.use(amount.start, amount.end)
        end = amount.end
        found = self.lex_at(end) if end < len(self.tokens) else None
        while found is None and end < len(self.tokens) and (self.norms[end],) in STOP:
            end += 1
            found = self.lex_at(end) if end < len(self.tokens) else None
        if found is not None:
            senses, stop = found
            for sense in sorted(senses, key=lambda s: -s.priority):
                info = self.lex.fields.get(sense.payload) if sense.kind == "field" else None
                if sense.kind == "field" and info and info.kind in NUMBER_KINDS:
                    self.pending_amount = None
                    self.field_condition(sense.payload, amount)
                    self.use(amount.end, stop)
                    return stop
                if sense.kind == "rel":
                    return amount.end  # the relation takes the pending amount
        return amount.end

    def on_lexicon(self, found: tuple[list[Sense], int], i: int) -> int:
        senses, end = found
        sense = self.choose(senses, i)
        if sense.kind == "field":
            last = self.terms[-1] if self.terms else None
            if self.context is None and last is not None and last.node.get("field") == \
                    sense.payload and last.rel is None:
                self.use(i, end)  # "in the software industry": the value came first
                return end
            self.flush_context()
            self.context = (sense.payload, i)
            self.context_end = end
            self.use(i, end)
            if end - i > 1:
                for k in range(i, end):
                    self.consumed[k] = True
            self.context = (sense.payload, i)
            if self.lex.fields[sense.payload].kind in ("boolean", "json_boolean") or \
                    sense.payload == "owner_id":
                pass
            return end
        context = self.context
        if sense.kind == "value":
            path, value = sense.payload
            if context and context[0] != path:
                self.flush_context()
            self.context = None
            self.value_term(path, value, i, end)
            return end
        if sense.kind == "owner":
            self.context = None
            negated = self.take_neg()
            self.use(i, end)
            self.add({"field": "owner_id", "op": "ne" if negated else "eq",
                      "value": sense.payload}, negated=negated)
            return end
        if sense.kind == "rel":
            self.flush_context()
            rel, where, measure = sense.payload
            self.rel_term(rel, where, measure, i, end)
            return end
        if sense.kind == "subject":
            self.flush_context()
            self.use(i, end)
            if sense.payload is not None and sense.payload.get("op", "eq") != "eq":
                negated = self.take_neg()  # "high churn risk": a comparison, not a value
                node = {k: sense.payload[k] for k in ("field", "op", "value")}
                self.add({"not": node} if negated else node, negated=negated)
            elif sense.payload is not None:
                before = len(self.terms)
                self.value_term(sense.payload["field"], sense.payload["value"], i, end)
                if len(self.terms) > before:
                    self.terms[-1].customer = bool(sense.payload.get("_customer"))
            return end
        return end

    def choose(self, senses: list[Sense], i: int) -> Sense:
        """The sense that fits the field word just read, else the most likely one."""
        if self.context:
            path = self.context[0]
            for sense in senses:
                if sense.kind == "value" and sense.payload[0] == path:
                    return sense
                if sense.kind == "owner" and path == "owner_id":
                    return sense
        if self.terms and self.joiner == "or":
            last = self.terms[-1].node
            for sense in senses:
                if sense.kind == "value" and sense.payload[0] == last.get("field"):
                    return sense
        rels = [s for s in senses if s.kind == "rel"]
        if rels and (self.pending_amount is not None or self._plural(i)):
            return rels[0]  # "más de 2 llamadas", "with meetings"
        return max(senses, key=self._rank)

    def _plural(self, i: int) -> bool:
        tok = self.tokens[i]
        return tok.kind == "word" and tok.plain != tok.norm

    @staticmethod
    def _rank(sense: Sense) -> float:
        # a field word beats a choice value of another field ("sin teléfono" is the phone
        # number, not the preferred channel); place names outrank both
        return 4.5 if sense.kind == "field" else sense.priority

    # ------------------------------------------------------------------ the result

    def result(self) -> dict:
        terms = self.terms
        if any(t.rel == "orders" and not t.negated for t in terms):
            # "clientes que compraron…": buying already says customer
            terms = [t for t in terms if not t.customer]
        nodes: list[tuple[str, dict]] = []
        for term in terms:
            node = term.node
            inner = node.get("not", node)
            if term.rel and term.where:
                inner["where"] = term.where[0] if len(term.where) == 1 else {
                    "all": term.where}
            nodes.append((term.joiner, node))
        groups: list[list[dict]] = []
        for joiner, node in nodes:
            if joiner == "or" and groups:
                groups[-1].append(node)
            else:
                groups.append([node])
        parts = [g[0] if len(g) == 1 else {"any": g} for g in groups]
        if not parts:
            return {}
        return parts[0] if len(parts) == 1 else {"all": parts}

    def unrecognized(self) -> list[str]:
        runs: list[str] = []
        current: list[Token] = []
        for k, tok in enumerate(self.tokens):
            if not self.consumed[k] and tok.text not in (",", ";"):
                current.append(tok)
            elif current:
                runs.append(self._text(current))
                current = []
        if current:
            runs.append(self._text(current))
        return runs

    def _text(self, run: list[Token]) -> str:
        return " ".join(t.text for t in run)


STOP_WORDS = {stem(w) for w in words.STOP}
