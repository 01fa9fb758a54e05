#!/usr/bin/env bash
# Golden tests for the front end.
#   tests/golden/ast/NAME.regpol    -> NAME.ast       (the syntax tree, `lint --dump-after parse`)
#   tests/golden/errors/NAME.regpol -> NAME.expected  (one "CODE line:col" per diagnostic, exit 3)
#   tests/golden/lint/NAME.regpol   -> NAME.expected  (the same for checks past parsing; any exit)
#   tests/golden/commands/NAME.args -> NAME.expected  (codes a command prints, and its exit)
# Every code of engine/diag/codes.cpp must be produced by at least one case.
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
for f in "$dir"/lint/*.regpol; do
  [ -e "$f" ] || continue
  # NAME is CODE-… (must produce CODE) or no-CODE-… (must not: the negative case); other
  # files are helpers (imported modules).
  case "$(basename "$f")" in [EW][0-9][0-9][0-9][0-9]-*|no-[EW][0-9][0-9][0-9][0-9]-*) ;; *) continue ;; esac
  json=$(cd "$(dirname "$f")" && "$regpol" lint --format json "$(basename "$f")" 2>/dev/null); rc=$?
  out=$(jq -r '.diagnostics[] | "\(.code) \(.location.line // "-"):\(.location.column // "-")"' <<<"$json")
  check "$f" "$out
exit $rc" "${f%.regpol}.expected"
  # The case named after a code must produce it.
  name=$(basename "$f")
  if [ "${name:0:3}" = no- ]; then
    code=${name:3:5}
    ! grep -q "^$code " <<<"$out" || { echo "FAIL $f: produces $code"; failed=$((failed+1)); }
  else
    code=${name:0:5}
    grep -q "^$code " <<<"$out" || { echo "FAIL $f: does not produce $code"; failed=$((failed+1)); }
  fi
done
for f in "$dir"/commands/*.args; do
  [ -e "$f" ] || continue
  # shellcheck disable=SC2046
  all=$(cd "$(dirname "$f")" && "$regpol" $(cat "$(basename "$f")") 2>&1); rc=$?
  out=$(grep -oE '\b[EW][0-9]{4}\b' <<<"$all" | sort -u)
  check "$f" "$out
exit $rc" "${f%.args}.expected"
done
# Every documented code has a case that produces it (no code the docs promise in vain).
root=$(cd "$dir/../.." && pwd)
for code in $(grep -oE '"[EW][0-9]{4}"' "$root/engine/diag/codes.cpp" | tr -d '"'); do
  if cat "$dir"/errors/*.expected "$dir"/lint/*.expected "$dir"/commands/*.expected 2>/dev/null | grep -q "^$code\b"; then pass=$((pass+1));
  else failed=$((failed+1)); echo "FAIL no golden case produces $code"; fi
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
