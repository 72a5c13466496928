"""Instance state <-> bytes. The spec is split off and stored once per deployed version."""

from __future__ import annotations

import datetime as dt
import gzip
import json
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from .scripting import script_engine

SPEC_KEYS = ("spec", "subprocess_specs")


def _registry():
    registry = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)
    # Helpers return strings, but a script may still build a date; keep it serialisable.
    registry.register(dt.date, lambda v: {"value": v.isoformat()}, lambda d: dt.date.fromisoformat(d["value"]))
    return registry


def serializer() -> BpmnWorkflowSerializer:
    # Construction is cheap (~0.3 ms) and the serializer holds mutable encoder state:
    # one per call is the thread-safe choice.
    return BpmnWorkflowSerializer(_registry())


def spec_json(workflow: BpmnWorkflow) -> str:
    """The spec part of a workflow, as stored on its process version."""
    state = json.loads(serializer().serialize_json(workflow))
    return json.dumps({k: state[k] for k in SPEC_KEYS}, ensure_ascii=False)


def dump_state(workflow: BpmnWorkflow) -> bytes:
    text = serializer().serialize_json(workflow)
    state = json.loads(text)
    for key in SPEC_KEYS:
        state.pop(key)
    # json.loads/dumps keeps key order, which the delta encoding of task data depends on.
    return gzip.compress(json.dumps(state, ensure_ascii=False).encode("utf-8"), compresslevel=5)


@lru_cache(maxsize=256)
def _spec_parts(spec_text: str) -> str:
    parts = json.loads(spec_text)
    return ", ".join(f'"{k}": {json.dumps(parts[k], ensure_ascii=False)}' for k in SPEC_KEYS)


def load_state(state: bytes, spec_text: str) -> BpmnWorkflow:
    body = gzip.decompress(state).decode("utf-8").rstrip()
    # Splice the cached spec text into the state text: cheaper than re-encoding both as dicts.
    combined = body[:-1] + ", " + _spec_parts(spec_text) + "}"
    workflow = serializer().deserialize_json(combined)
    workflow.script_engine = script_engine()
    return workflow


def state_size(state: bytes) -> dict[str, Any]:
    return {"compressed": len(state), "json": len(gzip.decompress(state))}
