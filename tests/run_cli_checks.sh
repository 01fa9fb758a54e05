#!/usr/bin/env bash
# The command line never gives a silent wrong answer: repeated single-valued options,
# unknown options and commands, in-use references that match nothing.
# usage: run_cli_checks.sh REGPOL
set -u
regpol=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pass=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
check() {  # description, want-exit, stderr-pattern (or ""), command...
  local what=$1 want=$2 pattern=$3; shift 3
  "$@" > out 2> err; local rc=$?
  if [ $rc -eq "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" err out; }; then pass=$((pass+1));
  else failed=$((failed+1)); echo "FAIL $what: exit $rc (want $want)"; head -5 err; fi
}
"$regpol" snapshot gen --repos 3 --images-per-repo 4 --out snap.json 2>/dev/null
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any\n      expire older than 1d\n    }\n    protect in_use\n  }\n}\n' > p.regpol
printf 'repository "*" {\n  mutability immutable\n}\n' > m.regpol
echo '{"principal": "arn:aws:iam::1:role/x", "action": "ecr:PutImage", "repository": "r", "tag": "v1"}' > r.jsonl

check "--policy twice" 2 'given 2 times' "$regpol" authorize --policy m.regpol --policy p.regpol --requests r.jsonl
check "--now twice" 2 'given 2 times' "$regpol" plan --policy p.regpol --snapshot snap.json --now 2026-01-01T00:00:00Z --now 2026-02-01T00:00:00Z
check "an unknown option suggests" 2 'did you mean `--policy`' "$regpol" plan --polcy p.regpol
check "an unknown command suggests" 2 'did you mean `plan`' "$regpol" plna
check "-h is --help" 0 'usage: regpol plan' "$regpol" plan -h
check "regpol version" 0 'regpol ' "$regpol" version
# Numbers are read whole and in range: `4x`, `-1` (which once wrapped to 2^64 repositories),
# `1e3` and `inf` are usage errors that name the option and what was given.
check "--threads 4x" 2 '--threads needs a whole number from 1 to 256, not `4x`' "$regpol" plan --policy p.regpol --snapshot snap.json --threads 4x
check "--threads 0" 2 'from 1 to 256, not `0`' "$regpol" apply --policy p.regpol --snapshot snap.json --state s.db --target actions:out --threads 0
check "gen --repos -1" 2 '--repos needs a whole number of 0 or more, not `-1`' "$regpol" snapshot gen --repos -1
check "gen --seed 1e3" 2 '--seed needs a whole number of 0 or more, not `1e3`' "$regpol" snapshot gen --seed 1e3
check "--jobs 65" 2 '--jobs needs a whole number from 1 to 64, not `65`' "$regpol" snapshot pull oci://127.0.0.1:1 --jobs 65 --out x.json
check "--max-delete-percent 101" 2 'from 0 to 100, not `101`' "$regpol" apply --policy p.regpol --snapshot snap.json --state s.db --target actions:out --max-delete-percent 101
check "--max-delete 2.5" 2 '--max-delete needs a whole number of 0 or more, not `2.5`' "$regpol" apply --policy p.regpol --snapshot snap.json --state s.db --target actions:out --max-delete 2.5
check "--price-per-gb inf" 2 '--price-per-gb needs a number from 0 to 1000000, not `inf`' "$regpol" plan --policy p.regpol --snapshot snap.json --price-per-gb inf
check "apply --jobs without oci://" 2 '--jobs goes with --target oci://' "$regpol" apply --policy p.regpol --snapshot snap.json --state s.db --target actions:out --jobs 4 --yes
check "apply --jobs 0" 2 '--jobs needs a whole number from 1 to 64, not `0`' "$regpol" apply --policy p.regpol --snapshot snap.json --state s.db --target oci://127.0.0.1:1 --jobs 0 --yes
check "diff --archive-price-per-gb -1" 2 'not `-1`' "$regpol" diff p.regpol p.regpol --snapshot snap.json --archive-price-per-gb -1

# In-use references: each one that matches nothing is a warning, counted in the report.
repo=$(jq -r '.imageDetails[0].repositoryName' snap.json); tag=$(jq -r '[.imageDetails[] | select(.imageTags | length > 0)][0] | .imageTags[0]' snap.json)
trepo=$(jq -r "[.imageDetails[] | select(.imageTags | length > 0)][0] | .repositoryName" snap.json)
printf '%s:%s\nnosuch/repo:v1\n%s:no-such-tag\n' "$trepo" "$tag" "$repo" > in-use.txt
check "unmatched in-use references warn" 0 'in-use.txt:2: in-use reference `nosuch/repo:v1` matches no image' \
  "$regpol" plan --policy p.regpol --snapshot snap.json --in-use in-use.txt --now 2026-11-27T00:00:00Z
