"""Turn a bundle into executable specs, refusing it whole if anything is wrong.

Order: manifest (already checked) → forms → XML well-formedness → XSD (SpiffWorkflow's
validator) → our lint → SpiffWorkflow's own parse of every process. Every problem found is
reported at once, each with file, element id and line.
"""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from . import forms, lint, safe_xml
from .bundles import Bundle, Problem
from .errors import BundleInvalid
from .scripting import script_engine
from .serialization import spec_json


@dataclass
class CompiledProcess:
    key: str
    name: str
    spec_json: str


def _form_problems(bundle: Bundle) -> tuple[dict[str, bool], list[Problem]]:
    problems, ok = [], {}
    for name in bundle.form_names():
        found = forms.schema_problems(name, bundle.form_bytes(name) or b"")
        ok[name] = not found
        problems += [Problem("forms/" + name, msg) for msg in found]
    return ok, problems


def _xsd_problem(name: str, exc: Exception) -> Problem:
    if isinstance(exc, etree.XMLSyntaxError):
        return Problem(name, f"XML 格式错误：{exc.msg}", line=exc.lineno)
    line = getattr(exc, "line_number", None)
    return Problem(name, f"不符合 BPMN/DMN 规范（XSD）：{exc}",
                   element=getattr(exc, "id", None) or None, line=int(line) if line else None)


def _parser(bundle: Bundle, problems: list[Problem]) -> SpiffBpmnParser:
    parser = SpiffBpmnParser(validator=VALIDATOR)
    for name in bundle.manifest["bpmn_files"]:
        try:
            parser.add_bpmn_xml(safe_xml.parse(bundle.files[name]), filename=name)
        except (ValidationException, etree.XMLSyntaxError) as exc:
            problems.append(_xsd_problem(name, exc))
    for name in bundle.manifest.get("dmn_files", []):
        try:
            parser.add_dmn_xml(safe_xml.parse(bundle.files[name]), filename=name)
        except (ValidationException, etree.XMLSyntaxError) as exc:
            problems.append(_xsd_problem(name, exc))
    return parser


def _lint(bundle: Bundle, form_ok: dict[str, bool]) -> list[Problem]:
    problems: list[Problem] = []
    docs: list[lint.Document] = []
    for name in bundle.manifest["bpmn_files"] + bundle.manifest.get("dmn_files", []):
        doc, found = lint.parse_xml(bundle, name)
        problems += found
        if doc is not None:
            docs.append(doc)
    bpmn_docs = [d for d in docs if d.file.endswith(".bpmn")]
    dmn_docs = [d for d in docs if d.file.endswith(".dmn")]
    processes = set().union(*(lint.process_ids(d) for d in bpmn_docs)) if bpmn_docs else set()
    decisions = set().union(*(lint.decision_ids(d) for d in dmn_docs)) if dmn_docs else set()
    for doc in bpmn_docs:
        for process in doc.root.iterfind("bpmn:process", lint.NS):
            problems += lint.check_flows(doc, process)
        problems += lint.check_expressions(doc)
        problems += lint.check_references(doc, processes, decisions)
        problems += lint.check_lanes_and_forms(doc, bundle, form_ok)
    for doc in dmn_docs:
        problems += lint.check_dmn(doc)
    for proc in bundle.manifest["processes"]:
        if proc["key"] not in processes:
            problems.append(Problem("manifest.json", f"清单中的流程在 BPMN 文件中不存在：{proc['key']}"))
    return problems


def _line_of(bundle: Bundle, element_id: str | None) -> tuple[str, int | None]:
    """Spiff's semantic errors name the element but not the line: find it ourselves."""
    for name in bundle.manifest["bpmn_files"]:
        doc, _ = lint.parse_xml(bundle, name)
        if doc is not None and element_id:
            found = doc.root.xpath("//*[@id=$id]", id=element_id)
            if found:
                return name, found[0].sourceline
    return "", None


def _build(bundle: Bundle, parser: SpiffBpmnParser, key: str, problems: list[Problem]) -> str | None:
    try:
        spec = parser.get_spec(key)
        subprocesses = parser.get_subprocess_specs(key)
        return spec_json(BpmnWorkflow(spec, subprocesses, script_engine=script_engine()))
    except ValidationException as exc:
        file, line = _line_of(bundle, exc.id)
        problems.append(Problem(exc.file_name or file or "manifest.json", f"流程解析失败：{exc}",
                                element=exc.id or key, line=line))
        return None


def compile_bundle(bundle: Bundle) -> list[CompiledProcess]:
    """Validate the whole bundle and build every process, or raise BundleInvalid listing all."""
    form_ok, problems = _form_problems(bundle)
    problems += _lint(bundle, form_ok)
    parser = _parser(bundle, problems)
    if problems:
        raise BundleInvalid(_summary(bundle, problems), errors=[p.as_dict() for p in problems])
    compiled = []
    for proc in bundle.manifest["processes"]:
        text = _build(bundle, parser, proc["key"], problems)
        if text is not None:
            compiled.append(CompiledProcess(proc["key"], proc["name"], text))
    if problems:
        raise BundleInvalid(_summary(bundle, problems), errors=[p.as_dict() for p in problems])
    return compiled


def _summary(bundle: Bundle, problems: list[Problem]) -> str:
    return f"流程包 {bundle.manifest.get('id', '?')} 有 {len(problems)} 处问题，未部署"
