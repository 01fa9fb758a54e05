#!/usr/bin/env bash
# `regpol diff`: on policy pairs whose difference is known by construction, and against
# running `plan` on each policy and comparing the verdicts image by image (several pairs,
# random snapshots); the old policy through a pipe; access decisions from a request log.
# usage: run_diff.sh REGPOL
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$1"
now=2026-06-01T00:00:00Z

policy() {  # policy NAME KEEP-RELEASES PR-DAYS UNTAGGED-DAYS EXTRA-STATEMENT
  cat > "$1.regpol" <<P
policy "$1"
repository "*" {
  lifecycle {
    rule 1 "releases" {
      select tagged pattern ["v*"]
      keep newest $2
    }
    rule 2 "previews" {
      select tagged prefix ["pr-"]
      expire older than ${3}d
    }
    rule 3 "untagged" {
      select untagged
      expire older than ${4}d
    }
  }
  access {
    allow pull to account "111122223333"
    $5
  }
}
P
}
policy a 5 30 14 ''
policy b 5 30 14 ''
policy c 3 30 14 'deny pull to arn "arn:aws:iam::111122223333:role/old"'
policy d 8 10 60 ''
policy e 1 1 1 ''

for seed in 1 2 3; do
  "$regpol" snapshot gen --repos 4 --images-per-repo 60 --seed $seed --format regpol --out snap$seed.json 2> /dev/null
done

# Same policy twice: nothing changes, and --fail-on-change passes.
"$regpol" diff a.regpol b.regpol --snapshot snap1.json --now $now --format json --fail-on-change > same.json
[ $? = 0 ] && [ "$(jq .summary.changed same.json)" = 0 ] && ok || bad "identical policies must show no change"

# Against plan run twice: the changed images, with their old and new actions, are exactly
# those whose actions differ between the two plan reports.
for pair in "a c" "a d" "a e" "d e" "c e"; do
  set -- $pair
  for seed in 1 2 3; do
    "$regpol" plan --policy $1.regpol --snapshot snap$seed.json --now $now --format json > p1.json
    "$regpol" plan --policy $2.regpol --snapshot snap$seed.json --now $now --format json > p2.json
    jq -r -n --slurpfile x p1.json --slurpfile y p2.json '
      ($x[0].images | map({key: (.repository + "@" + .digest), value: .action}) | from_entries) as $old
      | $y[0].images[] | select($old[.repository + "@" + .digest] != .action)
      | "\(.repository)@\(.digest) \($old[.repository + "@" + .digest]) \(.action)"' | sort > want.txt
    "$regpol" diff $1.regpol $2.regpol --snapshot snap$seed.json --now $now --format json > d.json
    jq -r '.images[] | "\(.repository)@\(.digest) \(.old.action) \(.new.action)"' d.json | sort > got.txt
    if diff want.txt got.txt > /dev/null && [ "$(jq .summary.changed d.json)" = "$(wc -l < want.txt)" ]; then ok
    else bad "diff $1 $2 on seed $seed differs from two plans: $(diff want.txt got.txt | head -5)"; fi
    # The bytes: the change in the plans' reclaimed bytes.
    delta=$(( $(jq .summary.bytesReclaimed p2.json) - $(jq .summary.bytesReclaimed p1.json) ))
    [ "$(jq .summary.bytesReclaimedDelta d.json)" = "$delta" ] && ok || bad "bytes delta $1 $2 seed $seed: $(jq .summary.bytesReclaimedDelta d.json), plans say $delta"
  done
done

