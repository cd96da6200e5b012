#!/usr/bin/env bash
# Install what the tests run for real (Debian): Prometheus, Alertmanager and VictoriaMetrics,
# which the integration tests start, and the shells (plus tmux) that the completion tests drive.
set -euo pipefail
missing=()
command -v prometheus >/dev/null 2>&1 && command -v promtool >/dev/null 2>&1 || missing+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 ||
  missing+=(prometheus-alertmanager)
command -v victoria-metrics >/dev/null 2>&1 || missing+=(victoria-metrics)
# The test bed starts those servers under setpriv --pdeathsig, so that they die with pytest.
command -v setpriv >/dev/null 2>&1 || missing+=(util-linux)
# Shell completion is tested in the real shells; zsh runs interactively inside tmux.
for tool in bash zsh fish tmux; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -eq 0 ]; then
  sudo=""
elif command -v sudo >/dev/null 2>&1; then
  sudo="sudo"
else
  echo "obsctl tests need: ${missing[*]} (run as root or install them with apt-get)" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "obsctl tests need: ${missing[*]} (no apt-get here: install them by hand)" >&2
  exit 0
fi
echo "installing ${missing[*]} …" >&2
$sudo apt-get update -qq
# policy-rc.d keeps the packages' own services from starting: tests start their own servers.
if [ -z "$sudo" ] && [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
