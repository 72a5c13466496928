"""Performance benchmarks: `.venv/bin/python bench/run.py [--quick]` (see docs/performance.md)."""