# Known by construction: keeping 3 newest releases instead of 5 expires exactly the 4th and
# 5th newest `v*` image of each repository (those the rest of the policy leaves alone).
"$regpol" plan --policy a.regpol --snapshot snap1.json --now $now --format json > pa.json
jq -r '[.images[] | select(.tags | any(startswith("v")))] | group_by(.repository)[] | .[3:5][] | select(.action == "keep") | .digest' pa.json | sort > want.txt
"$regpol" diff a.regpol c.regpol --snapshot snap1.json --now $now --format json > ac.json
jq -r '.images[] | select(.old.action == "keep" and .new.action == "expire") | .digest' ac.json | sort > got.txt
[ -s want.txt ] && diff want.txt got.txt > /dev/null && ok || bad "keep 5 -> keep 3: $(diff want.txt got.txt | head -4)"
[ "$(jq '[.images[].new.rule.priority] | unique' ac.json)" = "[
  1
]" ] && ok || bad "each change names the new deciding rule"

# The dollars: the change in the monthly saving is what `plan` reports for the new policy
# minus what it reports for the old (each rounded to cents, so within a cent), with the
# built-in prices, flat prices, and a pricing file whose archive tier is crossed, so the two
# plans' archive rates differ and images whose verdict stays change dollars too.
tier() {  # tier NAME KEEP-STANDARD DROP-ARCHIVED-DAYS
  cat > "$1.regpol" <<P
policy "$1"
repository "*" {
  lifecycle {
    rule 1 "releases to archive" {
      select tagged pattern ["v*"]
      archive all but newest $2
    }
    rule 2 "archived go" {
      select any in archive
      expire archived for ${3}d
    }
    rule 3 "untagged" {
      select untagged
      expire older than 14d
    }
  }
}
P
}
tier t1 6 300
tier t2 2 30
printf '{"standardPerGbMonth": 0.10, "archiveTiers": [{"upToGb": 1, "perGbMonth": 0.09}, {"perGbMonth": 0.01}]}' > tiers.json
for prices in "" "--price-per-gb 0.25 --archive-price-per-gb 0.03" "--pricing tiers.json"; do
  for pair in "t1 t2" "t2 t1" "a t2"; do
    set -- $pair
    # shellcheck disable=SC2086
    "$regpol" plan --policy $1.regpol --snapshot snap2.json --now $now --format json $prices > p1.json
    # shellcheck disable=SC2086
    "$regpol" plan --policy $2.regpol --snapshot snap2.json --now $now --format json $prices > p2.json
    # shellcheck disable=SC2086
    "$regpol" diff $1.regpol $2.regpol --snapshot snap2.json --now $now --format json $prices > d.json
    jq -n -e --slurpfile x p1.json --slurpfile y p2.json --slurpfile d d.json '
      ($y[0].summary.monthlySavingsUsd - $x[0].summary.monthlySavingsUsd) as $want
      | ($d[0].summary.monthlySavingsUsdDelta - $want | fabs) < 0.0101 and $d[0].summary.changed > 0' > /dev/null && ok ||
      bad "saving delta $1 -> $2 with '$prices': diff says $(jq .summary.monthlySavingsUsdDelta d.json), plans $(jq .summary.monthlySavingsUsd p1.json) -> $(jq .summary.monthlySavingsUsd p2.json)"
  done
done
[ "$(jq '[.images[] | select(.action == "transition")] | length' p2.json)" -gt 0 ] && ok || bad "the tier pairs transition images"
"$regpol" diff t1.regpol t2.regpol --snapshot snap2.json --now $now --pricing tiers.json | grep -q '^prices: a pricing file\|^prices: .*\$0.09/GB-month up to 1 GB' && ok ||
  bad "the text diff says which prices its dollars are at"
"$regpol" diff t1.regpol t2.regpol --snapshot snap2.json --now $now --price-per-gb 0.25 --format markdown | grep -q '^prices: --price-per-gb \$0.25/GB-month' && ok ||
  bad "the markdown diff says which prices its dollars are at"
"$regpol" diff t1.regpol t2.regpol --snapshot snap1.json --price-per-gb lots > /dev/null 2>&1; [ $? = 2 ] && ok ||
  bad "a malformed flat price is a usage error"

# OLD through a pipe, as `git show HEAD~1:policy.regpol | regpol diff - policy.regpol`.
git init -q repo && cp a.regpol repo/policy.regpol && (cd repo && git add policy.regpol && git -c user.email=t@t -c user.name=t commit -qm one) &&
  cp c.regpol repo/policy.regpol
