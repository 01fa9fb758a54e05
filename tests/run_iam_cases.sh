#!/usr/bin/env bash
# Data-driven IAM cases: a JSON list of {name, policy, repository, request, expect}
# (the format of shared/conformance/iam-access/cases.json); "expect" is allow, deny, or
# "error" when regpol must reject the policy or request with exit code 3.
# usage: run_iam_cases.sh REGPOL CASES.json...
set -u
regpol=$1; shift
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
for file in "$@"; do
  n=$(jq length "$file")
  for ((i = 0; i < n; i++)); do
    jq ".[$i].policy" "$file" > "$tmp/policy.json"
    jq -c ".[$i].request" "$file" > "$tmp/request.json"
    name=$(jq -r ".[$i].name" "$file"); repo=$(jq -r ".[$i].repository" "$file"); want=$(jq -r ".[$i].expect" "$file")
    now=$(jq -r ".[$i].now // \"2026-11-27T00:00:00Z\"" "$file")
    out=$("$regpol" authorize --iam-policy "$tmp/policy.json" --repository "$repo" --request "$tmp/request.json" --now "$now" 2>"$tmp/err")
    rc=$?
    if [ "$want" = "error" ]; then
      if [ $rc -eq 3 ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL $name: expected exit 3, got $rc"; fi
      continue
    fi
    got=$(jq -r .decision <<<"$out" 2>/dev/null)
    if [ $rc -eq 0 ] && [ "$got" = "$want" ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL $name: want $want, got '$got' (exit $rc) $(cat "$tmp/err")"; fi
  done
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
