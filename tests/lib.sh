# Shared by the shell test runners: `source "$(dirname "$0")/lib.sh" REGPOL` sets $regpol
# (an absolute path), moves into a fresh temporary folder removed on exit, and gives
# ok / bad (counting) and finish (the closing "N passed, N failed" line and the exit code).
regpol=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pass=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
ok() { pass=$((pass+1)); }
bad() { failed=$((failed+1)); echo "FAIL $*"; }
finish() {
  echo "$pass passed, $failed failed"
  [ "$failed" -eq 0 ]
}