(cd repo && git show HEAD:policy.regpol | "$regpol" diff - policy.regpol --snapshot ../snap1.json --now $now --format json) > piped.json
[ "$(jq .summary.changed piped.json)" = "$(jq .summary.changed ac.json)" ] && [ "$(jq .summary.changed ac.json)" -gt 0 ] && ok ||
  bad "the piped old policy gives the same diff"
# A pull request that adds the policy file: `git show` of the parent prints nothing (git
# itself fails; the pipe carries no text), and the diff shows the whole policy as new: every
# image the policy removes changes from keep, the same as plan says.
(cd repo && git show HEAD~1:policy.regpol 2> /dev/null | "$regpol" diff - policy.regpol --snapshot ../snap1.json --now $now --format json) > added.json
rc=$?
"$regpol" plan --policy c.regpol --snapshot snap1.json --now $now --format json > plan-c.json
[ $rc = 0 ] && [ "$(jq .summary.changed added.json)" = "$(jq '[.images[] | select(.action != "keep")] | length' plan-c.json)" ] && \
  [ "$(jq '[.images[] | select(.old.action != "keep")] | length' added.json)" = 0 ] && ok || bad "an added policy file: exit $rc $(head -c 300 added.json)"
# ... and one that deletes it (the new side an empty file, or only comments): everything comes back.
printf '# retired\n' > retired.regpol
"$regpol" diff c.regpol retired.regpol --snapshot snap1.json --now $now --format json > deleted.json
rc=$?
[ $rc = 0 ] && [ "$(jq .summary.changed deleted.json)" = "$(jq .summary.changed added.json)" ] && ok || bad "a deleted policy file: exit $rc $(head -c 300 deleted.json)"
# A file that is not empty but broken is still an error.
printf 'repository "*" {\n' > broken.regpol
"$regpol" diff broken.regpol c.regpol --snapshot snap1.json --now $now > /dev/null 2> broken.err
[ $? = 3 ] && ok || bad "a broken policy is bad input: $(cat broken.err)"
"$regpol" diff a.regpol c.regpol --snapshot snap1.json --now $now --fail-on-change > /dev/null
[ $? = 1 ] && ok || bad "--fail-on-change exits 1 on a change"
"$regpol" diff a.regpol c.regpol --snapshot snap1.json --now $now --format markdown > ac.md
grep -q '^| platform/' ac.md && ok || bad "markdown lists repositories"
# The pull-request comment: what it was evaluated on, each repository's changes in a fold
# with the reason for the new verdict (as the text gives it), dollars as plan writes them.
grep -q '^on `snap1.json`.*, evaluated at 2026-06-01T00:00:00Z$' ac.md && ok || bad "markdown names the snapshot: $(head -4 ac.md)"
[ "$(grep -c '^<details><summary>' ac.md)" = "$(jq '.repositories | length' ac.json)" ] && [ "$(grep -c '^</details>' ac.md)" = "$(jq '.repositories | length' ac.json)" ] \
  && ok || bad "one fold per repository: $(grep -c '<details>' ac.md) for $(jq '.repositories | length' ac.json)"
