"""Deploying bundles: validated whole, stored once per content hash, versioned per process."""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path

from sqlalchemy import func, select

from . import audit
from .bundles import Bundle, discover, from_files, from_folders
from .clock import today_local
from .compiler import compile_bundle
from .db import db, unit_of_work
from .errors import BundleInvalid, NotFound
from .models import Bundle as BundleRow
from .models import Jurisdiction, ProcessVersion


@dataclass
class DeployResult:
    jurisdiction: str
    bundle_hash: str
    created: list[tuple[str, int]] = field(default_factory=list)
    unchanged: list[tuple[str, int]] = field(default_factory=list)


def _encode_files(bundle: Bundle) -> str:
    return json.dumps({k: base64.b64encode(v).decode() for k, v in sorted(bundle.files.items())})


@lru_cache(maxsize=64)
def stored_bundle(bundle_hash: str) -> Bundle:
    """The bundle of a deployed version (immutable by hash, so caching is safe)."""
    row = db.session.get(BundleRow, bundle_hash)
    if row is None:
        raise NotFound(f"流程包不存在：{bundle_hash}")
    files = {k: base64.b64decode(v) for k, v in json.loads(row.files_json).items()}
    return from_files(files)


def _check_key_owners(bundle: Bundle) -> None:
    for proc in bundle.manifest["processes"]:
        owner = db.session.scalar(
            select(ProcessVersion.jurisdiction_id).where(ProcessVersion.process_key == proc["key"]).limit(1))
        if owner is not None and owner != bundle.id:
            raise BundleInvalid(f"流程标识 {proc['key']} 已属于 {owner}",
                                errors=[{"file": "manifest.json", "element": proc["key"], "line": None,
                                         "message": f"流程标识已被其他辖区使用：{owner}"}])


def deploy(bundle: Bundle, actor: str = "system") -> DeployResult:
    """Compile (refusing the bundle whole on any problem), then store it in one transaction.
    Deploying identical content again changes nothing."""
    compiled = compile_bundle(bundle)
    result = DeployResult(bundle.id, bundle.hash)
    with unit_of_work():
        _check_key_owners(bundle)
        if db.session.get(BundleRow, bundle.hash) is None:
            db.session.add(BundleRow(hash=bundle.hash, jurisdiction_id=bundle.id,
                                     files_json=_encode_files(bundle), deployed_by=actor))
        reg = bundle.manifest["regulation"]
        db.session.merge(Jurisdiction(id=bundle.id, name=bundle.manifest["name"],
                                      regulation_title=reg["title"], current_bundle_hash=bundle.hash))
        effective = date.fromisoformat(reg["effective_from"])
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
                                          spec_json=proc.spec_json, effective_from=effective))
            result.created.append((proc.key, number))
        if result.created:
            audit.record(actor, "deploy", detail={"jurisdiction": bundle.id, "bundle_hash": bundle.hash,
                                                  "versions": result.created})
    return result


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


def version_in_force(process_key: str, on: date | None = None) -> ProcessVersion:
    """The newest version whose effective date has come (cases start on it)."""
    on = on or today_local()
    version = db.session.scalar(
        select(ProcessVersion)
        .where(ProcessVersion.process_key == process_key, ProcessVersion.effective_from <= on)
        .order_by(ProcessVersion.version.desc()).limit(1))
    if version is None:
        raise NotFound(f"流程不存在或尚未生效：{process_key}")
    return version
