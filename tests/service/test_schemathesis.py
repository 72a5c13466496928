"""schemathesis over every endpoint as an administrator and as an ordinary user: no 5xx and
no response that contradicts the documented schema. Bounded here (EXAMPLES per operation and
user); bench/schemathesis_run.py makes the ≥ 2,000-request run."""

from __future__ import annotations

from ..cases.test_api_cases import start
from ..schemathesis_runner import run

EXAMPLES = 4
USERS = ("admin", "s_reviewer")


def test_generated_requests_get_no_server_error_and_match_the_schema(app, http):
    start(http)  # a case with an open task, so that ids resolve to real rows
    tokens = {user: (lambda u=user: http._login(u)) for user in USERS}
    tally = run(app, tokens, EXAMPLES)
    assert len(tally.operations) >= 45, tally.operations
    assert tally.failures == [], "\n".join(tally.failures[:20]) + "\n" + tally.summary()
    assert not any(status >= 500 for status in tally.statuses), tally.summary()
