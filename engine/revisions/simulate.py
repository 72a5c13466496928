"""Simulate before deploying: explore every path of every process of a bundle and report
what would go wrong, each finding naming the element.

    report = simulate_bundle(bundle)          # no Flask app, no database
    report["ok"]                              # False if any finding is an error

Form data is generated from each form's JSON Schema (engine/revisions/simulation/payloads.py), case
helpers are pure doubles (engine/revisions/simulation/doubles.py), timers are fired by giving them a
past due time instead of moving the process clock (the deploy runs inside a live server),
and messages are not sent (what only they reach is reported as not simulated). The
approximations that keep a bundle to seconds are listed in engine/revisions/simulation/explorer.py.
"""

from __future__ import annotations

import json
import time
from typing import Any

from ..language import ceiling
from ..language.scripting import script_engine_with
from ..regulations.bundles import Bundle
from . import lint
from .simulation import analysis, specs
from .simulation.doubles import SimulatedCases
from .simulation.explorer import Explorer, Setup
from .simulation.liveness import Liveness
from .simulation.payloads import Payload, payloads
from .simulation.report import ERROR, Finding, ProcessSummary

START_DATA = {"case_id": 1, "applicant_unit": "模拟单位", "started_by": "simulator"}
UNIT_CASE_WORLDS = ("", "其他在办案件=1")  # cross-case queries answer 0, then 1


def simulate_bundle(bundle: Bundle, *, max_states: int = 3000, time_budget_s: float = 30.0,
                    max_steps: int = 150) -> dict[str, Any]:
    """Explore every process of `bundle`; see the module doc. `max_states` caps distinct states
    per process, `time_budget_s` the whole run, `max_steps` the choices along one path."""
    started = time.monotonic()
    texts, parse_findings = specs.build(bundle)
    found = _through_amounts(analysis.decisions(bundle), bundle.manifest.get("amounts", {}))
    form_payloads, form_findings = _forms(bundle, found)
    thresholds = _thresholds(bundle, found)
    nodes = analysis.flow_nodes(bundle)
    cases = SimulatedCases(bundle.manifest)
    engine = script_engine_with(cases.helpers())
    worlds = UNIT_CASE_WORLDS if found.uses_unit_cases else UNIT_CASE_WORLDS[:1]
    findings: dict[tuple, Finding] = {}
    summaries: dict[str, ProcessSummary] = {}
    keys = list(texts)
    for position, key in enumerate(keys):
        deadline = started + time_budget_s * (position + 1) / len(keys)
        setup = Setup(key, (bundle.process(key) or {}).get("name", key), texts[key], specs.catalogue(texts[key], nodes),
                      engine, form_payloads, Liveness(texts[key], found.names), thresholds, START_DATA, max_steps,
                      bundle.manifest.get("amounts", {}))
        with ceiling(deadline):  # no expression of this process runs past its share of the budget
            summaries[key] = _explore(setup, cases, worlds, max_states, deadline, findings)
    unreached = _unreached({k: specs.catalogue(texts[k], nodes) for k in summaries}, summaries)
    ordered = parse_findings + lint.recommended_warnings(bundle) + form_findings + list(findings.values()) + unreached
    return {
        "ok": not any(f.severity == ERROR for f in ordered),
        "processes": {k: s.as_dict() for k, s in summaries.items()},
        "findings": [f.as_dict() for f in ordered],
        "duration_s": round(time.monotonic() - started, 3),
    }


def _forms(bundle: Bundle, found: analysis.Decisions) -> tuple[dict[str, list[Payload]], list[Finding]]:
    out, problems = {}, []
    for name in bundle.form_names():
        if not name.endswith(".schema.json"):
            continue
        try:
            generated, errors = payloads((bundle.form_bytes(name) or b"").decode("utf-8"), found)
        except (ValueError, TypeError, KeyError) as exc:  # not JSON, or a schema we cannot read
            generated, errors = [], [str(exc)]
        out[name] = generated
        if errors:
            problems.append(Finding("form_not_generated", "", None, name,
                                    f"无法为表单 {name} 生成有效数据，使用该表单的任务未被模拟：{errors[0]}"))
    return out, problems


