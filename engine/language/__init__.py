"""What a diagram may evaluate: the guarded evaluator, its allow-list and its bounds, the
helpers it may call, the working-day calendar behind deadlines, and form validation.

Every condition, script, timer, multi-instance, message and DMN expression of a bundle runs
through `Vocabulary.evaluate` / `Vocabulary.execute` (SpiffWorkflow reaches them through the
script engine of `scripting`); `static.check` refuses at deploy what can be seen before
running. This is the wing's public face. See docs/helpers.md (the language) and
docs/security.md (why).
"""

from .allowlist import ALL_ATTRIBUTE_NAMES, ATTRIBUTES
from .calendar import reset_default_calendar
from .case_helpers import CASE_HELPERS
from .evaluator import CompileRefused, Vocabulary, compiled
from .forms import validate as validate_form
from .guards import ExpressionRefused
from .helpers import HELPERS
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
from .scripting import case_script_engine, script_engine
from .static import check, dmn_input_entry

__all__ = [
    "ALL_ATTRIBUTE_NAMES",
    "ATTRIBUTES",
    "CASE_HELPERS",
    "HELPERS",
    "MAX_ALLOCATED",
    "MAX_BITS",
    "MAX_FORMAT_WIDTH",
    "MAX_HELPER_ARGUMENT",
    "MAX_ITEMS",
    "MAX_SECONDS",
    "MAX_SOURCE",
    "MAX_STEPS",
    "MAX_WORK",
    "SAFE_BUILTINS",
    "CompileRefused",
    "ExpressionRefused",
    "RunOutOfTime",
    "ScriptLimitExceeded",
    "Vocabulary",
    "case_script_engine",
    "ceiling",
    "check",
    "compiled",
    "dmn_input_entry",
    "reset_default_calendar",
    "script_engine",
    "validate_form",
]
