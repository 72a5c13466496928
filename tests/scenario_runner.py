"""Runs scenario files: each a jurisdiction's cases as data, driven through HTTP.

A scenario file (`tests/scenarios/<jurisdiction>.json`) has `process_key`, optional
`fragments` (named step lists shared by scenarios) and `scenarios`. Each scenario:

    {"name": "...", "clock": "2026-01-05T09:00:00+08:00",
     "start": {"as": "user", "data": {...}},
     "steps": [ ...step... ],
     "expect": {"status": "completed", "data": {...}, "open": [...]}}

Steps (one key decides the kind):
    {"task": bpmn_id, "as": user, "data": {...}, "unit": optional unit of a bound task,
     "open": [bpmn ids open afterwards, exact], "status": expected HTTP status (default 200),
     "error_field": field expected in a 422}
    {"forbidden": bpmn_id, "as": user}            the user gets 403 and the task stays open
    {"invisible": bpmn_id, "as": user}            the task is not in the user's task list
    {"clock": iso datetime, "fired": n}           move the clock, run one scheduler pass
    {"open": [...]}                               assert the open tasks
    {"data": {...}}                               assert values in the case data
    {"fragment": name}                            the steps of a named fragment
    {"walk": {bpmn_id: [data, ...]}, "until": id}  walk to the end, or until task `id` opens
    {"action": "suspend"|"resume"|"terminate", "as": user, "reason": "...", "status": 200}
    {"message": name, "as": user, "data": {...}, "status": 200}   a notice into the case
    {"withdraw": bpmn_id, "as": user, "status": 200}  撤回 the latest completion of that task

A file may list `peers`: {role: [users]} of user-bound roles (e.g. experts), so that a walk
checks that a peer who was not drawn gets 403. A scenario may set its own `process_key`.
A scenario may list `prior_cases` (each with `start` and `steps`, run first, to the point
their steps take them): other cases of the same or another unit, for cross-case rules.

A walk completes every task that opens, in order, as the file's `actors` user for the task's
role (a {unit: user} map for roles whose tasks are unit-bound), with the data listed for
its BPMN id in the walk or in the file's `defaults` (the n-th time a task opens takes the
n-th entry; the last one repeats). Before each completion a user of another lane, and for a
unit-bound task a user of another unit, must get 403. When only a timer is pending, the walk
shows that nothing opens a minute before it is due, then moves the clock past it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine

from .conftest import Http


def load(path: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(test id, file-level settings, scenario) for every scenario of a file."""
    spec = json.loads(path.read_text("utf-8"))
    return [(f"{path.stem}:{s['name']}", spec, s) for s in spec["scenarios"]]


def _expand(steps: list[dict], fragments: dict[str, list[dict]]) -> list[dict]:
    out: list[dict] = []
    for step in steps:
        out += _expand(fragments[step["fragment"]], fragments) if "fragment" in step else [step]
    return out


class Clock:
    """One moved clock shared by a scenario and its prior cases (never nested travels)."""

    def __init__(self) -> None:
        self.traveller: Any = None

    def travel(self, when: str) -> None:
        self.stop()
        self.traveller = time_machine.travel(when, tick=False)
        self.traveller.start()

    def stop(self) -> None:
        if self.traveller is not None:
            self.traveller.stop()
            self.traveller = None


