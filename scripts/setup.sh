#!/usr/bin/env bash
# Makes a fresh machine ready for Slipway's demo and tests: npm packages (with the Node 24 the
# actions run on). The lab installs its Debian packages and starts the Docker engine itself.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -x node_modules/.bin/tsx ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund
fi
