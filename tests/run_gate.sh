#!/usr/bin/env bash
# `regpol gate IMAGE`: the policy's `gate` rules on images of tests/gate/snapshot.json built
# to meet each rule and miss it (findings, never scanned, age, rules of two matching blocks
# adding up, a repository no gate covers), references with and without the registry host,
# another registry's host, images the snapshot lacks, JSON, a SQLite store read for one
# repository, and that fmt, lint and compile know the block.
# usage: run_gate.sh REGPOL REPO_ROOT
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$2" && pwd)  # before lib.sh moves into its temporary folder
source "$here/lib.sh" "$1"
fx="$root/tests/gate"
now=2026-12-01T00:00:00Z
host=111122223333.dkr.ecr.us-east-1.amazonaws.com
gate() { "$regpol" gate "$1" --policy "$fx/policy.regpol" --snapshot "${2:-$fx/snapshot.json}" --now "$now" "${@:3}"; }
digest() { printf 'sha256:%s' "$(printf "$1%.0s" $(seq 64))"; }

expect_allow() {  # REF PINNED [SNAPSHOT]
  out=$(gate "$1" "${3:-}" 2>&1); rc=$?
  [ "$rc" = 0 ] && [ "$out" = "$2" ] && ok || bad "$1 should be allowed as $2: exit $rc: $out"
}
expect_refuse() {  # REF "RULE..." (the refusing rules' names, in order)
  out=$(gate "$1" 2>&1); rc=$?
  names=$(sed -n 's/^  \(.*\)  (.*/\1/p' <<<"$out" | tr '\n' '|')
  [ "$rc" = 1 ] && [ "$names" = "$2" ] && ok || bad "$1 should be refused by [$2]: exit $rc: $out"
}

expect_allow prod/api:v1 "prod/api@$(digest a)"                               # scanned, 0 critical, 2 high, recent
expect_allow "$host/prod/api:v1" "$host/prod/api@$(digest a)"                 # the snapshot's own registry, named
expect_allow "prod/api@$(digest a)" "prod/api@$(digest a)"                    # by digest
expect_refuse prod/api:v2 "critical findings|"
expect_refuse prod/api:v0 "stale|"                                            # pushed 334 days before --now
expect_refuse prod/api:v4 "high findings|"                                    # the prod/api block's own rule
expect_allow prod/web:web-1 "prod/web@$(digest f)"                            # 9 high: only prod/api has that rule
expect_allow dev/tool:t1 "dev/tool@$(digest 9)"                              # no block with a gate matches
# Never scanned: "not scanned" selects it, and the findings rules cannot be decided: refused
# by all three, each saying so (a gate fails closed).
out=$(gate prod/api:v3 2>&1); rc=$?
[ "$rc" = 1 ] && [ "$(grep -c 'cannot be decided for this image' <<<"$out")" = 2 ] && grep -q "^  not scanned  (.*policy.regpol:6:5)$" <<<"$out" && \
  ok || bad "never scanned: exit $rc: $out"
