"""A regulation bundle in memory: the manifest and every file of the jurisdiction.

Bundles come from the two repository folders (`bpmn/<id>/`, `forms/<id>/`) or from a zip with
the same content (`manifest.json`, diagrams, `forms/...`). Keys of `files` are paths inside
the bundle; form files are kept under `forms/`.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator, FormatChecker

from ..errors import BundleInvalid

FORMS_PREFIX = "forms/"
MANIFEST = "manifest.json"


def manifest_bytes(manifest: dict[str, Any]) -> bytes:
    """A manifest as the browser's editors write it into a draft: indented UTF-8 JSON with the
    Chinese as it is, ending in a newline."""
    return (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


@dataclass(frozen=True)
class Problem:
    """One finding of bundle validation, pointing at a file, an element and a line."""

    file: str
    message: str
    element: str | None = None
    line: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"file": self.file, "element": self.element, "line": self.line, "message": self.message}


@dataclass
class Bundle:
    files: dict[str, bytes]
    manifest: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.manifest["id"]

    @property
    def hash(self) -> str:
        digest = hashlib.sha256()
        for name in sorted(self.files):
            digest.update(name.encode() + b"\0" + hashlib.sha256(self.files[name]).digest())
        return digest.hexdigest()

    def form_names(self) -> list[str]:
        return sorted(n[len(FORMS_PREFIX):] for n in self.files if n.startswith(FORMS_PREFIX))

    def form_bytes(self, name: str) -> bytes | None:
        return self.files.get(FORMS_PREFIX + name)

    def role_of_lane(self, lane: str | None) -> str | None:
        return self.manifest.get("lanes", {}).get(lane) if lane else None

    def role(self, role_id: str) -> dict[str, Any] | None:
        return next((r for r in self.manifest.get("roles", []) if r["id"] == role_id), None)

    def process(self, key: str) -> dict[str, Any] | None:
        return next((p for p in self.manifest.get("processes", []) if p["key"] == key), None)


@cache
def _manifest_validator() -> Draft202012Validator:
    schema = json.loads((Path(__file__).with_name("manifest.schema.json")).read_text("utf-8"))
    return Draft202012Validator(schema, format_checker=FormatChecker())


def manifest_problems(files: dict[str, bytes]) -> tuple[dict[str, Any], list[Problem]]:
    raw = files.get(MANIFEST)
    if raw is None:
        return {}, [Problem(MANIFEST, "缺少清单文件 manifest.json")]
    try:
        manifest = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return {}, [Problem(MANIFEST, f"清单不是有效的 JSON：{exc}", line=getattr(exc, "lineno", None))]
    problems = [
        Problem(MANIFEST, f"{'/'.join(map(str, err.absolute_path)) or '(根)'}：{err.message}")
        for err in _manifest_validator().iter_errors(manifest)
    ]
    for name in manifest.get("bpmn_files", []) + manifest.get("dmn_files", []):
        if name not in files:
            problems.append(Problem(MANIFEST, f"清单列出的文件不存在：{name}"))
    return manifest, problems


def from_files(files: dict[str, bytes]) -> Bundle:
    """Build a bundle and check its manifest; raises BundleInvalid listing every problem."""
    manifest, problems = manifest_problems(files)
    if problems:
        raise BundleInvalid("清单校验未通过", errors=[p.as_dict() for p in problems])
    return Bundle(files=files, manifest=manifest)


def _read_tree(root: Path, prefix: str = "") -> dict[str, bytes]:
    return {
        prefix + p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and not p.name.startswith(".")
    }


def from_folders(bpmn_dir: Path, forms_dir: Path | None) -> Bundle:
    files = _read_tree(bpmn_dir)
    if forms_dir is not None and forms_dir.is_dir():
        files.update(_read_tree(forms_dir, FORMS_PREFIX))
    return from_files(files)


def discover(bpmn_root: Path, forms_root: Path) -> list[tuple[Path, Path]]:
    """Every jurisdiction folder under the bundled `bpmn/` root, with its forms folder."""
    return [
        (m.parent, forms_root / m.parent.name)
        for m in sorted(bpmn_root.glob(f"*/{MANIFEST}"))
    ]
