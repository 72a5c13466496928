"""Instance state <-> bytes. The spec is split off and stored once per deployed version.

SpiffWorkflow's `serialize_json`/`deserialize_json` convert the whole spec on every call
(about half the cost of a load). Cases only ever pair a state with the spec of their own
version, so we convert the state alone and attach spec objects restored once per version and
shared read-only. SpiffWorkflow's specs are immutable at run time but for one place, which
`_prewire_event_subprocesses` takes care of; `_loop_safe_parallel_joins` works around a join bug
on the same shared objects. The pieces used
are SpiffWorkflow 3.2.0's own converter methods; `tests/cases/test_serialization.py` checks that the
result equals the library's full round trip.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import threading
from functools import lru_cache
from types import MethodType
from typing import Any
from uuid import UUID

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.helpers.dictionary import DictionaryConverter
from SpiffWorkflow.bpmn.specs.mixins.parallel_gateway import ParallelGateway
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.util.task import TaskState

from ..language.scripting import case_script_engine, script_engine
from . import compaction

SPEC_KEYS = ("spec", "subprocess_specs")


def _registry() -> DictionaryConverter:
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    # Helpers return strings, but a script may still build a date; keep it serialisable.
    registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda d: dt.date.fromisoformat(d["value"]))
    return registry


_per_thread = threading.local()


def serializer() -> BpmnWorkflowSerializer:
    """This thread's serializer. Its registry holds mutable encoder state (`_encoder_mode`,
    set only for the length of one dump), so threads never share one; building it costs
    ≈ 0.3 ms, twice per change (load and save) when built per call."""
    ser = getattr(_per_thread, "serializer", None)
    if ser is None:
        ser = _per_thread.serializer = BpmnWorkflowSerializer(_registry())
    return ser


def _workflow_converter(ser: BpmnWorkflowSerializer) -> Any:
    """The registry's BpmnWorkflowConverter (its restore entry wraps the bound from_dict)."""
    restore = ser.registry.convert_from_dict[ser.registry.typenames[BpmnWorkflow]]
    return restore.args[0].__self__


def spec_json(workflow: BpmnWorkflow) -> str:
    """The spec part of a workflow, as stored on its process version."""
    state = json.loads(serializer().serialize_json(workflow))
    return json.dumps({k: state[k] for k in SPEC_KEYS}, ensure_ascii=False)


@lru_cache(maxsize=128)
def restored_specs(spec_text: str) -> tuple[Any, dict[str, Any]]:
    """Spec objects of a stored version, restored once and shared by all its cases."""
    parts = json.loads(spec_text)
    registry = serializer().registry
    subs = {name: registry.restore(spec) for name, spec in parts["subprocess_specs"].items()}
    spec = registry.restore(parts["spec"])
    for process_spec in (spec, *subs.values()):
        _prewire_event_subprocesses(process_spec)
        _loop_safe_parallel_joins(process_spec)
    return spec, subs


def _prewire_event_subprocesses(process_spec: Any) -> None:
    """SpiffWorkflow 3.2's `BpmnStartTask.trigger_wf` wires an event subprocess to the start
    task the first time its event arrives, on the spec. On spec objects shared by every case of
    a version, each case started afterwards would have its start predict that event subprocess
    as a child, and its end join would wait for it forever (the case never completes). Wire the
    incoming side (what the triggered task's readiness test needs) and the way to the end once,
    here; the start task's outputs stay the real ones, so `trigger_wf` never mutates again."""
    start, end = process_spec.start, process_spec.end
    for name in getattr(start, "trigger_specs", []):
        task_spec = process_spec.task_specs[name]
        if start.name not in task_spec._inputs:
            task_spec._inputs.append(start.name)
        if end.name not in task_spec._outputs:
            task_spec.connect(end)