# What the snapshot does not hold is not deployed.
out=$(gate prod/api:nope 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "no image of \`prod/api\` has tag \`nope\`" <<<"$out" && ok || bad "unknown tag: exit $rc: $out"
out=$(gate 222233334444.dkr.ecr.us-east-1.amazonaws.com/prod/api:v1 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "the snapshot is ECR 111122223333 in us-east-1" <<<"$out" && ok || bad "another registry: exit $rc: $out"

# JSON: the decision, the digest, every refusing rule with its location and why.
gate prod/api:v3 "" --format json > v3.json; rc=$?
/usr/bin/python3 - v3.json <<'PY' && [ "$rc" = 1 ] && ok || bad "JSON of a refusal: exit $rc"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["schema"] == "regpol.gate/v1" and d["decision"] == "deny" and d["deploy"] is None, d
assert d["digest"] == "sha256:" + "c" * 64 and d["rules"] == 4, d
assert [x["name"] for x in d["denials"]] == ["critical findings", "not scanned", "high findings"], d
assert [x["error"] is None for x in d["denials"]] == [False, True, False], d
PY
gate prod/api:v1 "" --format json > v1.json; rc=$?
/usr/bin/python3 -c "import json,sys; d=json.load(open('v1.json')); assert d['decision']=='allow' and d['deploy']=='prod/api@sha256:'+'a'*64 and d['denials']==[]" \
  && [ "$rc" = 0 ] && ok || bad "JSON of an allowed image: exit $rc: $(cat v1.json)"

# A SQLite store: the same answers, reading only the image's repository.
"$regpol" snapshot import "$fx/snapshot.json" --db store.db 2> /dev/null
expect_allow prod/api:v1 "prod/api@$(digest a)" store.db
out=$(gate prod/api:v2 store.db 2>&1); rc=$?
[ "$rc" = 1 ] && grep -q "^  critical findings  " <<<"$out" && ok || bad "store: v2 should be refused: exit $rc: $out"

# Bad input and usage.
gate "prod/api@sha256:xyz" > /dev/null 2> err.out; rc=$?
[ "$rc" = 3 ] && grep -q "is not an image reference" err.out && ok || bad "a malformed reference: exit $rc: $(cat err.out)"
"$regpol" gate --policy "$fx/policy.regpol" --snapshot "$fx/snapshot.json" > /dev/null 2>&1; rc=$?
[ "$rc" = 2 ] && ok || bad "no IMAGE: exit $rc"
printf 'repository "x" {\n  gate {\n    deny "twice" where scanned\n    deny "twice" where not scanned\n  }\n}\n' > twice.regpol
"$regpol" gate x:1 --policy twice.regpol --snapshot "$fx/snapshot.json" > /dev/null 2> err.out; rc=$?
[ "$rc" = 3 ] && grep -q "twice.regpol:4:5: error\[E0402\]" err.out && ok || bad "a rule named twice: exit $rc: $(cat err.out)"
printf 'repository "x" {\n  gate {\n    deny "size" where size\n  }\n}\n' > notbool.regpol
"$regpol" gate x:1 --policy notbool.regpol --snapshot "$fx/snapshot.json" > /dev/null 2> err.out; rc=$?
[ "$rc" = 3 ] && grep -q "E0301" err.out && ok || bad "a non-boolean rule: exit $rc: $(cat err.out)"

# The block in the other commands: fmt keeps it (and lays it out), lint and compile know it.
printf 'repository "prod/*" {\ngate{\ndeny   "c" where findings.critical>0 # why\n}\n}\n' > messy.regpol
"$regpol" fmt messy.regpol > formatted.regpol && \
  [ "$(cat formatted.regpol)" = "$(printf 'repository "prod/*" {\n  gate {\n    deny "c" where findings.critical > 0  # why\n  }\n}')" ] && \
  ok || bad "fmt of a gate block: $(cat formatted.regpol)"
"$regpol" fmt --check "$fx/policy.regpol" && "$regpol" lint "$fx/policy.regpol" > lint.out 2>&1 && ! grep -q W1011 lint.out && \
  ok || bad "fmt --check or lint of the fixture policy: $(cat lint.out)"
"$regpol" compile "$fx/policy.regpol" --emit plan 2>&1 | grep -q '^    deny "high findings" where findings.high > 5  @' && ok || bad "compile --emit plan shows no gate"
# `gate` stays a name where the language reads names.
printf 'let gate = 3\nrepository "x" {\n  lifecycle {\n    rule 1 {\n      select untagged\n      keep newest gate\n    }\n  }\n}\n' > name.regpol
"$regpol" lint name.regpol > /dev/null 2>&1 && ok || bad "\`gate\` as a name: $("$regpol" lint name.regpol 2>&1 | head -3)"
# tags_immutable: the repository's ECR mutability and exclusion filters keep every tag of the
# image on it; a snapshot without the setting cannot decide it (the gate fails closed).
printf 'repository "prod/*" {\n  gate {\n    deny "mutable tag" where not tags_immutable\n  }\n}\n' > immutable.regpol
python3 - "$fx/snapshot.json" settings.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
for r in d["repositories"]:
    if r["name"] == "prod/api":
        r["mutability"], r["mutabilityExclusions"] = "IMMUTABLE_WITH_EXCLUSION", ["latest", "v1"]
    elif r["name"] == "prod/web":
        r["mutability"] = "MUTABLE_WITH_EXCLUSION"
        r["mutabilityExclusions"] = ["release-*"]
for i in d["images"]:  # when the scans completed (describe-images' imageScanCompletedAt)
    if i["tags"] == ["v1"]:
        i["scannedAt"] = "2026-11-28T00:00:00Z"
    elif i["tags"] == ["web-1"]:
        i["scannedAt"] = "2026-10-01T00:00:00Z"
json.dump(d, open(sys.argv[2], "w"))
PY
immut() { "$regpol" gate "$1" --policy immutable.regpol --snapshot "$2" --now "$now" 2>&1; }
[ "$(immut prod/api:v2 settings.json)" = "prod/api@$(digest b)" ] && ok || bad "an immutable tag: $(immut prod/api:v2 settings.json)"
immut prod/api:v1 settings.json | grep -q "^  mutable tag " && ok || bad "a tag an exclusion filter leaves mutable: $(immut prod/api:v1 settings.json)"
immut prod/web:web-1 settings.json | grep -q "^  mutable tag " && ok || bad "MUTABLE_WITH_EXCLUSION without a matching filter"
out=$(immut prod/api:v2 "$fx/snapshot.json"); rc=$?
[ "$rc" = 1 ] && grep -q "cannot be decided for this image (the snapshot does not hold the repository's tag mutability" <<<"$out" && ok ||
  bad "no mutability in the snapshot: exit $rc: $out"
# scan_age: how long ago the image's scan completed; unknown when the snapshot does not say.
printf 'repository "*" {\n  gate {\n    deny "stale scan" where scan_age > 30d\n  }\n}\n' > scan-age.regpol
age() { "$regpol" gate "$1" --policy scan-age.regpol --snapshot settings.json --now "$now" 2>&1; }
[ "$(age prod/api:v1)" = "prod/api@$(digest a)" ] && ok || bad "a scan 3 days old: $(age prod/api:v1)"
age prod/web:web-1 | grep -q "^  stale scan " && ok || bad "a scan 61 days old: $(age prod/web:web-1)"
age prod/api:v2 | grep -q "cannot be decided for this image (the snapshot does not say when the image was scanned" && ok ||
  bad "a scan of unknown time: $(age prod/api:v2)"
# A SQLite store keeps the scan times: the same answers from one.
"$regpol" snapshot import settings.json --db settings.db > /dev/null 2>&1
[ "$("$regpol" gate prod/api:v1 --policy scan-age.regpol --snapshot settings.db --now "$now" 2>&1)" = "prod/api@$(digest a)" ] &&
  "$regpol" gate prod/web:web-1 --policy scan-age.regpol --snapshot settings.db --now "$now" 2>&1 | grep -q "^  stale scan " && ok ||
  bad "scan_age from a store"
# describe-images output says it inside the findings summary.
printf '{"imageDetails": [{"repositoryName": "prod/api", "imageDigest": "%s", "imageTags": ["v9"], "imagePushedAt": "2026-11-01T00:00:00Z",
  "imageScanFindingsSummary": {"imageScanCompletedAt": "2026-10-02T00:00:00Z", "findingSeverityCounts": {}}}]}\n' "$(digest c)" > di.json
"$regpol" gate prod/api:v9 --policy scan-age.regpol --snapshot di.json --now "$now" 2>&1 | grep -q "^  stale scan " && ok || bad "describe-images' imageScanCompletedAt"
finish
