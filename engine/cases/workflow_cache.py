"""Per-worker cache of deserialized workflows, keyed by (instance id, revision).

Deserializing a case is about a sixth of a completion (docs/performance.md). After a
successful change the worker that made it still holds the workflow object it saved, which is
the case at its new revision; the next request for that case in this worker takes it instead of
reading and restoring the stored state.

An entry is found only by the case's id and revision *and* the exact bytes of its stored state
(compared, not hashed: a few microseconds), so another database in the same process (tests run
many apps; ids and revisions repeat) or a row rewritten by any other path never matches.

Safety comes from ownership, not copying: `take` removes the entry, so a workflow object is
only ever used by one request at a time, and a request that fails after taking one (a form
error, a lost race, a diagram error half-way through `advance`) simply never puts it back — a
mutated, unsaved workflow can never be seen by a later request. `keep` is called only after the
transaction committed, with the revision it committed. A stale entry (another worker or the
timer scheduler changed the case since) is never found: its revision is not the row's.
`tests/cases/test_workflow_cache.py` checks that a kept workflow saves exactly what a restored one does.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from SpiffWorkflow.bpmn import BpmnWorkflow
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..audit import HEAD_ONLY_CHANGES

MAX_ENTRIES = 256  # recently completed cases per worker; a case's workflow is tens of KB

_entries: OrderedDict[tuple[int, int], tuple[bytes, BpmnWorkflow]] = OrderedDict()
_lock = threading.Lock()


def take(instance_id: int, revision: int, state: bytes) -> BpmnWorkflow | None:
    """The workflow saved as exactly this state of the case at this revision, removed from the
    cache; None if absent."""
    with _lock:
        entry = _entries.pop((instance_id, revision), None)
    return entry[1] if entry is not None and entry[0] == state else None


def keep(instance_id: int, revision: int, state: bytes, workflow: BpmnWorkflow) -> None:
    """Remember a workflow as committed at `revision` with `state` (call only after the commit)."""
    with _lock:
        for key in [k for k in _entries if k[0] == instance_id]:
            del _entries[key]  # older revisions of the case can never be asked for again
        _entries[(instance_id, revision)] = (state, workflow)
        while len(_entries) > MAX_ENTRIES:
            _entries.popitem(last=False)


def clear() -> None:
    with _lock:
        _entries.clear()


# A change that only moved a case's audit head (claim, reassign, an upload) moved its revision
# but not its state: the entry is re-keyed to the committed revision (engine/audit.py notes them).
@event.listens_for(Session, "before_commit")
def _flush_to_learn_revisions(session: Session) -> None:
    noted = session.info.get(HEAD_ONLY_CHANGES)
    if not noted:
        return
    session.flush()  # the revision the commit writes (attributes expire at commit)
    for item in noted.values():
        inst = item[0]
        item[3] = (inst.revision, inst.state) if "state" in inst.__dict__ else None


@event.listens_for(Session, "after_commit")
def _carry_cached_workflows(session: Session) -> None:
    for inst_id, (_, revision, state, after) in session.info.pop(HEAD_ONLY_CHANGES, {}).items():
        if after is None or after[0] == revision or after[1] != state:
            continue  # the state changed: whoever changed it keeps its own workflow (remember)
        workflow = take(inst_id, revision, state)
        if workflow is not None:
            keep(inst_id, after[0], state, workflow)
