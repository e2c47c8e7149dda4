#!/usr/bin/env bash
# `npm test`: type check, lint, build, unit tests (plain Node), integration tests (real VS Code extension host).
# Every stage runs even when an earlier one failed, so one run shows everything that is wrong.
# The last line is `N passed, N failed` over unit + integration tests (`, N skipped` when some were pending);
# a stage that fails without test counts (type check, lint, build, a host that did not start or ran nothing,
# a test runner that crashed) counts as one failure there, so the line says "0 failed" exactly when the exit code is 0.
set -uo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PATH"

RESULTS=.test-results
UNIT_JSON=$RESULTS/unit.json
INTEGRATION_JSON=$RESULTS/integration.json
INTEGRATION_ZH_JSON=$RESULTS/integration-zh-cn.json
mkdir -p "$RESULTS"
rm -f "$UNIT_JSON" "$INTEGRATION_JSON" "$INTEGRATION_ZH_JSON"

start_all=$SECONDS
stage_start=$SECONDS
summary=()
stage_failures=0
header() {
  stage_start=$SECONDS
  printf '\n==== %s ====\n' "$1"
}
# record NAME STATUS DETAIL
record() {
  local took=$((SECONDS - stage_start))
  summary+=("$(printf '  %-12s %-7s %s' "$1" "$2" "${3:+$3 }(${took}s)")")
  [ "$2" = ok ] || echo "---- $1 FAILED ${3:-}"
}
# counts FILE -> "passed failed pending total", or nothing when the file is missing or unreadable
counts() {
  [ -f "$1" ] && node -e 'const r=JSON.parse(require("fs").readFileSync(process.argv[1],"utf8"));
    const n=(x)=>Number.isInteger(x)?x:0; console.log(n(r.passed),n(r.failed),n(r.pending),n(r.total))' "$1" 2>/dev/null
}

passed=0 failed=0 pending=0
# tests NAME EXIT_CODE RESULTS_FILE: adds the suite's counts; a crash, no results or no tests is one more failure
tests() {
  local name=$1 rc=$2 c p f s t
  c=$(counts "$3")
  if [ -z "$c" ]; then
    stage_failures=$((stage_failures + 1)); record "$name" FAILED "no results (exit $rc)"; return
  fi
  read -r p f s t <<<"$c"
  passed=$((passed + p)) failed=$((failed + f)) pending=$((pending + s))
  local detail="$p passed, $f failed, $s pending"
  if [ "$t" -eq 0 ]; then
    stage_failures=$((stage_failures + 1)); record "$name" FAILED "ran no tests (exit $rc)"
  elif [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
    stage_failures=$((stage_failures + 1)); record "$name" FAILED "$detail, but exit $rc"
  elif [ "$f" -gt 0 ] || [ "$rc" -ne 0 ]; then
    record "$name" FAILED "$detail"
  else
    record "$name" ok "$detail"
  fi
}
# step NAME COMMAND...: a stage without test counts
step() {
  local name=$1; shift
  if "$@"; then record "$name" ok; else
    local rc=$?; stage_failures=$((stage_failures + 1)); record "$name" FAILED "(exit $rc)"
  fi
}

header '1/5 Type check: npm run typecheck (the Node program, then the webview program)'
step 'type check' npm run --silent typecheck

header '2/5 Lint: eslint src test bin esbuild.js'
step lint eslint --max-warnings 0 src test bin esbuild.js

header '3/5 Build: node esbuild.js'
rm -rf out
step build node esbuild.js

header '4/5 Unit tests: mocha (plain Node)'
# the outer timeout catches a suite that never ends (a server or timer left open keeps mocha alive)
SAE_UNIT_RESULTS_FILE=$UNIT_JSON timeout --kill-after=10 "${SAE_UNIT_TIMEOUT_S:-600}" mocha --reporter ./test/reporter.js
tests unit $? "$UNIT_JSON"

header '5/5 Integration tests: real VS Code extension host (code-server + headless Chromium)'
SAE_RESULTS_FILE=$INTEGRATION_JSON bash test/host/run.sh
tests integration $? "$INTEGRATION_JSON"
# The same host in Chinese: the *.zh-cn.test files, with VS Code's display language zh-cn.
stage_start=$SECONDS
SAE_LOCALE=zh-cn SAE_RESULTS_FILE=$INTEGRATION_ZH_JSON bash test/host/run.sh
tests 'integration zh-cn' $? "$INTEGRATION_ZH_JSON"

printf '\n==== Summary (%ss) ====\n' $((SECONDS - start_all))
printf '%s\n' "${summary[@]}"
failed=$((failed + stage_failures))
line="$passed passed, $failed failed"
[ "$pending" -gt 0 ] && line="$line, $pending skipped"
echo "$line"
[ "$failed" -eq 0 ]
