"""The ≥ 2,000-request schemathesis run (too long for CI): every operation of the OpenAPI
document, as an administrator, a reviewer and an applying unit, on a fresh SQLite database
with the sample bundles and one case under way. Prints the tally; exits 1 on any 5xx or
response-schema mismatch.

    .venv/bin/python -m bench.schemathesis_run [--examples 25] [--out bench/results/schemathesis-<commit>.txt]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from api import create_app, setup
from tests.conftest import PASSWORD, app_config
from tests.schemathesis_runner import run

USERS = ("admin", "s_reviewer", "s_unit_a")
APPLY = {"project_name": "社保卡应用升级", "budget_yuan": 80000, "category": "software"}


def _commit() -> str:
    return subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--examples", type=int, default=25, help="examples per operation and user")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    commit = _commit()  # the code this run loads: HEAD may move while it runs
    folder = tempfile.mkdtemp(prefix="schemathesis-")
    app = create_app({**app_config(f"sqlite:///{folder}/run.db", "sample"),
                      "ATTACHMENT_STORE": os.path.join(folder, "attachments")})
    setup.bootstrap(app)
    client = app.test_client()

    def token_for(user: str):
        credentials = {"username": user, "password": PASSWORD}
        return lambda: client.post("/api/v1/auth/token", json=credentials).get_json()["token"]

    started = client.post("/api/v1/instances", json={"process_key": "sample_project", "data": APPLY},
                          headers={"Authorization": f"Bearer {token_for('s_unit_a')()}"})
    assert started.status_code == 201, started.get_json()
    began = time.monotonic()
    tally = run(app, {user: token_for(user) for user in USERS}, args.examples)
    lines = [f"commit={commit} examples={args.examples} users={','.join(USERS)} "
             f"seconds={time.monotonic() - began:.0f} load={os.getloadavg()[0]:.2f}", tally.summary(),
             *tally.failures]
    report = "\n".join(lines) + "\n"
    print(report, end="")
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    fives = any(status >= 500 for status in tally.statuses)
    return 1 if fives or tally.failures or tally.requests < 2000 else 0


if __name__ == "__main__":
    sys.exit(main())
