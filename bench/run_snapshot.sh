#!/usr/bin/env bash
# Run the benchmark against a clean export of a commit (default HEAD), not the working tree:
# uncommitted edits of engine/ or api/ by others must not leak into the numbers.
#   bench/run_snapshot.sh [COMMIT] -- [bench/run.py options]
#   BENCH_SCRIPT=bench/profile_complete.py bench/run_snapshot.sh -- [its options]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
commit=HEAD
if [ $# -gt 0 ] && [ "$1" != "--" ]; then commit=$1; shift; fi
[ "${1:-}" = "--" ] && shift
snap=$(mktemp -d /tmp/govit-bench-code.XXXXXX)
trap 'rm -rf "$snap"' EXIT
git -C "$repo" archive "$commit" | tar -x -C "$snap"
cd "$snap"
GOVIT_COMMIT=$(git -C "$repo" rev-parse --short "$commit") "$repo/.venv/bin/python" "${BENCH_SCRIPT:-bench/run.py}" "$@"