reason=$(jq -r '.images[0].new.reason' ac.json)
grep -qF "| $reason |" ac.md && ok || bad "the markdown row carries the reason: $reason"
! grep -q 'USD' ac.md && grep -qE 'saving [+-]?\$[0-9]+\.[0-9]{2} a month' ac.md && ok || bad "money as \$: $(grep -m1 saving ac.md)"
# The markdown diff byte for byte (tests/golden/diff-markdown): heading, snapshot and capture
# time, per-repository table, a fold per repository with the reason for each new verdict,
# dollars as plan writes them. Regenerate expected.md with the same command after a
# deliberate change, and read the difference.
golden="$here/golden/diff-markdown"
(cd "$golden" && "$regpol" diff old.regpol new.regpol --snapshot snapshot.json --now 2026-11-27T00:00:00Z --format markdown) > golden.md
diff -u "$golden/expected.md" golden.md > golden.diff && ok || bad "the markdown diff differs from tests/golden/diff-markdown/expected.md: $(head -20 golden.diff)"
# A diff too long for one comment (12,000 images change) stops inside the budget, folds
# closed, with the same advice as plan's markdown.
"$regpol" snapshot gen --repos 100 --images-per-repo 150 --seed 4 --format regpol --out big.json 2> /dev/null
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select untagged\n      expire older than 30d\n    }\n  }\n}\n' > untagged.regpol
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any\n      expire older than 30d\n    }\n  }\n}\n' > any.regpol
"$regpol" diff untagged.regpol any.regpol --snapshot big.json --now 2027-06-01T00:00:00Z --format markdown > big.md
"$regpol" diff untagged.regpol any.regpol --snapshot big.json --now 2027-06-01T00:00:00Z --format json | jq -e '.summary.changed >= 12000' > /dev/null && ok ||
  bad "the long diff should change at least 12,000 verdicts"
[ "$(wc -c < big.md)" -le 65536 ] && [ "$(grep -c '^<details>' big.md)" = "$(grep -c '^</details>' big.md)" ] && \
  grep -q '^…and [0-9]* more changes not shown; run `regpol diff` with the same options and `--format text` to list every change.$' big.md \
  && ok || bad "a long markdown diff: $(wc -c < big.md) bytes, $(tail -2 big.md)"

# A self-hosted registry's snapshot has no ECR price: plan, its summary and diff show no
# dollars (JSON null, valid against the schemas) and say how to give one; a given price is used.
jq '.source = "oci://127.0.0.1:5000"' snap1.json > oci.json
"$regpol" plan --policy c.regpol --snapshot oci.json --now $now > oci-plan.txt
grep -q 'no price, so no saving in dollars' oci-plan.txt && grep -q 'prices: none for a self-hosted registry (oci://127.0.0.1:5000): give --price-per-gb' oci-plan.txt && \
  ! grep -q 'us-east-1' oci-plan.txt && ok || bad "an oci:// plan shows ECR prices: $(tail -5 oci-plan.txt)"
"$regpol" plan --policy c.regpol --snapshot oci.json --now $now --format json > oci-plan.json
"$regpol" plan --policy c.regpol --snapshot oci.json --now $now --format json --summary > oci-summary.json
"$regpol" diff a.regpol c.regpol --snapshot oci.json --now $now --format json > oci-diff.json
[ "$(jq .summary.monthlySavingsUsd oci-plan.json)" = null ] && [ "$(jq .summary.monthlySavingsUsd oci-summary.json)" = null ] && \
  [ "$(jq '[.repositories[].monthlySavingsUsd] | unique' oci-summary.json)" = '[
  null
]' ] && [ "$(jq .summary.monthlySavingsUsdDelta oci-diff.json)" = null ] && ok || bad "oci:// JSON dollars: $(jq -c .summary oci-plan.json oci-diff.json)"
for pair in "oci-plan.json plan" "oci-summary.json plan-summary" "oci-diff.json diff"; do
  set -- $pair
  python3 -c 'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' "$1" "$here/../docs/$2.schema.json" \
    && ok || bad "$1 against docs/$2.schema.json"
done
"$regpol" diff a.regpol c.regpol --snapshot oci.json --now $now > oci-diff.txt
grep -q '(no price known)' oci-diff.txt && ! grep -q 'saving' oci-diff.txt && ok || bad "oci:// diff text: $(head -3 oci-diff.txt)"
"$regpol" plan --policy c.regpol --snapshot oci.json --now $now --format json --price-per-gb 0.05 > oci-priced.json
[ "$(jq '.summary.monthlySavingsUsd | type' oci-priced.json)" = '"number"' ] && ok || bad "--price-per-gb on oci://: $(jq -c .summary oci-priced.json)"