grep -q 'in-use.txt:3: in-use reference' err && ! grep -q 'in-use.txt:1:' err && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL exactly the two unmatched lines warn"; cat err; }
n=$("$regpol" plan --policy p.regpol --snapshot snap.json --in-use in-use.txt --now 2026-11-27T00:00:00Z --format json 2>/dev/null | jq .summary.inUseUnmatched)
[ "$n" = 2 ] && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL inUseUnmatched is $n, want 2"; }
check "--strict-in-use fails" 3 'matched no image' "$regpol" plan --policy p.regpol --snapshot snap.json --in-use in-use.txt --strict-in-use
[ ! -s out ] && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL --strict-in-use printed a report"; }
printf '%s:%s\n' "$trepo" "$tag" > in-use-ok.txt
check "--strict-in-use with every reference matched" 0 '' "$regpol" plan --policy p.regpol --snapshot snap.json --in-use in-use-ok.txt --strict-in-use --now 2026-11-27T00:00:00Z
# explain says one decision per rule: a rule whose selection a higher rule matched first does
# not decide the image, and what it would do alone is said as that.
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select tagged pattern ["*"]\n      keep newest 1\n    }\n    rule 2 {\n      select any\n      expire older than 9000d\n    }\n  }\n}\n' > ex.regpol
"$regpol" explain --policy ex.regpol --snapshot snap.json --image "$trepo:$tag" --now 2026-11-27T00:00:00Z > out 2> err
if grep -q '^rule 2 .*matched it first, so this rule does not decide it (alone it would keep it' out && ! grep -q 'claimed it first' out; then pass=$((pass+1));
else failed=$((failed+1)); echo "FAIL explain of a claimed rule:"; cat out err; fi
# An unguarded read that fails on many images is reported once, with the count and an example.
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any where findings.critical > 0\n      expire older than 1d\n    }\n  }\n}\n' > ug.regpol
"$regpol" lint ug.regpol 2> err; grep -q 'W1011' err && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL lint does not flag the unguarded read"; }
"$regpol" plan --policy ug.regpol --snapshot snap.json --now 2026-11-27T00:00:00Z > out 2> err; rc=$?
n=$(grep -c 'error\[E0601\]' err)
if [ $rc -eq 3 ] && [ "$n" -eq 1 ] && grep -qE 'E0601.*\([0-9]+ images?, such as ' err && [ ! -s out ]; then pass=$((pass+1));
else failed=$((failed+1)); echo "FAIL E0601 grouping: exit $rc, $n lines"; head -3 err; fi
# Honest prices: below ECR's 150 TB archive tier, moving images to archive saves nothing.
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any\n      archive older than 1d\n    }\n  }\n}\n' > arch.regpol
got=$("$regpol" plan --policy arch.regpol --snapshot snap.json --now 2026-11-27T00:00:00Z --format json | jq '[.summary.transition > 0, .summary.monthlySavingsUsd]' -c)
[ "$got" = "[true,0]" ] && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL default pricing: transitions saved $got"; }
"$regpol" plan --policy arch.regpol --snapshot snap.json --now 2026-11-27T00:00:00Z | grep -q 'saves \$0.00/GB-month (nothing below the archive tier); archived images are billed for at least 90 days' \
  && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL the report explains the archive price"; }
echo '{"standardPerGbMonth": 0.10, "archiveTiers": [{"perGbMonth": 0.01}], "restorePerGb": 0.02, "archiveMinimumDays": 90}' > cheap.json
s=$("$regpol" plan --policy arch.regpol --snapshot snap.json --now 2026-11-27T00:00:00Z --format json --pricing cheap.json | jq .summary.monthlySavingsUsd)
awk "BEGIN { exit !($s > 0) }" && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL a cheaper archive in --pricing saves: $s"; }
echo '{"standardPerGbMonth": "ten", "archiveTiers": []}' > badprice.json
check "an invalid pricing file" 3 'badprice.json#/standardPerGbMonth' "$regpol" plan --policy arch.regpol --snapshot snap.json --pricing badprice.json
# A price no register holds (1e308) is refused where it is written, instead of a report
# whose JSON says -nan; the price flags have the same bound.
echo '{"standardPerGbMonth": 1e308, "archiveTiers": [{"perGbMonth": 1e308}]}' > hugeprice.json
check "a price of 1e308 USD" 3 'hugeprice.json#/standardPerGbMonth: expected a number of USD from 0 to 1000000' "$regpol" plan --policy arch.regpol --snapshot snap.json --pricing hugeprice.json --format json
check "--price-per-gb 1e308" 2 '--price-per-gb needs a number' "$regpol" plan --policy arch.regpol --snapshot snap.json --price-per-gb 1e308 --format json
echo '{"standardPerGbMonth": 1000000, "archiveTiers": [{"upToGb": 1e12, "perGbMonth": 1000000}, {"perGbMonth": 0}]}' > maxprice.json
"$regpol" plan --policy arch.regpol --snapshot snap.json --now 2026-11-27T00:00:00Z --pricing maxprice.json --format json | jq -e '.summary.monthlySavingsUsd | isnormal or . == 0' > /dev/null &&
  pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL the largest prices give a finite, valid JSON report"; }
