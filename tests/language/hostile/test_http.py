"""The hostile corpus through the real server (gunicorn on 127.0.0.1): deploying, dry-running
and validating a draft refuse the escapes; a bounded cost that only shows at run time stops the
case start with a 422 naming the element, and the server keeps serving."""

from __future__ import annotations

import io
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from ...servers import PASSWORD, Server, gunicorn_server
from .corpus import CANARY, COSTS, ESCAPES, placed

pytestmark = pytest.mark.network
TIMEOUT = 60


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    with gunicorn_server(tmp_path_factory.mktemp("hostile"), SCHEDULER_ENABLED="0") as running:
        yield running


def _token(server: Server, username: str) -> dict[str, str]:
    reply = requests.post(f"{server.url}/api/v1/auth/token", json={"username": username, "password": PASSWORD},
                          timeout=TIMEOUT)
    assert reply.status_code == 200, reply.text
    return {"Authorization": f"Bearer {reply.json()['token']}"}


def _zip(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, body in files.items():
            archive.writestr(name, body)
    return buffer.getvalue()


def _deploy(server: Server, files: dict[str, bytes], **form: str) -> requests.Response:
    return requests.post(f"{server.url}/api/v1/deployments", headers=_token(server, "admin"),
                         files={"file": ("sample.zip", _zip(files))}, data=form, timeout=TIMEOUT)


def _alive(server: Server) -> None:
    began = time.monotonic()
    assert requests.get(f"{server.url}/healthz", timeout=TIMEOUT).status_code == 200
    assert time.monotonic() - began < 2


@pytest.mark.parametrize("dry_run", ["true", "false"])
@pytest.mark.parametrize(("site", "name"), [("loopCardinality", "S1 loopCardinality os.system"),
                                            ("pre-script", "S2 generator frame to builtins"),
                                            ("DMN input entry", "format walk")])
def test_deploy_and_dry_run_refuse_the_escapes(server: Server, site: str, name: str, dry_run: str) -> None:
    reply = _deploy(server, placed(site, ESCAPES[name]), dry_run=dry_run)
    assert reply.status_code == 422, reply.text
    assert reply.headers["Content-Type"].startswith("application/problem+json")
    assert reply.json()["errors"], reply.text
    assert not CANARY.exists()
    _alive(server)


def test_validating_a_draft_runs_nothing_it_refuses(server: Server) -> None:
    admin = _token(server, "admin")
    draft = requests.post(f"{server.url}/api/v1/drafts", headers=admin, json={"jurisdiction": "sample",
                                                                            "title": "攻击"}, timeout=TIMEOUT)
    assert draft.status_code == 201, draft.text
    body = draft.json()
    text = placed("loopCardinality", ESCAPES["S1 loopCardinality os.system"])["sample.bpmn"].decode()
    saved = requests.put(f"{server.url}/api/v1/drafts/{body['id']}/files/sample.bpmn", headers=admin,
                         json={"content": text, "revision": body["revision"]}, timeout=TIMEOUT)
    assert saved.status_code == 200, saved.text
    report = requests.post(f"{server.url}/api/v1/drafts/{body['id']}/validate", headers=admin, timeout=TIMEOUT)
    assert report.status_code == 200 and report.json()["ok"] is False, report.text
    assert not CANARY.exists()
    _alive(server)


def test_a_cost_at_run_time_is_a_422_naming_the_element_and_the_case_is_not_started(server: Server) -> None:
    # Fine at deploy (and no number the regulation text lacks); too big for this case.
    code = "< len(str(list(range(budget_yuan * budget_yuan))))"
    reply = _deploy(server, placed("DMN input entry", code), simulate="false", force="true")
    assert reply.status_code in (200, 201), reply.text
    user = _token(server, "s_unit_a")
    before = requests.get(f"{server.url}/api/v1/instances", headers=user, timeout=TIMEOUT).json()
    began = time.monotonic()
    started = requests.post(f"{server.url}/api/v1/instances", headers=user, timeout=TIMEOUT,
                            json={"process_key": "sample_project",
                                  "data": {"project_name": "社保卡应用升级", "budget_yuan": 50000,
                                           "category": "software"}})
    assert time.monotonic() - began < 10
    assert started.status_code == 422, started.text
    assert started.json()["type"] == "/problems/process-error"
    assert started.json().get("element") == "scale", started.text  # the decision task running the table
    after = requests.get(f"{server.url}/api/v1/instances", headers=user, timeout=TIMEOUT).json()
    assert after == before
    assert COSTS  # the in-process corpus covers every cost; this one proves the HTTP path
    _alive(server)


def test_the_server_log_shows_no_escape(server: Server) -> None:
    assert "Traceback" not in Path(server.log).read_text("utf-8", errors="replace")
