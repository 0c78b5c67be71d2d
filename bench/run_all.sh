#!/usr/bin/env bash
# Every figure of docs/performance.md, one after the other (~9 minutes on 2 cores), into
# $TMPDIR/hoithi-bench-<date>.md. Needs PostgreSQL and Redis for the scale-out part (as the tests).
set -euo pipefail
cd "$(dirname "$0")/.."
out="${TMPDIR:-/tmp}/hoithi-bench-$(date +%Y%m%d-%H%M).md"
py="${PYTHON:-python}"
{
  echo "# Benchmark run $(date -Iseconds)"
  "$py" bench/live.py all
  "$py" bench/app.py all
} 2>&1 | tee "$out"
echo "written: $out"
