"""Runs scenario files: each a jurisdiction's cases as data, driven through HTTP.

A scenario file (`tests/scenarios/<jurisdiction>.json`) has `process_key`, optional
`fragments` (named step lists shared by scenarios) and `scenarios`. Each scenario:

    {"name": "...", "clock": "2026-01-05T09:00:00+08:00",
     "start": {"as": "user", "data": {...}},
     "steps": [ ...step... ],
     "expect": {"status": "completed", "data": {...}, "open": [...]}}

Steps (one key decides the kind):
    {"task": bpmn_id, "as": user, "data": {...}, "unit": optional unit of a bound task,
     "open": [bpmn ids open afterwards, exact], "status": expected HTTP status (default 200),
     "error_field": field expected in a 422}
    {"forbidden": bpmn_id, "as": user}            the user gets 403 and the task stays open
    {"invisible": bpmn_id, "as": user}            the task is not in the user's task list
    {"clock": iso datetime, "fired": n}           move the clock, run one scheduler pass
    {"open": [...]}                               assert the open tasks
    {"data": {...}}                               assert values in the case data
    {"fragment": name}                            the steps of a named fragment
    {"walk": {bpmn_id: [data, ...]}, "until": id}  walk to the end, or until task `id` opens
    {"action": "suspend"|"resume"|"terminate", "as": user, "reason": "...", "status": 200}
    {"message": name, "as": user, "data": {...}, "status": 200}   a notice into the case
    {"withdraw": bpmn_id, "as": user, "status": 200}  撤回 the latest completion of that task
    {"upload": bpmn_id, "field": f, "file": "x.exe", "as": user, "bytes": n, "status": 422,
     "error_field": f}                            an upload alone for that open task's form (a wrong
                                                  type, an oversize file, a user who may not act)

Documents: in any form data (start, task, walk, defaults) a field's value
`{"$attachment": "调研报告.pdf"}` — or a list of them for a field that takes several
documents — is uploaded first (`POST /api/v1/attachments` as the acting user, with the task's
`task_id`, or the process's `process_key` for a start form) and replaced by the returned id.
The file is generated to fit its extension (`attachment_bytes`: a real minimal PDF, an OOXML or
OFD zip, an OLE compound file, a PNG, a JPEG …), unique per upload; `"bytes": n` pads it to n
bytes. The field must be an attachment field of that form and accept the extension; the reply
must echo the name, size, SHA-256 and field; once the step is accepted, every uploaded id must
be among the case's documents (`GET /instances/{id}/attachments`) with the same checksum, and
be the value of its field where the case data holds that field at the top level. A plain value
for an attachment field is sent as it is (the server refuses it).

A file may list `peers`: {role: [users]} of user-bound roles (e.g. experts), so that a walk
checks that a peer who was not drawn gets 403. A scenario may set its own `process_key`.
A scenario may list `prior_cases` (each with `start` and `steps`, run first, to the point
their steps take them): other cases of the same or another unit, for cross-case rules.

A walk completes every task that opens, in order, as the file's `actors` user for the task's
role (a {unit: user} map for roles whose tasks are unit-bound), with the data listed for
its BPMN id in the walk or in the file's `defaults` (the n-th time a task opens takes the
n-th entry; the last one repeats). Before each completion a user of another lane, and for a
unit-bound task a user of another unit, must get 403. When only a timer is pending, the walk
shows that nothing opens a minute before it is due, then moves the clock past it.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import json
import struct
import zipfile
import zlib
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import time_machine

from .conftest import Http

_SERIAL = itertools.count(1)


def _pdf(text: str) -> bytes:
    """A minimal but well-formed one-page PDF (with a correct cross-reference table)."""
    objects = [b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Pages/Kids[3 0 R]/Count 1>>",
               b"<</Type/Page/Parent 2 0 R/MediaBox[0 0 595 842]>>",
               b"<</Title(" + text.encode("ascii") + b")>>"]
    out, offsets = bytearray(b"%PDF-1.4\n"), []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<</Size %d/Root 1 0 R/Info 4 0 R>>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def _zip(files: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def _ooxml(kind: str, text: str) -> bytes:
    part, main = {"docx": ("word/document.xml", "wordprocessingml.document.main"),
                  "xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main")}[kind]
    return _zip({
        "[Content_Types].xml": '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
        'openxmlformats.org/package/2006/content-types"><Override PartName="/' + part + '" ContentType="'
        'application/vnd.openxmlformats-officedocument.' + main + '+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
        'openxmlformats.org/package/2006/relationships"/>',
        part: f'<?xml version="1.0" encoding="UTF-8"?><doc>{text}</doc>'})


def _png(text: str) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))
            + chunk(b"tEXt", b"Comment\x00" + text.encode("ascii"))
            + chunk(b"IDAT", zlib.compress(b"\x00\x00")) + chunk(b"IEND", b""))


def attachment_bytes(filename: str, size: int | None = None) -> bytes:
    """A small file whose content is what its extension says, unique per call."""
    ext = filename.rpartition(".")[2].lower()
    tag = f"govit-bpm scenario upload {next(_SERIAL)}"
    if ext == "pdf":
        body = _pdf(tag)
    elif ext in ("docx", "xlsx"):
        body = _ooxml(ext, tag)
    elif ext == "ofd":
        body = _zip({"OFD.xml": f'<?xml version="1.0" encoding="UTF-8"?><ofd:OFD xmlns:ofd="http://www.ofdspec.org'
                               f'/2016" Version="1.0"><ofd:DocBody><!-- {tag} --></ofd:DocBody></ofd:OFD>'})
    elif ext == "zip":
        body = _zip({"说明.txt": tag})
    elif ext in ("doc", "xls"):  # an OLE2 compound file header, padded to one sector
        body = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 16 + b"\x3e\x00\x03\x00\xfe\xff\x09\x00"
                + tag.encode("ascii")).ljust(512, b"\x00")
    elif ext == "png":
        body = _png(tag)
    elif ext in ("jpg", "jpeg"):
        body = (b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
                + b"\xff\xfe" + struct.pack(">H", len(tag) + 2) + tag.encode("ascii") + b"\xff\xd9")
    elif ext == "exe":
        body = b"MZ\x90\x00" + tag.encode("ascii")
    else:
        body = tag.encode("utf-8")
    return body if size is None else body.ljust(size, b"\x00")


def _attachment_marker(value: Any) -> bool:
    return isinstance(value, dict) and "$attachment" in value


def _attachment_field(schema: dict[str, Any], field: str) -> dict[str, Any] | None:
    """The marker (`x-attachment`) of a top-level attachment field or array of documents."""
    node = (schema.get("properties") or {}).get(field) or {}
    if node.get("type") == "array" and isinstance(node.get("items"), dict):
        node = node["items"]
    return node.get("x-attachment") if node.get("format") == "attachment" else None


def load(path: Path) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(test id, file-level settings, scenario) for every scenario of a file."""
    spec = json.loads(path.read_text("utf-8"))
    return [(f"{path.stem}:{s['name']}", spec, s) for s in spec["scenarios"]]


