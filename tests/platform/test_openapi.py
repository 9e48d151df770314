"""The OpenAPI document: valid, every operation documented, and a short fuzz run with
schemathesis that never gets a 500."""

from __future__ import annotations

import json
import os
import re
from urllib.parse import quote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

METHODS = {"get", "post", "put", "patch", "delete"}


@pytest.fixture
def schema(anon_api) -> dict:
    r = anon_api.get("openapi.json")
    assert r.status_code == 200
    return r.json()


def operations(schema: dict):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield path, method, op


def resolve(schema: dict, ref: str) -> dict:
    node = schema
    for part in ref.removeprefix("#/").split("/"):
        node = node[part]
    return node


def refs(node):
    if isinstance(node, dict):
        if "$ref" in node:
            yield node["$ref"]
        for value in node.values():
            yield from refs(value)
    elif isinstance(node, list):
        for value in node:
            yield from refs(value)


def test_the_document_is_valid_openapi(schema):
    import schemathesis

    assert schema["openapi"].startswith("3.")
    loaded = schemathesis.openapi.from_dict(schema)
    loaded.validate()  # against the OpenAPI 3.1 meta-schema
    problems = [r for r in loaded.get_all_operations() if not hasattr(r.ok(), "method")]
    assert problems == []
    for ref in set(refs(schema)):
        assert resolve(schema, ref) is not None, ref


def test_every_operation_is_documented(schema):
    ids = []
    for path, method, op in operations(schema):
        where = f"{method.upper()} {path}"
        ids.append(op["operationId"])
        assert op.get("summary"), where
        assert op.get("tags"), where
        assert op.get("security"), where
        assert "401" in {str(code) for code in op["responses"]}, where
        success = [code for code in op["responses"] if str(code).startswith("2")]
        assert success, where
        for name in re.findall(r"{(\w+)}", path):
            assert any(p["name"] == name and p["in"] == "path"
                       for p in op.get("parameters", [])), (where, name)
        if method in ("post", "patch", "put") and "requestBody" in op:
            assert "422" in {str(code) for code in op["responses"]}, where
    assert len(ids) == len(set(ids)), "operation ids must be unique"
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_the_interactive_docs_are_served(anon_api):
    assert anon_api.get("docs").status_code == 200


PLATFORM_COLLECTIONS = {"accounts", "contacts", "activities", "products", "orders", "users",
                        "teams", "roles", "api-tokens", "custom-fields", "views", "tags"}


def test_collections_are_documented_as_pages(schema):
    for path, method, op in operations(schema):
        if method != "get" or path.removeprefix("/api/v1/") not in PLATFORM_COLLECTIONS:
            continue
        ref = op["responses"]["200"]["content"]["application/json"]["schema"].get("$ref")
        assert ref, path
        page = resolve(schema, ref)
        assert {"items", "next_cursor"} <= set(page["properties"]), path
        names = {p["name"] for p in op.get("parameters", [])}
        assert {"limit", "cursor"} <= names, path


def _request(api, case) -> object:
    path = case.formatted_path
    query = {k: v for k, v in (case.query or {}).items() if v is not None}
    headers = {k: str(v) for k, v in (case.headers or {}).items()
               if k.lower() not in ("authorization", "cookie", "content-type", "content-length")}
    url = path + ("?" + "&".join(f"{quote(str(k))}={quote(str(v))}" for k, v in _pairs(query))
                  if query else "")
    method = case.method.lower()
    if method == "get":
        return api.client.get(url, headers={**api.headers, **headers})
    from schemathesis.core import NotSet

    body = case.body
    if isinstance(body, NotSet):
        body = None
    elif body is not None and not isinstance(body, (bytes, str)):
        body = json.dumps(body)
    return getattr(api.client, method)(url, data=body, content_type="application/json",
                                       headers={**api.headers, **headers})


def _pairs(query: dict):
    for key, value in query.items():
        for item in value if isinstance(value, list) else [value]:
            yield key, item


def test_fuzzing_every_operation_never_gives_a_500(admin, admin_api, schema):
    """A short schemathesis run: valid and invalid requests against every operation."""
    import schemathesis
    from schemathesis import GenerationMode

    from tests.platform.conftest import create

    contact = create("contacts", admin, first_name="Ana")
    create("accounts", admin, name="Acme")
    loaded = schemathesis.openapi.from_dict(schema)
    strategies = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode,
                                                    path_parameters=None))
    failures = []

    # The same examples on every run, so that CI is repeatable; FUZZ_RANDOM=1 explores anew.
    @settings(max_examples=500, deadline=None, database=None,
              derandomize=not os.environ.get("FUZZ_RANDOM"),
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies))
    def run(case):
        if "{record_id}" in case.path and case.path_parameters.get("record_id") == 0:
            case.path_parameters["record_id"] = contact.pk
        try:
            response = _request(admin_api, case)
        except Exception as exc:  # the test client re-raises what would be a 500
            failures.append((case.method, case.formatted_path, case.query, case.body, repr(exc)))
            return
        if response.status_code >= 500:
            failures.append((case.method, case.formatted_path, case.query, case.body,
                             response.status_code))

    run()
    assert not failures, "\n".join(map(str, failures[:10]))
