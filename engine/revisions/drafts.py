"""Bundle drafts: a jurisdiction's bundle revised in the browser (modeler, decision tables,
forms), validated with the deploy pipeline and deployed from there. Administrators only.

A draft starts as a copy of the jurisdiction's current bundle, or, for a jurisdiction that
does not exist yet, as a skeleton (new_jurisdiction): deploying it creates the jurisdiction.
Every save names the revision it was made on; a save on an older revision (someone saved
meanwhile) is a 409.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Callable
from datetime import date
from pathlib import PurePosixPath
from typing import Any

from lxml import etree
from sqlalchemy import select, update

from .. import audit
from ..clock import now_utc, today_local
from ..db import as_utc, db, unit_of_work
from ..errors import BundleInvalid, Conflict, FormInvalid, NotFound, SimulationFindings
from ..models import BundleDraft, Jurisdiction
from ..regulations.bundles import FORMS_PREFIX, MANIFEST, Bundle, from_files, manifest_bytes
from ..regulations.store import stored_bundle
from ..users import Actor
from . import new_jurisdiction, organisation
from .access import require_admin
from .blank_diagram import blank_diagram
from .deploy import DeployOptions, DeployResult, deploy
from .diff import diff_bundles
from .uploads import MAX_BYTES, MAX_FILES

EDITING, DEPLOYED, DISCARDED = "editing", "deployed", "discarded"
TOP_LEVEL_SUFFIXES = (".bpmn", ".dmn", ".txt", ".md")


def _path_problem(path: str, message: str) -> BundleInvalid:
    path = path.encode("utf-8", "backslashreplace").decode("utf-8")  # printable in the problem
    return BundleInvalid(f"文件路径不允许：{path}",
                         errors=[{"file": path, "element": None, "line": None, "message": message}])


def check_path(path: str) -> str:
    """A bundle path: `manifest.json`, a diagram, table or text at the top, or a form under
    `forms/`. Absolute paths, `..` and anything else are refused (422 naming the path)."""
    parts = PurePosixPath(path).parts
    if (not path or "\\" in path or path.startswith("/") or not path.isprintable() or "\ufffd" in path
            or any(p in ("..", ".", "") for p in path.split("/"))):
        raise _path_problem(path, "路径不能为空、不能以 / 开头，也不能含控制字符、.. 或 \\")
    if len(parts) == 1 and (path == MANIFEST or path.endswith(TOP_LEVEL_SUFFIXES)):
        return path
    if len(parts) == 2 and path.startswith(FORMS_PREFIX) and path.endswith(".json"):
        return path
    raise _path_problem(path, "只能是 manifest.json、顶层的 .bpmn/.dmn/.txt/.md 文件，或 forms/ 下的 .json 表单")


def _files(draft: BundleDraft) -> dict[str, bytes]:
    return {k: base64.b64decode(v) for k, v in json.loads(draft.files_json).items()}


def _store_files(draft: BundleDraft, files: dict[str, bytes]) -> None:
    if len(files) > MAX_FILES or sum(len(b) for b in files.values()) > MAX_BYTES:
        raise BundleInvalid("草稿过大", errors=[{"file": "(草稿)", "element": None, "line": None,
                                               "message": f"文件不超过 {MAX_FILES} 个、合计不超过 "
                                                          f"{MAX_BYTES // (1024 * 1024)} MB"}])
    draft.files_json = json.dumps({k: base64.b64encode(v).decode() for k, v in sorted(files.items())})
    draft.updated_at = now_utc()


def _jurisdiction_name(draft: BundleDraft) -> str | None:
    """The name in the draft's manifest: a jurisdiction drafted from nothing has no other."""
    try:
        manifest = json.loads(base64.b64decode(json.loads(draft.files_json)[MANIFEST]))
    except (KeyError, ValueError, TypeError):
        return None
    name = manifest.get("name") if isinstance(manifest, dict) else None
    return name if isinstance(name, str) else None


def summary(draft: BundleDraft) -> dict[str, Any]:
    return {"id": draft.id, "jurisdiction": draft.jurisdiction_id, "jurisdiction_name": _jurisdiction_name(draft),
            "new_jurisdiction": draft.base_bundle_hash is None, "title": draft.title, "status": draft.status,
            "revision": draft.revision, "created_by": draft.created_by, "created_at": as_utc(draft.created_at),
            "updated_at": as_utc(draft.updated_at), "base_bundle_hash": draft.base_bundle_hash,
            "deployed_bundle_hash": draft.deployed_bundle_hash}


def detail(draft: BundleDraft) -> dict[str, Any]:
    files = {k: v.decode("utf-8", errors="replace") for k, v in _files(draft).items()}
    validation = json.loads(draft.validation_json) if draft.validation_json else None
    return {**summary(draft), "files": files, "validation": validation}


