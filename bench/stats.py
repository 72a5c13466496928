"""Percentiles and the printed table (no numpy: the bench needs only the app's virtualenv)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100); NaN for no values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


@dataclass
class Row:
    name: str
    count: int
    per_second: float | None
    p50_ms: float
    p99_ms: float
    note: str = ""


def row(name: str, latencies: Sequence[float], per_second: float | None, note: str = "") -> Row:
    return Row(name, len(latencies), per_second, percentile(latencies, 50) * 1000,
               percentile(latencies, 99) * 1000, note)


def _num(value: float | None, digits: int = 1) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:,.{digits}f}"


def table(rows: Sequence[Row]) -> str:
    header = f"{'measure':<44} {'n':>7} {'per s':>9} {'p50 ms':>9} {'p99 ms':>9}  note"
    lines = [header, "-" * len(header)]
    for r in rows:
        lines.append(f"{r.name:<44} {r.count:>7} {_num(r.per_second):>9} {_num(r.p50_ms, 2):>9} "
                     f"{_num(r.p99_ms, 2):>9}  {r.note}")
    return "\n".join(lines)


def ratio_line(name: str, value: float, target: str, ok: bool) -> str:
    verdict = "meets target" if ok else "MISSES target"
    return f"{name:<44} {value:>7.2f}   (target {target}: {verdict})"
