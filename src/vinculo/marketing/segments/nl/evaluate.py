"""The sentence test set: each sentence with the filter it must give, compared structurally
(the order of the conditions in an `all`/`any` and of the values in a list does not matter).
Used by the tests and by `make bench` (nl_accuracy)."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import interpret
from .lexicon import from_sample

TESTSET = Path(__file__).with_name("testset.json")


def load() -> dict:
    return json.loads(TESTSET.read_text(encoding="utf-8"))


def normalize(node: Any) -> Any:
    if isinstance(node, dict):
        for key in ("all", "any"):
            if key in node and len(node) == 1:
                children = [normalize(c) for c in node[key]]
                if len(children) == 1:
                    return children[0]
                return {key: sorted(children, key=lambda c: json.dumps(c, sort_keys=True))}
        out = {k: normalize(v) for k, v in node.items()}
        if out.get("op") in ("in", "not_in") and isinstance(out.get("value"), list):
            out["value"] = sorted(out["value"], key=str)
        return out
    if isinstance(node, list):
        return [normalize(v) for v in node]
    if isinstance(node, float) and node.is_integer():
        return int(node)
    return node


@dataclass
class Report:
    total: int = 0
    passed: int = 0
    failures: list[dict] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.passed / self.total if self.total else 0.0


def run(language: str | None = None) -> Report:
    data = load()
    today = dt.date.fromisoformat(data["today"])
    lexicons: dict[str, Any] = {}
    report = Report()
    for item in data["sentences"]:
        if language and item["language"] != language:
            continue
        entity = item["entity"]
        if entity not in lexicons:
            lexicons[entity] = from_sample(entity, data["world"])
        result = interpret(entity, item["text"], item["language"], today=today,
                           lexicon=lexicons[entity])
        expected_unrec = [w.lower() for w in item.get("unrecognized", [])]
        got_unrec = [w.lower() for w in result.unrecognized]
        ok = normalize(result.filter) == normalize(item["filter"]) and sorted(
            got_unrec) == sorted(expected_unrec)
        report.total += 1
        if ok:
            report.passed += 1
        else:
            report.failures.append({"text": item["text"], "entity": entity,
                                    "expected": item["filter"], "got": result.filter,
                                    "unrecognized": result.unrecognized,
                                    "expected_unrecognized": item.get("unrecognized", [])})
    return report
