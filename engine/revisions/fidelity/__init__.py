"""The deploy check's fidelity rules: six classes of defect that make the system decide wrongly
although every element cites its article (issue 16). Each module holds one class."""

from __future__ import annotations

from ...regulations.bundles import Bundle, Problem
from . import amounts, cycles, deadlines, gates, numbers, routing
from .facts import gather

CHECKS = (gates, routing, amounts, deadlines, cycles, numbers)

__all__ = ["problems"]


def problems(bundle: Bundle) -> list[Problem]:
    """Every finding of the six fidelity checks for one bundle."""
    facts = gather(bundle)
    return [p for check in CHECKS for p in check.problems(facts)]
