"""Which decision names can still matter from a given point of a case.

Two states that differ only in a value no remaining element reads behave the same from then
on, so the explorer keys its states by live values only. Without this every variant of every
earlier form would stay a separate state and the state space would be the product of all of
them. The read sets come from the stored spec (every expression-like string of each task
spec: conditions, scripts, DMN cells, timer and multi-instance expressions), over-approximated:
a name read anywhere in a called process counts as read by the call activity.
"""

from __future__ import annotations

import ast
import json
from functools import lru_cache
from typing import Any

from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

# Top-level task spec keys that hold names and prose, not expressions (a decision table's
# own `inputs` are expressions, so this applies at the top level only).
NOT_EXPRESSIONS = {"name", "description", "inputs", "outputs", "bpmn_name", "lane", "documentation",
                   "typename", "default_task_spec", "task_spec", "spec"}
OPEN = TaskState.READY | TaskState.WAITING | TaskState.STARTED


@lru_cache(maxsize=4096)
def names_in(text: str) -> frozenset[str]:
    for mode in ("eval", "exec"):
        try:
            tree = ast.parse(text.strip(), mode=mode)
        except SyntaxError:
            continue
        names = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
        names |= {n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)}
        return frozenset(names)
    return frozenset()


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


class Liveness:
    def __init__(self, spec_text: str, decision_names: set[str]) -> None:
        parts = json.loads(spec_text)
        self.processes: dict[str, dict[str, Any]] = {parts["spec"]["name"]: parts["spec"],
                                                     **parts["subprocess_specs"]}
        self.decision_names = decision_names
        self._downstream: dict[tuple[str, str], frozenset[str]] = {}
        self._whole: dict[str, frozenset[str]] = {}

    def _task(self, process: str, task: str) -> dict[str, Any]:
        return self.processes.get(process, {}).get("task_specs", {}).get(task, {})

    def _own(self, process: str, task: str) -> set[str]:
        spec = self._task(process, task)
        texts = _strings({k: v for k, v in spec.items() if k not in NOT_EXPRESSIONS})
        names = {n for text in texts for n in names_in(text)} & self.decision_names
        called = spec.get("spec")
        if isinstance(called, str) and called in self.processes:
            names |= self.whole(called)
        return names

    def whole(self, process: str) -> frozenset[str]:
        if process not in self._whole:
            self._whole[process] = frozenset()  # a process calling itself must not recurse forever
            tasks = self.processes[process].get("task_specs", {})
            self._whole[process] = frozenset(set().union(*(self._own(process, t) for t in tasks)) if tasks else set())
        return self._whole[process]

    def downstream(self, process: str, task: str) -> frozenset[str]:
        """Names read by `task` or anything after it in its process."""
        key = (process, task)
        if key not in self._downstream:
            seen, todo, names = set(), [task], set()
            while todo:
                current = todo.pop()
                if current in seen:
                    continue
                seen.add(current)
                names |= self._own(process, current)
                todo += self._task(process, current).get("outputs", [])
            self._downstream[key] = frozenset(names)
        return self._downstream[key]

    def live(self, open_tasks: list[Task]) -> set[str]:
        """Live names of a case: what its open (READY, WAITING, STARTED) tasks lead to. A
        running call activity or multi-instance task is STARTED, so what follows is included."""
        live: set[str] = set()
        for task in open_tasks:
            live |= self.downstream(task.workflow.spec.name, task.task_spec.name)
        return live
