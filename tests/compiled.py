"""What a bundle runs as: the process specs SpiffWorkflow builds from its files at deploy
(engine/revisions/compiler.py), which every case — and so every scenario test — executes. Two
bundles that compile to equal specs run every scenario alike, whatever their diagram layout."""

from __future__ import annotations

import json
from typing import Any

from engine.regulations.bundles import from_files
from engine.revisions.compiler import compile_bundle


def compiled_specs(files: dict[str, str | bytes]) -> dict[str, Any]:
    """Per process key, its compiled spec (with the specs it calls) as data."""
    bundle = from_files({path: text.encode("utf-8") if isinstance(text, str) else text for path, text in files.items()})
    return {process.key: json.loads(process.spec_json) for process in compile_bundle(bundle)}