def _get(draft_id: int, *, editing: bool = False) -> BundleDraft:
    draft = db.session.get(BundleDraft, draft_id)
    if draft is None or draft.status == DISCARDED:
        raise NotFound(f"草稿不存在或已放弃：{draft_id}")
    if editing and draft.status != EDITING:
        raise Conflict("该草稿已部署，不能再修改；请从现行流程包新建草稿")
    return draft


def draft_bundle(actor: Actor, draft_id: int) -> tuple[Bundle, int]:
    """The draft's files as a bundle (a manifest that does not read is an empty one), and its revision."""
    require_admin(actor)
    draft = _get(draft_id)
    files = _files(draft)
    try:
        manifest = json.loads(files.get(MANIFEST, b"{}"))
    except ValueError:
        manifest = {}
    return Bundle(files=files, manifest=manifest if isinstance(manifest, dict) else {}), draft.revision


def _audit(actor: Actor, action: str, draft: BundleDraft, **detail: Any) -> None:
    """Who changed which draft file when: a revision's history before it is deployed."""
    audit.record(actor.username, action, detail={"draft": draft.id, "jurisdiction": draft.jurisdiction_id,
                                                 "revision": draft.revision, **detail})


def create(actor: Actor, jurisdiction_id: str, title: str) -> dict[str, Any]:
    require_admin(actor)
    with unit_of_work():
        jurisdiction = db.session.get(Jurisdiction, jurisdiction_id)
        if jurisdiction is None:
            raise NotFound(f"辖区不存在：{jurisdiction_id}")
        draft = BundleDraft(jurisdiction_id=jurisdiction_id, base_bundle_hash=jurisdiction.current_bundle_hash,
                            title=title, status=EDITING, created_by=actor.username)
        _store_files(draft, stored_bundle(jurisdiction.current_bundle_hash).files)
        db.session.add(draft)
        db.session.flush()
        _audit(actor, "draft_created", draft, title=title, base_bundle_hash=draft.base_bundle_hash)
        return detail(draft)


def pending_jurisdictions() -> list[dict[str, Any]]:
    """The manifests of jurisdictions drafted from nothing and not deployed yet (a manifest
    edited into something unreadable is left out): their offices can be given to staff
    before the jurisdiction is in force."""
    existing = select(Jurisdiction.id)
    rows = db.session.scalars(select(BundleDraft).where(
        BundleDraft.status == EDITING, BundleDraft.base_bundle_hash.is_(None),
        BundleDraft.jurisdiction_id.not_in(existing)).order_by(BundleDraft.id))
    manifests = []
    for row in rows:
        try:
            manifest = organisation.manifest_of(_files(row))
        except BundleInvalid:
            continue
        if isinstance(manifest, dict) and manifest.get("id") == row.jurisdiction_id:
            manifests.append(manifest)
    return manifests


def _refuse_taken_name(name: str) -> None:
    name = name.strip()
    taken = db.session.scalar(select(Jurisdiction.id).where(Jurisdiction.name == name).limit(1)) is not None
    if taken or any(m.get("name") == name for m in pending_jurisdictions()):
        raise FormInvalid(f"辖区「{name}」已存在或已有新建草稿", errors=[{
            "field": "new_jurisdiction/name",
            "message": f"已有名为「{name}」的辖区或正在新建的同名辖区草稿，请改用其他名称或继续编辑原草稿"}])


def preview_articles(actor: Actor, text: str) -> list[dict[str, str]]:
    require_admin(actor)
    return new_jurisdiction.preview(text)


def create_new(actor: Actor, name: str, regulation_title: str, regulation_text: str,
               effective_from: date | None, title: str) -> dict[str, Any]:
    """A draft of a new jurisdiction: its skeleton bundle under a generated identifier."""
    require_admin(actor)
    with unit_of_work():
        _refuse_taken_name(name)
        identifier = new_jurisdiction.new_identifier()
        files = new_jurisdiction.skeleton_files(identifier, name, regulation_title, regulation_text,
                                                effective_from or today_local())
        draft = BundleDraft(jurisdiction_id=identifier, base_bundle_hash=None, status=EDITING,
                            title=title or f"新建辖区：{name.strip()}", created_by=actor.username)
        _store_files(draft, files)
        db.session.add(draft)
        db.session.flush()
        _audit(actor, "draft_created", draft, title=draft.title, new_jurisdiction=name.strip())
        return detail(draft)


def list_drafts(actor: Actor) -> list[dict[str, Any]]:
    require_admin(actor)
    rows = db.session.scalars(select(BundleDraft).where(BundleDraft.status != DISCARDED)
                              .order_by(BundleDraft.updated_at.desc(), BundleDraft.id.desc()))
    return [summary(r) for r in rows]


