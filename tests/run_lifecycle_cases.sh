#!/usr/bin/env bash
# Data-driven lifecycle cases: each folder holds policy.json (ECR lifecycle policy) or
# policy.regpol (with an optional in-use.txt for --in-use),
# images.json (a snapshot) and case.json ({now, repository, expire:[...], transition:[...]},
# optionally "error": true when regpol must reject the input with exit code 3, and
# "untag": {digest: [tags removed, plus "!" when the image ends untagged]}).
# Every image not listed in expire/transition must be kept, and every input image reported.
# With VIA=import, each ECR policy is first turned into regpol source by `regpol import ecr`
# and evaluated with `plan --policy`: the decisions must be the same, except where the case
# says what a regpol lifecycle decides instead and why (case.json `viaImport`: artifacts).
# usage: [VIA=import] run_lifecycle_cases.sh REGPOL CASE_DIR...
set -u
regpol=$1; shift
tmpdir=$(mktemp -d); trap 'rm -rf "$tmpdir"' EXIT
run_plan() {  # case dir, now
  if [ -f "$1/policy.regpol" ]; then
    in_use=(); [ -f "$1/in-use.txt" ] && in_use=(--in-use "$1/in-use.txt")
    "$regpol" plan --policy "$1/policy.regpol" --snapshot "$1/images.json" --now "$2" --format json "${in_use[@]}"
  elif [ "${VIA:-ecr}" = import ]; then
    "$regpol" import ecr --lifecycle "$1/policy.json" --out "$tmpdir/policy.regpol" || return $?
    "$regpol" plan --policy "$tmpdir/policy.regpol" --snapshot "$1/images.json" --now "$2" --format json
  else
    "$regpol" plan --ecr-lifecycle "$1/policy.json" --snapshot "$1/images.json" --now "$2" --format json
  fi
}
pass=0; failed=0
for dir in "$@"; do
  for c in "$dir"/*/; do
    c=${c%/}
    name=$(basename "$c")
    now=$(jq -r .now "$c/case.json")
    out=$(run_plan "$c" "$now" 2>"$tmpdir/err")
    rc=$?
    if [ "$(jq -r '.error // false' "$c/case.json")" = "true" ]; then
      if [ $rc -eq 3 ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL $name: expected exit 3, got $rc"; fi
      continue
    fi
    if [ $rc -ne 0 ]; then failed=$((failed+1)); echo "FAIL $name: exit $rc: $(cat "$tmpdir/err")"; continue; fi
    got_e=$(jq -c '[.images[]|select(.action=="expire")|.digest]|sort' <<<"$out")
    got_t=$(jq -c '[.images[]|select(.action=="transition")|.digest]|sort' <<<"$out")
    # Untag decisions: digest -> the tags removed (and "!" when the image ends untagged).
    got_u=$(jq -c '[.images[]|select(.action=="untag")|{key: .digest, value: (.untagTags + (if .becomesUntagged then ["!"] else [] end))}]|from_entries' <<<"$out")
    want_u=$(jq -c '.untag // {}' "$c/case.json")
    want_e=$(jq -c 'if env.VIA == "import" and .viaImport then .viaImport.expire else .expire end | sort' "$c/case.json")
    want_t=$(jq -c '(.transition // [])|sort' "$c/case.json")
    count=$(jq '.images|length' <<<"$out"); uniq=$(jq '[.images[].digest]|unique|length' <<<"$out")
    # Every image of the input is reported, once: nothing dropped silently is "kept".
    want_all=$(jq -c '[(.imageDetails // .images // [])[] | (.imageDigest // .digest)] | unique' "$c/images.json")
    got_all=$(jq -c '[.images[].digest] | unique' <<<"$out")
    if [ "$got_e" = "$want_e" ] && [ "$got_t" = "$want_t" ] && [ "$count" = "$uniq" ] && [ "$got_all" = "$want_all" ] &&
       [ "$(jq -cS . <<<"$got_u")" = "$(jq -cS . <<<"$want_u")" ]; then
      pass=$((pass+1))
    else
      failed=$((failed+1))
      echo "FAIL $name"; echo "  expire want $want_e"; echo "         got  $got_e"
      echo "  transition want $want_t"; echo "             got  $got_t"
      echo "  untag want $want_u"; echo "        got  $got_u"
      [ "$got_all" = "$want_all" ] || echo "  reported images differ from the input's: $got_all"
    fi
  done
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
