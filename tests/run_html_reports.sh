#!/usr/bin/env bash
# The HTML reports in a real browser (#27): every example's plan, the quickstart's ECR
# lifecycle document and a 62,000-image generated snapshot are rendered with
# `plan --format html`, opened in headless Chromium with JavaScript on, and checked against
# the JSON report of the same plan (tests/html/check_report_html.py: no console error, the
# charts' numbers, the table's filter and sort). A screenshot of each is kept in ARTIFACTS.
# The page is the same bytes on every run, and under 5 MB at 50,000 images and more.
# usage: run_html_reports.sh REGPOL REPO_ROOT ARTIFACTS
set -u
regpol=$1; root=$2; artifacts=$3
py=/usr/bin/python3  # Debian's python, which has Debian's python3-selenium
pass=0; failed=0
ok() { pass=$((pass+1)); }
bad() { failed=$((failed+1)); echo "FAIL $*"; }
for tool in /usr/bin/chromium /usr/bin/chromedriver; do
  [ -x "$tool" ] || { echo "FAIL $tool is missing: run scripts/bootstrap test"; exit 1; }
done
"$py" -c 'import selenium' 2>/dev/null || { echo "FAIL python3-selenium is missing: run scripts/bootstrap test"; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir -p "$artifacts"
export CHROME_PROFILE="$work/profile" HOME="$work"
now=2026-11-27T00:00:00Z

# The pages are written first and checked at the end in one browser (check_report_html.py
# --batch): one Chromium start for all of them.
# page NAME KIND: queue WORK/NAME.html, checked against WORK/NAME.json.
page() { printf '%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$work/$1.html" "$work/$1.json" "$artifacts/$1.png" >> "$work/pages.tsv"; }

# check NAME PLAN-ARGS…: the JSON and HTML reports of one plan, checked in the browser.
check() {
  local name=$1; shift
  "$regpol" plan "$@" --now "$now" --format json > "$work/$name.json" 2> "$work/$name.err" || { bad "$name: plan --format json failed: $(head -3 "$work/$name.err")"; return; }
  "$regpol" plan "$@" --now "$now" --format html > "$work/$name.html" 2> "$work/$name.err" || { bad "$name: plan --format html failed: $(head -3 "$work/$name.err")"; return; }
  page "$name" plan
}

for d in "$root"/examples/*/; do
  name=$(basename "$d")
  snapshot=
  for s in "$d/registry.json" "$d/images.json" "$d"/fixtures/*.json; do [ -f "$s" ] && { snapshot=$s; break; }; done
  [ -n "$snapshot" ] || continue
  args=(--policy "$d/policy.regpol" --snapshot "$snapshot")
  [ -f "$d/pricing.json" ] && args+=(--pricing "$d/pricing.json")
  check "example-$name" "${args[@]}"
done
check ecr-lifecycle --ecr-lifecycle "$root/examples/quickstart/ecr-lifecycle.json" --snapshot "$root/examples/quickstart/images.json"

# A large plan: every rule of the lifecycle benchmark over 62,045 images (50 repositories).
"$regpol" snapshot gen --repos 50 --images-per-repo 1000 --seed 5 --format regpol --out "$work/large-snapshot.json" 2>/dev/null
check large --policy "$root/bench/policy-10-rules.regpol" --snapshot "$work/large-snapshot.json"
if [ -f "$work/large.html" ]; then
  images=$(jq '.summary.images' "$work/large.json")
  size=$(stat -c %s "$work/large.html")
  [ "$images" -ge 50000 ] && [ "$size" -lt 5000000 ] && ok || bad "the HTML of a $images-image plan is $size bytes (at least 50,000 images, under 5 MB)"
  "$regpol" plan --policy "$root/bench/policy-10-rules.regpol" --snapshot "$work/large-snapshot.json" --now "$now" --format html --threads 1 > "$work/again.html"
  cmp -s "$work/large.html" "$work/again.html" && ok || bad "two runs of the same plan give different HTML"
fi

# check_diff NAME OLD NEW DIFF-ARGS…: the JSON and HTML reports of one policy change.
check_diff() {
  local name=$1 old=$2 new=$3; shift 3
  "$regpol" diff "$old" "$new" "$@" --now "$now" --format json > "$work/$name.json" 2> "$work/$name.err" || { bad "$name: diff --format json failed: $(head -3 "$work/$name.err")"; return; }
  "$regpol" diff "$old" "$new" "$@" --now "$now" --format html > "$work/$name.html" 2> "$work/$name.err" || { bad "$name: diff --format html failed: $(head -3 "$work/$name.err")"; return; }
  [ "$(jq .summary.changed "$work/$name.json")" -gt 0 ] || bad "$name: the policy change changes nothing, so the page shows no table"
  page "$name" diff
}
mt="$root/examples/multi-team"
sed 's/keep_releases(n: 3)/keep_releases(n: 1)/; s/previews(after: 14d)/previews(after: 3d)/; s/older than 60d/older than 400d/' "$mt/policy.regpol" > "$work/multi-team-new.regpol"
check_diff diff-multi-team "$mt/policy.regpol" "$work/multi-team-new.regpol" --snapshot "$mt/registry.json"
# A large change: the benchmark's rules made stricter and looser over 62,045 images.
sed 's/keep newest 20/keep newest 5/; s/expire older than 14d/expire older than 60d/; s/archive unpulled for 90d/archive unpulled for 30d/' \
  "$root/bench/policy-10-rules.regpol" > "$work/stricter.regpol"
check_diff diff-large "$root/bench/policy-10-rules.regpol" "$work/stricter.regpol" --snapshot "$work/large-snapshot.json"

# The journal of apply: three nightly runs against a SQLite snapshot store, as the list of
# runs and as the last run in full.
"$regpol" snapshot gen --repos 12 --images-per-repo 40 --seed 7 --format regpol --out "$work/runs-snapshot.json" 2>/dev/null
"$regpol" snapshot import "$work/runs-snapshot.json" --db "$work/target.db" >/dev/null 2>&1
for at in 2026-11-27T00:00:00Z 2026-12-10T00:00:00Z 2027-01-20T00:00:00Z; do
  "$regpol" apply --policy "$root/bench/policy-10-rules.regpol" --snapshot "$work/target.db" --state "$work/state.db" --target "$work/target.db" \
    --now "$at" --yes > /dev/null 2>&1 || bad "apply at $at failed"
done
check_journal() {
  local name=$1 kind=$2; shift 2
  "$regpol" runs "$@" --state "$work/state.db" --format json > "$work/$name.json" && "$regpol" runs "$@" --state "$work/state.db" --format html > "$work/$name.html" ||
    { bad "$name: runs $* failed"; return; }
  page "$name" "$kind"
}
check_journal runs runs
check_journal run-show run show last
check_journal run-show-first run show 1

# The audit of the audit test's fixture registry (every check raised somewhere).
fx="$root/tests/audit"
"$regpol" audit --policy "$fx/policy.regpol" --snapshot "$fx/settings.json" --now "$now" --format json > "$work/audit.json"
"$regpol" audit --policy "$fx/policy.regpol" --snapshot "$fx/settings.json" --now "$now" --format html > "$work/audit.html"
page audit audit

# Text a policy author or a snapshot controls (rule descriptions, protect labels, the
# snapshot's source) lands in the page as text, never as markup or script: a description
# that tries to close the script and run its own shows literally, and nothing runs.
cat > "$work/hostile.regpol" <<'P'
repository "*" {
  lifecycle {
    rule 1 "</script><script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">" {
      select untagged
      expire older than 1d
    }
  }
}
P
jq '.source = "oci://127.0.0.1:5000/\"><script>document.title=1</script>"' "$root/examples/multi-team/registry.json" > "$work/hostile-snapshot.json"
"$regpol" plan --policy "$work/hostile.regpol" --snapshot "$work/hostile-snapshot.json" --now "$now" --format json > "$work/hostile.json" &&
  "$regpol" plan --policy "$work/hostile.regpol" --snapshot "$work/hostile-snapshot.json" --now "$now" --format html > "$work/hostile.html" ||
  bad "hostile: plan failed"
page hostile hostile  # the plan's checks, then: the title stays, the text shows literally, no <img>
grep -q "<script>document.title" "$work/hostile.html" && bad "hostile text reached the page as markup" || ok

# --summary has no HTML form: the page opens with the summary.
"$regpol" plan --policy "$root/examples/quickstart/policy.regpol" --snapshot "$root/examples/quickstart/images.json" --format html --summary >/dev/null 2>&1
[ $? -eq 2 ] && ok || bad "plan --format html --summary should be a usage error (exit 2)"

# Every page, in one browser.
"$py" "$root/tests/html/check_report_html.py" --batch "$work/pages.tsv" > "$work/batch.log" 2>&1
pages=$(wc -l < "$work/pages.tsv"); checked=$(grep -c '^ok ' "$work/batch.log")
pass=$((pass + checked))
grep -E '^(ok|FAIL) ' "$work/batch.log"
failed=$((failed + pages - checked))
[ "$(grep -cE '^(ok|FAIL) ' "$work/batch.log")" -eq "$pages" ] || tail -5 "$work/batch.log"  # the checker itself stopped

echo "html.reports: $pass passed, $failed failed (screenshots in $artifacts)"
[ "$failed" -eq 0 ]
