#!/usr/bin/env bash
# export ecr and import ecr fit together: what export writes (one object, or the three
# documents of --out-dir) import reads back to a policy that exports the same; imported
# statements use pull/push/delete where the actions are exactly a group's; export's errors
# are rendered as lint's, with carets, in source order.
# usage: run_export_import.sh REGPOL
set -u
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh" "$1"
cat > p.regpol <<'P'
repository "app" {
  mutability immutable except "latest", "dev-*"

  lifecycle {
    rule 1 "untagged" {
      select untagged
      expire older than 14d
    }
    rule 2 {
      select tagged prefix ["v"]
      keep newest 5
    }
  }

  access {
    sid "ci" allow push, pull to arn "arn:aws:iam::111122223333:role/ci"
    deny delete to * unless aws:PrincipalOrgID == "o-abc123"
  }
}
P
"$regpol" export ecr p.regpol > combined.json 2>/dev/null || bad "export"
"$regpol" export ecr p.regpol --out-dir out 2>/dev/null || bad "export --out-dir"
for f in lifecycle-policy.json repository-policy.json image-tag-mutability.json; do [ -s "out/$f" ] && ok || bad "--out-dir wrote no $f"; done
jq -e '.rules | length == 2' out/lifecycle-policy.json > /dev/null && ok || bad "lifecycle-policy.json is the policy document itself"
jq -e '.Statement | length == 2' out/repository-policy.json > /dev/null && ok || bad "repository-policy.json is the IAM document"
for from in out combined.json; do
  "$regpol" import ecr --from "$from" --out back.regpol 2>err || { bad "import --from $from: $(cat err)"; continue; }
  # IAM action lists are sets: compared sorted.
  norm='walk(if type == "object" and (.Action | type) == "array" then .Action |= sort else . end)'
  "$regpol" export ecr back.regpol > again.json 2>/dev/null && diff -q <(jq -S "$norm" combined.json) <(jq -S "$norm" again.json) > /dev/null && ok || bad "round trip through --from $from"
  grep -q 'allow push, pull to arn' back.regpol && grep -q 'deny delete to' back.regpol && ok || bad "shorthands after import from $from: $(grep -E 'allow|deny' back.regpol)"
done
"$regpol" import ecr --from combined.json --lifecycle out/lifecycle-policy.json > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--from with --lifecycle is a usage error"
mkdir empty; "$regpol" import ecr --from empty > /dev/null 2>&1; [ $? -eq 3 ] && ok || bad "--from an empty folder is bad input"
# Two problems, reported with carets in source order.
cat > q.regpol <<'P'
repository "app" {
  lifecycle {
    rule 1 {
      select any
      keep newest 3 by semver
    }
    protect tagged pattern ["prod-*"]
  }
}
P
"$regpol" export ecr q.regpol > out.json 2> err; rc=$?
lines=$(grep -oE 'q.regpol:[0-9]+:[0-9]+: error\[E0403\]' err | cut -d: -f2 | tr '\n' ' ')
if [ $rc -eq 1 ] && [ "$lines" = "3 7 " ] && grep -q '^  | *\^' err && [ ! -s out.json ]; then ok; else bad "export errors: exit $rc, lines '$lines'"; cat err; fi
# Names and filters are quoted as string literals, whatever they hold: a `"` or `\` in a
# mutability exclusion (any of the three inputs) used to make import write a policy that did
# not compile (exit 4).
cat > quotes.json <<'JSON'
{"repositories":[{"repositoryName":"app","registryId":"123456789012","imageTagMutability":"IMMUTABLE_WITH_EXCLUSION",
  "imageTagMutabilityExclusionFilters":[{"filterType":"WILDCARD","filter":"dev\"x*"},{"filterType":"WILDCARD","filter":"a\\b*"}]}]}
JSON
"$regpol" import ecr --repository quotes.json --out quotes.regpol 2> err && grep -qF 'mutability immutable except "dev\"x*", "a\\b*"' quotes.regpol &&
  ok || bad "import --repository with quotes in a filter: $(cat err)"
echo '{"lifecyclePolicy":null,"repositoryPolicy":null,"imageTagMutability":"MUTABLE_WITH_EXCLUSION","imageTagMutabilityExclusionFilters":[{"filter":"q\"*"}]}' > quotes-from.json
"$regpol" import ecr --from quotes-from.json --out quotes-from.regpol 2> err && grep -qF 'mutability mutable except "q\"*"' quotes-from.regpol &&
  ok || bad "import --from with a quote in a filter: $(cat err)"
finish
