#!/usr/bin/env bash
# The cost of settings drift in `regpol plan`: 200,000 images in 2,000 repositories pulled
# from ECR (a `source`, repository policies), planned with a policy of lifecycles only, with
# settings whose access block every repository shares one current policy of (the common
# case: each pair of documents is compared once), and with a different current policy in
# every repository (each compared on its own corpus). Whole process, best of 3.
# Run from the repository root after `make`.
set -euo pipefail
out=bench/out/settings; rm -rf "$out"; mkdir -p "$out"
build/regpol snapshot gen --repos 2000 --images-per-repo 100 --seed 3 --format regpol --out "$out/gen.json" 2> /dev/null
/usr/bin/python3 - "$out" <<'PY'
import json, sys
out = sys.argv[1]
d = json.load(open(out + "/gen.json"))
d["source"] = "ecr:us-east-1/123456789012"
shared = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"},
    "Action": ["ecr:BatchGetImage"], "Condition": {"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "192.168.0.0/16"]}, "StringEquals": {"aws:PrincipalOrgID": "o-abc"}}}]})
for r in d["repositories"]:
    r["registryId"], r["repositoryPolicy"] = "123456789012", shared
json.dump(d, open(out + "/shared.json", "w"))
for i, r in enumerate(d["repositories"]):
    r["repositoryPolicy"] = json.dumps({"Version": "2012-10-17", "Statement": [{"Effect": "Allow",
        "Principal": {"AWS": "arn:aws:iam::%012d:root" % (100000000000 + i)}, "Action": ["ecr:BatchGetImage"]}]})
json.dump(d, open(out + "/distinct.json", "w"))
PY
cat > "$out/settings.regpol" <<'P'
defaults {
  mutability immutable except "latest"
  scan on push
  access {
    allow pull to account "222233334444", account "333344445555", arn "arn:aws:iam::123456789012:role/ci" when aws:SourceIp in ["10.0.0.0/8", "172.16.0.0/12"]
    deny delete to * unless aws:PrincipalOrgID == "o-abc"
    allow push to arn "arn:aws:iam::123456789012:role/ci"
  }
  lifecycle {
    rule 1 { select untagged expire older than 7d }
  }
}
P
printf 'defaults {\n  lifecycle {\n    rule 1 { select untagged expire older than 7d }\n  }\n}\n' > "$out/lifecycle.regpol"
source "$(dirname "$0")/best_time.sh"
plan() { build/regpol plan --policy "$out/$1" --snapshot "$out/$2" --now 2026-11-27T00:00:00Z --format json; }
echo "changes listed: $(plan settings.regpol shared.json | jq '.settingsDrift.changes | length')"
printf 'plan, lifecycles only (no settings section)        best of 3: %s\n' "$(best 3 plan lifecycle.regpol shared.json)"
printf 'plan with settings, one shared repository policy   best of 3: %s\n' "$(best 3 plan settings.regpol shared.json)"
printf 'plan with settings, 2,000 distinct policies        best of 3: %s\n' "$(best 3 plan settings.regpol distinct.json)"
