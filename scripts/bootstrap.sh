#!/usr/bin/env bash
# Create .venv (Python >= 3.11) and install obsctl with its dev tools, if not done already.
# Sourced by scripts/test.sh and scripts/demo.sh.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
py=""
for candidate in python3.13 python3.12 python3.11 python3; do
  if command -v "$candidate" >/dev/null 2>&1 &&
     "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    py="$candidate"; break
  fi
done
if [ -z "$py" ]; then
  echo "obsctl needs Python >= 3.11 (Debian: apt-get install python3 python3-venv)" >&2
  exit 2
fi
if [ ! -x "$root/.venv/bin/python" ]; then
  "$py" -m venv "$root/.venv" || {
    echo "python venv module missing (Debian: apt-get install python3-venv)" >&2; exit 2; }
fi
stamp="$root/.venv/.obsctl-installed"
if [ ! -f "$stamp" ] || [ "$root/pyproject.toml" -nt "$stamp" ]; then
  log="$root/.venv/install.log"
  echo "installing obsctl and its dev tools into .venv …" >&2
  if ! { "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check --upgrade pip &&
         "$root/.venv/bin/python" -m pip install -q --disable-pip-version-check -e "$root[dev]"
       } >"$log" 2>&1; then
    grep -v "^WARNING: Location" "$log" >&2
    echo "pip install failed (full log: $log)" >&2
    exit 2
  fi
  touch "$stamp"
fi
