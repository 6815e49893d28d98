#!/usr/bin/env bash
# The project's test command: install what the tests need, check style and types, run every test.
# Usage: bash scripts/test.sh [pytest arguments]
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"

python3 -m ruff check src tests benchmarks
python3 -m ruff format --check src tests benchmarks
python3 -m mypy

# Every test, slow end-to-end ones included (select fewer with e.g. -m "not slow").
python3 -m pytest "$@"
