"""Entry point: `.venv/bin/python bench/run.py [--quick] [--postgres URL]` from the repository root.

A thin launcher so that `python bench/run.py` works without installing anything: it puts the
repository root on sys.path and runs `bench.main`.
"""

import sys
from pathlib import Path

if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from bench.main import main

    sys.exit(main())
