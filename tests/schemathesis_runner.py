"""Drive every operation of the API's own OpenAPI document with schemathesis, as several users,
and tally what came back: used by tests/service/test_schemathesis.py (bounded, in CI) and by
bench/schemathesis_run.py (the ≥ 2,000-request run, output under bench/results/)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

import schemathesis
from flask import Flask
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error, response_schema_conformance

# These end the caller's session: each of their examples logs in afresh.
REVOKING = {"POST /api/v1/auth/logout", "DELETE /api/v1/auth/tokens"}


@dataclass
class Tally:
    requests: int = 0
    statuses: Counter = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    operations: set[str] = field(default_factory=set)

    def summary(self) -> str:
        fives = sum(n for s, n in self.statuses.items() if s >= 500)
        return (f"requests={self.requests} operations={len(self.operations)} 5xx={fives} "
                f"failures={len(self.failures)} statuses={dict(sorted(self.statuses.items()))}")


def run(app: Flask, tokens: dict[str, Callable[[], str]], examples: int, tally: Tally | None = None) -> Tally:
    """`tokens`: user → a function returning a valid bearer token (called again for REVOKING)."""
    tally = tally or Tally()
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    for result in schema.get_all_operations():
        operation = result.ok()
        for user, token in tokens.items():
            _run_operation(operation, user, token, examples, tally)
    return tally


def _run_operation(operation, user: str, token: Callable[[], str], examples: int, tally: Tally) -> None:
    label = operation.label
    fixed = None if label in REVOKING else token()

    @given(case=operation.as_strategy())
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def call(case) -> None:
        headers = {"Authorization": f"Bearer {fixed or token()}"}
        response = case.call(headers=headers)
        tally.requests += 1
        tally.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])
        except Exception as exc:  # every kind of check failure is tallied, not raised
            tally.failures.append(f"{user} {label} {response.status_code}: {str(exc)[:400]}")

    call()
    tally.operations.add(label)
