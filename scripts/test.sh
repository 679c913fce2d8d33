#!/usr/bin/env bash
# Set up (including the test-only system packages), then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/setup-test-system.sh
# lint and types first: a failure names the file and line
.venv/bin/ruff check sitrep tests bench
.venv/bin/mypy sitrep
exec .venv/bin/python -m pytest -q --durations=15 "$@"  # the slowest tests, so a slow suite says where
