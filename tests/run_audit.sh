#!/usr/bin/env bash
# `regpol audit`: every check on a snapshot whose repositories hit it and miss it
# (tests/audit/settings.json: each check has a repository that must raise it and one that
# must not), against goldens in text and JSON; JSON against docs/audit.schema.json, SARIF
# against the official SARIF 2.1.0 schema; the same findings from a SQLite store; a store
# from before the policy documents were kept, and a describe-images file, say "not checked"
# instead of passing; exit codes.
# usage: run_audit.sh REGPOL REPO_ROOT
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$2" && pwd)  # before lib.sh moves into its temporary folder
source "$here/lib.sh" "$1"
fx="$root/tests/audit"
now=2026-12-01T00:00:00Z
audit() { "$regpol" audit --policy "$fx/policy.regpol" --now "$now" "$@"; }

# Text and JSON against the goldens (paths as written: relative to the fixtures).
(cd "$fx" && "$regpol" audit --policy policy.regpol --snapshot settings.json --now "$now") > text.out; rc=$?
[ "$rc" = 1 ] && ok || bad "errors among the findings exit 1, not $rc"
diff -u "$fx/expected.txt" text.out > text.diff && ok || bad "text differs from tests/audit/expected.txt: $(head -20 text.diff)"
(cd "$fx" && "$regpol" audit --policy policy.regpol --snapshot settings.json --now "$now" --format json) > json.out
diff -u "$fx/expected.json" json.out > json.diff && ok || bad "json differs from tests/audit/expected.json: $(head -20 json.diff)"

# Each check raised exactly where the fixture means it to be, and nowhere else.
/usr/bin/python3 - json.out "$root/docs/audit.schema.json" <<'PY' && ok || bad "findings per repository or the schema"
import json, sys, jsonschema
doc = json.load(open(sys.argv[1]))
jsonschema.validate(doc, json.load(open(sys.argv[2])))
got = {}
for f in doc["findings"]:
    got.setdefault(f["repository"], set()).add(f["code"])
want = {
    "team/clean": set(),                      # every check passes: scanned, as the policy says, org-only pull
    "team/noscan": {"A1001"},
    "team/drift": {"A1002"},                  # MUTABLE where the policy says immutable except latest
    "team/drift-filters": {"A1002"},          # the same setting with one filter more
    "legacy/mutable": {"A1003", "A1004"},     # no block covers it: the baseline speaks
    "legacy/ecr-lifecycle": set(),            # MUTABLE_WITH_EXCLUSION and ECR's own lifecycle
    "team/public": {"A1005"},
    "team/not-in-org": {"A1005"},             # StringNotEquals on a key strangers do not have: open
    "team/partner": {"A1006"},                # 444455556666 may push; 777788889999 only pulls; own account deletes
    "team/partner-denied": set(),             # an explicit deny takes the write back
    "team/broken": {"A1007"},
    "team/ecr-lifecycle-too": {"A1012"},      # ECR's lifecycle policy beside the policy's lifecycle
    "secure/ok": set(),                       # scanned, KMS with a key of the account, as `secure/*` says
    "secure/noscan": {"A1008"},               # the policy's `scan on push` decides, not the baseline's A1001
    "secure/aes": {"A1009"},
    "secure/other-key": {"A1009"},            # KMS, but with another account's key
    "(registry)": {"A1010", "A1011"},         # basic scanning and no replication where the registry block says otherwise
}
bad = [(r, sorted(got.get(r, set())), sorted(w)) for r, w in want.items() if got.get(r, set()) != w]
extra = sorted(set(got) - set(want))
if bad or extra or doc["repositories"] != len(want) - 1:
    print("got/want:", bad, "unexpected repositories:", extra)
    sys.exit(1)
PY

# SARIF: the official schema, every result's rule, every rule's help anchor in docs/audit.md.
audit --snapshot "$fx/settings.json" --format sarif > sarif.out
/usr/bin/python3 - sarif.out "$root" <<'PY' && ok || bad "SARIF"
import json, os, re, sys, jsonschema
doc, root = json.load(open(sys.argv[1])), sys.argv[2]
official = json.load(open(os.path.join(root, "tests/sarif/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json")))
jsonschema.Draft4Validator(official).validate(doc)
run = doc["runs"][0]
rules = run["tool"]["driver"]["rules"]
docs = open(os.path.join(root, "docs/audit.md")).read()
anchors = {re.sub(r"[^a-z0-9 -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^## (.+)$", docs, re.M)}
for r in rules:
    assert r["helpUri"].split("#")[1] in anchors, r["helpUri"]
