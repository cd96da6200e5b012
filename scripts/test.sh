#!/usr/bin/env bash
# The whole test suite, from a fresh clone: installs what is missing (venv, Python packages,
# and on Debian the prometheus and prometheus-alertmanager packages), then runs the format,
# lint, type and import-layer checks and pytest, real-server integration tests included.
# Extra arguments go to pytest (e.g. -m 'not integration' for the quick loop).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-servers.sh
source scripts/bootstrap.sh
export PATH="$PWD/.venv/bin:$PATH"
echo "== ruff format" && ruff format --check --quiet src tests bench scripts
echo "== ruff check" && ruff check --quiet src tests bench scripts
echo "== mypy" && mypy
echo "== import layers" && lint-imports --no-cache >/dev/null && echo "contracts kept"
echo "== completions" && python scripts/gen_completions.py --check
echo "== pytest" && python -m pytest -p no:cacheprovider "$@"
