#!/usr/bin/env bash
# obsctl's main jobs on built-in example data: sets up .venv (and, as root, Debian's
# prometheus + prometheus-alertmanager), starts a local Prometheus and Alertmanager on free
# loopback ports seeded with demo data, and runs obsctl against them and the examples/ files.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-servers.sh || true
source scripts/bootstrap.sh
exec .venv/bin/python scripts/demo.py "$@"