class ScenarioRun:
    def __init__(self, http: Http, fire_timers, spec: dict[str, Any], scenario: dict[str, Any],
                 clock: Clock | None = None):
        self.http, self.fire_timers, self.spec, self.scenario = http, fire_timers, spec, scenario
        self.case: dict[str, Any] = {}
        self.clock_ = clock or Clock()
        self.log: list[str] = []

    # -- clock -------------------------------------------------------------------------
    def _travel(self, when: str) -> None:
        self.clock_.travel(when)

    # -- helpers -------------------------------------------------------------------------
    def _refresh(self, user: str) -> None:
        reply = self.http.as_(user).get(f"/api/v1/instances/{self.case['id']}")
        if reply.status == 200:
            self.case = reply.body

    def _admin_view(self) -> dict[str, Any]:
        reply = self.http.as_("admin").get(f"/api/v1/instances/{self.case['id']}")
        assert reply.status == 200, reply.body
        self.case = reply.body
        return reply.body

    def _find(self, bpmn_id: str, unit: str | None) -> dict[str, Any]:
        tasks = [t for t in self._admin_view()["open_tasks"] if t["bpmn_id"] == bpmn_id
                 and (unit is None or t["unit"] == unit)]
        assert tasks, f"{bpmn_id} ({unit}) not open; open: {self.open_ids()} — {self.log}"
        return tasks[0]

    def open_ids(self) -> list[str]:
        return sorted(t["bpmn_id"] for t in self.case.get("open_tasks", []))

    def _check_open(self, expected: list[str]) -> None:
        self._admin_view()
        assert self.open_ids() == sorted(expected), f"open {self.open_ids()} != {sorted(expected)} — {self.log}"

    def _check_data(self, expected: dict[str, Any]) -> None:
        data = self._admin_view()["data"]
        for key, value in expected.items():
            assert data.get(key) == value, f"data[{key}] = {data.get(key)!r}, expected {value!r} — {self.log}"

    # -- steps ---------------------------------------------------------------------------
    def start(self) -> None:
        if "clock" in self.scenario:
            self._travel(self.scenario["clock"])
        start = self.scenario["start"]
        reply = self.http.as_(start["as"]).post("/api/v1/instances", {
            "process_key": self.scenario.get("process_key", self.spec["process_key"]), "data": start["data"]})
        assert reply.status == 201, reply.body
        self.case = reply.body
        self.log.append(f"start by {start['as']}")

    def task(self, step: dict[str, Any]) -> None:
        task = self._find(step["task"], step.get("unit"))
        reply = self.http.as_(step["as"]).post(f"/api/v1/tasks/{task['id']}/complete", {"data": step.get("data", {})})
        expected = step.get("status", 200)
        assert reply.status == expected, f"{step['task']} by {step['as']}: {reply.status} {reply.body} — {self.log}"
        if expected == 422 and "error_field" in step:
            assert any(e["field"] == step["error_field"] for e in reply.body["errors"]), reply.body
        self.log.append(f"{step['task']} by {step['as']}")
        if "open" in step:
            self._check_open(step["open"])

    def forbidden(self, step: dict[str, Any]) -> None:
        task = self._find(step["forbidden"], step.get("unit"))
        reply = self.http.as_(step["as"]).post(f"/api/v1/tasks/{task['id']}/complete", {"data": step.get("data", {})})
        assert reply.status == 403, f"{step['as']} on {step['forbidden']}: {reply.status} {reply.body}"
        self._find(step["forbidden"], step.get("unit"))  # still open

    def invisible(self, step: dict[str, Any]) -> None:
        listed = self.http.as_(step["as"]).get("/api/v1/tasks", instance_id=self.case["id"]).body["items"]
        assert step["invisible"] not in {t["bpmn_id"] for t in listed}, listed

    def clock(self, step: dict[str, Any]) -> None:
        self._travel(step["clock"])
        fired = self.fire_timers()
        if "fired" in step:
            assert fired == step["fired"], f"fired {fired} timers at {step['clock']}, expected {step['fired']}"
        self.log.append(f"clock {step['clock']} fired {fired}")

    # -- walk ----------------------------------------------------------------------------
    def _actor(self, task: dict[str, Any]) -> str:
        if task.get("assignee"):
            return task["assignee"]
        chosen = self.spec["actors"][task["role"]]
        return chosen[task["unit"]] if isinstance(chosen, dict) else chosen

    def _intruders(self, task: dict[str, Any]) -> list[str]:
        """A user of another lane, and one of the same role but another unit or person."""
        others = [u for role, u in self.spec["actors"].items() if role != task["role"] and isinstance(u, str)]
        chosen = self.spec["actors"][task["role"]]
        peers = chosen.items() if isinstance(chosen, dict) else []
        others[1:] = [u for key, u in peers if key != task["unit"] and u != task.get("assignee")][:1]
        others += [u for u in self.spec.get("peers", {}).get(task["role"], []) if u != task.get("assignee")][:1]
        return others[:3]

    def _wait_for_timer(self) -> None:
        due = self.case["next_due_at"]
        assert due, f"case stuck: no open task, no timer, status {self.case['status']} — {self.log}"
        due_at = datetime.fromisoformat(due)
        self._travel((due_at - timedelta(minutes=1)).isoformat())
        assert self.fire_timers() == 0
        assert self._admin_view()["open_tasks"] == [], "a task opened before its timer was due"
        self.clock({"clock": (due_at + timedelta(minutes=1)).isoformat()})

    def walk(self, data: dict[str, list[dict]], until: str | None = None) -> None:
        table = {**self.spec.get("defaults", {}), **data}
        seen: dict[str, int] = {}
        for _ in range(300):
            case = self._admin_view()
            if case["status"] != "running" or until in {t["bpmn_id"] for t in case["open_tasks"]}:
                return
            if not case["open_tasks"]:
                self._wait_for_timer()
                continue
            task = sorted(case["open_tasks"], key=lambda t: (t["ready_at"], t["bpmn_id"], t["unit"] or ""))[0]
            entries = table[task["bpmn_id"]]
            payload = entries[min(seen.get(task["bpmn_id"], 0), len(entries) - 1)]
            seen[task["bpmn_id"]] = seen.get(task["bpmn_id"], 0) + 1
            for intruder in self._intruders(task):
                self.forbidden({"forbidden": task["bpmn_id"], "unit": task["unit"], "as": intruder})
            self.task({"task": task["bpmn_id"], "unit": task["unit"], "as": self._actor(task), "data": payload})
        raise AssertionError(f"walk did not finish — {self.log}")

    def action(self, step: dict[str, Any]) -> None:
        reply = self.http.as_(step["as"]).post(f"/api/v1/instances/{self.case['id']}/{step['action']}",
                                               {"reason": step.get("reason", "测试")})
        assert reply.status == step.get("status", 200), f"{step}: {reply.status} {reply.body}"
        self.log.append(f"{step['action']} by {step['as']}")

    def message(self, step: dict[str, Any]) -> None:
        reply = self.http.as_(step["as"]).post(f"/api/v1/instances/{self.case['id']}/messages",
                                               {"name": step["message"], "data": step.get("data", {})})
        assert reply.status == step.get("status", 200), f"{step}: {reply.status} {reply.body}"
        self.log.append(f"message {step['message']} by {step['as']}")

    def withdraw(self, step: dict[str, Any]) -> None:
        done = [s for s in self._admin_view()["completed_steps"]
                if s["bpmn_id"] == step["withdraw"] and s["action"] == "complete"]
        assert done, f"{step['withdraw']} was never completed — {self.log}"
        reply = self.http.as_(step["as"]).post(f"/api/v1/tasks/{done[-1]['task_id']}/withdraw")
        assert reply.status == step.get("status", 200), f"{step}: {reply.status} {reply.body}"
        self.log.append(f"withdraw {step['withdraw']} by {step['as']}")

    def _steps(self, steps: list[dict[str, Any]]) -> None:
        kinds = {"task": self.task, "forbidden": self.forbidden, "invisible": self.invisible,
                 "clock": self.clock, "action": self.action, "message": self.message,
                 "withdraw": self.withdraw}
        for step in _expand(steps, self.spec.get("fragments", {})):
            kind = next((k for k in kinds if k in step), None)
            if kind is not None:
                kinds[kind](step)
            elif "walk" in step:
                self.walk(step["walk"], step.get("until"))
            elif "open" in step:
                self._check_open(step["open"])
            elif "data" in step:
                self._check_data(step["data"])
            else:
                raise AssertionError(f"unknown step {step}")

    def run(self) -> None:
        try:
            for prior in self.scenario.get("prior_cases", []):
                inherited = {k: self.scenario[k] for k in ("clock", "process_key") if k in self.scenario}
                ScenarioRun(self.http, self.fire_timers, self.spec, {**inherited, **prior}, self.clock_).run_steps()
            self.run_steps()
            self.finish(self.scenario.get("expect", {}))
        finally:
            self.clock_.stop()

    def run_steps(self) -> None:
        self.start()
        self._steps(self.scenario.get("steps", []))

    def finish(self, expect: dict[str, Any]) -> None:
        case = self._admin_view()
        if "status" in expect:
            assert case["status"] == expect["status"], (
                f"status {case['status']} — open {self.open_ids()} {self.log} — steps "
                f"{[s['bpmn_id'] for s in case.get('completed_steps', [])]} due {case.get('next_due_at')} "
                f"outcome {case.get('outcome')} data {case.get('data')}")
        if "outcome" in expect:
            assert case["outcome"] == expect["outcome"], f"outcome {case['outcome']} — {self.log}"
        if "open" in expect:
            self._check_open(expect["open"])
        if "data" in expect:
            self._check_data(expect["data"])
        if "path" in expect:  # the exact order of the steps taken
            taken = [s["bpmn_id"] for s in case["completed_steps"] if s["action"] == "complete"]
            assert taken == expect["path"], f"path {taken}"
        if "steps_include" in expect:
            names = [s["bpmn_id"] for s in case["completed_steps"]]
            missing = [b for b in expect["steps_include"] if b not in names]
            assert not missing, f"steps not taken: {missing}; taken: {names}"
        if "steps_exclude" in expect:
            names = {s["bpmn_id"] for s in case["completed_steps"]}
            assert not names & set(expect["steps_exclude"]), names & set(expect["steps_exclude"])
