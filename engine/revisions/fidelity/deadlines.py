"""A deadline runs from the date its article names, and that date is one a form asks for.
A timer may count from the moment it starts waiting (`today()` in the timer itself: 「申报后
5 个工作日内」) or from a date field; it may not count from a date a script stamped with
`today()` somewhere earlier, unless the manifest's data dictionary says which date that is
(`"date": "每年7月31日（第八条）"`): a deadline of six months "after completion" ran from the day
completion was *reported*, not from the completion date the unit entered, and nothing on the
diagram showed it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from ...regulations.bundles import Problem
from .facts import Expression, Facts, label

CLOCK_CALLS = {"today", "now"}
MAX_DEPTH = 6


def _assignments(facts: Facts) -> dict[str, list[tuple[Expression, ast.AST]]]:
    """Every script's assignments: variable → [(script, right-hand side)]."""
    found: dict[str, list[tuple[Expression, ast.AST]]] = {}
    for script in facts.scripts():
        try:
            tree = ast.parse(script.text)
        except SyntaxError:
            continue  # reported by the evaluator's check
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name):
                        found.setdefault(target.id, []).append((script, node.value))
    return found


def _reads_clock(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) and isinstance(n.func, ast.Name) and n.func.id in CLOCK_CALLS
               for n in ast.walk(node))


def _stamped(name: str, facts: Facts, assigned: dict, depth: int = 0) -> Iterator[Expression]:
    """The scripts that make `name` (directly or through other variables) from the clock, unless
    a form asks for it."""
    if depth > MAX_DEPTH or any(f.is_date for f in facts.field_named(name)):
        return
    if (facts.bundle.manifest.get("data_dictionary", {}).get(name) or {}).get("date"):
        return  # the owner has said which date it is, and the 审批单 shows it
    for script, value in assigned.get(name, []):
        if _reads_clock(value):
            yield script
        for inner in {n.id for n in ast.walk(value) if isinstance(n, ast.Name)} - {name}:
            yield from _stamped(inner, facts, assigned, depth + 1)


def problems(facts: Facts) -> list[Problem]:
    assigned = _assignments(facts)
    found = []
    for timer in (e for e in facts.expressions if e.kind == "timer"):
        for name in sorted(timer.names):
            scripts = {script.element.get("id"): script for script in _stamped(name, facts, assigned)}
            for script in scripts.values():
                found.append(timer.doc.problem(timer.element, f"期限「{label(timer.element)}」从「{name}」起算，而它是"
                                                              f"「{label(script.element)}」用办理当天的日期记下的，"
                                                              f"不是条款所指的日期：请在表单中询问该日期（日期字段），由它起算"))
    return found
