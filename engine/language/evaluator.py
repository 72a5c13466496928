"""The one place diagram code runs: compiled by the policy, run with the guards and a fresh
budget, its results checked before they reach the case data.

`Vocabulary` is what an environment offers by name (helpers and safe builtins); `evaluate`
and `execute` are what SpiffWorkflow's script environment calls for every condition, script,
timer, multi-instance, message and DMN expression (engine/language/scripting.py), and what the
pre-deployment simulation and the deploy check use too.
"""

from __future__ import annotations

from functools import lru_cache
from types import CodeType
from typing import Any

from RestrictedPython import compile_restricted_eval, compile_restricted_exec

from . import guards
from .limits import MAX_SOURCE, Budget, ScriptLimitExceeded
from .policy import DiagramPolicy
from .safe_builtins import SAFE_BUILTINS
from .values import DATA_TYPES, check_plain, type_name


class CompileRefused(ValueError):
    """Diagram code that the policy refuses; `problems` are Chinese messages with line numbers."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("；".join(problems))
        self.problems = problems


GUARD_NAMES: dict[str, Any] = {
    "_getattr_": guards.getattr_, "_getitem_": guards.getitem_, "_getiter_": guards.iter_,
    "_write_": guards.write_, "_iter_unpack_sequence_": guards.iter_unpack_sequence,
    "_unpack_sequence_": guards.unpack_sequence, "_inplacevar_": guards.inplacevar_,
    "_alloc_": guards.alloc_, "_cmpval_": guards.cmpval_, "_mapping_": guards.mapping_,
    "_format_": guards.format_, "_tick_": guards.tick_,
    **{f"_{name}_": guard for name, guard in guards.BINARY.items()},
}


@lru_cache(maxsize=4096)
def compiled(source: str, mode: str) -> CodeType:
    """`source` compiled through the policy, once (diagrams repeat their expressions)."""
    if len(source) > MAX_SOURCE:
        raise CompileRefused([f"表达式或脚本过长（{len(source)} 个字符，上限 {MAX_SOURCE}）"])
    text = source.strip() if mode == "eval" else source
    compile_mode = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    result = compile_mode(text, filename=guards.SOURCE_NAME, policy=DiagramPolicy)
    if result.errors:
        raise CompileRefused(list(result.errors))
    return result.code


class Vocabulary:
    """The names diagram code can call in one kind of environment: the safe builtins and the
    product's helpers. The guards are added last, so case data can never shadow them."""

    def __init__(self, helpers: dict[str, Any]) -> None:
        call = guards.make_call(guards.Callables(SAFE_BUILTINS, helpers))
        self.names: dict[str, Any] = {**helpers}
        self.guards: dict[str, Any] = {**GUARD_NAMES, "_call_": call, "_apply_": call,
                                       "__builtins__": SAFE_BUILTINS}

    def evaluate(self, source: str, data: dict[str, Any]) -> Any:
        code = compiled(source, "eval")
        scope = {**self.names, **data, **self.guards}
        with guards.running(Budget()) as spent:
            result = eval(code, scope)
            if type(result) not in DATA_TYPES:
                raise ScriptLimitExceeded(f"表达式的结果不是数据（{type_name(result)}）")
            check_plain(result, spent, "表达式结果")
        return result

    def execute(self, source: str, data: dict[str, Any]) -> None:
        """Run a script with `data` as its variables; the helpers and guards are put in for
        the run and taken out after, and so is anything that cannot be stored (functions,
        generators)."""
        code = compiled(source, "exec")
        data.update(self.names)
        data.update(self.guards)
        with guards.running(Budget()) as spent:
            try:
                exec(code, data)
            finally:
                for name in [*self.names, *self.guards]:
                    data.pop(name, None)
                for name in [n for n, v in data.items() if type(v) not in DATA_TYPES]:
                    del data[name]
            for name, value in data.items():
                check_plain(value, spent, name)
