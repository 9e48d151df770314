"""A schemathesis run over the conversations endpoints and the contact's calls and handles:
valid and invalid requests never give a 500."""

from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.platform.test_openapi import _request, schema  # noqa: F401  (the fixture)
from vinculo.platform import records

pytestmark = pytest.mark.django_db

PREFIXES = ("/api/v1/conversations",)
SUFFIXES = ("/calls", "/handles", "/handles/{handle_id}")


def test_fuzzing_the_inbox_endpoints_never_gives_a_500(admin, admin_api, schema,  # noqa: F811
                                                       sms, customer):
    import schemathesis
    from schemathesis import GenerationMode

    conversation = records.create("conversations", {
        "channel": "sms", "address": "+34612345678", "thread_key": "+34612345678",
        "account_id": sms.pk, "contact_id": customer.pk}, source="test")
    loaded = schemathesis.openapi.from_dict(schema)
    strategies = []
    for result in loaded.get_all_operations():
        operation = result.ok()
        path = operation.path
        if not (path.startswith(PREFIXES) or (path.startswith("/api/v1/contacts/{contact_id}")
                                              and path.endswith(SUFFIXES))):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies.append(operation.as_strategy(generation_mode=mode,
                                                    path_parameters=None))
    assert strategies
    failures = []

    @settings(max_examples=200, deadline=None, database=None,
              derandomize=not os.environ.get("FUZZ_RANDOM"),
              suppress_health_check=list(HealthCheck))
    @given(case=st.one_of(strategies), hit=st.booleans())
    def run(case, hit):
        if hit and "conversation_id" in (case.path_parameters or {}):
            case.path_parameters["conversation_id"] = conversation.pk
        if hit and "contact_id" in (case.path_parameters or {}):
            case.path_parameters["contact_id"] = customer.pk
        try:
            response = _request(admin_api, case)
        except Exception as exc:  # the test client re-raises what would be a 500
            failures.append((case.method, case.formatted_path, case.body, repr(exc)))
            return
        if response.status_code >= 500 and response.status_code != 502:
            failures.append((case.method, case.formatted_path, case.body,
                             response.status_code, response.content[:300]))

    run()
    assert not failures, "\n".join(map(str, failures[:10]))
