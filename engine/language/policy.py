"""How diagram code is compiled: an allow-list of syntax, and every operation routed
through a guard (see `guards.py`).

RestrictedPython (the library SpiffWorkflow's documentation points to) refuses names and
attributes starting with `_` and turns attribute and item access, writes, iteration and
unpacking into guard calls. This policy narrows its language to the syntax listed in
`ALLOWED_SYNTAX` — no `def`, `class`, `try`, `with`, `import`, `yield`, `global` — and also
routes calls, operators, comparisons, displays, `**` unpacking, f-string fields and `while`
loops through guards, so that nothing the code does escapes the budget.
"""

from __future__ import annotations

import ast
import re
from typing import Any

from RestrictedPython.transformer import RestrictingNodeTransformer, copy_locations

_SYNTAX_NAMES = {
    "Module": "脚本", "Expression": "表达式", "Expr": "表达式语句", "Assign": "赋值", "AugAssign": "增量赋值",
    "Delete": "del", "If": "if", "For": "for 循环", "While": "while 循环", "Break": "break",
    "Continue": "continue", "Pass": "pass", "Raise": "raise", "BoolOp": "and/or", "And": "and", "Or": "or",
    "BinOp": "运算", "UnaryOp": "运算", "Compare": "比较", "Call": "函数调用", "keyword": "关键字参数",
    "IfExp": "条件表达式", "Attribute": "属性", "Subscript": "下标", "Slice": "切片", "Name": "名称",
    "Constant": "常量", "List": "列表", "Tuple": "元组", "Set": "集合", "Dict": "字典", "ListComp": "推导式",
    "SetComp": "推导式", "DictComp": "推导式", "GeneratorExp": "生成器表达式", "comprehension": "推导式",
    "JoinedStr": "f-string", "FormattedValue": "f-string", "Lambda": "lambda", "arguments": "参数",
    "arg": "参数", "Starred": "*展开", "Load": "", "Store": "", "Del": "", "NamedExpr": ":=",
}
_OPERATORS = {"Add", "Sub", "Mult", "Div", "FloorDiv", "Mod", "Pow", "LShift", "RShift", "BitOr", "BitAnd",
              "BitXor", "MatMult", "UAdd", "USub", "Not", "Invert", "Eq", "NotEq", "Lt", "LtE", "Gt", "GtE",
              "Is", "IsNot", "In", "NotIn"}
ALLOWED_SYNTAX = frozenset(_SYNTAX_NAMES) | _OPERATORS
REFUSED_NAMES = {"print", "printed"}
_REFUSED_SYNTAX = {"Import": "import", "ImportFrom": "from … import", "FunctionDef": "def", "ClassDef": "class",
                   "Try": "try", "TryStar": "try", "With": "with", "Yield": "yield", "YieldFrom": "yield from",
                   "Global": "global", "Nonlocal": "nonlocal", "Assert": "assert", "Return": "return",
                   "AsyncFunctionDef": "async def", "Await": "await", "Match": "match", "AnnAssign": "类型标注"}
_TRANSLATIONS = [
    (re.compile(r'"(.+)" is an invalid attribute name because it starts with "_"'), "不得访问以下划线开头的属性：{}"),
    (re.compile(r'"(.+)" is an invalid variable name because it starts with "_"'), "不得使用以下划线开头的名称：{}"),
    (re.compile(r'"(.+)" is an invalid attribute name because it ends with "__roles__"'), "不允许访问属性 {}"),
    (re.compile(r'"(.+)" is a restricted name'), "不允许访问属性 {}（它通向解释器内部）"),
    (re.compile(r"(Exec|Eval) calls are not allowed"), "不允许调用 {}"),
    (re.compile(r"Augmented assignment of (?:attributes|object items and slices)( )is not allowed"),
     "不允许对属性或下标做增量赋值（请写成 x[k] = x[k] + 1）{}"),
]


def _call(name: str, *args: ast.expr, like: ast.AST) -> ast.Call:
    node = ast.Call(func=ast.Name(name, ast.Load()), args=list(args), keywords=[])
    copy_locations(node, like)
    copy_locations(node.func, like)
    return node


def _constant(node: ast.expr) -> bool:
    return isinstance(node, ast.Constant)


