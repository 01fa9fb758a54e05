#!/usr/bin/env bash
# Data-driven IAM cases: a JSON list of {name, policy, repository, request, expect}
# (the format of shared/conformance/iam-access/cases.json); "expect" is allow, deny, or
# "error" when regpol must reject the policy or request with exit code 3.
# With VIA=import, each policy is first turned into regpol source by `regpol import ecr
# --repository-policy` (for a block naming the case's repository) and decided with
# `authorize --policy`: the decisions must be the same. Policies with a Resource other than
# "*" cannot be imported (regpol statements apply to their repository) and are skipped.
# usage: [VIA=import] run_iam_cases.sh REGPOL CASES.json...
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
    if [ "${VIA:-iam}" = import ]; then
      if jq -e '[.Statement | arrays | .[] | objects | (.Resource // "*") | if type == "array" then .[] else . end | select(. != "*")] | length > 0' "$tmp/policy.json" >/dev/null 2>&1; then
        continue
      fi
      printf '{"repositories": [{"repositoryName": "%s"}]}' "$repo" > "$tmp/repos.json"
      if ! "$regpol" import ecr --repository-policy "$tmp/policy.json" --repository "$tmp/repos.json" --out "$tmp/policy.regpol" 2>"$tmp/err"; then
        rc=3; out=""
      else
        out=$("$regpol" authorize --policy "$tmp/policy.regpol" --request "$tmp/request.json" --now "$now" 2>"$tmp/err"); rc=$?
      fi
    else
      out=$("$regpol" authorize --iam-policy "$tmp/policy.json" --repository "$repo" --request "$tmp/request.json" --now "$now" 2>"$tmp/err")
      rc=$?
    fi
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
