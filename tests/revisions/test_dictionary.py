"""The data dictionary check: a code a decision table yields, named in the dictionary for staff
to see, must have a Chinese name; Chinese outputs, numbers and booleans need none."""

from __future__ import annotations

import json

import pytest

from engine.errors import BundleInvalid
from engine.regulations.bundles import from_files
from engine.revisions.compiler import compile_bundle

from ..language.hostile.corpus import sample_files

pytestmark = pytest.mark.no_database


def _with(dictionary: dict, table_output: str | None = None) -> dict[str, bytes]:
    def edit(name: str, text: str) -> str:
        if name == "manifest.json":
            manifest = json.loads(text)
            manifest["data_dictionary"] = dictionary
            return json.dumps(manifest, ensure_ascii=False)
        if name == "scale.dmn" and table_output is not None:
            return text.replace('<outputEntry id="r1o"><text>True</text>',
                                f'<outputEntry id="r1o"><text>{table_output}</text>')
        return text
    return sample_files(edit)


def test_the_bundled_dictionaries_and_the_sample_deploy() -> None:
    assert compile_bundle(from_files(_with({"small_project": {"label": "小额项目"}})))


def test_a_code_without_a_chinese_name_is_refused_naming_the_rule() -> None:
    files = _with({"small_project": {"label": "小额项目"}}, table_output='"tiny"')
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(files))
    [problem] = [e for e in caught.value.errors if "data_dictionary" in e["message"]]
    assert problem["file"] == "scale.dmn" and problem["element"] == "r_small" and problem["line"]
    assert '"tiny"' in problem["message"] and "小额项目" in problem["message"]


def test_a_code_named_in_values_or_a_chinese_output_passes() -> None:
    named = {"small_project": {"label": "小额项目", "values": {"tiny": "微型项目"}}}
    assert compile_bundle(from_files(_with(named, table_output='"tiny"')))
    assert compile_bundle(from_files(_with({"small_project": {"label": "小额项目"}}, table_output='"微型项目"')))


def test_a_dictionary_name_must_be_chinese() -> None:
    with pytest.raises(BundleInvalid) as caught:
        compile_bundle(from_files(_with({"small_project": {"label": "small"}})))
    assert any("应为中文" in e["message"] for e in caught.value.errors)
