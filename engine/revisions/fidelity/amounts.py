"""A threshold tests the amount its article means. A decision table that compares money reads
an amount the manifest declares (`amounts`: its label, which amount the article means —
declared, reviewed, funded, changed or the latest of these — the article, and the form fields
that set it), never a form field directly: a 100万 监理 threshold tested the declared budget
while the reviewed, funded and changed ones were never read, so a project raised past the line
escaped mandatory 监理. The engine keeps each declared amount at the latest value its fields
were given (engine.cases.amounts), so a later change is what the next evaluation sees.
"""

from __future__ import annotations

from ...regulations.bundles import Problem
from .facts import Facts, label

NO_FIELD = "金额「{amount}」取自「{field}」，但没有哪张表单有这个金额字段（标题写明「（元）」）"
DIRECT = ("决策表的「{column}」直接按表单「{field}」判定金额：请在决策表中为该列选择条款所指的金额"
          "（申报、审定、安排、调整后的，或以最近一次为准），由它判定")


def problems(facts: Facts) -> list[Problem]:
    declared = facts.bundle.manifest.get("amounts", {})
    found = []
    for var, spec in sorted(declared.items()):
        for source in spec.get("from", []):
            if not any(f.is_amount for f in facts.field_named(source)):
                message = NO_FIELD.format(amount=spec.get("label", var), field=source)
                found.append(Problem("manifest.json", message, element=var))
    for e in facts.expressions:
        if e.kind != "decision_input":
            continue
        for name in sorted(e.names - set(declared)):
            for f in facts.field_named(name):
                if f.is_amount:
                    found.append(e.doc.problem(e.element, DIRECT.format(column=label(e.element), field=f.title)))
                    break
    return found