def get(actor: Actor, draft_id: int) -> dict[str, Any]:
    require_admin(actor)
    return detail(_get(draft_id))


def _check_revision(draft: BundleDraft, revision: int | None) -> None:
    if revision is not None and revision != draft.revision:
        raise Conflict(f"草稿已被他人修改（当前修订号 {draft.revision}，您的修订号 {revision}），请刷新后重试",
                       revision=draft.revision)


def _encoded(path: str, content: str) -> bytes:
    try:
        return content.encode("utf-8")
    except UnicodeEncodeError as exc:  # a lone surrogate, sent as a JSON "\\ud800" escape
        raise BundleInvalid(f"文件内容不是有效的 UTF-8 文本：{path}", errors=[{
            "file": path, "element": None, "line": content.count("\n", 0, exc.start) + 1,
            "message": "内容含有无法编码的字符（孤立的代理码位）"}]) from exc


def edit_files(actor: Actor, draft_id: int, path: str, revision: int | None,
                change: Callable[[dict[str, bytes]], tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """One edit of a draft's files in its own transaction: `change` alters the files in place
    and returns the audit detail; a stale `revision` is a 409."""
    require_admin(actor)
    check_path(path)
    with unit_of_work():
        draft = _get(draft_id, editing=True)
        _check_revision(draft, revision)
        files = _files(draft)
        action, detail_ = change(files)
        _store_files(draft, files)
        db.session.flush()  # the revision moves here; a concurrent save of the same one → 409
        _audit(actor, action, draft, path=path, **detail_)
        return detail(draft)


def put_file(actor: Actor, draft_id: int, path: str, content: str, revision: int) -> dict[str, Any]:
    def save(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        files[path] = _encoded(path, content)
        return "draft_file_saved", {"sha256": hashlib.sha256(files[path]).hexdigest()}

    return edit_files(actor, draft_id, path, revision, save)


def delete_file(actor: Actor, draft_id: int, path: str, revision: int | None = None) -> dict[str, Any]:
    def remove(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        if path not in files:
            raise NotFound(f"草稿中没有该文件：{path}")
        del files[path]
        return "draft_file_deleted", {}

    return edit_files(actor, draft_id, path, revision, remove)


def discard(actor: Actor, draft_id: int) -> None:
    require_admin(actor)
    with unit_of_work():
        draft = _get(draft_id)
        draft.status = DISCARDED
        draft.updated_at = now_utc()
        _audit(actor, "draft_discarded", draft)


def _diff(current: Bundle, files: dict[str, bytes]) -> dict[str, Any] | None:
    try:
        return diff_bundles(current, Bundle(files=files, manifest=json.loads(files[MANIFEST])))
    except (KeyError, ValueError, TypeError, AttributeError, etree.XMLSyntaxError):
        return None  # a draft too broken to compare: its problems say why


def _foreign_id(expected: str, found: str) -> BundleInvalid:
    return BundleInvalid("草稿的辖区标识被修改", errors=[{
        "file": MANIFEST, "element": "id", "line": None,
        "message": f"清单中的 id 应为 {expected}，而不是 {found}（草稿只能修订本辖区的流程包）"}])


def validation_report(bundle_files: dict[str, bytes], current: Bundle | None,
                      jurisdiction_id: str | None = None) -> dict[str, Any]:
    """Validate and simulate as a deployment would, the findings as data: compile problems
    (file, element, line) and the simulation report, plus the diff from the current bundle
    (none for a jurisdiction not deployed yet: `jurisdiction_id` is then the draft's)."""
    problems: list[dict[str, Any]] = []
    simulation: dict[str, Any] | None = None
    try:
        bundle = from_files(bundle_files)
        expected = current.id if current is not None else jurisdiction_id
        if bundle.id != expected:
            raise _foreign_id(expected, bundle.id)
        result = deploy(bundle, "draft", DeployOptions(dry_run=True, simulate=True, force=True))
        simulation = result.simulation
    except SimulationFindings as exc:  # not raised with force, kept for safety
        simulation = exc.extra.get("simulation")
    except BundleInvalid as exc:
        problems = exc.errors or [{"file": None, "element": None, "line": None, "message": exc.detail}]
    errors = [f for f in (simulation or {}).get("findings", []) if f.get("severity") == "error"]
    return {"ok": not problems and simulation is not None and not errors, "problems": problems,
            "simulation": simulation, "diff": _diff(current, bundle_files) if current is not None else None}


def validate(actor: Actor, draft_id: int) -> dict[str, Any]:
    """The report is kept with the draft without moving its revision (an editor's next save
    stays valid)."""
    require_admin(actor)
    draft = _get(draft_id)
    report = {**validation_report(_files(draft), _current(draft), draft.jurisdiction_id), "revision": draft.revision,
              "validated_at": now_utc().isoformat()}
    with unit_of_work():
        db.session.execute(update(BundleDraft).where(BundleDraft.id == draft_id)
                           .values(validation_json=json.dumps(report, ensure_ascii=False, default=str)))
    db.session.expire_all()
    return report


def _current(draft: BundleDraft) -> Bundle | None:
    jurisdiction = db.session.get(Jurisdiction, draft.jurisdiction_id)
    return stored_bundle(jurisdiction.current_bundle_hash) if jurisdiction is not None else None


def deploy_draft(actor: Actor, draft_id: int, effective_from: date | None, effective_until: date | None,
                 force: bool = False) -> DeployResult:
    """Deploy the draft like an uploaded bundle (same checks and refusals, audited by the
    deployment), then mark it deployed."""
    require_admin(actor)
    draft = _get(draft_id, editing=True)
    bundle = from_files(_files(draft))
    if bundle.id != draft.jurisdiction_id:
        raise _foreign_id(draft.jurisdiction_id, bundle.id)
    revision = draft.revision

    def mark_deployed(result: DeployResult) -> None:  # in the deployment's transaction
        done = db.session.execute(update(BundleDraft).where(
            BundleDraft.id == draft_id, BundleDraft.status == EDITING, BundleDraft.revision == revision)
            .values(status=DEPLOYED, deployed_bundle_hash=result.bundle_hash, updated_at=now_utc()))
        if done.rowcount != 1:
            raise Conflict("草稿在部署期间被他人修改或已部署，未部署；请刷新后重试")

    result = deploy(bundle, actor.username, DeployOptions(effective_from=effective_from,
                                                          effective_until=effective_until, force=force),
                    also=mark_deployed)
    db.session.expire_all()
    return result


def get_organisation(actor: Actor, draft_id: int) -> dict[str, Any]:
    require_admin(actor)
    draft = _get(draft_id)
    return {**organisation.read(organisation.manifest_of(_files(draft))), "revision": draft.revision}


def put_organisation(actor: Actor, draft_id: int, offices: list[dict[str, Any]], units: list[str],
                     revision: int | None) -> dict[str, Any]:
    """Offices and units in words, written into the draft's manifest (and lane names in its
    diagrams when an office is renamed)."""
    def change(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        return "draft_organisation_saved", organisation.write(files, offices, units)

    edit_files(actor, draft_id, MANIFEST, revision, change)
    return get_organisation(actor, draft_id)


def _lane_names(manifest: dict[str, Any]) -> tuple[list[str], int]:
    """One lane per office (the first lane name the manifest maps to it, else the office's
    name, then mapped), and which of them holds the start event: the applying office's."""
    lanes = manifest.setdefault("lanes", {})
    names = []
    for role in manifest.get("roles", []):
        name = next((lane for lane, r in lanes.items() if r == role["id"]), None) or role["name"]
        lanes.setdefault(name, role["id"])
        names.append(name)
    start = next((i for i, r in enumerate(manifest.get("roles", [])) if r.get("applicant")), 0)
    return names, start


def add_process(actor: Actor, draft_id: int, name: str, revision: int | None = None) -> dict[str, Any]:
    """A new, empty process in the draft: its diagram (a lane per office, a start event) and
    its manifest entries. Offices come first: a process is drawn in their lanes."""
    if not name.strip():
        raise FormInvalid("请填写流程名称", errors=[{"field": "name", "message": "请填写流程名称"}])

    def change(files: dict[str, bytes]) -> tuple[str, dict[str, Any]]:
        manifest = organisation.manifest_of(files)
        if not manifest.get("roles"):
            raise FormInvalid("请先设置办理机构", errors=[{
                "field": "name", "message": "草稿还没有办理机构：请先在「机构与单位」中添加，流程图按机构分泳道"}])
        if any(p.get("name") == name.strip() for p in manifest.get("processes", [])):
            raise FormInvalid("流程名称重复", errors=[{
                "field": "name", "message": f"草稿中已有流程「{name.strip()}」"}])
        key = new_jurisdiction.new_process_key()
        lanes, start = _lane_names(manifest)
        files[f"{key}.bpmn"] = blank_diagram(key, name.strip(), lanes, start)
        manifest.setdefault("bpmn_files", []).append(f"{key}.bpmn")
        manifest.setdefault("processes", []).append({"key": key, "name": name.strip()})
        files[MANIFEST] = manifest_bytes(manifest)
        return "draft_process_added", {"process": key, "name": name.strip()}

    return edit_files(actor, draft_id, MANIFEST, revision, change)
