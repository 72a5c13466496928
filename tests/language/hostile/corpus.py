"""The hostile corpus for diagram code: escapes that must be refused at deploy, and costs that
must be bounded at run time, each placed at every kind of expression site of the sample bundle.

`CANARY` is the file every escape tries to write; a test fails if it ever exists.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from ...conftest import FIXTURES

SAMPLE = FIXTURES / "bpmn" / "sample"
FORMS = FIXTURES / "forms" / "sample"
CANARY = Path("/tmp/govit-sandbox-canary")
C = str(CANARY)

# ---- escapes: refused at deploy, at every site ------------------------------------------
ESCAPES: dict[str, str] = {
    "S1 loopCardinality os.system": "1 + [c for c in ().__class__.__mro__[1].__subclasses__() if c.__name__ == "
                                    f"'_wrap_close'][0].__init__.__globals__['system']('touch {C}')",
    "S2 generator frame to builtins": "[y for y in (g.gi_frame.f_back for g in [1])][0].f_globals['__builtins__']"
                                      f"['open']('{C}', 'w')",
    "generator frame by another name": "[g for g in (x for x in [1])][0].gi_frame",
    "coroutine frame": "[g for g in (x for x in [1])][0].cr_frame",
    "traceback of an exception": "[e for e in [ValueError()]][0].__traceback__.tb_frame",
    "traceback by name": "[e for e in [ValueError()]][0].with_traceback(None)",
    "exception args walk": "ValueError().args.__class__",
    "format walk": "'{0.__class__.__mro__}'.format(1)",
    "format_map walk": "'{a.__class__}'.format_map({'a': 1})",
    "format through f-string attribute": "f'{(1).__class__}'",
    "class hierarchy by type": "type(1).mro()",
    "class hierarchy by getattr": "getattr(getattr(1, 'real'), 'bit_length')",
    "vars subscript": "vars()['__builtins__']",
    "globals": "globals()['__builtins__']",
    "closure internals": "(lambda: 0).__code__",
    "closure globals": "(lambda: 0).__globals__['__builtins__']",
    "function attribute by plain name": "(lambda: 0).func_globals",
    "import through builtins": f"__import__('os').system('touch {C}')",
    "open": f"open('{C}', 'w')",
    "eval": f"eval('open(\"{C}\", \"w\")')",
    "exec": "exec('x = 1')",
    "compile": "compile('1', 'x', 'eval')",
    "breakpoint": "breakpoint()",
    "method of a type": "str.format('{0.__class__}', 1)",
    "a constant too big": "10 ** 10 ** 10",
}
SCRIPT_ONLY_ESCAPES: dict[str, str] = {
    "import statement": "import os",
    "from import": "from os import system",
    "def with closure walk": "def f():\n    return 1\nx = f.__closure__",
    "class definition": "class A:\n    pass",
    "try swallowing a bound": "try:\n    x = 'a' * 10 ** 8\nexcept Exception:\n    x = 0",
    "with statement": f"with open('{C}') as f:\n    x = 1",
    "global": "global x\nx = 1",
    "print": "print('x')",
    "generator function frame": "def g():\n    yield 1\nx = g().gi_frame",
    "endless loop": "while True:\n    x = 1",
    "guard override": "_getattr_ = 1",
}

# ---- costs: bounded at run time (they depend on case data or on values only known then) ---
_STRAIGHT = "r = list(range(10 ** 6))\n" + "x = sorted(r, key=str)\n" * 40
COSTS: dict[str, str] = {
    "S3 % width": "x = '%0200000000d' % n",
    "S3 f-string width": "x = f'{n:0200000000d}'",
    "S3 f-string nested width": "w = 200000000\nx = f'{n:{w}d}'",
    "S3 ljust": "x = 'a'.ljust(200000000 + n)",
    "S3 replace chain": "x = ('a' * 1000).replace('a', 'a' * 1000).replace('a', 'a' * 1000)",
    "S3 sum of lists": "x = len(sum([[0] * 1000] * 3000, []))",
    "S3 straight-line sorted": _STRAIGHT,
    "str * int": "x = 'a' * (10 ** 7 + n)",
    "list * int": "x = [0] * (10 ** 7 + n)",
    "tuple * int": "x = (0,) * (10 ** 7 + n)",
    "int ** int": "x = (n + 7) ** (10 ** 6)",
    "int << int": "x = (n + 1) << (10 ** 7)",
    "str + str doubling": "x = 'ab'\nfor i in range(40):\n    x = x + x",
    "list += doubling": "x = [0]\nfor i in range(40):\n    x += x",
    "list.extend doubling": "x = [0]\nfor i in range(40):\n    x.extend(x)",
    "slice assignment doubling": "x = [0]\nfor i in range(40):\n    x[len(x):] = x",
    "set union growth": "x = set(range(10 ** 6)) | set(range(10 ** 6, 3 * 10 ** 6))",
    "dict display unpacking": "d = {i: i for i in range(10 ** 6)}\nx = [{**d} for i in range(100)]",
    "retained allocations": "x = [list(range(10 ** 6)) for i in range(100)]",
    "center": "x = 'a'.center(10 ** 8)",
    "rjust": "x = 'a'.rjust(10 ** 8)",
    "zfill": "x = '1'.zfill(10 ** 8)",
    "expandtabs": "x = ('\\t' * 10 ** 5).expandtabs(10 ** 4)",
    "join": "x = ('a' * 10 ** 5).join(['b'] * 10 ** 5)",
    "split retained": "s = 'a ' * 500000\nx = [s.split() for i in range(100)]",
    "upper retained": "s = 'a' * 900000\nx = [s.upper() for i in range(100)]",
    "dict.update growth": "d = {}\nfor i in range(40):\n    d.update({(i, j): j for j in range(10 ** 6)})",
    "shared structure printed": "a = [0]\nfor i in range(80):\n    a = [a, a]\nx = str(a)",
    "shared structure in f-string": "a = [0]\nfor i in range(80):\n    a = [a, a]\nx = f'{a!r}'",
    "shared structure compared": "a = [0]\nb = [0]\nfor i in range(80):\n    a = [a, a]\n    b = [b, b]\nx = a == b",
    "shared tuple hashed": "a = (0,)\nfor i in range(80):\n    a = (a, a)\nx = {a: 1}",
    "shared structure stored": "a = [0]\nfor i in range(80):\n    a = [a, a]\nx = a",
    "deep recursion": "f = lambda k: f(k - 1) if k else 0\nx = f(10 ** 6)",
    "exponential recursion": "f = lambda k: [f(k - 1), f(k - 1)] if k else 0\nx = f(60)",
    "recursion through map": "f = lambda k: list(map(f, range(k)))\nx = f(40)",
    "nested C loops": "x = any(map(lambda i: any(map(lambda j: j < 0, range(10 ** 6))), range(10 ** 6)))",
    "endless while": "while n == n:\n    x = 1",
    "long straight-line code": "x = len(str(list(range(10 ** 5))))\n" * 500,
    "decimal to int": "x = int(float('1e308')) ** 100",
    "round digits": "x = round(n, -10 ** 9)",
    "sort key": "r = list(range(10 ** 6))\nfor i in range(40):\n    r.sort(key=str)",
}


def sample_files(edit: Callable[[str, str], str] | None = None) -> dict[str, bytes]:
    files = {p.relative_to(SAMPLE).as_posix(): p.read_bytes() for p in SAMPLE.rglob("*") if p.is_file()}
    files |= {"forms/" + p.relative_to(FORMS).as_posix(): p.read_bytes() for p in FORMS.rglob("*") if p.is_file()}
    if edit is not None:
        files = {name: edit(name, body.decode("utf-8")).encode("utf-8") for name, body in files.items()}
    return files


def _xml(code: str) -> str:
    return code.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _as_script(code: str) -> str:
    return code if "\n" in code or code.startswith(("import", "from", "x =")) else f"x = {code}"


def _review_extension(text: str, element: str) -> str:
    return re.sub(r'(<bpmn:userTask id="review".*?</spiffworkflow:properties>)', lambda m: m.group(1) + element,
                  text, count=1, flags=re.S)


# site → (file, how to put the code there, whether the site runs scripts, element reported)
SITES: dict[str, tuple[str, Callable[[str, str], str], str, str]] = {
    "script task": ("sample.bpmn", lambda t, c: t.replace("review_overdue = True</bpmn:script>",
                                                           f"{_xml(c)}</bpmn:script>"), "exec", "note_late"),
    "pre-script": ("sample.bpmn", lambda t, c: _review_extension(
        t, f"<spiffworkflow:preScript>{_xml(c)}</spiffworkflow:preScript>"), "exec", "review"),
    "post-script": ("sample.bpmn", lambda t, c: _review_extension(
        t, f"<spiffworkflow:postScript>{_xml(c)}</spiffworkflow:postScript>"), "exec", "review"),
    "flow condition": ("sample.bpmn", lambda t, c: t.replace(
        "small_project == True</bpmn:conditionExpression>", f"{_xml(c)}</bpmn:conditionExpression>"), "eval",
        "f_small"),
    "timer": ("sample.bpmn", lambda t, c: t.replace("working_days_deadline(today(), 5)</bpmn:timeDate>",
                                                     f"{_xml(c)}</bpmn:timeDate>"), "eval", "review_late"),
    "timer duration": ("timers.bpmn", lambda t, c: t.replace('"P2D"</bpmn:timeDuration>',
                                                              f"{_xml(c)}</bpmn:timeDuration>"), "eval", "t_wait"),
    "timer cycle": ("timers.bpmn", lambda t, c: t.replace('"R2/P3D"</bpmn:timeCycle>', f"{_xml(c)}</bpmn:timeCycle>"),
                    "eval", "t_remind"),
    "loopCardinality": ("sample.bpmn", lambda t, c: t.replace(
        "<bpmn:loopDataInputRef>countersign_units</bpmn:loopDataInputRef>",
        f"<bpmn:loopCardinality>{_xml(c)}</bpmn:loopCardinality>"), "eval", "countersign"),
    "completionCondition": ("sample.bpmn", lambda t, c: t.replace(
        '<bpmn:outputDataItem id="countersign_opinion" name="countersign_opinion" />',
        '<bpmn:outputDataItem id="countersign_opinion" name="countersign_opinion" />'
        f"<bpmn:completionCondition>{_xml(c)}</bpmn:completionCondition>"), "eval", "countersign"),
    "loopCondition": ("sample.bpmn", lambda t, c: re.sub(
        r'(<bpmn:userTask id="trial".*?)(</bpmn:userTask>)',
        lambda m: m.group(1) + "<bpmn:standardLoopCharacteristics><bpmn:loopCondition>"
        f"{_xml(c)}</bpmn:loopCondition></bpmn:standardLoopCharacteristics>" + m.group(2), t, count=1,
        flags=re.S), "eval", "trial"),
    "DMN input expression": ("scale.dmn", lambda t, c: t.replace("<text>project_budget_yuan</text>",
                                                                  f"<text>{_xml(c)}</text>"), "eval", "scale_table"),
    "DMN input entry": ("scale.dmn", lambda t, c: t.replace("<text>&lt; 100000</text>", f"<text>{_xml(c)}</text>"),
                        "eval", "r_small"),
    "DMN output entry": ("scale.dmn", lambda t, c: t.replace('<outputEntry id="r1o"><text>True</text>',
                                                              f'<outputEntry id="r1o"><text>{_xml(c)}</text>'),
                         "eval", "r_small"),
}


def placed(site: str, code: str) -> dict[str, bytes]:
    """The sample bundle with `code` at `site` (a script site gets it as a statement)."""
    target, put, mode, _ = SITES[site]
    source = _as_script(code) if mode == "exec" else code

    def edit(name: str, text: str) -> str:
        if name != target:
            return text
        changed = put(text, source)
        assert changed != text, f"the sample bundle has no {site} to put code in"
        return changed
    return sample_files(edit)
