"""Where the browser tests put their screenshots, and the line that tells where that is.

`BROWSER_ARTIFACTS` names the folder; without it each run gets a fresh one under the system's
temporary directory. The controlling pytest process picks it in `pytest_configure` (loaded from
tests/conftest.py, so before pytest-xdist starts its workers, which inherit the variable), and
prints "browser screenshots: <folder>" at the end of the run when any screenshot was taken.
"""

from __future__ import annotations

import os
import tempfile
import uuid
from pathlib import Path

import pytest

VARIABLE = "BROWSER_ARTIFACTS"


def folder() -> Path:
    path = Path(os.environ[VARIABLE]) if os.environ.get(VARIABLE) else None
    if path is None:  # a test process started without our pytest_configure
        path = Path(tempfile.gettempdir()) / f"govit-browser-{os.getpid()}"
        os.environ[VARIABLE] = str(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def configure(config: pytest.Config) -> None:
    if not os.environ.get(VARIABLE):
        # only a name: the folder is made by the first screenshot, so a run without browser
        # tests leaves nothing behind
        os.environ[VARIABLE] = str(Path(tempfile.gettempdir()) / f"govit-browser-{uuid.uuid4().hex[:10]}")


def terminal_summary(terminalreporter) -> None:
    path = Path(os.environ.get(VARIABLE, ""))
    if os.environ.get(VARIABLE) and path.is_dir():
        shots = sorted(path.glob("*.png"))
        if shots:
            terminalreporter.write_line(f"browser screenshots: {path} ({len(shots)} PNG files)")