# Access: c denies pull to one role; exactly its pulls change.
cat > requests.jsonl <<'R'
{"principal": "arn:aws:iam::111122223333:role/old", "action": "ecr:BatchGetImage", "repository": "platform/api-0"}
{"principal": "arn:aws:iam::111122223333:role/new", "action": "ecr:BatchGetImage", "repository": "platform/api-0"}
{"principal": "arn:aws:iam::111122223333:role/old", "action": "ecr:GetDownloadUrlForLayer", "repository": "platform/api-1"}
{"principal": "arn:aws:iam::999999999999:role/old", "action": "ecr:BatchGetImage", "repository": "platform/api-0"}
R
"$regpol" diff a.regpol c.regpol --snapshot snap1.json --now $now --requests requests.jsonl --format json > acc.json
[ "$(jq -c '[.access.changes[].index]' acc.json)" = "[1,3]" ] && [ "$(jq -r '.access.changes[0].new.decision' acc.json)" = deny ] && ok ||
  bad "access changes: $(jq -c .access acc.json)"
"$regpol" diff a.regpol b.regpol --snapshot snap1.json --now $now --requests requests.jsonl --fail-on-change > /dev/null
[ $? = 0 ] && ok || bad "no access change between identical policies"

# Settings: what each policy would put on the registry, access compared by what it decides.
cat > s1.regpol <<'R'
registry {
  scanning basic
}

repository "platform/*" {
  mutability immutable except "latest"
  scan on push
  access {
    allow pull to account "222233334444"
  }
}
R
sed 's/scanning basic/scanning enhanced/; s/scan on push/scan manual/; s/allow pull to account "222233334444"/allow pull to account "222233334444", account "333344445555"/' s1.regpol > s2.regpol
"$regpol" diff s1.regpol s2.regpol --snapshot snap1.json --now $now --format json > set.json; rc=$?
schema="$here/../docs/diff.schema.json"
/usr/bin/python3 - set.json "$schema" <<'PY' && [ $rc = 0 ] && ok || bad "settings changes: $(jq -c .settings set.json)"
import json, sys, jsonschema
d = json.load(open(sys.argv[1]))
jsonschema.validate(d, json.load(open(sys.argv[2])))
by = {}
for c in d["settings"]:
    by.setdefault(c["setting"], []).append(c)
assert [(c["repository"], c["old"], c["new"]) for c in by["registryScanning"]] == [(None, "BASIC", "ENHANCED")]
scans = by["scanOnPush"]
assert scans and all(c["old"] == "scan on push" and c["new"] == "scan manual" and c["repository"].startswith("platform/") for c in scans)
access = by["access"]
assert len(access) == len(scans) and all(c["new"] == "wider" and "333344445555" in c["detail"] for c in access), access[:2]
assert "tagMutability" not in by
PY
"$regpol" diff s1.regpol s1.regpol --snapshot snap1.json --now $now --fail-on-change > /dev/null; [ $? = 0 ] && ok || bad "the same settings are no change"
"$regpol" diff s1.regpol s2.regpol --snapshot snap1.json --now $now | grep -q "^settings: " && ok || bad "text names the settings"

# Errors.
"$regpol" diff a.regpol --snapshot snap1.json > /dev/null 2>&1; [ $? = 2 ] && ok || bad "one policy is a usage error"
"$regpol" diff a.regpol c.regpol > /dev/null 2>&1; [ $? = 2 ] && ok || bad "no snapshot is a usage error"
printf 'policy "x"\nrepository "*" {' > broken.regpol
"$regpol" diff a.regpol broken.regpol --snapshot snap1.json > /dev/null 2> err.txt; [ $? = 3 ] && grep -q "broken.regpol:" err.txt && ok ||
  bad "a malformed policy is bad input, located: $(cat err.txt)"
printf '{"principal": 5}\n' > bad.jsonl
"$regpol" diff a.regpol c.regpol --snapshot snap1.json --requests bad.jsonl > out.txt 2>&1; [ $? = 3 ] && ! grep -q "change verdict" out.txt && ok ||
  bad "a malformed request log gives exit 3 and no partial diff"
finish
