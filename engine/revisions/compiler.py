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

from .. import language, safe_xml
from ..cases.serialization import spec_json
from ..errors import BundleInvalid
from ..language import forms
from ..language.scripting import allowed_names, script_engine
from ..regulations.bundles import Bundle, Problem
from . import dictionary, fidelity, lint
from .expression_sites import Site, UnknownSite, sites
from .start_forms import title_problems


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
        problems += lint.check_references(doc, processes, decisions)
        problems += lint.check_lanes_and_forms(doc, bundle, form_ok)
        problems += lint.check_recommended(doc)
    for proc in bundle.manifest["processes"]:
        if proc["key"] not in processes:
            problems.append(Problem("manifest.json", f"清单中的流程在 BPMN 文件中不存在：{proc['key']}"))
    return problems


def _line_of(bundle: Bundle, element_id: str | None) -> tuple[str, int | None]:
    """Spiff's semantic errors name the element but not the line: find it ourselves."""
    for name in bundle.manifest["bpmn_files"] + bundle.manifest.get("dmn_files", []):
        doc, _ = lint.parse_xml(bundle, name)
        if doc is not None and element_id:
            found = doc.root.xpath("//*[@id=$id]", id=element_id)
            if found:
                return name, found[0].sourceline
    return "", None


def _flow_of(bundle: Bundle, site: Site) -> str:
    """A flow condition is kept on its gateway in the spec; the flow itself is in the XML."""
    for name in bundle.manifest["bpmn_files"]:
        doc, _ = lint.parse_xml(bundle, name)
        found = doc.root.xpath("//*[local-name()='sequenceFlow'][@sourceRef=$s][@targetRef=$t]",
                               s=site.element, t=site.target) if doc is not None else []
        if found:
            return found[0].get("id")
    return site.element


def _site_problem(bundle: Bundle, site: Site, names: set[str]) -> Problem | None:
    source = language.dmn_input_entry(site.input_expression, site.source) if site.mode == "dmn-input" \
        else site.source
    message = language.check(source, names, "exec" if site.mode == "exec" else "eval")
    if message is None:
        return None
    element = _flow_of(bundle, site) if site.target else site.element
    file, line = _line_of(bundle, element)
    return Problem(file or "manifest.json", f"{site.what}：{message}：{site.source.strip()[:80]}",
                   element=element, line=line)


def _expression_problems(bundle: Bundle, specs: list) -> list[Problem]:
    """Every expression site of the parsed specs, checked by the evaluator's own compiler."""
    names = allowed_names()
    try:
        found = list(sites(specs))
    except UnknownSite as exc:
        return [Problem("manifest.json", f"流程中有求值器不认识的表达式位置（{exc}），为安全起见拒绝部署")]
    problems = [_site_problem(bundle, site, names) for site in dict.fromkeys(found)]
    return [p for p in problems if p is not None]


def _specs(bundle: Bundle, parser: SpiffBpmnParser, key: str, problems: list[Problem]) -> list | None:
    """The parsed specs of one process and those it calls; a parse failure is a problem only
    when nothing else is wrong (a dangling flow already reported makes Spiff's message noise)."""
    try:
        spec = parser.get_spec(key)
        return [spec, *parser.get_subprocess_specs(key).values()]
    except ValidationException as exc:
        if not problems:
            file, line = _line_of(bundle, exc.id)
            problems.append(Problem(exc.file_name or file or "manifest.json", f"流程解析失败：{exc}",
                                    element=exc.id or key, line=line))
        return None


def parsed_specs(bundle: Bundle, problems: list[Problem]) -> dict[str, list | None]:
    """Per process key, its parsed spec and those it calls, as SpiffWorkflow's parser yields
    them (None where parsing failed; the reasons are appended to `problems`)."""
    parser = _parser(bundle, problems)
    return {proc["key"]: _specs(bundle, parser, proc["key"], problems) for proc in bundle.manifest["processes"]}


def compile_bundle(bundle: Bundle) -> list[CompiledProcess]:
    """Validate the whole bundle and build every process, or raise BundleInvalid listing all."""
    form_ok, problems = _form_problems(bundle)
    problems += _lint(bundle, form_ok)
    problems += dictionary.problems(bundle)
    problems += title_problems(bundle)
    problems += fidelity.problems(bundle)
    parsed = parsed_specs(bundle, problems)
    for specs in filter(None, parsed.values()):
        problems += [p for p in _expression_problems(bundle, specs) if p not in problems]
    if None in parsed.values():
        names = allowed_names()
        for name in bundle.manifest["bpmn_files"]:
            doc, _ = lint.parse_xml(bundle, name)
            if doc is not None:
                problems += lint.check_expressions(doc, lambda source, mode: language.check(source, names, mode))
    if problems:
        raise BundleInvalid(_summary(bundle, problems), errors=[p.as_dict() for p in problems])
    return [CompiledProcess(proc["key"], proc["name"], _spec_json(parsed[proc["key"]]))
            for proc in bundle.manifest["processes"]]


def _spec_json(specs: list) -> str:
    spec, *called = specs
    return spec_json(BpmnWorkflow(spec, {s.name: s for s in called}, script_engine=script_engine()))


def _summary(bundle: Bundle, problems: list[Problem]) -> str:
    return f"流程包 {bundle.manifest.get('id', '?')} 有 {len(problems)} 处问题，未部署"
