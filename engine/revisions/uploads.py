"""A bundle uploaded as a zip archive, read in memory (nothing is extracted to disk).

Two layouts are accepted, optionally inside one top folder: the jurisdiction folder itself
(`manifest.json`, diagrams, tables, and a `forms/` folder), or the repository layout
(`bpmn/<id>/…` with `forms/<id>/…`).
"""

from __future__ import annotations

import io
import stat
import zipfile
import zlib
from pathlib import PurePosixPath

from ..errors import BundleInvalid
from ..regulations.bundles import FORMS_PREFIX, MANIFEST, Bundle, from_files
from ..users import Actor
from .access import require_admin
from .deploy import DeployOptions, DeployResult, deploy

MAX_FILES = 500
MAX_BYTES = 20 * 1024 * 1024


def _refuse(message: str, file: str = "(zip)") -> BundleInvalid:
    return BundleInvalid(message, errors=[{"file": file, "element": None, "line": None, "message": message}])


def _unsafe_path(info: zipfile.ZipInfo) -> bool:
    """`../`, absolute or drive paths, backslashes and symbolic links (zip slip)."""
    name = info.filename
    path = PurePosixPath(name)
    is_link = stat.S_ISLNK(info.external_attr >> 16)
    return (is_link or path.is_absolute() or ".." in path.parts or "\\" in name
            or (len(name) > 1 and name[1] == ":"))


def _read_bounded(archive: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The member's bytes, stopping once more than `budget` come out: declared sizes can lie."""
    chunks, total = [], 0
    with archive.open(info) as member:
        while chunk := member.read(64 * 1024):
            total += len(chunk)
            if total > budget:
                raise _refuse(f"压缩包解压后超过 {MAX_BYTES // (1024 * 1024)} MB（疑似压缩炸弹）", info.filename)
            chunks.append(chunk)
    return b"".join(chunks)


def _members(data: bytes) -> dict[str, bytes]:
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = [i for i in archive.infolist() if not i.is_dir()]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError) as exc:
        raise _refuse("上传的文件不是有效的 zip 压缩包") from exc
    if len(infos) > MAX_FILES:
        raise _refuse(f"压缩包文件过多（{len(infos)} 个，上限 {MAX_FILES}）")
    if sum(i.file_size for i in infos) > MAX_BYTES:
        raise _refuse(f"压缩包解压后超过 {MAX_BYTES // (1024 * 1024)} MB")
    out: dict[str, bytes] = {}
    budget = MAX_BYTES
    for info in infos:
        if _unsafe_path(info):
            raise _refuse("压缩包中的路径不安全（含 ../、绝对路径或符号链接）", info.filename)
        path = PurePosixPath(info.filename)
        if any(part.startswith(".") or part == "__MACOSX" for part in path.parts):
            continue
        try:
            body = _read_bounded(archive, info, budget)
        except (zipfile.BadZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error) as exc:
            raise _refuse(f"压缩包中的文件无法解压：{exc}", info.filename) from exc
        budget -= len(body)
        out[path.as_posix()] = body
    return out


def _strip_top_folder(files: dict[str, bytes]) -> dict[str, bytes]:
    tops = {name.split("/", 1)[0] for name in files}
    if len(tops) == 1 and all("/" in name for name in files):
        return {name.split("/", 1)[1]: body for name, body in files.items()}
    return files


def _bundle_files(files: dict[str, bytes]) -> dict[str, bytes]:
    if MANIFEST in files:
        return files
    manifests = [n for n in files if n.startswith("bpmn/") and n.count("/") == 2 and n.endswith("/" + MANIFEST)]
    if len(manifests) != 1:
        raise _refuse("压缩包中应有且只有一个辖区：根目录的 manifest.json，或 bpmn/<辖区>/manifest.json")
    jurisdiction = manifests[0].split("/")[1]
    out = {n.removeprefix(f"bpmn/{jurisdiction}/"): b for n, b in files.items()
           if n.startswith(f"bpmn/{jurisdiction}/")}
    out.update({FORMS_PREFIX + n.removeprefix(f"forms/{jurisdiction}/"): b for n, b in files.items()
                if n.startswith(f"forms/{jurisdiction}/")})
    return out


def bundle_from_zip(data: bytes) -> Bundle:
    """The bundle in a zip archive; raises BundleInvalid naming what is wrong."""
    return from_files(_bundle_files(_strip_top_folder(_members(data))))


def deploy_upload(actor: Actor, data: bytes, options: DeployOptions) -> DeployResult:
    """Administrators only: validate, simulate and (unless a dry run) deploy an uploaded bundle."""
    require_admin(actor)
    return deploy(bundle_from_zip(data), actor.username, options)
