"""Rules and deadlines in words: a timer's deadline and a gateway's condition as a sentence (any
signed-in user, for the rules in force; a draft's, administrators) and back (administrators), a
draft's vocabulary, a draft's decision tables edited in words (administrators)."""

from __future__ import annotations

from flask_smorest import Blueprint

from engine import revisions

from ..auth import current_actor
from ..schemas import ID_PATH, DraftDetailOut
from ..words_schemas import (
    ConditionExpressionIn,
    ConditionSentenceOut,
    ConditionWordsIn,
    ConditionWordsOut,
    DecisionTableCreatedOut,
    DecisionTableIn,
    DecisionTableNewIn,
    DecisionTableOut,
    DraftWordsOut,
    TimerExpressionIn,
    TimerSentenceOut,
    TimerWordsIn,
    TimerWordsOut,
)

blp = Blueprint("words", __name__, url_prefix="/api/v1",
                description="规则与期限的文字表达（读取现行规则：登录用户；写回与草稿：仅管理员）")


@blp.route("/words/timer", methods=["POST"])
@blp.arguments(TimerExpressionIn)
@blp.response(200, TimerWordsOut)
def timer_words(args: dict) -> dict:
    """定时表达式 → 期限文字（无法表达时 words 为空；现行规则任何登录用户可读，草稿仅管理员）"""
    return revisions.timer_in_words(current_actor(), args["expression"], args.get("draft_id"))


@blp.route("/words/timer/expression", methods=["POST"])
@blp.arguments(TimerWordsIn)
@blp.response(200, TimerSentenceOut)
def timer_expression(args: dict) -> dict:
    """期限文字 → 定时表达式（仅管理员；数量或字段有误时 422，并指明字段）"""
    draft_id = args.pop("draft_id", None)
    return revisions.timer_expression(current_actor(), args, draft_id)


@blp.route("/words/condition", methods=["POST"])
@blp.arguments(ConditionExpressionIn)
@blp.response(200, ConditionWordsOut)
def condition_words(args: dict) -> dict:
    """条件表达式 → 条件文字（无法表达时 words 为空），及条件可判断的数据项（现行规则任何登录用户可读，草稿仅管理员）"""
    return revisions.condition_in_words(current_actor(), args["expression"], args.get("draft_id"))


@blp.route("/words/condition/expression", methods=["POST"])
@blp.arguments(ConditionWordsIn)
@blp.response(200, ConditionSentenceOut)
def condition_expression(args: dict) -> dict:
    """条件文字 → 条件表达式（仅管理员；字段、比较或值有误时 422，并指明字段）"""
    draft_id = args.pop("draft_id", None)
    return revisions.condition_expression(current_actor(), args, draft_id)


@blp.route(f"/drafts/<{ID_PATH}:draft_id>/words", methods=["GET"])
@blp.response(200, DraftWordsOut)
def draft_words(draft_id: int) -> dict:
    """草稿的词汇：条款、日期字段、表单、决策表、流程、角色、代码及其名称"""
    return revisions.draft_vocabulary(current_actor(), draft_id)


@blp.route(f"/drafts/<{ID_PATH}:draft_id>/decisions/<bundle_path:path>", methods=["GET"], merge_slashes=False)
@blp.response(200, DecisionTableOut)
def decision_table(draft_id: int, path: str) -> dict:
    """草稿中的决策表，按文字编辑的结构"""
    return revisions.draft_decisions_for_editing(current_actor(), draft_id, path)


@blp.route(f"/drafts/<{ID_PATH}:draft_id>/decisions/<bundle_path:path>", methods=["PUT"], merge_slashes=False)
@blp.arguments(DecisionTableIn)
@blp.response(200, DraftDetailOut)
def save_decision_table(args: dict, draft_id: int, path: str) -> dict:
    """保存按文字编辑的决策表（带修订号；他人已保存时 409）"""
    return revisions.save_draft_decisions(current_actor(), draft_id, path, args)


@blp.route(f"/drafts/<{ID_PATH}:draft_id>/decisions", methods=["POST"])
@blp.arguments(DecisionTableNewIn)
@blp.response(201, DecisionTableCreatedOut)
def create_decision_table(args: dict, draft_id: int) -> tuple[dict, int]:
    """新建决策表：名称与条件列、结果列（列在清单的 dmn_files 中；带修订号）"""
    return revisions.create_draft_decision(current_actor(), draft_id, args), 201
