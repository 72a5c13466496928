"""Case helpers for simulation: same names and signatures as `engine.language.case_helpers`, no
database. They still refuse what the real ones refuse (an unknown pool or role, too few
experts), so a diagram that would fail in production fails in simulation too."""

from __future__ import annotations

from typing import Any

from ...clock import now_utc
from ...language.case_helpers import CaseHelperError


class SimulatedCases:
    """The doubles for one bundle. `other_cases` is the number of other cases of the unit
    the cross-case queries report: the explorer runs once with 0 and once with 1."""

    def __init__(self, manifest: dict[str, Any]) -> None:
        self.pools: dict[str, list[str]] = manifest.get("expert_pools", {})
        self.roles = {r["id"] for r in manifest.get("roles", [])}
        self.other_cases = 0

    def mark_milestone(self, case_id: Any, name: str) -> str:
        return now_utc().isoformat()

    def count_unit_cases(self, case_id: Any, has: Any = (), lacks: Any = (), older_than_days: Any = None,
                         process: Any = None) -> int:
        return self.other_cases

    def unit_cases(self, case_id: Any, has: Any = (), lacks: Any = (), older_than_days: Any = None,
                   process: Any = None) -> list[dict[str, Any]]:
        return [{"id": 1000 + i, "title": f"模拟案件{i + 1}"} for i in range(self.other_cases)]

    def draw_experts(self, case_id: Any, pool: str, count: Any, exclude: Any = ()) -> list[str]:
        if pool not in self.pools:
            raise CaseHelperError(f"专家库不存在 / no expert pool: {pool!r}")
        candidates = [u for u in self.pools[pool] if u not in set(exclude or [])]
        if int(count) > len(candidates):
            raise CaseHelperError(f"专家库 {pool} 可抽取人数不足：需要 {count}，仅有 {len(candidates)}")
        return candidates[:int(count)]

    def copy_to(self, case_id: Any, role: str, message: str, unit: Any = None) -> bool:
        if role not in self.roles:
            raise CaseHelperError(f"抄送的角色不存在 / no such role: {role!r}")
        return True

    def helpers(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in
                ("mark_milestone", "count_unit_cases", "unit_cases", "draw_experts", "copy_to")}