def offline_engine(manifest: dict[str, Any]) -> Any:
    """A script engine whose case helpers are the simulation's pure doubles: for running a
    bundle's diagrams with no database (the in-process benchmark and its tests)."""
    return script_engine_with(SimulatedCases(manifest).helpers())


def _through_amounts(found: analysis.Decisions, amounts: dict[str, Any]) -> analysis.Decisions:
    """A table that reads a declared amount is reached through the form fields that set it:
    they get its thresholds and its rules' cells, as if the table read them."""
    for name, spec in amounts.items():
        sources = spec.get("from", [])
        if name in found.names:
            found.names.update(sources)
        for value in found.constants.get(name, ()):
            for source in sources:
                found.add_constant(source, value)
        found.tables = [[{**rule, **dict.fromkeys(sources, rule[name])} if name in rule else rule for rule in table]
                        for table in found.tables]
    return found


def _thresholds(bundle: Bundle, found: analysis.Decisions) -> dict[str, list[float]]:
    """Numeric constants each form field is compared with. Only form fields: a counter a
    script increments must keep its exact value, or a loop would look finished."""
    fields: set[str] = set()
    for name in bundle.form_names():
        try:
            fields |= set(json.loads(bundle.form_bytes(name) or b"{}").get("properties", {}))
        except (ValueError, AttributeError):
            continue
    return {name: sorted(v for v in values if isinstance(v, int | float) and not isinstance(v, bool))
            for name, values in found.constants.items() if name in fields
            and any(isinstance(v, int | float) and not isinstance(v, bool) for v in values)}


def _explore(setup: Setup, cases: SimulatedCases, worlds: tuple[str, ...], max_states: int, deadline: float,
             findings: dict[tuple, Finding]) -> ProcessSummary:
    summary = ProcessSummary(elements=len(setup.catalogue.names), end_events=setup.catalogue.end_events)
    explorer = Explorer(setup, summary, findings)
    for index, world in enumerate(worlds):
        cases.other_cases = index
        share = max_states // len(worlds)
        if not explorer.run(world, share, deadline):
            summary.complete = False
    if not summary.complete:
        findings[("exploration_capped", setup.key, None)] = Finding(
            "exploration_capped", setup.key, setup.key, setup.name,
            f"探索达到上限（状态数 {max_states}、时间预算或循环重入上限），结果不完整：未访问的元素仅作警告")
    return summary


def _unreached(catalogues: dict[str, specs.Catalogue], summaries: dict[str, ProcessSummary]) -> list[Finding]:
    """Elements no explored path visited, reported once (under the first process that has
    them): not simulated when only a message leads there, else unreachable."""
    visited = set().union(*(s.visited for s in summaries.values())) if summaries else set()
    out, reported = [], set()
    for key, catalogue in catalogues.items():
        entries: dict[str, list[str]] = {}
        for element, name in catalogue.names.items():
            if element in visited or element in reported:
                continue
            reported.add(element)
            if element in catalogue.external_only:
                entries.setdefault(catalogue.external_only[element], []).append(element)
                continue
            severity = ERROR if summaries[key].complete else "warning"
            out.append(Finding("unreachable", key, element, name,
                               "没有任何模拟路径到达该元素" + ("（探索完整，确属不可达）" if severity == ERROR else ""),
                               severity=severity))
        for entry, elements in entries.items():
            out.append(Finding("not_simulated", key, entry, catalogue.names.get(entry, entry),
                               f"仅由外部消息触发，模拟不发送消息：{len(elements)} 个元素未模拟"
                               f"（{json.dumps(sorted(elements), ensure_ascii=False)}）"))
    return out
