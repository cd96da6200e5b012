#!/usr/bin/env bash
# Install what the demo needs and run it: Debian's prometheus + prometheus-alertmanager (as
# root; without them the demo runs its trace half alone), .venv with obsctl and its demo extra,
# then `obsctl demo` (arguments are passed on, e.g. --keep).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-servers.sh || true
source scripts/bootstrap.sh
exec .venv/bin/obsctl demo "$@"
