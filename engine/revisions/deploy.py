"""Deploying bundles: validated whole, stored once per content hash, versioned per process."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import func, select

from .. import audit
from ..clock import now_utc, today_local
from ..db import db, unit_of_work
from ..errors import BundleInvalid, InvalidInput, SimulationFindings
from ..models import Bundle as BundleRow
from ..models import Jurisdiction, ProcessVersion
from ..regulations.bundles import Bundle, discover, from_folders
from ..regulations.store import encode_files
from .compiler import compile_bundle
from .simulate import simulate_bundle


@dataclass
class DeployOptions:
    """How an administrator puts a bundle in force. Dates override the manifest's
    `regulation.effective_from`; `simulate` explores every path first and refuses the bundle
    on findings unless `force`; `dry_run` validates and simulates but stores nothing."""

    effective_from: date | None = None
    effective_until: date | None = None
    simulate: bool = True
    force: bool = False
    dry_run: bool = False


@dataclass
class DeployResult:
    jurisdiction: str
    bundle_hash: str
    created: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)
    effective_from: date | None = None
    effective_until: date | None = None
    simulation: dict[str, Any] | None = None
    forced: bool = False
    dry_run: bool = False


def _check_key_owners(bundle: Bundle) -> None:
    for proc in bundle.manifest["processes"]:
        owner = db.session.scalar(
            select(ProcessVersion.jurisdiction_id).where(ProcessVersion.process_key == proc["key"]).limit(1))
        if owner is not None and owner != bundle.id:
            raise BundleInvalid(f"流程标识 {proc['key']} 已属于 {owner}",
                                errors=[{"file": "manifest.json", "element": proc["key"], "line": None,
                                         "message": f"流程标识已被其他辖区使用：{owner}"}])


def _effective_dates(bundle: Bundle, options: DeployOptions) -> tuple[date, date | None]:
    # A draft for comment states no date: it runs from the day its deployer chooses (today if none).
    stated = bundle.manifest["regulation"].get("effective_from")
    start = options.effective_from or (date.fromisoformat(stated) if stated else today_local())
    until = options.effective_until
    if until is not None and until < start:
        raise InvalidInput("失效日期不能早于生效日期", errors=[
            {"field": "effective_until", "message": f"「effective_until」不能早于生效日期 {start.isoformat()}"}])
    return start, until


# Exploration is bounded by its state cap (the bundled regulations take 1–9 s of CPU); the
# time limit is the safety net for a bundle whose expressions are slow at every state. It stays
# below the server's worker timeout (GUNICORN_TIMEOUT, 60 s), so such a bundle costs a capped
# report, never a killed worker; every evaluation inside it is held to it (language.ceiling).
SIMULATION_TIME_LIMIT_S = 40.0
_simulations: dict[str, dict[str, Any]] = {}  # by bundle hash: a dry run then the deploy simulate once


def _simulation(bundle: Bundle) -> dict[str, Any]:
    if bundle.hash not in _simulations:
        if len(_simulations) >= 8:
            _simulations.pop(next(iter(_simulations)))
        _simulations[bundle.hash] = simulate_bundle(bundle, time_budget_s=SIMULATION_TIME_LIMIT_S)
    return _simulations[bundle.hash]


def _simulate(bundle: Bundle, options: DeployOptions) -> dict[str, Any] | None:
    if not options.simulate:
        return None
    report = _simulation(bundle)
    errors = [f for f in report["findings"] if f.get("severity") == "error"]
    if errors and not options.force:
        raise SimulationFindings(
            f"模拟运行发现 {len(errors)} 个问题，流程包未部署（确认无误可强制部署）",
            errors=[{"file": f.get("process"), "element": f.get("element"), "line": None,
                     "message": f"{f.get('name') or ''} {f['message']}".strip()} for f in errors],
            simulation=report)
    return report


def deploy(bundle: Bundle, actor: str = "system", options: DeployOptions | None = None,
           also: Callable[[DeployResult], None] | None = None) -> DeployResult:
    """Compile and simulate (refusing the bundle whole on any problem), then store it in one
    transaction — with `also` (e.g. marking the draft it came from deployed), if given.
    Deploying identical content again changes nothing."""
    options = options or DeployOptions(simulate=False)
    compiled = compile_bundle(bundle)
    effective, until = _effective_dates(bundle, options)
    report = _simulate(bundle, options)
    result = DeployResult(bundle.id, bundle.hash, effective_from=effective, effective_until=until,
                          simulation=report, forced=bool(options.force and report and not report["ok"]),
                          dry_run=options.dry_run)
    if options.dry_run:
        return result
    with unit_of_work():
        _check_key_owners(bundle)
        _store_bundle(bundle, actor, result)
        jurisdiction = db.session.get(Jurisdiction, bundle.id)
        if jurisdiction is None:
            jurisdiction = Jurisdiction(id=bundle.id, current_bundle_hash=bundle.hash, name=bundle.manifest["name"],
                                        regulation_title=bundle.manifest["regulation"]["title"])
            db.session.add(jurisdiction)
        for proc in compiled:
            existing = db.session.scalar(select(ProcessVersion).where(
                ProcessVersion.process_key == proc.key, ProcessVersion.bundle_hash == bundle.hash))
            if existing is not None:
                result.unchanged.append((proc.key, existing.version))
                continue
            number = (db.session.scalar(select(func.max(ProcessVersion.version))
                                        .where(ProcessVersion.process_key == proc.key)) or 0) + 1
            db.session.add(ProcessVersion(process_key=proc.key, version=number, name=proc.name,
                                          jurisdiction_id=bundle.id, bundle_hash=bundle.hash,
                                          spec_json=proc.spec_json, effective_from=effective,
                                          effective_until=until))
            result.created.append((proc.key, number))
        if result.created or jurisdiction.current_bundle_hash == bundle.hash:
            # The newest deployment is the jurisdiction's current bundle; redeploying an older
            # folder at start-up (same hash, nothing created) must not turn it back.
            jurisdiction.current_bundle_hash = bundle.hash
            jurisdiction.name = bundle.manifest["name"]
            jurisdiction.regulation_title = bundle.manifest["regulation"]["title"]
            jurisdiction.updated_at = now_utc()
        if also is not None:
            also(result)
        if result.created:
            audit.record(actor, "deploy", detail={
                "jurisdiction": bundle.id, "bundle_hash": bundle.hash, "versions": result.created,
                "effective_from": effective.isoformat(), "effective_until": until and until.isoformat(),
                "forced": result.forced, "simulation_ok": None if report is None else report["ok"]})
    return result


def _store_bundle(bundle: Bundle, actor: str, result: DeployResult) -> None:
    row = db.session.get(BundleRow, bundle.hash)
    if row is None:
        row = BundleRow(hash=bundle.hash, jurisdiction_id=bundle.id, files_json=encode_files(bundle),
                        deployed_by=actor)
        db.session.add(row)
    if result.simulation is not None:
        row.simulation_json = json.dumps(result.simulation, ensure_ascii=False, default=str)
        row.forced = result.forced


@dataclass
class FolderResults:
    deployed: list[DeployResult] = field(default_factory=list)
    refused: dict[str, BundleInvalid] = field(default_factory=dict)


def deploy_folders(bpmn_root: Path, forms_root: Path, actor: str = "system") -> FolderResults:
    """Deploy every jurisdiction folder. Each bundle stands alone: a broken one is refused
    whole (and reported) while the others still deploy."""
    results = FolderResults()
    for bpmn_dir, forms_dir in discover(bpmn_root, forms_root):
        try:
            results.deployed.append(deploy(from_folders(bpmn_dir, forms_dir), actor))
        except BundleInvalid as exc:
            results.refused[bpmn_dir.name] = exc
    return results
