#!/usr/bin/env bash
# The whole test suite, runnable on a fresh Debian machine: installs what the tests need (Debian
# packages nats-server, sysdig and bpftrace; npm packages), builds, and runs every test. Tests that
# need root or a kernel feature skip only where the machine truly lacks it, and say so.
set -euo pipefail
cd "$(dirname "$0")/.."

need=()
command -v nats-server >/dev/null 2>&1 || need+=(nats-server)
command -v sysdig >/dev/null 2>&1 || need+=(sysdig)
command -v bpftrace >/dev/null 2>&1 || need+=(bpftrace)
if [ ${#need[@]} -gt 0 ]; then
  echo "test.sh: installing Debian packages: ${need[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  export DEBIAN_FRONTEND=noninteractive
  if ! $SUDO apt-get install -y --no-install-recommends "${need[@]}"; then
    $SUDO apt-get update
    $SUDO apt-get install -y --no-install-recommends "${need[@]}"
  fi
fi

if [ ! -d node_modules ]; then npm ci; fi
npm run build
npx vitest run "$@"
