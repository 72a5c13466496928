"""A parallel fork/join inside a send-back loop (hunan-provincial pre_review: fork_joint_review
… join_joint_review, 退回补正 back before the fork) must wait for every branch of the current
round, whatever order the branches are done in, with or without a save/reload between steps.

SpiffWorkflow 3.2.0 counted the cancelled join tasks of earlier rounds as arrived tokens, so
the join could fire with a branch of the current round still open; a later round then crashed
in the join (`AttributeError: 'NoneType' object has no attribute 'data'`). See
`serialization._loop_safe_parallel_joins`.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest
from SpiffWorkflow.bpmn import BpmnWorkflow
from SpiffWorkflow.spiff.parser.process import VALIDATOR, SpiffBpmnParser

from engine.cases import runtime, serialization
from engine.language.scripting import script_engine

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "parallel"
BRANCHES = ("review_a", "review_b", "review_c", "review_d")


def _spec_text(process: str) -> str:
    """Parsed and stored the way engine/revisions/compiler.py does it."""
    parser = SpiffBpmnParser(validator=VALIDATOR)
    parser.add_bpmn_files(sorted(str(p) for p in FIXTURES.glob("*.bpmn")))
    wf = BpmnWorkflow(parser.get_spec(process), parser.get_subprocess_specs(process), script_engine=script_engine())
    return serialization.spec_json(wf)


SPECS = {name: _spec_text(name) for name in ("looped_join", "calls_looped_join")}


class Case:
    """One case driven like the service: submit, run the automatic steps, and (if `reload`)
    dump and reload the state between every step."""

    def __init__(self, process: str, reload: bool) -> None:
        self.spec_text, self.reload = SPECS[process], reload
        self.wf = runtime.new_workflow(self.spec_text)
        runtime.advance(self.wf)

    def open(self) -> list[str]:
        return sorted(t.task_spec.bpmn_id for t in runtime.open_user_tasks(self.wf))

    def do(self, element: str, **data: object) -> None:
        task = next(t for t in runtime.open_user_tasks(self.wf) if t.task_spec.bpmn_id == element)
        runtime.submit(task, data or {element: True})
        runtime.advance(self.wf)
        if self.reload:
            self.wf = serialization.load_state(serialization.dump_state(self.wf), self.spec_text)

    def review_round(self, order: tuple[str, ...], result: str) -> None:
        assert self.open() == sorted(BRANCHES)
        for done, element in enumerate(order, 1):
            self.do(element)
            if done < len(order):  # the join waits for every branch of this round
                assert self.open() == sorted(order[done:]), order
        assert self.open() == ["conclude"]
        self.do("conclude", result=result)
        if result == "send_back":
            self.do("revise")


@pytest.mark.parametrize("reload", [False, True], ids=["in_memory", "reloaded"])
@pytest.mark.parametrize("process", ["looped_join", "calls_looped_join"])
def test_join_of_a_later_round_waits_for_the_branch_done_earlier_last_time(process, reload):
    case = Case(process, reload)
    case.do("submit")
    case.review_round(("review_a", "review_b", "review_c", "review_d"), "send_back")
    # review_c was done before review_d last round: its stale token must not count now.
    for element in ("review_a", "review_b", "review_d"):
        case.do(element)
    assert case.open() == ["review_c"]
    case.do("review_c")
    case.do("conclude", result="pass")
    assert case.wf.completed and runtime.outcome(case.wf) is not None


@pytest.mark.parametrize("reload", [False, True], ids=["in_memory", "reloaded"])
def test_every_order_over_three_rounds_completes(reload):
    """The simulator's failing shape: a round whose order differs from the one before, then a
    third round (which used to crash in the join)."""
    first = BRANCHES
    for second in itertools.permutations(BRANCHES):
        case = Case("looped_join", reload)
        case.do("submit")
        case.review_round(first, "send_back")
        case.review_round(second, "send_back")
        case.review_round(tuple(reversed(second)), "pass")
        assert case.wf.completed, second