def _loop_safe_parallel_joins(process_spec: Any) -> None:
    """SpiffWorkflow 3.2.0 bug: a parallel join that a send-back loop runs again (e.g. a joint review
    by several departments that a pre-review sends back) counts the join tasks left by earlier rounds (CANCELLED, their
    branch task COMPLETED) as tokens that have arrived. If a round's branches are done in a
    different order than the round before, the join fires with a branch of this round still open
    (the case goes on while one department's review is still to do); finishing that branch later
    fires the join a second time, whose `_run_hook` drops the later round's tasks while merging
    them: `AttributeError: 'NoneType' object has no attribute 'data'`. The library's own threshold
    test, with one more rule: once this join has fired before on the way to this task, only
    tokens that arrived after that firing (its descendants) count. tests/cases/test_parallel_loops.py."""
    for task_spec in process_spec.task_specs.values():
        if isinstance(task_spec, ParallelGateway):
            task_spec._check_threshold_unstructured = MethodType(_join_threshold, task_spec)


def _join_threshold(spec: ParallelGateway, my_task: Any) -> bool:
    """ParallelGateway._check_threshold_unstructured of SpiffWorkflow 3.2.0 plus `fired` below."""
    fired = my_task.parent  # the latest earlier firing of this join on the way here, if any
    while fired is not None and fired.task_spec is not spec:
        fired = fired.parent
    waiting_inputs = set(spec.inputs)

    def remove_ancestor(task: Any) -> None:
        if task.task_spec in waiting_inputs:
            waiting_inputs.remove(task.task_spec)
        elif task.parent is not None:
            remove_ancestor(task.parent)

    for task in my_task.workflow.get_tasks(spec_name=spec.name):
        if task.is_descendant_of(my_task):  # first iteration of a join that an input loops into
            remove_ancestor(task)
        # An earlier firing (the library's rule), or a token of an earlier round (ours).
        elif my_task.is_descendant_of(task) or (fired is not None and not task.is_descendant_of(fired)):
            continue
        elif task.parent.state == TaskState.COMPLETED and task.parent.task_spec in waiting_inputs:
            waiting_inputs.remove(task.parent.task_spec)
    return not waiting_inputs


def dump_state(workflow: BpmnWorkflow) -> bytes:
    """The case's tasks and data (not its spec), as gzip-compressed JSON text. Key order is
    kept as written: SpiffWorkflow's delta encoding of task data depends on it. The finished
    tasks running no longer reads are dropped from the workflow first (engine/cases/compaction.py),
    so the state stays the size of what is running; the workflow in memory is the one stored."""
    compaction.compact(workflow)
    ser = serializer()
    converter = _workflow_converter(ser)
    ser.registry._encoder_mode = True
    try:
        state = super(type(converter), converter).to_dict(workflow)
        state["subprocesses"] = converter.mapping_to_dict(workflow.subprocesses)
        state["bpmn_events"] = ser.registry.convert(workflow.bpmn_events)
        state["typename"] = ser.registry.typenames[BpmnWorkflow]  # as the library writes it
        state[ser.VERSION_KEY] = ser.VERSION
        if counts := compaction.pruned_counts(workflow):
            state[compaction.PRUNED_KEY] = counts
        text = json.dumps(state, cls=ser._encoder_cls, ensure_ascii=False)
    finally:
        ser.registry._encoder_mode = False
    return gzip.compress(text.encode("utf-8"), compresslevel=5)


def load_state(state: bytes, spec_text: str, case_id: int | None = None) -> BpmnWorkflow:
    """The workflow of a stored state; with `case_id`, its diagram's case helpers act on that
    case (see `scripting.case_script_engine`), without, they refuse."""
    ser = serializer()
    dct = json.loads(gzip.decompress(state), cls=ser.json_decoder_cls)
    pruned = dct.pop(compaction.PRUNED_KEY, {})
    ser.migrate(dct)  # a state written by an older serializer version is upgraded first
    spec, subs = restored_specs(spec_text)
    converter = _workflow_converter(ser)
    workflow = BpmnWorkflow(spec, subs, deserializing=True)
    workflow.tasks = converter.mapping_from_dict(dct["tasks"], UUID, workflow=workflow)
    workflow.task_tree = workflow.tasks.get(UUID(dct["root"]))
    converter.set_default_attributes(workflow, dct)
    converter.subprocesses_from_dict(dct["subprocesses"], workflow)
    workflow.bpmn_events = ser.registry.restore(dct.pop("bpmn_events", []))
    workflow.script_engine = script_engine() if case_id is None else case_script_engine(case_id)
    workflow.pruned_completed = pruned
    return workflow
