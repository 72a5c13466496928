"""Access matrix: endpoint × role × unit × jurisdiction, generated from the demo users of the
bundled manifests. One case is started in every jurisdiction (its scenario file's first start);
then every demo user probes every case, its open tasks, its documents, the notices, the drafts
and the administrators' endpoints. The expected outcome of each probe comes from the table
below and the access rules (docs: engine/cases/access.py); any allowed-where-refused is a leak, any
refused-where-allowed is a bug too. Probes never change state (a completion with an empty
form is refused by the form for whoever may act, by access for everyone else)."""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..scenario_runner import ScenarioRun

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
ALLOWED, REFUSED = "allowed", "refused"


@pytest.fixture
def bundle_set() -> str:
    return "bundled"


@dataclass(frozen=True)
class Person:
    username: str
    jurisdiction: str
    unit: str | None
    roles: frozenset[str]
    is_admin: bool = False


def people() -> list[Person]:
    """Every demo user, then the administrator (last: its probes may change a version)."""
    out = []
    for path in sorted((ROOT / "bpmn").glob("*/manifest.json")):
        manifest = json.loads(path.read_text("utf-8"))
        out += [Person(u["username"], manifest["id"], u.get("unit"), frozenset(u["roles"]))
                for u in manifest.get("demo_users", [])]
    return [*out, Person("admin", "", None, frozenset(), is_admin=True)]


def control_roles(jurisdiction: str) -> set[str]:
    manifest = json.loads((ROOT / "bpmn" / jurisdiction / "manifest.json").read_text("utf-8"))
    return set(manifest.get("case_control_roles", []))


def may_act(p: Person, task: dict) -> bool:
    return (p.jurisdiction == task["jurisdiction"] and task["role"] in p.roles
            and task["unit"] in (None, p.unit) and task["assignee"] in (None, p.username))


@dataclass
class Case:
    detail: dict
    actors: set[str]          # who appears in its audit trail
    notified: list[dict]      # (role, unit) the case was copied to
    attachments: list[str]


def may_see(p: Person, case: Case) -> bool:
    c = case.detail
    if p.is_admin:
        return True
    if p.jurisdiction != c["jurisdiction"]:
        return False
    return (p.unit == c["applicant_unit"] or any(may_act(p, t) for t in c["open_tasks"])
            or p.username in case.actors or bool(p.roles & control_roles(c["jurisdiction"]))
            or any(n["role"] in p.roles and n.get("unit") in (None, p.unit) for n in case.notified))


# endpoint → who is allowed (the table of expected outcomes); {case}/{task}/{doc} are filled in.
CASE_READS = ["/instances/{case}", "/instances/{case}/audit", "/instances/{case}/diagram",
              "/instances/{case}/attachments"]
DOC_READS = ["/attachments/{doc}", "/attachments/{doc}/content"]
ADMIN_ONLY = [("GET", "/drafts", None), ("POST", "/drafts", {"jurisdiction": "{jurisdiction}", "title": "探测"}),
              ("PATCH", "/processes/{key}/versions/1", {"effective_from": "2020-01-01"}),
              ("POST", "/processes/{key}/versions/1/migrations", {"to_version": 1})]


def expected_status(kind: str, p: Person, case: Case, task: dict | None = None) -> str:
    if kind == "case":
        return ALLOWED if may_see(p, case) else REFUSED
    if kind == "task":
        return ALLOWED if p.is_admin or may_act(p, task) or may_see(p, case) else REFUSED
    if kind == "act":
        return ALLOWED if may_act(p, task) else REFUSED
    raise AssertionError(kind)


@pytest.fixture
def cases(http, fire_timers) -> list[Case]:
    made = []
    for path in sorted(SCENARIOS.glob("*.json")):
        spec = json.loads(path.read_text("utf-8"))
        scenario = next(s for s in spec["scenarios"] if not s.get("prior_cases"))
        run = ScenarioRun(http, fire_timers, spec, scenario)
        try:
            run.start()
        finally:
            run.clock_.stop()
        admin = http.as_("admin")
        detail = admin.get(f"/api/v1/instances/{run.case['id']}").body
        audit = admin.get(f"/api/v1/instances/{run.case['id']}/audit").body
        audit = audit["entries"] if isinstance(audit, dict) else audit
        docs = admin.get(f"/api/v1/instances/{run.case['id']}/attachments").body
        made.append(Case(detail, {e["actor"] for e in audit if e.get("actor")}, _notices(http, detail),
                         [d["id"] for d in docs]))
    assert len(made) == 5 and all(c.detail["open_tasks"] for c in made)
    return made


