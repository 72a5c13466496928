"""Every expression and script in a parsed process, found from SpiffWorkflow's specs.

The sites are read off the task-spec objects SpiffWorkflow's parser yields, not off XML
tags: each attribute of each spec class (and of the event definitions, decision tables and
conditions they hold) is either an expression site (`SITES`), a structure to walk into, or
known to hold no code (`INERT`). An attribute this module has never seen holding a value is
an `UnknownSite`: the bundle is refused rather than run with code nobody checked. Whatever
the check misses, the run still goes through the guarded evaluator (engine/language).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.event import Event

# class name → attribute → (what a process owner calls it, how it is evaluated)
SITES: dict[str, dict[str, tuple[str, str]]] = {
    "*": {"prescript": ("前置脚本", "exec"), "postscript": ("后置脚本", "exec")},
    "ScriptTask": {"script": ("脚本", "exec")},
    "ServiceTask": {"operation_params": ("服务任务参数", "eval")},
    "_BpmnCondition": {"args": ("流转条件", "eval")},
    "ParallelMultiInstanceTask": {"cardinality": ("多实例数量（loopCardinality）", "eval"),
                                  "condition": ("多实例完成条件（completionCondition）", "eval")},
    "SequentialMultiInstanceTask": {"cardinality": ("多实例数量（loopCardinality）", "eval"),
                                    "condition": ("多实例完成条件（completionCondition）", "eval")},
    "StandardLoopTask": {"condition": ("循环条件（loopCondition）", "eval")},
    "TimeDateEventDefinition": {"expression": ("定时器时间", "eval")},
    "DurationTimerEventDefinition": {"expression": ("定时器时长", "eval")},
    "CycleTimerEventDefinition": {"expression": ("定时器周期", "eval")},
    "ConditionalEventDefinition": {"expression": ("条件事件表达式", "eval")},
    "MessageEventDefinition": {"expression": ("消息内容表达式", "eval")},
    "CorrelationProperty": {"retrieval_expression": ("消息关联表达式", "eval")},
    "BpmnProcessSpec": {"completion_condition": ("完成条件", "eval")},
    "Input": {"expression": ("决策表输入表达式", "eval")},
    "InputEntry": {"lhs": ("决策表输入条件", "dmn-input")},
    "OutputEntry": {"text": ("决策表输出值", "eval")},
}
_TASK = {
    "name", "description", "manual", "lookahead", "bpmn_id", "bpmn_name", "lane", "documentation", "defines",
    "data", "pre_assign", "post_assign", "extensions", "io_specification", "data_input_associations",
    "data_output_associations", "resDict", "cancel_activity", "event_type", "cancel_remaining", "threshold",
    "split_task", "default_task_spec", "choice", "trigger_specs", "transaction", "spec", "task_spec",
    "variable", "data_input", "data_output", "input_item", "output_item", "maximum", "test_before", "svg",
    "file", "start", "end", "task_specs", "data_objects", "data_stores", "correlation_keys",
    "bpmn_start_events", "parallel", "message_var", "process_correlations", "category", "id", "label",
    "typeRef", "hit_policy", "row_number", "input", "output", "text", "event_definitions", "payload",
    "external", "code", "item_ref", "operation_name", "result_variable",
}
# attributes that hold the structures walked into (event definitions, tables, conditions)
NESTED = {"event_definition", "event_definitions", "dmnEngine", "decision_table", "inputs", "outputs", "rules",
          "inputEntries", "outputEntries", "cond_task_specs", "correlation_properties"}
_SKIP = {"_wf_spec", "_inputs", "_outputs", "_parent", "wf_spec"}


class UnknownSite(ValueError):
    """A spec attribute holding a value this module does not know to be code or not."""


@dataclass(frozen=True)
class Site:
    element: str      # the BPMN element, or the DMN rule, a process owner finds it on
    what: str         # in Chinese: 脚本, 流转条件, 定时器时间, 决策表输入条件, …
    source: str
    mode: str         # "eval", "exec" or "dmn-input" (a DMN input cell, read with its input)
    input_expression: str = ""
    target: str = ""  # for a flow condition: the task spec the flow leads to (its flow is found in the XML)


def _owner(obj: Any, element: str) -> str:
    """Problems are reported on what a process owner can click: the BPMN element, and in a
    decision table the rule (a cell's own id is not shown by the modeler)."""
    if type(obj).__name__ in ("Rule", "DecisionTable"):
        return obj.id
    return getattr(obj, "bpmn_id", None) or element


def _walk(obj: Any, element: str, target: str = "") -> Iterator[Site]:
    kind = type(obj).__name__
    own = {**SITES["*"], **SITES.get(kind, {})}
    element = element if kind == "_BpmnCondition" else _owner(obj, element)
    for attr, value in vars(obj).items():
        if attr in _SKIP or isinstance(value, Event) or value is None or value == [] or value == {}:
            continue
        if attr in own:
            yield from _sites(obj, attr, value, element, own[attr], target)
        elif attr in NESTED:
            yield from _nested(attr, value, element)
        elif attr not in _TASK:
            raise UnknownSite(f"{kind}.{attr}")


def _sites(obj: Any, attr: str, value: Any, element: str, label: tuple[str, str], target: str) -> Iterator[Site]:
    what, mode = label
    if mode == "dmn-input":
        for text in value:
            if isinstance(text, str):
                yield Site(element, what, text, mode, obj.input.expression or "None")
    elif isinstance(value, dict):  # a service task's parameters: {name: {"type", "value"}}
        yield from (Site(element, what, p["value"], mode) for p in value.values() if isinstance(p, dict))
    elif isinstance(value, tuple | list):
        yield from (Site(element, what, v, mode, target=target) for v in value if isinstance(v, str))
    elif isinstance(value, str):
        yield Site(element, what, value, mode)


def _nested(attr: str, value: Any, element: str) -> Iterator[Site]:
    if attr == "cond_task_specs":
        for condition, target in value:
            if condition is not None:  # the default flow has none
                yield from _walk(condition, element, target=target)
        return
    for item in value if isinstance(value, list | tuple) else [value]:
        yield from _walk(item, element)


def sites(specs: list[Any]) -> Iterator[Site]:
    """Every site of the process specs given (a process and the processes it calls)."""
    for spec in specs:
        yield from _walk(spec, spec.name)
        for task_spec in spec.task_specs.values():
            yield from _walk(task_spec, spec.name)