# Plurals read as English.
"$regpol" snapshot gen --repos 1 --images-per-repo 1 --out one.json 2> err
grep -q 'in 1 repository$' err && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL plural: $(cat err)"; }
# A count rule that gives a place among its newest to a signature says so (a silent wrong
# count otherwise: the image it meant to keep goes); `where not is_artifact` counts images.
python3 - <<'EOF'
import json
d = lambda n: "sha256:" + f"{n:064x}"
imgs = [{"repository": "app", "digest": d(1), "tags": ["v1"], "pushedAt": "2026-11-01T00:00:00Z"},
        {"repository": "app", "digest": d(2), "tags": [], "pushedAt": "2026-11-20T00:00:00Z", "subject": d(1),
         "artifactMediaType": "application/vnd.dev.cosign.artifact.sig.v1+json"},
        {"repository": "app", "digest": d(3), "tags": [], "pushedAt": "2026-11-10T00:00:00Z"},
        {"repository": "app", "digest": d(4), "tags": [], "pushedAt": "2026-11-05T00:00:00Z"}]
json.dump({"schema": "regpol.snapshot/v1", "images": imgs}, open("signed.json", "w"))
EOF
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select untagged\n      keep newest 2\n    }\n  }\n}\n' > count.regpol
check "a count rule counting a signature warns" 0 'count rules gave 1 place among their newest to artifacts' \
  "$regpol" plan --policy count.regpol --snapshot signed.json --now 2026-11-27T00:00:00Z
check "... and says how many in JSON" 0 '"artifactsCounted": 1' "$regpol" plan --policy count.regpol --snapshot signed.json --now 2026-11-27T00:00:00Z --format json
sed 's/select untagged/select untagged where not is_artifact/' count.regpol > images-only.regpol
"$regpol" plan --policy images-only.regpol --snapshot signed.json --now 2026-11-27T00:00:00Z --format json > io.json 2>&1 &&
  ! grep -q artifactsCounted io.json && [ "$(jq '[.images[] | select(.action == "expire")] | length' io.json)" = 0 ] && pass=$((pass+1)) ||
  { failed=$((failed+1)); echo "FAIL where not is_artifact: the count still counts the signature"; }
# Each command's --help says what its exit codes mean for it: the top level lists 5 (a
# busy state file); fmt's 1 is an unformatted file, not `--fail-on-deny`; plan never exits 1.
check "--help lists exit code 5" 0 '^  5  another apply holds the state file' "$regpol" --help
"$regpol" fmt --help > out 2>&1
grep -q '^  1  --check or --diff: a file is not formatted' out && ! grep -q 'fail-on-deny' out && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL fmt --help exit codes: $(tail -6 out)"; }
"$regpol" plan --help > out 2>&1
grep -q '^Exit codes:' out && ! grep -q '^  1  ' out && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL plan --help exit codes: $(tail -6 out)"; }
for c in plan lint test fmt compile explain diff snapshot import export authorize runs apply in-use; do
  "$regpol" $c --help > out 2>&1
  grep -q '^Exit codes:' out && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL $c --help has no exit codes"; }
done
# A misspelled keyword gets the keyword it is closest to; a word far from every expected
# keyword gets none.
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select untaged\n      expire older than 7d\n    }\n  }\n}\n' > typo.regpol
check "a misspelled keyword suggests" 3 'help: did you mean `untagged`?' "$regpol" lint typo.regpol
printf 'repository "*" {\n  lifecyle {\n  }\n}\n' > typo2.regpol
check "a misspelled block suggests" 3 'help: did you mean `lifecycle`?' "$regpol" lint typo2.regpol
printf 'repository "*" {\n  zebra {\n  }\n}\n' > far.regpol
"$regpol" lint far.regpol > out 2>&1
grep -q 'E0101' out && ! grep -q 'did you mean' out && pass=$((pass+1)) || { failed=$((failed+1)); echo "FAIL a far word got a suggestion: $(cat out)"; }
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
