#!/usr/bin/env bash
# Every example is a test: its policies lint without errors and are formatted, their test
# blocks pass, and the
# quickstart's regpol policy and its ECR lifecycle document make the same decisions.
# usage: check_examples.sh REGPOL REPO_ROOT
set -u
regpol=$1; root=$2; pass=0; failed=0
ok() { pass=$((pass+1)); }
bad() { failed=$((failed+1)); echo "FAIL $*"; }
for f in "$root"/examples/*/*.regpol; do
  "$regpol" lint "$f" >/dev/null 2>&1; rc=$?
  [ $rc -eq 0 ] && ok || bad "$f: lint exit $rc"
done
# Every example's own `test` blocks pass (their fixtures are part of the example).
for f in "$root"/examples/*/*.regpol; do
  grep -q '^test ' "$f" || continue
  "$regpol" test "$f" >/dev/null 2>&1 && ok || bad "$f: its test blocks fail ($("$regpol" test "$f" 2>&1 | grep -v '^ok' | head -3))"
done
"$regpol" lint --deny-warnings "$root/examples/quickstart/policy.regpol" >/dev/null 2>&1 && ok || bad "quickstart has lint warnings"
q="$root/examples/quickstart"
a=$("$regpol" plan --policy "$q/policy.regpol" --snapshot "$q/images.json" --now 2026-11-27T00:00:00Z --format json | jq -c '[.images[] | [.digest, .action]]')
b=$("$regpol" plan --ecr-lifecycle "$q/ecr-lifecycle.json" --snapshot "$q/images.json" --now 2026-11-27T00:00:00Z --format json | jq -c '[.images[] | [.digest, .action]]')
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "quickstart: regpol and ECR documents decide differently: $a vs $b"
"$regpol" export ecr "$q/policy.regpol" >/dev/null 2>&1; [ $? -eq 1 ] && ok || bad "quickstart export should refuse the where clause and protect"
# Every example has a README, a policy with test blocks, and passes lint --deny-warnings.
for d in "$root"/examples/*/; do
  [ -f "$d/README.md" ] && ok || bad "$d has no README.md"
  grep -q '^test ' "$d"/*.regpol && ok || bad "$d has no test block"
  # brief/ shows every language feature at once, some of which lint rightly warns about.
  [ "$(basename "$d")" = brief ] && continue
  "$regpol" lint --deny-warnings "$d"/*.regpol >/dev/null 2>&1 && ok || bad "$d: lint --deny-warnings fails"
done
# Archive tiering says what a transition really saves below the archive tier.
a="$root/examples/archive-tiering"
"$regpol" plan --policy "$a/policy.regpol" --snapshot "$a/registry.json" --now 2026-11-27T00:00:00Z --pricing "$a/pricing.json" |
  grep -q 'saves \$0.00/GB-month (nothing below the archive tier).*at least 90 days.*\$0.02/GB' && ok || bad "archive-tiering: the report must say transitions save nothing here"
# The examples and the stdlib carry at least 40 expectations between them, all passing.
summary=$("$regpol" test "$root"/examples/*/*.regpol "$root"/stdlib/tests/*_test.regpol | tail -1)
n=$(sed -E 's/.*\(([0-9]+) expectations\)/\1/' <<<"$summary")
grep -q ' 0 failed' <<<"$summary" && [ "$n" -ge 40 ] && ok || bad "examples + stdlib: $summary (at least 40 expectations, none failing)"
# The migration example: the import still gives the policy (before its tests), and the
# migrated policy decides every image as ECR's own document does.
m="$root/examples/migrate-ecr"
imported=$("$regpol" import ecr --lifecycle "$m/lifecycle.json" --repository-policy "$m/repository-policy.json" --repository "$m/repository.json")
[ -n "$imported" ] && [ "$imported" = "$(sed '/^# Added after the import/,$d' "$m/policy.regpol" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}')" ] && ok ||
  bad "migrate-ecr: policy.regpol no longer starts with what import ecr writes"
a=$("$regpol" plan --policy "$m/policy.regpol" --snapshot "$m/images.json" --now 2026-11-27T00:00:00Z --format json | jq -c '[.images[] | [.digest, .action]]')
b=$("$regpol" plan --ecr-lifecycle "$m/lifecycle.json" --snapshot "$m/images.json" --now 2026-11-27T00:00:00Z --format json | jq -c '[.images[] | [.digest, .action]]')
[ -n "$a" ] && [ "$a" = "$b" ] && ok || bad "migrate-ecr: regpol and ECR documents decide differently"
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
