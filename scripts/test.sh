#!/usr/bin/env bash
# The project's test command: install what the tests need, check style and types, run every test.
# Usage: bash scripts/test.sh [pytest arguments]
#
# Besides the Python packages it installs, when missing:
#   - Prometheus (Debian package 'prometheus', needs root and apt-get) for the dashboard test;
#   - Chromium (Debian packages 'chromium' and 'chromium-driver', same) for the console's tests;
#   - Arize Phoenix, in its own virtual environment (it pins its own OpenTelemetry versions),
#     for the tracing round-trip test. Set PHOENIX_VENV to choose where.
# Tests whose tool is unavailable are skipped with a reason; CI has both.
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check -e ".[dev]"

if ! command -v prometheus >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Prometheus (Debian package) for the dashboard test..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq prometheus >/dev/null
  else
    echo "Prometheus is not installed and cannot be installed here: the dashboard test will skip."
  fi
fi

if ! command -v chromium >/dev/null 2>&1 || ! command -v chromedriver >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing Chromium (Debian packages) for the memory console's browser tests..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium chromium-driver >/dev/null
  else
    echo "Chromium is not installed and cannot be installed here: the console's browser tests will skip."
  fi
fi

PHOENIX_VENV="${PHOENIX_VENV:-$HOME/.cache/agentcore-memory-otel/phoenix-venv}"
if [ ! -x "$PHOENIX_VENV/bin/phoenix" ]; then
  echo "Installing Arize Phoenix into $PHOENIX_VENV for the tracing round-trip test..."
  python3 -m venv "$PHOENIX_VENV"
  "$PHOENIX_VENV/bin/python" -m pip install --quiet --disable-pip-version-check arize-phoenix
fi
export PHOENIX_BIN="$PHOENIX_VENV/bin/phoenix"

python3 -m ruff check src tests benchmarks examples
python3 -m ruff format --check src tests benchmarks examples
python3 -m mypy

# Every test, slow end-to-end ones included (select fewer with e.g. -m "not slow"). Among the
# slow ones, tests/packaging builds the sdist and wheel (python -m build), installs the wheel
# into a clean virtual environment from the package registry and runs the demo from it.
python3 -m pytest "$@"