class DiagramPolicy(RestrictingNodeTransformer):
    """RestrictedPython's transformer, narrowed to diagram code and bounded throughout."""

    def visit(self, node: ast.AST) -> Any:
        kind = type(node).__name__
        if kind not in ALLOWED_SYNTAX:
            said = _REFUSED_SYNTAX.get(kind, kind)
            self.error(node, f"不允许的语法：{said}（表达式语言只包含赋值、if、for、while、推导式、lambda 和函数调用）")
            return node
        return super().visit(node)

    def error(self, node: ast.AST, info: str) -> None:
        """RestrictedPython's refusals, said in Chinese (the original wording names the rule)."""
        for pattern, chinese in _TRANSLATIONS:
            found = pattern.search(info)
            if found:
                info = chinese.format(*found.groups())
                break
        super().error(node, info)

    def visit_Module(self, node: ast.Module) -> Any:
        return ast.fix_missing_locations(super().visit_Module(node))

    def visit_Expression(self, node: ast.Expression) -> Any:
        return ast.fix_missing_locations(super().visit_Expression(node))

    def visit_Name(self, node: ast.Name) -> Any:
        if node.id in REFUSED_NAMES:
            self.error(node, f"不允许使用 {node.id}")
            return node
        return super().visit_Name(node)

    def visit_BinOp(self, node: ast.BinOp) -> Any:
        node = self.node_contents_visit(node)
        return _call(f"_{type(node.op).__name__}_", node.left, node.right, like=node)

    def visit_Compare(self, node: ast.Compare) -> Any:
        node = self.node_contents_visit(node)
        if not _constant(node.left):
            node.left = _call("_cmpval_", node.left, like=node.left)
        node.comparators = [c if _constant(c) else _call("_cmpval_", c, like=c) for c in node.comparators]
        return node

    def visit_Call(self, node: ast.Call) -> Any:
        node = super().visit_Call(node)
        for keyword in node.keywords:
            if keyword.arg is None:
                keyword.value = _call("_mapping_", keyword.value, like=keyword.value)
        if isinstance(node.func, ast.Name) and node.func.id == "_apply_":
            node.func.id = "_call_"
        else:
            node.args.insert(0, node.func)
            node.func = ast.Name("_call_", ast.Load())
            copy_locations(node.func, node)
        return node

    def visit_Starred(self, node: ast.Starred) -> Any:
        node = self.node_contents_visit(node)
        if isinstance(node.ctx, ast.Load):
            node.value = _call("_getiter_", node.value, like=node.value)
        return node

    def _display(self, node: ast.expr) -> Any:
        node = self.node_contents_visit(node)
        if isinstance(node, ast.Set):
            node.elts = [e if _constant(e) else _call("_cmpval_", e, like=e) for e in node.elts]
        elif isinstance(node, ast.Dict):
            node.values = [_call("_mapping_", v, like=v) if k is None else v
                           for k, v in zip(node.keys, node.values, strict=True)]
            node.keys = [k if k is None or _constant(k) else _call("_cmpval_", k, like=k) for k in node.keys]
        if isinstance(getattr(node, "ctx", ast.Load()), ast.Load):
            return _call("_alloc_", node, like=node)
        return node

    def visit_List(self, node: ast.List) -> Any:
        return self._display(node)

    def visit_Tuple(self, node: ast.Tuple) -> Any:
        return self._display(node)

    def visit_Set(self, node: ast.Set) -> Any:
        return self._display(node)

    def visit_Dict(self, node: ast.Dict) -> Any:
        return self._display(node)

    def visit_SetComp(self, node: ast.SetComp) -> Any:
        node = super().visit_SetComp(node)
        node.elt = _call("_cmpval_", node.elt, like=node.elt)
        return node

    def visit_DictComp(self, node: ast.DictComp) -> Any:
        node = super().visit_DictComp(node)
        node.key = _call("_cmpval_", node.key, like=node.key)
        return node

    def visit_FormattedValue(self, node: ast.FormattedValue) -> Any:
        node = self.node_contents_visit(node)
        spec = node.format_spec if node.format_spec is not None else ast.Constant("")
        formatted = _call("_format_", node.value, ast.Constant(node.conversion), spec, like=node)
        return ast.FormattedValue(value=formatted, conversion=-1, format_spec=None,
                                  lineno=node.lineno, col_offset=node.col_offset,
                                  end_lineno=node.end_lineno, end_col_offset=node.end_col_offset)

    def visit_While(self, node: ast.While) -> Any:
        node = super().visit_While(node)
        node.body.insert(0, ast.Expr(_call("_tick_", like=node)))
        return node
