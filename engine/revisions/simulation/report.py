"""Findings of a simulation and the per-process summary, as the report returns them."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

ERROR, WARNING, INFO = "error", "warning", "info"
PATH_HEAD, PATH_TAIL = 3, 8  # a long path is shown as its first and last steps

# kind -> default severity
KINDS = {
    "dead_end": ERROR,            # waits for nothing, yet not complete
    "unreachable": WARNING,       # never visited (error when exploration was complete)
    "no_matching_branch": ERROR,  # gateway: no condition true and no default
    "dmn_no_match": ERROR,        # decision table: no rule for these inputs
    "script_error": ERROR,        # a script, condition, timer or helper failed
    "infinite_loop": WARNING,     # a path longer than the step cap
    "not_simulated": INFO,        # reached only by messages
    "waits_for_message": INFO,    # a path that can only go on with a message
    "exploration_capped": WARNING,  # state or time cap hit: results are partial
    "form_not_generated": ERROR,  # no valid data could be generated for a form
    "parse_error": ERROR,         # the diagrams cannot be built at all
    "lint_warning": WARNING,      # a bpmnlint recommended rule of severity warning (revisions/lint.py)
}


def short_path(path: tuple[str, ...] | list[str]) -> list[str]:
    steps = list(path)
    if len(steps) <= PATH_HEAD + PATH_TAIL + 1:
        return steps
    return [*steps[:PATH_HEAD], f"…（省略 {len(steps) - PATH_HEAD - PATH_TAIL} 步）", *steps[-PATH_TAIL:]]


@dataclass
class Finding:
    kind: str
    process: str
    element: str | None
    name: str
    message: str
    path: list[str] = field(default_factory=list)
    severity: str = ""

    def __post_init__(self) -> None:
        self.severity = self.severity or KINDS[self.kind]
        self.path = short_path(self.path)

    def as_dict(self) -> dict[str, Any]:
        out = asdict(self)
        return {k: out[k] for k in ("kind", "severity", "process", "element", "name", "message", "path")}


@dataclass
class ProcessSummary:
    states: int = 0
    paths_completed: int = 0
    end_events: list[str] = field(default_factory=list)
    end_events_reached: set[str] = field(default_factory=set)
    visited: set[str] = field(default_factory=set)
    elements: int = 0
    complete: bool = True

    def as_dict(self) -> dict[str, Any]:
        # The visited ids themselves too: the modeler's 试运行 marks them on the diagram.
        return {"states": self.states, "paths_completed": self.paths_completed,
                "end_events": sorted(self.end_events), "end_events_reached": sorted(self.end_events_reached),
                "visited": len(self.visited), "visited_elements": sorted(self.visited),
                "elements": self.elements, "complete": self.complete}