assert len(run["results"]) == 15, len(run["results"])
for res in run["results"]:
    assert rules[res["ruleIndex"]]["id"] == res["ruleId"], res
    assert res["locations"][0]["logicalLocations"][0]["kind"] == "resource"
policy_located = [r for r in run["results"] if r["ruleId"] == "A1002"]
assert all(r["locations"][0]["physicalLocation"]["region"]["startLine"] == 4 for r in policy_located), policy_located
PY

# The same findings from a SQLite store of the same snapshot.
"$regpol" snapshot import "$fx/settings.json" --db settings.db 2> /dev/null
audit --snapshot settings.db > store.out
audit --snapshot "$fx/settings.json" > file.out
diff store.out file.out > /dev/null && ok || bad "a store audits differently from its JSON: $(diff store.out file.out | head)"

# A store written before stores kept the documents: lifecycle and repository policies are
# not checked (and no repository is said to have none).
cp settings.db old.db
/usr/bin/python3 -c "
import sqlite3; c = sqlite3.connect('old.db')
c.execute('ALTER TABLE repositories DROP COLUMN lifecycle_policy'); c.execute('ALTER TABLE repositories DROP COLUMN repository_policy'); c.commit()"
audit --snapshot old.db > old.out
grep -q "^not checked: repository policy: not in the snapshot for 16 repositories$" old.out && ! grep -Eq "^A(100[4567]|1012)" old.out && \
  grep -q "^A1001 error   team/noscan" old.out && ok || bad "an old store: $(cat old.out)"

# describe-images output carries no settings: nothing passes, nothing fails, all said.
audit --snapshot "$fx/describe-images.json" > di.out; rc=$?
[ "$rc" = 0 ] && grep -q "^not checked: scan on push: not in the snapshot for 1 repository$" di.out && \
  grep -q "^not checked: tag mutability: not in the snapshot for 1 repository$" di.out && grep -q "^audited 1 repository: 0 errors, 0 warnings$" di.out && \
  ok || bad "describe-images: exit $rc: $(cat di.out)"

# The registry's settings as the registry block says (rules and filters in another order):
# neither A1010 nor A1011.
/usr/bin/python3 - "$fx/settings.json" registry-ok.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
d["registryScanningConfiguration"] = json.dumps({"scanType": "ENHANCED", "rules": [
    {"scanFrequency": "CONTINUOUS_SCAN", "repositoryFilters": [{"filter": "secure/*", "filterType": "WILDCARD"}]}]})
d["registryReplicationConfiguration"] = json.dumps({"rules": [{"destinations": [{"region": "eu-west-1", "registryId": "111122223333"}]}]})
json.dump(d, open(sys.argv[2], "w"))
PY
audit --snapshot registry-ok.json > registry-ok.out
! grep -Eq "^A101[01] " registry-ok.out && grep -q "^A1009 error   secure/aes" registry-ok.out && ok || bad "registry settings as the policy says: $(grep -E '^A10' registry-ok.out)"

# Warnings alone exit 0; one repository at a time; exit codes for bad input and usage.
audit --snapshot "$fx/settings.json" --repository legacy/mutable > one.out; rc=$?
[ "$rc" = 0 ] && grep -q "^audited 1 repository: 0 errors, 2 warnings$" one.out && ok || bad "warnings only: exit $rc: $(cat one.out)"
audit --snapshot "$fx/settings.json" --repository nope/none 2> err.out > /dev/null; rc=$?
[ "$rc" = 3 ] && grep -q "repository \`nope/none\` is not in the snapshot" err.out && ok || bad "unknown repository: exit $rc"
audit --snapshot "$fx/settings.json" --format yaml 2> err.out > /dev/null; rc=$?
[ "$rc" = 2 ] && ok || bad "--format yaml: exit $rc"
printf 'repository "x" {\n  mutability sometimes\n}\n' > broken.regpol
"$regpol" audit --policy broken.regpol --snapshot "$fx/settings.json" 2> err.out > /dev/null; rc=$?
[ "$rc" = 3 ] && grep -q "broken.regpol:2:" err.out && ok || bad "a malformed policy: exit $rc: $(cat err.out)"
finish
