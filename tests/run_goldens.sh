#!/usr/bin/env bash
# Golden tests for the front end.
#   tests/golden/ast/NAME.regpol    -> NAME.ast       (the syntax tree, `lint --dump-after parse`)
#   tests/golden/errors/NAME.regpol -> NAME.expected  (one "CODE line:col" per diagnostic, exit 3)
# UPDATE_GOLDENS=1 rewrites the expected files from the current output (review the diff!).
# usage: run_goldens.sh REGPOL GOLDEN_DIR
set -u
regpol=$(cd "$(dirname "$1")" && pwd)/$(basename "$1"); dir=$2
pass=0; failed=0
check() {  # name, actual, expected-file
  if [ "${UPDATE_GOLDENS:-0}" = 1 ]; then printf '%s\n' "$2" > "$3"; pass=$((pass+1)); return; fi
  if [ -f "$3" ] && [ "$2" = "$(cat "$3")" ]; then pass=$((pass+1)); else
    failed=$((failed+1)); echo "FAIL $1"; diff <(printf '%s\n' "$2") "$3" | head -20; fi
}
for f in "$dir"/ast/*.regpol; do
  [ -e "$f" ] || continue
  out=$(cd "$(dirname "$f")" && "$regpol" lint --dump-after parse "$(basename "$f")" 2>&1); rc=$?
  check "$f" "$out
exit $rc" "${f%.regpol}.ast"
done
for f in "$dir"/errors/*.regpol; do
  [ -e "$f" ] || continue
  json=$(cd "$(dirname "$f")" && "$regpol" lint --format json "$(basename "$f")" 2>/dev/null); rc=$?
  out=$(jq -r '.diagnostics[] | "\(.code) \(.location.line // "-"):\(.location.column // "-")"' <<<"$json")
  check "$f" "$out
exit $rc" "${f%.regpol}.expected"
  if [ $rc -ne 3 ] || [ -z "$out" ]; then echo "FAIL $f: a malformed file must give diagnostics and exit 3 (got $rc)"; failed=$((failed+1)); fi
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
