"""The state-only (de)serialisation equals SpiffWorkflow's own full round trip."""

from __future__ import annotations

import gzip
import json

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState

from engine.cases import serialization
from engine.cases.runtime import advance, new_workflow
from engine.regulations.bundles import from_folders
from engine.revisions.compiler import compile_bundle

from ..regulations.test_bundles import SAMPLE


def _mid_process() -> tuple[BpmnWorkflow, str]:
    spec_text = compile_bundle(from_folders(*SAMPLE))[0].spec_json
    wf = new_workflow(spec_text)
    wf.get_tasks(state=TaskState.READY)[0].data.update(project_name="项目", budget_yuan=5000, project_budget_yuan=5000)
    advance(wf)
    review = wf.get_tasks(state=TaskState.READY, manual=True)[0]
    review.data.update(review_result="approve", review_opinion="同意", countersign_units=["乙", "丙"])
    review.run()
    advance(wf)
    child = wf.get_tasks(state=TaskState.READY, manual=True)[0]
    child.data.update(agree=True, countersign_opinion={"agree": True})
    child.run()
    advance(wf)
    return wf, spec_text


def _full(wf: BpmnWorkflow) -> dict:
    state = json.loads(serialization.serializer().serialize_json(wf))
    for key in serialization.SPEC_KEYS:
        state.pop(key)
    return state


def test_dump_equals_library_serialisation_without_spec():
    wf, _ = _mid_process()
    assert json.loads(gzip.decompress(serialization.dump_state(wf))) == _full(wf)


def test_load_restores_the_same_workflow_with_shared_specs():
    wf, spec_text = _mid_process()
    restored = serialization.load_state(serialization.dump_state(wf), spec_text)
    assert _full(restored) == _full(wf)
    again = serialization.load_state(serialization.dump_state(wf), spec_text)
    assert again.spec is restored.spec  # restored once per version, shared read-only
    ready = [t for t in restored.get_tasks(state=TaskState.READY, manual=True)]
    assert len(ready) == 1 and ready[0].data["countersign_unit"] in ("乙", "丙")
    assert ready[0].data["budget_yuan"] == 5000  # delta-encoded task data came back whole
