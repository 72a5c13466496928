"""What a diagram may evaluate: the guarded evaluator, its allow-list and its bounds.

Every condition, script, timer, multi-instance, message and DMN expression of a bundle runs
through `Vocabulary.evaluate` / `Vocabulary.execute`; `static.check` refuses at deploy what
can be seen before running. See docs/helpers.md (the language) and docs/security.md (why).
"""

from .allowlist import ALL_ATTRIBUTE_NAMES, ATTRIBUTES
from .evaluator import CompileRefused, Vocabulary, compiled
from .guards import ExpressionRefused
from .limits import (
    MAX_ALLOCATED,
    MAX_BITS,
    MAX_FORMAT_WIDTH,
    MAX_HELPER_ARGUMENT,
    MAX_ITEMS,
    MAX_SECONDS,
    MAX_SOURCE,
    MAX_STEPS,
    MAX_WORK,
    RunOutOfTime,
    ScriptLimitExceeded,
    ceiling,
)
from .safe_builtins import SAFE_BUILTINS
from .static import check, dmn_input_entry

__all__ = [
    "ALL_ATTRIBUTE_NAMES", "ATTRIBUTES", "MAX_ALLOCATED", "MAX_BITS", "MAX_FORMAT_WIDTH", "MAX_HELPER_ARGUMENT",
    "MAX_ITEMS", "MAX_SECONDS", "MAX_SOURCE", "MAX_STEPS", "MAX_WORK", "SAFE_BUILTINS", "CompileRefused",
    "ExpressionRefused", "RunOutOfTime", "ScriptLimitExceeded", "Vocabulary", "ceiling", "check", "compiled",
    "dmn_input_entry",
]
