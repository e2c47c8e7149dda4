#!/usr/bin/env bash
# Bundle and run a single unit test file: bash test/one.sh test/unit/foo.test.ts [mocha args]
# The product bundles (dist/) are rebuilt first, since some tests (cli, manifest) run or inspect them: esbuild.js has
# no product-only switch (--production minifies and drops source maps), so the whole build runs (about a second).
set -euo pipefail
cd "$(dirname "$0")/.."
f=$1; shift
node esbuild.js
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
npx esbuild "$f" --bundle --platform=node --format=cjs --target=node20 --sourcemap --log-level=warning --main-fields=module,main \
  --external:mocha --external:vscode --outdir="$out"
npx mocha --no-config --timeout 20000 --enable-source-maps "$out/$(basename "${f%.ts}").js" "$@"
