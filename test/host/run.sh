#!/usr/bin/env bash
# Integration suite in a real VS Code extension host (code-server + headless Chromium), offline.
# Expects the bundles built (node esbuild.js). Installs what is missing: Debian chromium and ripgrep (apt),
# test/host/node_modules (npm ci --ignore-scripts, from the committed lock), code-server's offline native setup.
# Then runs driver.mjs in a network namespace where only loopback exists, when the kernel allows one.
# Env: SAE_TIMEOUT_MS (default 600000), SAE_RESULTS_FILE, SAE_VERBOSE=1 (see driver.mjs).
set -euo pipefail
HOST_DIR=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HOST_DIR/../.." && pwd)
cd "$ROOT"

need=()
command -v chromium >/dev/null || need+=(chromium)
command -v rg >/dev/null || need+=(ripgrep)
command -v ip >/dev/null || need+=(iproute2) # `ip link set lo up` in the network namespace
if ((${#need[@]})); then
  echo "installing ${need[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

if [ ! -f "$HOST_DIR/node_modules/code-server/out/node/entry.js" ] || [ ! -d "$HOST_DIR/node_modules/playwright-core" ]; then
  echo "installing test/host dependencies (npm ci --ignore-scripts)"
  (cd "$HOST_DIR" && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
fi
bash "$HOST_DIR/setup-code-server.sh"

# The driver's own watchdog is SAE_TIMEOUT_MS; this outer one only catches a driver that hangs while finishing.
outer=$(( ${SAE_TIMEOUT_MS:-600000} / 1000 + 120 ))
if unshare -n true 2>/dev/null; then
  exec timeout --kill-after=15 "$outer" unshare -n sh -c 'ip link set lo up && exec node "$0"' "$HOST_DIR/driver.mjs"
else
  echo "no network namespace available (unshare -n): running with the machine's network"
  exec timeout --kill-after=15 "$outer" node "$HOST_DIR/driver.mjs"
fi