def _expand(steps: list[dict], fragments: dict[str, list[dict]]) -> list[dict]:
    out: list[dict] = []
    for step in steps:
        out += _expand(fragments[step["fragment"]], fragments) if "fragment" in step else [step]
    return out


class Clock:
    """One moved clock shared by a scenario and its prior cases (never nested travels)."""

    def __init__(self) -> None:
        self.traveller: Any = None

    def travel(self, when: str) -> None:
        self.stop()
        self.traveller = time_machine.travel(when, tick=False)
        self.traveller.start()

    def stop(self) -> None:
        if self.traveller is not None:
            self.traveller.stop()
            self.traveller = None


class ScenarioRun:
    def __init__(self, http: Http, fire_timers, spec: dict[str, Any], scenario: dict[str, Any],
                 clock: Clock | None = None):
        self.http, self.fire_timers, self.spec, self.scenario = http, fire_timers, spec, scenario
        self.case: dict[str, Any] = {}
        self.clock_ = clock or Clock()
        self.log: list[str] = []

    # -- clock -------------------------------------------------------------------------
    def _travel(self, when: str) -> None:
        self.clock_.travel(when)

    # -- helpers -------------------------------------------------------------------------
    def _refresh(self, user: str) -> None:
        reply = self.http.as_(user).get(f"/api/v1/instances/{self.case['id']}")
        if reply.status == 200:
            self.case = reply.body

    def _admin_view(self) -> dict[str, Any]:
        reply = self.http.as_("admin").get(f"/api/v1/instances/{self.case['id']}")
        assert reply.status == 200, reply.body
        self.case = reply.body
        return reply.body

    def _find(self, bpmn_id: str, unit: str | None) -> dict[str, Any]:
        tasks = [t for t in self._admin_view()["open_tasks"] if t["bpmn_id"] == bpmn_id
                 and (unit is None or t["unit"] == unit)]
        assert tasks, f"{bpmn_id} ({unit}) not open; open: {self.open_ids()} — {self.log}"
        return tasks[0]

    def open_ids(self) -> list[str]:
        return sorted(t["bpmn_id"] for t in self.case.get("open_tasks", []))

    def _check_open(self, expected: list[str]) -> None:
        self._admin_view()
        assert self.open_ids() == sorted(expected), f"open {self.open_ids()} != {sorted(expected)} — {self.log}"

    def _check_data(self, expected: dict[str, Any]) -> None:
        data = self._admin_view()["data"]
        for key, value in expected.items():
            assert data.get(key) == value, f"data[{key}] = {data.get(key)!r}, expected {value!r} — {self.log}"

    # -- documents -----------------------------------------------------------------------
    def _form_schema(self, user: str, target: dict[str, str]) -> dict[str, Any] | None:
        """The form the user fills in: a task's (GET /tasks/{id}) or a process's start form."""
        if "task_id" in target:
            reply = self.http.as_(user).get(f"/api/v1/tasks/{target['task_id']}")
        else:
            reply = self.http.as_(user).get(f"/api/v1/processes/{target['process_key']}/start-form")
        return reply.body.get("schema") if reply.status == 200 else None

    def _post_file(self, user: str, target: dict[str, str], field: str, filename: str, body: bytes):
        """multipart POST /attachments, logging in again once if the clock moved past the token."""
        client = self.http.as_(user)
        for _ in range(2):
            resp = client.client.post("/api/v1/attachments", headers={"Authorization": f"Bearer {client.token}"},
                                      data={**target, "field": field, "file": (io.BytesIO(body), filename)},
                                      content_type="multipart/form-data")
            if resp.status_code != 401:
                break
            client.token = client.relogin()
        return resp.status_code, resp.get_json(silent=True)

    def _upload(self, user: str, target: dict[str, str], field: str, marker: dict[str, Any],
                schema: dict[str, Any]) -> dict[str, Any]:
        filename = marker["$attachment"]
        spec = _attachment_field(schema, field)
        assert spec is not None, f"{field} is not an attachment field of the form {target} — {self.log}"
        ext = "." + filename.rpartition(".")[2].lower()
        assert ext in [a.lower() for a in spec["accept"]], f"{field} does not accept {filename}: {spec['accept']}"
        body = attachment_bytes(filename, marker.get("bytes"))
        status, meta = self._post_file(user, target, field, filename, body)
        assert status == 201, f"upload {filename} for {field} by {user}: {status} {meta} — {self.log}"
        expected = {"filename": filename, "size": len(body), "sha256": hashlib.sha256(body).hexdigest(),
                    "field": field, "uploaded_by": user}
        assert {k: meta.get(k) for k in expected} == expected, (meta, expected)
        return meta

    def _with_uploads(self, user: str, data: dict[str, Any], target: dict[str, str]):
        """The data with every `$attachment` marker uploaded and replaced by its id."""
        fields = [k for k, v in data.items() if _attachment_marker(v)
                  or (isinstance(v, list) and v and all(_attachment_marker(i) for i in v))]
        if not fields:
            return data, []
        schema = self._form_schema(user, target)
        assert schema is not None, f"{user} cannot read the form of {target} — {self.log}"
        out, uploads = dict(data), []
        for field in fields:
            markers = data[field] if isinstance(data[field], list) else [data[field]]
            metas = [self._upload(user, target, field, m, schema) for m in markers]
            uploads += [(field, meta, isinstance(data[field], list)) for meta in metas]
            ids = [meta["id"] for meta in metas]
            out[field] = ids if isinstance(data[field], list) else ids[0]
        return out, uploads

    def _check_bound(self, uploads: list[tuple[str, dict[str, Any], bool]]) -> None:
        if not uploads:
            return
        reply = self.http.as_("admin").get(f"/api/v1/instances/{self.case['id']}/attachments")
        assert reply.status == 200, reply.body
        listed = {a["id"]: a for a in reply.body}
        data = self._admin_view()["data"]
        for field, meta, many in uploads:
            assert meta["id"] in listed, f"{field}: {meta['id']} not among the case's documents — {self.log}"
            assert listed[meta["id"]]["sha256"] == meta["sha256"], listed[meta["id"]]
            assert listed[meta["id"]]["instance_id"] == self.case["id"], listed[meta["id"]]
            if field in data:
                held = data[field] if many else [data[field]]
                assert meta["id"] in held, f"data[{field}] = {data[field]!r}, uploaded {meta['id']}"

    def upload(self, step: dict[str, Any]) -> None:
        task = self._find(step["upload"], step.get("unit"))
        body = attachment_bytes(step["file"], step.get("bytes"))
        status, meta = self._post_file(step["as"], {"task_id": task["id"]}, step["field"], step["file"], body)
        assert status == step.get("status", 201), f"{step}: {status} {meta} — {self.log}"
        if status == 422:
            assert meta["errors"] and all(e["message"] for e in meta["errors"]), meta
            if "error_field" in step:
                assert any(e["field"] == step["error_field"] for e in meta["errors"]), meta
        self.log.append(f"upload {step['file']} for {step['upload']}.{step['field']} by {step['as']}: {status}")

    # -- steps ---------------------------------------------------------------------------
    def start(self) -> None:
        if "clock" in self.scenario:
            self._travel(self.scenario["clock"])
        start = self.scenario["start"]
        key = self.scenario.get("process_key", self.spec["process_key"])
        data, uploads = self._with_uploads(start["as"], start["data"], {"process_key": key})
        reply = self.http.as_(start["as"]).post("/api/v1/instances", {"process_key": key, "data": data})
        assert reply.status == 201, reply.body
        self.case = reply.body
        self.log.append(f"start by {start['as']}")
        self._check_bound(uploads)

    def task(self, step: dict[str, Any]) -> None:
        task = self._find(step["task"], step.get("unit"))
        data, uploads = self._with_uploads(step["as"], step.get("data", {}), {"task_id": task["id"]})
        reply = self.http.as_(step["as"]).post(f"/api/v1/tasks/{task['id']}/complete", {"data": data})
        expected = step.get("status", 200)
        assert reply.status == expected, f"{step['task']} by {step['as']}: {reply.status} {reply.body} — {self.log}"
        if expected == 422 and "error_field" in step:
            assert any(e["field"] == step["error_field"] for e in reply.body["errors"]), reply.body
        self.log.append(f"{step['task']} by {step['as']}")
        if expected == 200:
            self._check_bound(uploads)
        if "open" in step:
            self._check_open(step["open"])

    def forbidden(self, step: dict[str, Any]) -> None:
        task = self._find(step["forbidden"], step.get("unit"))
        reply = self.http.as_(step["as"]).post(f"/api/v1/tasks/{task['id']}/complete", {"data": step.get("data", {})})
        assert reply.status == 403, f"{step['as']} on {step['forbidden']}: {reply.status} {reply.body}"
        self._find(step["forbidden"], step.get("unit"))  # still open

    def invisible(self, step: dict[str, Any]) -> None:
        listed = self.http.as_(step["as"]).get("/api/v1/tasks", instance_id=self.case["id"]).body["items"]
        assert step["invisible"] not in {t["bpmn_id"] for t in listed}, listed

    def clock(self, step: dict[str, Any]) -> None:
        self._travel(step["clock"])
        fired = self.fire_timers()
        if "fired" in step:
            assert fired == step["fired"], f"fired {fired} timers at {step['clock']}, expected {step['fired']}"
        self.log.append(f"clock {step['clock']} fired {fired}")

    # -- walk ----------------------------------------------------------------------------
    def _actor(self, task: dict[str, Any]) -> str:
        if task.get("assignee"):
            return task["assignee"]
        chosen = self.spec["actors"][task["role"]]
        return chosen[task["unit"]] if isinstance(chosen, dict) else chosen

    def _intruders(self, task: dict[str, Any]) -> list[str]:
        """A user of another lane, and one of the same role but another unit or person."""
        others = [u for role, u in self.spec["actors"].items() if role != task["role"] and isinstance(u, str)]
        chosen = self.spec["actors"][task["role"]]
        peers = chosen.items() if isinstance(chosen, dict) else []
        others[1:] = [u for key, u in peers if key != task["unit"] and u != task.get("assignee")][:1]
        others += [u for u in self.spec.get("peers", {}).get(task["role"], []) if u != task.get("assignee")][:1]
        return others[:3]

    def _wait_for_timer(self) -> None:
        due = self.case["next_due_at"]
        assert due, f"case stuck: no open task, no timer, status {self.case['status']} — {self.log}"
        due_at = datetime.fromisoformat(due)
        self._travel((due_at - timedelta(minutes=1)).isoformat())
        assert self.fire_timers() == 0
        assert self._admin_view()["open_tasks"] == [], "a task opened before its timer was due"
        self.clock({"clock": (due_at + timedelta(minutes=1)).isoformat()})

    def walk(self, data: dict[str, list[dict]], until: str | None = None) -> None:
        table = {**self.spec.get("defaults", {}), **data}
        seen: dict[str, int] = {}
        for _ in range(300):
            case = self._admin_view()
            if case["status"] != "running" or until in {t["bpmn_id"] for t in case["open_tasks"]}:
                return
            if not case["open_tasks"]:
                self._wait_for_timer()
                continue
            task = sorted(case["open_tasks"], key=lambda t: (t["ready_at"], t["bpmn_id"], t["unit"] or ""))[0]
            entries = table[task["bpmn_id"]]
            payload = entries[min(seen.get(task["bpmn_id"], 0), len(entries) - 1)]
            seen[task["bpmn_id"]] = seen.get(task["bpmn_id"], 0) + 1
            for intruder in self._intruders(task):
                self.forbidden({"forbidden": task["bpmn_id"], "unit": task["unit"], "as": intruder})
            self.task({"task": task["bpmn_id"], "unit": task["unit"], "as": self._actor(task), "data": payload})
        raise AssertionError(f"walk did not finish — {self.log}")

    def action(self, step: dict[str, Any]) -> None:
        reply = self.http.as_(step["as"]).post(f"/api/v1/instances/{self.case['id']}/{step['action']}",
                                               {"reason": step.get("reason", "测试")})
        assert reply.status == step.get("status", 200), f"{step}: {reply.status} {reply.body}"
        self.log.append(f"{step['action']} by {step['as']}")

    def message(self, step: dict[str, Any]) -> None:
        reply = self.http.as_(step["as"]).post(f"/api/v1/instances/{self.case['id']}/messages",
                                               {"name": step["message"], "data": step.get("data", {})})
        assert reply.status == step.get("status", 200), f"{step}: {reply.status} {reply.body}"
        self.log.append(f"message {step['message']} by {step['as']}")

    def withdraw(self, step: dict[str, Any]) -> None:
        done = [s for s in self._admin_view()["completed_steps"]
                if s["bpmn_id"] == step["withdraw"] and s["action"] == "complete"]
        assert done, f"{step['withdraw']} was never completed — {self.log}"
        reply = self.http.as_(step["as"]).post(f"/api/v1/tasks/{done[-1]['task_id']}/withdraw")
        assert reply.status == step.get("status", 200), f"{step}: {reply.status} {reply.body}"
        self.log.append(f"withdraw {step['withdraw']} by {step['as']}")

    def _steps(self, steps: list[dict[str, Any]]) -> None:
        kinds = {"task": self.task, "forbidden": self.forbidden, "invisible": self.invisible,
                 "clock": self.clock, "action": self.action, "message": self.message,
                 "withdraw": self.withdraw, "upload": self.upload}
        for step in _expand(steps, self.spec.get("fragments", {})):
            kind = next((k for k in kinds if k in step), None)
            if kind is not None:
                kinds[kind](step)
            elif "walk" in step:
                self.walk(step["walk"], step.get("until"))
            elif "open" in step:
                self._check_open(step["open"])
            elif "data" in step:
                self._check_data(step["data"])
            else:
                raise AssertionError(f"unknown step {step}")

    def run(self) -> None:
        try:
            for prior in self.scenario.get("prior_cases", []):
                inherited = {k: self.scenario[k] for k in ("clock", "process_key") if k in self.scenario}
                ScenarioRun(self.http, self.fire_timers, self.spec, {**inherited, **prior}, self.clock_).run_steps()
            self.run_steps()
            self.finish(self.scenario.get("expect", {}))
        finally:
            self.clock_.stop()

    def run_steps(self) -> None:
        self.start()
        self._steps(self.scenario.get("steps", []))

    def finish(self, expect: dict[str, Any]) -> None:
        case = self._admin_view()
        if "status" in expect:
            assert case["status"] == expect["status"], (
                f"status {case['status']} — open {self.open_ids()} {self.log} — steps "
                f"{[s['bpmn_id'] for s in case.get('completed_steps', [])]} due {case.get('next_due_at')} "
                f"outcome {case.get('outcome')} data {case.get('data')}")
        if "outcome" in expect:
            assert case["outcome"] == expect["outcome"], f"outcome {case['outcome']} — {self.log}"
        if "open" in expect:
            self._check_open(expect["open"])
        if "data" in expect:
            self._check_data(expect["data"])
        if "path" in expect:  # the exact order of the steps taken
            taken = [s["bpmn_id"] for s in case["completed_steps"] if s["action"] == "complete"]
            assert taken == expect["path"], f"path {taken}"
        if "steps_include" in expect:
            names = [s["bpmn_id"] for s in case["completed_steps"]]
            missing = [b for b in expect["steps_include"] if b not in names]
            assert not missing, f"steps not taken: {missing}; taken: {names}"
        if "steps_exclude" in expect:
            names = {s["bpmn_id"] for s in case["completed_steps"]}
            assert not names & set(expect["steps_exclude"]), names & set(expect["steps_exclude"])
