"""Running cases: starting and completing them, their workflow and its stored state, the task
index, timers, case actions, documents, who may see and do what, and the read models staff see.

This is the wing's public face: `api/`, `bench/` and the CLI use these names, never a module
inside. Modules: instances (start, complete, claim), lookups (a task, a case, a start form for
an actor), runtime (the live SpiffWorkflow workflow), serialization and compaction (state ⇄
bytes), workflow_cache, task_index, timers and timer_batch, case_actions (撤回, suspend, resume,
terminate, messages), attachments and attachment_store, access and candidates, views, record,
catalog and diagram_state (read models), consistency (state and index agree).
"""

from .access import actionable
from .amounts import kept as kept_amounts
from .attachment_store import AttachmentStore
from .attachment_store import from_setting as attachment_store_from_setting
from .attachments import as_dicts as attachment_dicts
from .attachments import content as attachment_content
from .attachments import for_instance as attachments_of_case
from .attachments import get as get_attachment
from .attachments import prune_unbound as prune_unbound_attachments
from .attachments import target as attachment_target
from .attachments import upload as upload_attachment
from .attachments import verify_all as verify_attachments
from .candidates import candidates as assign_candidates
from .case_actions import resume, send_message, suspend, terminate, urge, withdraw
from .catalog import jurisdiction_articles, jurisdiction_coverage, process_decisions, process_files
from .catalog import start_form as start_form_view
from .consistency import check_all as check_consistency
from .diagram_state import diagram_state as case_diagram_state
from .instances import assign, claim, complete, remember, start, unclaim
from .record import audit_trail as instance_audit
from .record import case_record
from .runtime import (
    FORM,
    TaskState,
    advance,
    facts,
    find_open_task,
    new_workflow,
    next_due,
    open_user_tasks,
    submit,
    waiting_timers,
)
from .serialization import dump_state, load_state
from .timers import loop as timer_loop
from .timers import run_due as fire_due_timers
from .views import (
    TOTAL_CAP,
    InstanceFilter,
    TaskFilter,
    case_after_action,
    done_tasks,
    instance_detail,
    instance_summary,
    jurisdictions,
    list_instances,
    list_notices,
    list_tasks,
    mark_notice_read,
    process_bpmn,
    process_detail,
    task_detail,
    task_dict,
)

__all__ = [
    "FORM",
    "TOTAL_CAP",
    "AttachmentStore",
    "InstanceFilter",
    "TaskFilter",
    "TaskState",
    "actionable",
    "advance",
    "assign",
    "assign_candidates",
    "attachment_content",
    "attachment_dicts",
    "attachment_store_from_setting",
    "attachment_target",
    "attachments_of_case",
    "case_after_action",
    "case_diagram_state",
    "case_record",
    "check_consistency",
    "claim",
    "complete",
    "done_tasks",
    "dump_state",
    "facts",
    "find_open_task",
    "fire_due_timers",
    "get_attachment",
    "instance_audit",
    "instance_detail",
    "instance_summary",
    "jurisdiction_articles",
    "jurisdiction_coverage",
    "jurisdictions",
    "kept_amounts",
    "list_instances",
    "list_notices",
    "list_tasks",
    "load_state",
    "mark_notice_read",
    "new_workflow",
    "next_due",
    "open_user_tasks",
    "process_bpmn",
    "process_decisions",
    "process_detail",
    "process_files",
    "prune_unbound_attachments",
    "remember",
    "resume",
    "send_message",
    "start",
    "start_form_view",
    "submit",
    "suspend",
    "task_detail",
    "task_dict",
    "terminate",
    "timer_loop",
    "unclaim",
    "upload_attachment",
    "urge",
    "verify_attachments",
    "waiting_timers",
    "withdraw",
]
