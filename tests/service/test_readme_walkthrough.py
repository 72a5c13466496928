"""The README's "Five minutes with curl" works as written against the real server — twice, so
also on a database that already holds cases (it follows its own case, never "case 1" or "the
first task listed")."""

from __future__ import annotations

import re
import subprocess

import requests

from ..conftest import ROOT
from ..servers import PASSWORD, gunicorn_server


def _walkthrough() -> str:
    text = (ROOT / "README.md").read_text("utf-8")
    section = text.split("## Five minutes with curl", 1)[1]
    return re.search(r"```sh\n(.*?)```", section, re.S).group(1)


def test_the_curl_walkthrough_runs_twice_on_one_database(tmp_path_factory) -> None:
    script = _walkthrough()
    assert "API=http://127.0.0.1:5000/api/v1" in script and "govit-demo" in script
    with gunicorn_server(tmp_path_factory.mktemp("readme"), bundle_root=ROOT / "bpmn",
                         forms_root=ROOT / "forms") as server:
        body = script.replace("http://127.0.0.1:5000/api/v1", f"{server.url}/api/v1").replace("govit-demo", PASSWORD)
        for run in (1, 2):
            work = tmp_path_factory.mktemp(f"run{run}")
            done = subprocess.run(["bash", "-euo", "pipefail", "-c", body], cwd=work, capture_output=True,
                                  text=True, timeout=300)
            assert done.returncode == 0, f"run {run}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            assert (work / "下载的调研报告.pdf").read_bytes().startswith(b"%PDF"), f"run {run}: no report downloaded"
        token = requests.post(f"{server.url}/api/v1/auth/token",
                              json={"username": "hrss_division_a", "password": PASSWORD}, timeout=10).json()["token"]
        mine = requests.get(f"{server.url}/api/v1/instances", params={"mine": "true"},
                            headers={"Authorization": f"Bearer {token}"}, timeout=10).json()["items"]
        assert len(mine) == 2
        for case in mine:  # each run moved its own case past 项目审核
            assert case["current_steps"] and not any("项目审核" in s or "需求调研" in s for s in case["current_steps"])