def _notices(http, detail: dict) -> list[dict]:
    """The (role, unit) the case was copied to, read straight from the database."""
    from engine.db import db
    from engine.models import Notice

    with http.client.application.app_context():
        rows = db.session.query(Notice.role, Notice.unit).filter(Notice.instance_id == detail["id"]).all()
    return [{"role": r, "unit": u} for r, u in rows]


def _outcome(status: int) -> str:
    return ALLOWED if status in (200, 201) else REFUSED


def _acting_outcome(status: int) -> str:
    # whoever may act gets past access to the empty form's 422 (or 409 for a claimed task)
    return ALLOWED if status in (409, 422) else REFUSED


def _case_probes(user, p: Person, case: Case, listed_cases: set[int], listed_tasks: set[str]) -> list[str]:
    cid, expect, where = case.detail["id"], expected_status("case", p, case), case.detail["jurisdiction"]
    wrong = [f"{p.username} GET {path} of {where}: {got}, expected {expect}" for path in CASE_READS
             if (got := _outcome(user.get("/api/v1" + path.format(case=cid)).status)) != expect]
    wrong += [f"{p.username} GET {path} of {where}: {got}, expected {expect}"
              for doc in case.attachments for path in DOC_READS
              if (got := _outcome(user._send("GET", "/api/v1" + path.format(doc=doc)).status_code)) != expect]
    if (cid in listed_cases) != (expect == ALLOWED):
        wrong.append(f"{p.username} case list of {where}: listed={cid in listed_cases}, expected {expect}")
    for task in case.detail["open_tasks"]:
        got = _outcome(user.get(f"/api/v1/tasks/{task['id']}").status)
        if got != expected_status("task", p, case, task):
            wrong.append(f"{p.username} GET task {task['bpmn_id']} of {where}: {got}")
        act = expected_status("act", p, case, task)
        got = _acting_outcome(user.post(f"/api/v1/tasks/{task['id']}/complete", {"data": {}}).status)
        if got != act:
            wrong.append(f"{p.username} complete {task['bpmn_id']} of {where}: {got}, expected {act}")
        if task["id"] in listed_tasks and not may_act(p, task):
            wrong.append(f"{p.username} task list shows {task['bpmn_id']} of {where}")
    return wrong


def test_no_user_reads_or_acts_beyond_their_jurisdiction_unit_and_role(http, cases):
    wrong: list[str] = []
    everyone = people()
    for p in everyone:
        user = http.as_(p.username)
        listed_cases = {c["id"] for c in user.get("/api/v1/instances", limit=200).body["items"]}
        listed_tasks = {t["id"] for t in _items(user.get("/api/v1/tasks", limit=200).body)}
        for case in cases:
            wrong += _case_probes(user, p, case, listed_cases, listed_tasks)
        for notice in user.get("/api/v1/notices").body:
            owner = next((c for c in cases if c.detail["id"] == notice["instance_id"]), None)
            if owner is not None and not may_see(p, owner):
                wrong.append(f"{p.username} notice of an invisible case {notice['instance_id']}")
        wrong += _admin_probes(http, p, cases[0].detail)
    assert wrong == [], "\n".join(wrong[:40]) + f"\n… {len(wrong)} in all"
    probes = len(everyone) * (sum(len(CASE_READS) + 1 + 2 * len(c.detail["open_tasks"]) + len(DOC_READS) * len(
        c.attachments) for c in cases) + len(ADMIN_ONLY) + 1)
    assert probes > 2000, probes


def _admin_probes(http, p: Person, case: dict) -> list[str]:
    """Administrators pass access (whatever the request then gets); everyone else 403."""
    user, wrong = http.as_(p.username), []
    for method, path, body in ADMIN_ONLY:
        filled = json.loads(json.dumps(body).replace("{jurisdiction}", case["jurisdiction"])) if body else None
        status = user._call(method, "/api/v1" + path.format(key=case["process_key"]), json=filled).status
        if (status in (401, 403)) == p.is_admin:
            wrong.append(f"{p.username} {method} {path}: {status}")
    upload = user._send("POST", "/api/v1/deployments", data={"file": (io.BytesIO(b"not a zip"), "x.zip")},
                        content_type="multipart/form-data").status_code
    if (upload in (401, 403)) == p.is_admin:
        wrong.append(f"{p.username} POST /deployments: {upload}")
    return wrong


def _items(body) -> list[dict]:
    return body["items"] if isinstance(body, dict) else body


def test_the_matrix_covers_every_jurisdiction_role_and_unit():
    everyone = people()
    assert {p.jurisdiction for p in everyone if p.jurisdiction} == {
        path.parent.name for path in (ROOT / "bpmn").glob("*/manifest.json")}
    assert len(everyone) > 80
    assert sum(1 for p in everyone for _ in p.roles) >= len(everyone) - 1
