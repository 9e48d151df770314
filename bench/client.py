"""The API as integrations call it: `django.test.Client` through the whole middleware stack,
authenticated with a bearer token."""

from __future__ import annotations

import json
import time
from typing import Any
from urllib.parse import urlencode

from .limits import TooSlow, limit_s, request_deadline


class Api:
    def __init__(self, token: str):
        from django.test import Client

        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def get(self, path: str, **params: Any):
        query = urlencode({k: v for k, v in params.items() if v is not None})
        url = f"/api/v1/{path}" + (f"?{query}" if query else "")
        started = time.monotonic()
        with request_deadline():
            response = self.client.get(url, headers=self.headers)
        if response.status_code == 500 and time.monotonic() - started >= limit_s():
            # the API answers a statement interrupted by the time limit with a 500
            raise TooSlow(limit_s())
        if response.status_code != 200:
            raise RuntimeError(f"GET {url} answered {response.status_code}: "
                               f"{response.content[:300]!r}")
        return response

    def get_json(self, path: str, **params: Any) -> Any:
        return json.loads(self.get(path, **params).content)
