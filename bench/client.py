"""An HTTP client that works cases the way the front end does: as the right demo user each step."""

from __future__ import annotations

import json
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests

from . import scenario
from .server import PASSWORD

API = "/api/v1"


class UploadFailed(Exception):
    pass


@dataclass(frozen=True)
class DemoUser:
    username: str
    roles: tuple[str, ...]
    unit: str | None


def demo_users() -> list[DemoUser]:
    manifest = json.loads((scenario.BPMN_DIR / "manifest.json").read_text("utf-8"))
    return [DemoUser(u["username"], tuple(u["roles"]), u.get("unit")) for u in manifest["demo_users"]]


def applicant_role() -> str:
    manifest = json.loads((scenario.BPMN_DIR / "manifest.json").read_text("utf-8"))
    return next(r["id"] for r in manifest["roles"] if r.get("applicant"))


class Directory:
    """Who acts on a task: a demo user holding its role, and its unit when the task is bound."""

    def __init__(self, users: list[DemoUser]):
        self.users = users
        role = applicant_role()
        self._applicants = [u for u in users if role in u.roles]

    def for_task(self, task: dict[str, Any]) -> str:
        for user in self.users:
            if task["role"] in user.roles and (task.get("unit") is None or task["unit"] == user.unit):
                return user.username
        raise LookupError(f"no demo user for role {task['role']} unit {task.get('unit')}")

    def applicants(self) -> list[DemoUser]:
        return list(self._applicants)


def login_all(base: str, users: list[DemoUser]) -> dict[str, str]:
    session = requests.Session()
    tokens = {}
    for user in users:
        reply = session.post(f"{base}{API}/auth/token", json={"username": user.username, "password": PASSWORD},
                             timeout=30)
        reply.raise_for_status()
        tokens[user.username] = reply.json()["token"]
    return tokens


@dataclass
class Outcome:
    latencies: list[float] = field(default_factory=list)  # complete-task calls only, seconds
    errors: Counter[str] = field(default_factory=Counter)
    first_error: str = ""
    cases_finished: int = 0
    by_element: dict[str, list[float]] = field(default_factory=dict)  # latencies per BPMN element
    uploads: int = 0  # documents uploaded before completions (not timed as completions)
    upload_seconds: float = 0.0  # the client's wall time spent uploading them

    def error(self, what: str, reply: requests.Response) -> None:
        self.errors[f"{what} {reply.status_code}"] += 1
        if not self.first_error:
            self.first_error = f"{what} {reply.status_code}: {reply.text[:300]}"


class Client:
    """One requests.Session (keep-alive), shared tokens; not thread-safe: one per thread.
    `view`: the case view asked for in the complete response (`summary` is what the task page
    shows after submitting; `full` the whole case)."""

    def __init__(self, base: str, tokens: dict[str, str], directory: Directory, view: str = "summary"):
        self.base, self.tokens, self.directory, self.view = base, tokens, directory, view
        self.session = requests.Session()

    def _headers(self, username: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def start(self, applicant: str, title_suffix: str = "") -> requests.Response:
        data = {**scenario.APPLICATION, "project_name": scenario.APPLICATION["project_name"] + title_suffix}
        return self.session.post(f"{self.base}{API}/instances", headers=self._headers(applicant),
                                 json={"process_key": scenario.PROCESS_KEY, "data": data}, timeout=60)

    def upload(self, task: dict[str, Any], field: str, doc: scenario.Doc) -> str:
        """Upload one document for a field of the task's form as its actor; the attachment id."""
        reply = self.session.post(f"{self.base}{API}/attachments", headers=self._headers(self.directory.for_task(task)),
                                  data={"field": field, "task_id": task["id"]},
                                  files={"file": (doc.filename, doc.content, "application/pdf")}, timeout=60)
        if reply.status_code != 201:
            raise UploadFailed(f"upload {field} {reply.status_code}: {reply.text[:300]}")
        return reply.json()["id"]

    def prepared(self, task: dict[str, Any], data: dict[str, Any]) -> dict[str, Any]:
        """The form data with its documents uploaded: done before, never inside, the timed call."""
        return scenario.resolve(data, lambda field, doc: self.upload(task, field, doc))

    def complete(self, task: dict[str, Any], data: dict[str, Any]) -> tuple[requests.Response, float]:
        user = self.directory.for_task(task)
        began = time.perf_counter()
        reply = self.session.post(f"{self.base}{API}/tasks/{task['id']}/complete", params={"view": self.view},
                                  headers=self._headers(user), json={"data": data}, timeout=60)
        return reply, time.perf_counter() - began

    def list_tasks(self, username: str) -> tuple[requests.Response, float]:
        began = time.perf_counter()
        reply = self.session.get(f"{self.base}{API}/tasks", headers=self._headers(username), timeout=120)
        return reply, time.perf_counter() - began

    def walk(self, case: dict[str, Any], outcome: Outcome, max_steps: int = scenario.MAX_STEPS,
             deadline: float = float("inf")) -> bool:
        """Complete up to `max_steps` tasks of one case (stopping at `deadline`, a
        perf_counter value); True when the case has no open task left."""
        walk, tasks = scenario.Walk(), case["open_tasks"]
        for _ in range(max_steps):
            if not tasks:
                outcome.cases_finished += 1
                return True
            if time.perf_counter() >= deadline:
                return False
            task = tasks[scenario.pick([t["bpmn_id"] for t in tasks])]
            began, docs = time.perf_counter(), scenario.count_docs(walk.peek(task["bpmn_id"]))
            try:
                data = self.prepared(task, walk.data_for(task["bpmn_id"]))
                outcome.uploads += docs
                outcome.upload_seconds += time.perf_counter() - began
            except UploadFailed as exc:
                outcome.errors["upload"] += 1
                outcome.first_error = outcome.first_error or str(exc)
                return False
            reply, seconds = self.complete(task, data)
            if reply.status_code != 200:
                outcome.error("complete", reply)
                return False  # the case's state is unknown now: abandon it, never guess
            outcome.latencies.append(seconds)
            outcome.by_element.setdefault(task["bpmn_id"], []).append(seconds)
            tasks = reply.json()["open_tasks"]
        return not tasks
