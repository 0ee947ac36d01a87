"""Schemathesis over every operation of ``/api/v1`` against a real uvicorn on 127.0.0.1.

Each operation gets positive (schema-valid) and negative (schema-breaking) requests, once
with an admin's bearer token and once anonymously. Whatever comes in: no 5xx, and every
4xx answer is the one JSON error shape ``{"error", "message", "hint"}``. The figures
(operations covered, requests sent) are printed (``pytest -s``) and checked against the
OpenAPI document, so an operation added later is fuzzed too.

Examples per operation and mode: ``CXO_FUZZ_API_EXAMPLES`` (default 12).
"""

from __future__ import annotations

import os
from collections import Counter
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode

from cxo.store.users import create_token, create_user
from cxo.workspace import Workspace

pytestmark = pytest.mark.slow
EXAMPLES = int(os.environ.get("CXO_FUZZ_API_EXAMPLES", "12"))
ERROR_KEYS = {"error", "message", "hint"}
FUZZER = "fuzzer"
"""An admin of its own, so that fuzzed calls (a password change, a user removal) cannot
lock the fixture's users out."""


def check_answer(response: Any, label: str) -> None:
    """No server error; an error answer is the one JSON error shape."""
    status = response.status_code
    assert status < 500, f"{label}: {status} {response.text[:500]}"
    if status >= 400:
        kind = " ".join(
            v for k, vs in response.headers.items() if k.lower() == "content-type" for v in vs
        )
        assert kind.startswith("application/json"), (
            f"{label}: {status} is not JSON: {response.text[:300]}"
        )
        body = response.json()
        assert isinstance(body, dict), f"{label}: {body}"
        assert set(body) == ERROR_KEYS, f"{label}: {body}"
        assert isinstance(body["error"], str)
        assert body["error"]
        assert isinstance(body["message"], str)
        assert body["message"]
        assert body["hint"] is None or isinstance(body["hint"], str)


def fuzz_operation(
    strategy: Any, base: str, headers: dict[str, str], statuses: Counter[str]
) -> None:
    """Send ``EXAMPLES`` generated requests of one operation and check every answer."""

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(base_url=base, headers=headers, timeout=60)
        statuses[f"{response.status_code // 100}xx"] += 1
        label = f"{case.method} {case.formatted_path} {case.query} {case.body!r:.200}"
        check_answer(response, label)

    run()


def fuzz(base: str, headers: dict[str, str]) -> tuple[list[str], Counter[str]]:
    """Fuzz every operation; returns the operations and the requests sent per status."""
    schema = schemathesis.openapi.from_url(f"{base}/openapi.json")
    operations: list[str] = []
    statuses: Counter[str] = Counter()
    skipped: list[str] = []
    for result in schema.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]  # an invalid schema fails here
        if not operation.path.startswith("/api/v1"):
            continue
        label = f"{operation.method.upper()} {operation.path}"
        operations.append(label)
        fuzz_operation(operation.as_strategy(), base, headers, statuses)
        try:
            fuzz_operation(
                operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
                base,
                headers,
                statuses,
            )
        except Unsatisfiable:  # no parameter and no body: nothing to break
            skipped.append(label)
    return operations, statuses


def documented(base: str) -> set[str]:
    paths = httpx.get(f"{base}/openapi.json").json()["paths"]
    return {
        f"{method.upper()} {path}"
        for path, ops in paths.items()
        if path.startswith("/api/v1")
        for method in ops
    }


def test_every_api_operation_survives_fuzzing_as_admin(ws: Workspace, base: str) -> None:
    url = ws.app_database_url
    create_user(url, FUZZER, "admin", "fuzzer password 1234")
    token = create_token(url, FUZZER)
    operations, statuses = fuzz(base, {"Authorization": f"Bearer {token}"})
    assert set(operations) == documented(base)
    assert statuses["2xx"] > 0, statuses
    print(f"admin pass: {len(operations)} operations, {sum(statuses.values())} requests {statuses}")


def test_every_api_operation_survives_fuzzing_anonymously(ws: Workspace, base: str) -> None:
    operations, statuses = fuzz(base, {})
    assert set(operations) == documented(base)
    print(f"anonymous pass: {len(operations)} operations, {sum(statuses.values())} {statuses}")
