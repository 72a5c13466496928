"""The script engine diagrams run in: case data plus the allowlisted helpers, nothing else.

SpiffWorkflow evaluates conditions, scripts, timer expressions and DMN cells with plain
`eval`/`exec`. Builtins are cut down to pure functions (no `__import__`, `open`, `eval`), and
the bundle lint refuses `import` statements and names starting with `_` before deployment.
"""

from __future__ import annotations

import builtins
from functools import cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine, TaskDataEnvironment

from .case_helpers import CASE_HELPERS
from .helpers import HELPERS
from .sandbox import Budget, bounded_range, compiled

SAFE_BUILTIN_NAMES = (
    "abs", "all", "any", "bool", "dict", "enumerate", "filter", "float", "int", "isinstance",
    "len", "list", "map", "max", "min", "range", "reversed", "round", "set", "sorted", "str",
    "sum", "tuple", "zip", "True", "False", "None", "ValueError", "KeyError", "Exception",
)
SAFE_BUILTINS = {name: getattr(builtins, name) for name in SAFE_BUILTIN_NAMES} | {"range": bounded_range}


class BoundedEnvironment(TaskDataEnvironment):
    """SpiffWorkflow's task-data environment, running each expression rewritten with the
    sandbox's bounds (see engine/sandbox.py) and a fresh budget per evaluation."""

    def evaluate(self, expression: str, context: dict, external_context: dict | None = None) -> Any:
        scope = {**self.globals, **(external_context or {}), **context, **Budget().names()}
        return eval(compiled(expression, "eval"), scope)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        self.check_for_overwrite(context, external_context or {})
        budget = Budget().names()
        context.update({**self.globals, **(external_context or {}), **budget})
        try:
            exec(compiled(script, "exec"), context)
        finally:
            self._remove_globals_and_functions_from_context(context, external_context)
            for name in budget:
                context.pop(name, None)
        return True


def allowed_names() -> set[str]:
    """Names an expression may use besides case data: helpers and safe builtins."""
    return set(HELPERS) | set(CASE_HELPERS) | set(SAFE_BUILTINS)


@cache
def script_engine() -> PythonScriptEngine:
    """One shared engine: its environment holds no per-case state."""
    env: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **HELPERS, **CASE_HELPERS}
    return PythonScriptEngine(environment=BoundedEnvironment(env))


def script_engine_with(case_helpers: dict[str, Any]) -> PythonScriptEngine:
    """An engine like `script_engine()` with other case helpers, e.g. the pure doubles the
    pre-deployment simulation uses so that it never touches the database."""
    env: dict[str, Any] = {"__builtins__": SAFE_BUILTINS, **HELPERS, **case_helpers}
    return PythonScriptEngine(environment=BoundedEnvironment(env))
