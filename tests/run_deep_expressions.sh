#!/usr/bin/env bash
# Long operator chains (a left-deep tree, one level per operator) for every operator family:
# at the documented limit (docs/limits.md) every command that walks the policy works; one
# past it they give E0111 and exit 3; never a signal.
# usage: run_deep_expressions.sh REGPOL LIMIT [FAMILIES]
# FAMILIES (a regular expression over the operators) narrows the families: the sanitizer
# build runs one per kind of node (boolean, arithmetic, comparison, member, match), each
# run at the limit costing seconds there; the plain build runs them all.
set -u
regpol=$1; limit=$2; only=${3:-.*}
pass=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cat > "$tmp/snap.json" <<'JSON'
{"imageDetails": [{"repositoryName": "app", "imageDigest": "sha256:1111111111111111111111111111111111111111111111111111111111111111",
  "imageTags": ["v1"], "imageSizeInBytes": 10, "imagePushedAt": "2026-01-01T00:00:00Z"}]}
JSON
# chain FILE OPERAND OPERATOR COUNT TAIL: a where clause `OPERAND OP OPERAND OP ... TAIL`
chain() {
  { printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any where '
    printf "%s" "$2"; for ((i = 1; i < $4; i++)); do printf ' %s %s' "$3" "$2"; done
    printf '%s\n      expire older than 1d\n    }\n  }\n}\n' "$5"; } > "$1"
}
run() {  # want-exit, name, command...
  local want=$1 name=$2; shift 2
  "$@" > "$tmp/out" 2> "$tmp/err"; local rc=$?
  if [ "$rc" -eq "$want" ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL $name: exit $rc, want $want"; head -c 300 "$tmp/err"; fi
}
# operand | operator | tail (to make the whole a condition) | lint's exit at the limit
# (1 where the chain is well-formed but ill-typed: a finding, still no crash)
families=(
  "size > 1|and||0"
  "size > 1|or||0"
  "1|+| > 3|0"
  "1|-| > 3|0"
  "1|*| > 3|0"
  "1|/| > 3|0"
  "size|==| == 1|1"
  "size|<| < 1|1"
  "tags|.||1"
  "\"a\"|like||1"
  "\"a\"|matches||1"
  "\"a\"|in||1"
)
for fam in "${families[@]}"; do
  IFS='|' read -r operand op tail want_ok <<<"$fam"
  [[ "$op" =~ ^($only)$ ]] || continue
  # Terms such that the deepest expression is exactly `limit` levels: the chain's N-1
  # operator nodes, the leftmost operand (comparisons add one for `size > 1`), the tail.
  extra=1; [ -n "$tail" ] && extra=$((extra + 1)); [[ "$operand" == *">"* ]] && extra=$((extra + 1))
  n=$((limit - extra + 1))
  chain "$tmp/ok.regpol" "$operand" "$op" "$n" "$tail"
  chain "$tmp/deep.regpol" "$operand" "$op" $((n + 1)) "$tail"
  run "$want_ok" "lint at the limit ($op)" "$regpol" lint "$tmp/ok.regpol"
  run 0 "fmt at the limit ($op)" "$regpol" fmt "$tmp/ok.regpol"
  # compile and plan walk the same recursive code for every family: two families suffice
  # (each run at the limit costs seconds under the sanitizers).
  if [ "$want_ok" = 0 ] && { [ "$op" = and ] || [ "$op" = + ]; }; then
    run 0 "compile at the limit ($op)" "$regpol" compile "$tmp/ok.regpol" --emit plan
    run 0 "plan at the limit ($op)" "$regpol" plan --policy "$tmp/ok.regpol" --snapshot "$tmp/snap.json" --now 2026-11-27T00:00:00Z
  fi
  run 3 "lint past the limit ($op)" "$regpol" lint "$tmp/deep.regpol"
  if grep -q 'E0111' "$tmp/err" "$tmp/out"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL no E0111 past the limit ($op)"; fi
  run 3 "fmt past the limit ($op)" "$regpol" fmt "$tmp/deep.regpol"
  run 3 "plan past the limit ($op)" "$regpol" plan --policy "$tmp/deep.regpol" --snapshot "$tmp/snap.json"
done
# fmt output at the limit is the input (already canonical) and stays so.
chain "$tmp/ok.regpol" "size > 1" and $((limit - 1)) ""
"$regpol" fmt "$tmp/ok.regpol" > "$tmp/once.regpol" && "$regpol" fmt "$tmp/once.regpol" > "$tmp/twice.regpol"
if cmp -s "$tmp/once.regpol" "$tmp/twice.regpol"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL fmt not idempotent on a long chain"; fi
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
