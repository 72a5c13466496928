"""Every article with a process effect is cited by at least one diagram element."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.regulations.bundles import discover, from_folders
from engine.regulations.coverage import cited_articles, coverage

from ..conftest import ROOT

BUNDLES = discover(ROOT / "bpmn", ROOT / "forms")


@pytest.mark.parametrize(("text", "articles"), [
    ("第八条：申请", {"第八条"}),
    ("第十二、十三条 采购", {"第十二条", "第十三条"}),
    ("第二十四至二十六条", {"第二十四条", "第二十五条", "第二十六条"}),
    ("第一百零二条", {"第一百零二条"}),
    ("第十条 与 第二十条", {"第十条", "第二十条"}),
    ("四（二）预审", set()),
])
def test_citations_are_expanded(text, articles):
    assert cited_articles(text) == articles


@pytest.mark.parametrize(("bpmn_dir", "forms_dir"), BUNDLES, ids=[b.name for b, _ in BUNDLES])
def test_no_article_with_a_process_effect_is_uncited(bpmn_dir: Path, forms_dir: Path):
    report = coverage(from_folders(bpmn_dir, forms_dir))
    assert report.articles, "the manifest lists the articles with a process effect"
    assert report.uncited == []


def test_coverage_command(app):
    result = app.test_cli_runner().invoke(args=["regulations", "coverage", *(str(b) for b, _ in BUNDLES)])
    assert result.exit_code == 0, result.output
    assert "✓ 第九条" in result.output and "✗" not in result.output
