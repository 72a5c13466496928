"""A draft's organisation in words: the offices (manifest `roles`, the diagram lanes mapped to
them in `lanes`, and which may control cases in `case_control_roles`) and the units staff
belong to (`units`). Administrators edit names and flags; role identifiers are generated and
never shown. Renaming an office renames its lanes, in the manifest and in every diagram;
removing an office a diagram lane still uses is refused with the lane named."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from lxml import etree

from .. import safe_xml
from ..errors import BundleInvalid, FormInvalid
from ..regulations.bundles import MANIFEST, manifest_bytes

LANE = "{http://www.omg.org/spec/BPMN/20100524/MODEL}lane"


def _unreadable(message: str) -> BundleInvalid:
    return BundleInvalid("清单无法读取机构", errors=[{"file": MANIFEST, "element": None, "line": None,
                                                 "message": message}])


def manifest_of(files: dict[str, bytes]) -> dict[str, Any]:
    """The draft's manifest, refused (422 naming manifest.json) when an expert's edit left
    its offices unreadable."""
    try:
        manifest = json.loads(files[MANIFEST])
    except (KeyError, ValueError) as exc:
        raise _unreadable(f"manifest.json 缺失或不是有效的 JSON：{exc}") from exc
    if not isinstance(manifest, dict):
        raise _unreadable("manifest.json 应为一个对象")
    roles, lanes = manifest.get("roles", []), manifest.get("lanes", {})
    if not isinstance(roles, list) or not all(isinstance(r, dict) and isinstance(r.get("id"), str)
                                              and isinstance(r.get("name"), str) for r in roles):
        raise _unreadable("roles 应为机构列表，每项有 id 和 name")
    if not isinstance(lanes, dict) or not all(isinstance(v, str) for v in lanes.values()):
        raise _unreadable("lanes 应为「泳道名 → 角色」的对象")
    if not isinstance(manifest.get("messages", {}), dict) or not all(
            isinstance(manifest.get(key, []), list) for key in ("units", "bpmn_files", "processes")):
        raise _unreadable("messages 应为对象，units、bpmn_files、processes 应为列表")
    if not all(isinstance(p, dict) for p in manifest.get("processes", [])):
        raise _unreadable("processes 的每一项应为对象")
    return manifest


def read(manifest: dict[str, Any]) -> dict[str, Any]:
    """The offices and units as the organisation page shows them."""
    control = set(manifest.get("case_control_roles", []))
    lanes = manifest.get("lanes", {})
    offices = [{"role": r["id"], "name": r["name"], "applicant": bool(r.get("applicant")),
                "case_control": r["id"] in control,
                "lanes": [lane for lane, role in lanes.items() if role == r["id"]]}
               for r in manifest.get("roles", [])]
    return {"jurisdiction_name": manifest.get("name", ""), "offices": offices,
            "units": list(manifest.get("units", []))}


def _diagrams(files: dict[str, bytes], manifest: dict[str, Any]) -> Iterator[tuple[str, etree._Element]]:
    """Each diagram of the draft, parsed; one that is not well-formed XML stops the change
    (its lanes cannot be checked), named with its line."""
    for name in manifest.get("bpmn_files", []):
        if not isinstance(name, str) or name not in files:
            continue
        try:
            yield name, safe_xml.parse(files[name])
        except etree.XMLSyntaxError as exc:
            raise BundleInvalid(f"流程图 {name} 无法读取", errors=[{
                "file": name, "element": None, "line": exc.lineno,
                "message": f"XML 格式错误，无法核对其中的泳道：{exc.msg}"}]) from exc


def _diagram_lanes(files: dict[str, bytes], manifest: dict[str, Any]) -> dict[str, list[str]]:
    """Lane name → the diagram files that draw a lane of that name."""
    found: dict[str, list[str]] = {}
    for name, root in _diagrams(files, manifest):
        for lane in root.iter(LANE):
            found.setdefault(lane.get("name") or "", []).append(name)
    return found


def _rename_lanes(files: dict[str, bytes], manifest: dict[str, Any], old: str, new: str) -> None:
    for name, root in list(_diagrams(files, manifest)):
        lanes = [lane for lane in root.iter(LANE) if lane.get("name") == old]
        for lane in lanes:
            lane.set("name", new)
        if lanes:
            files[name] = etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _checked(offices: list[dict[str, Any]], units: list[str], manifest: dict[str, Any]) -> None:
    known = {r["id"] for r in manifest.get("roles", [])}
    kept = {o.get("role") for o in offices} & known  # lanes of removed offices go with them
    lanes = {lane: role for lane, role in manifest.get("lanes", {}).items() if role in kept}
    errors = []
    seen: set[str] = set()
    for i, office in enumerate(offices):
        name, role = office["name"].strip(), office.get("role")
        if not name:
            errors.append({"field": f"offices/{i}/name", "message": "请填写机构名称"})
        elif name in seen:
            errors.append({"field": f"offices/{i}/name", "message": f"机构「{name}」重复"})
        elif name in lanes and lanes[name] != role:  # two lanes of one name: rename in two saves
            errors.append({"field": f"offices/{i}/name",
                           "message": f"「{name}」现在是另一机构的泳道名：请先把那个机构改名并保存，再用这个名称"})
        seen.add(name)
        if role and [o.get("role") for o in offices].count(role) > 1:
            errors.append({"field": f"offices/{i}/role", "message": "同一机构出现了两次，请刷新后重试"})
        elif role and role not in known:
            errors.append({"field": f"offices/{i}/role", "message": "该机构不在草稿中，请刷新后重试"})
    for i, unit in enumerate(units):
        if not unit.strip():
            errors.append({"field": f"units/{i}", "message": "请填写单位名称"})
        elif units.index(unit) != i:
            errors.append({"field": f"units/{i}", "message": f"单位「{unit}」重复"})
    if errors:
        raise FormInvalid("机构与单位填写有误", errors=errors)


def _new_role_id(taken: set[str]) -> str:
    number = 1
    while f"office_{number}" in taken:
        number += 1
    taken.add(f"office_{number}")
    return f"office_{number}"


def _refuse_removed(files: dict[str, bytes], manifest: dict[str, Any], removed: set[str]) -> None:
    drawn = _diagram_lanes(files, manifest)
    gone = [r for r in manifest.get("roles", []) if r["id"] in removed]
    errors = [{"field": "offices", "message": f"「{r['name']}」在流程图 {', '.join(drawn[lane])} 中仍有泳道「{lane}」，"
                                             "请先在流程图中删除该泳道"}
              for r in gone for lane, role in manifest.get("lanes", {}).items() if role == r["id"] and lane in drawn]
    messages = manifest.get("messages", {}).values()
    errors += [{"field": "offices", "message": f"「{r['name']}」可以发送「{message.get('name')}」，请先在清单中取消"}
               for r in gone for message in messages if r["id"] in message.get("roles", [])]
    if errors:
        raise FormInvalid("不能删除仍在使用的机构", errors=errors)


def write(files: dict[str, bytes], offices: list[dict[str, Any]], units: list[str]) -> dict[str, Any]:
    """Apply the organisation to the draft's files in place; returns the audit detail."""
    manifest = manifest_of(files)
    before = {r["id"]: r for r in manifest.get("roles", [])}
    _checked(offices, units, manifest)
    kept = {o["role"] for o in offices if o.get("role")}
    removed = set(before) - kept
    _refuse_removed(files, manifest, removed)
    lanes = {lane: role for lane, role in manifest.get("lanes", {}).items() if role not in removed}
    taken = set(before)
    roles, control = [], []
    for office in offices:
        name, role_id = office["name"].strip(), office.get("role") or _new_role_id(taken)
        old = before.get(role_id, {}).get("name")
        if old is None:
            lanes[name] = role_id
        elif old != name and lanes.get(old) == role_id:
            lanes = {(name if lane == old else lane): role for lane, role in lanes.items()}
            _rename_lanes(files, manifest, old, name)
        role = {**before.get(role_id, {}), "id": role_id, "name": name}
        role.pop("applicant", None)
        roles.append({**role, "applicant": True} if office.get("applicant") else role)
        if office.get("case_control"):
            control.append(role_id)
    manifest.update(roles=roles, lanes=lanes, case_control_roles=control, units=[u.strip() for u in units])
    files[MANIFEST] = manifest_bytes(manifest)
    return {"offices": [r["name"] for r in roles], "removed": sorted(before[r]["name"] for r in removed),
            "units": manifest["units"]}
