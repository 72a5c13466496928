"""A draft's gateway conditions in words (condition_words), labelled and checked by the draft's
own fields: the vocabulary's fields (GET /drafts/{id}/words) and what its decision tables yield.
Without a draft, every jurisdiction's bundle in force names them."""

from __future__ import annotations

from typing import Any

from ..errors import EngineError
from ..regulations.condition_words import (
    ConditionWordsInvalid,
    expression_of,
    sentence,
    words_of,
)
from ..regulations.rule_fields import bundle_condition_fields
from ..users import Actor
from .draft_words import bundles_to_read, vocabularies


class ConditionInvalid(EngineError):
    """Condition words that cannot be written as an expression; `errors` name the key at fault."""

    status, type, title = 422, "condition-invalid", "条件设置有误"


def condition_in_words(actor: Actor, expression: str, draft_id: int | None = None) -> dict[str, Any]:
    """POST /words/condition: the words and sentence (both None when the condition cannot be said
    in the bundle's words), and the fields a condition may test, for the editor to offer. Any
    signed-in user may read a condition in force in words (bundles_to_read)."""
    fields = bundle_condition_fields(bundles_to_read(actor, draft_id))
    found = words_of(expression) if expression.strip() else None
    said = sentence(found, fields) if found else None
    return {"words": found if said else None, "sentence": said,
            "fields": [f.as_dict() for f in fields.values()]}


def condition_expression(actor: Actor, words: dict[str, Any], draft_id: int | None = None) -> dict[str, Any]:
    """POST /words/condition/expression: the expression for the words (administrators only); 422
    naming the key at fault."""
    _vocabs, bundles = vocabularies(actor, draft_id)
    fields = bundle_condition_fields(bundles)
    try:
        expression = expression_of(words, fields)
    except ConditionWordsInvalid as exc:
        raise ConditionInvalid(f"条件无法写成表达式：{exc.message}",
                               errors=[{"field": exc.field, "message": exc.message}]) from exc
    return {"expression": expression, "sentence": sentence(words, fields)}
