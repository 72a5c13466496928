"""The script engine diagrams run in: case data plus the helpers, through the guarded evaluator.

SpiffWorkflow evaluates every condition, script, pre/post script, timer, multi-instance,
message-correlation and DMN expression through its script engine's environment
(`evaluate`/`execute`); this environment hands each one to `engine.language`, which compiles
it with RestrictedPython under an allow-list and runs it within the bounds of a fresh budget.
"""

from __future__ import annotations

import ast
from datetime import date
from functools import cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from . import calendar
from .case_helpers import CASE_HELPERS, bound_to
from .evaluator import Vocabulary, compiled
from .helpers import HELPERS
from .safe_builtins import SAFE_BUILTINS


class GuardedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment with the guarded evaluator instead of eval/exec."""

    def __init__(self, helpers: dict[str, Any]) -> None:
        super().__init__(helpers)
        self.vocabulary = Vocabulary(helpers)

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        return self.vocabulary.evaluate(expression, {**(external_context or {}), **context})

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        if external_context:
            context.update(external_context)
        try:
            self.vocabulary.execute(script, context)
        finally:
            for name in external_context or {}:
                context.pop(name, None)
        return True


class GuardedScriptEngine(PythonScriptEngine):
    """`validate` (what SpiffWorkflow's DMN engine asks before building a cell's expression)
    compiles through the same policy instead of a bare `ast.parse`."""

    def validate(self, expression: str) -> None:
        ast.parse(expression)  # a SyntaxError here is how the DMN engine tells `> 5` from `5`
        compiled(expression, "eval")


def allowed_names() -> set[str]:
    """Names an expression may call besides case data: helpers and safe builtins."""
    return set(HELPERS) | set(CASE_HELPERS) | set(SAFE_BUILTINS)


@cache
def script_engine() -> PythonScriptEngine:
    """One shared engine for diagrams run outside a case (compiling, checking): its case
    helpers refuse every call."""
    return script_engine_with(bound_to(None))


def case_script_engine(case_id: int) -> PythonScriptEngine:
    """The engine one case runs in: its case helpers act on that case and no other."""
    return script_engine_with(bound_to(case_id))


def script_engine_with(case_helpers: dict[str, Any]) -> PythonScriptEngine:
    """An engine like `script_engine()` with other case helpers, e.g. the pure doubles the
    pre-deployment simulation uses so that it never touches the database."""
    calendar.warm(date.today())
    return GuardedScriptEngine(environment=GuardedEnvironment({**HELPERS, **case_helpers}))
