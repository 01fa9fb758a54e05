#!/usr/bin/env bash
# Settings as code against the test ECR endpoint (tests/ecr/ecr_endpoint.py: signatures and
# bodies checked with botocore): pull → plan (drift listed) → apply --settings → pull → plan
# (no drift) on 30 repositories with mixed starting settings; the widening and lockout
# rails trip and change nothing; the repository policy ECR then holds decides as the regpol
# rules do on 2,000 random requests per repository; a killed settings apply is finished by
# the next one.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$1"
now=2026-11-27T00:00:00Z
source "$here/ecr/endpoint.sh"
# The endpoint also answers STS (GetCallerIdentity, for the lockout rail).
start() { start_endpoint "$@" && export AWS_ENDPOINT_URL_STS=$url; }

# 30 repositories with mixed starting settings: mutability, scan on push, repository
# policies (one already as the policy says but written otherwise), lifecycle policies.
"$regpol" snapshot gen --repos 30 --images-per-repo 3 --seed 7 --format regpol --out gen.json 2>/dev/null
python3 - gen.json fixture.json <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
want_policy = {"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::123456789012:role/ci"},
     "Action": ["ecr:PutImage", "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:BatchCheckLayerAvailability"]},
    {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::222233334444:root"},
     "Action": ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]}]}
for i, r in enumerate(d["repositories"]):
    r["mutability"] = ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE"][i % 4]
    if r["mutability"] == "IMMUTABLE_WITH_EXCLUSION":
        r["mutabilityExclusions"] = ["latest"] if i % 8 == 2 else ["dev-*"]
    r["scanOnPush"] = i % 3 == 0
    if i % 5 == 1:  # what the policy says, statements reversed, Sids and another layout
        p = dict(want_policy, Statement=[dict(s, Sid="S%d" % k) for k, s in enumerate(reversed(want_policy["Statement"]))])
        r["repositoryPolicy"] = json.dumps(p, indent=2)
    elif i % 5 == 2:  # someone else's account may delete
        r["repositoryPolicy"] = json.dumps({"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999988887777:root"}, "Action": "ecr:*"}]})
    if i % 7 == 3:
        r["lifecyclePolicy"] = json.dumps({"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 5}, "action": {"type": "expire"}}]})
for img in d["images"]:
    if img.get("findings") is not None:
        img["scannedAt"] = "2026-11-26T00:00:00Z"
d["registryScanningConfiguration"] = json.dumps({"scanType": "BASIC", "rules": [{"scanFrequency": "SCAN_ON_PUSH", "repositoryFilters": [{"filter": "*", "filterType": "WILDCARD"}]}]})
json.dump(d, open(sys.argv[2], "w"))
PY
cat > policy.regpol <<'EOF2'
registry {
  scanning enhanced
  scan on push for "*"
  scan continuously for "platform/*", "payments/*"
  replicate to region "eu-west-1", region "us-west-2" account "222233334444" for prefix "platform/", "payments/"
}

defaults {
  mutability immutable except "latest"
  scan on push
  require encryption aes256
  access {
    allow push to arn "arn:aws:iam::123456789012:role/ci"
    allow pull to account "222233334444"
  }
  lifecycle {
    rule 1 { select untagged expire older than 7d }
  }
}
EOF2
sed 's|allow pull to account "222233334444"|allow pull to account "222233334444"\n    deny delete to arn "arn:aws:iam::123456789012:role/regpol-apply"|' policy.regpol > lockout.regpol

start main fixture.json
"$regpol" snapshot pull ecr --endpoint-url "$url" --out before.json 2> pull.err && ok || bad "pull: $(cat pull.err)"
[ "$(jq '[.images[] | select(.findings != null)] | length' before.json)" -gt 0 ] &&
  [ "$(jq '[.images[] | select(.findings != null and .scannedAt != "2026-11-26T00:00:00Z")] | length' before.json)" = 0 ] && ok ||
  bad "the pull keeps when each scan completed (scannedAt)"
"$regpol" plan --policy policy.regpol --snapshot before.json --now $now --format json > plan-before.json && ok || bad "plan before"
python3 - plan-before.json <<'PY' && ok || bad "the drift before apply: $(jq -c '.settingsDrift.changes | group_by(.setting) | map({(.[0].setting): length}) | add' plan-before.json)"
import json, sys
d = json.load(open(sys.argv[1]))["settingsDrift"]
by = {}
for c in d["changes"]:
    by.setdefault(c["setting"], []).append(c)
assert len(by["tagMutability"]) == 30 - 4, len(by["tagMutability"])   # the 4 already `immutable except latest`
assert len(by["scanOnPush"]) == 20
assert len(by["repositoryPolicy"]) == 24                               # 6 hold it already, in another form
assert len(by["lifecyclePolicy"]) == 4
assert len(by["registryScanning"]) == 1 and len(by["replication"]) == 1
assert "encryption" not in by and not d["unchecked"], d["unchecked"]
# All 24 widen: the 18 without a policy gain the other account's pull and the CI role's push
# (apply needs --allow-wider-access), the 6 open to 999988887777 trade it for those.
assert sum(c["widensAccess"] for c in by["repositoryPolicy"]) == 24
narrowed = [c for c in by["repositoryPolicy"] if "999988887777" in c["detail"]]
assert len(narrowed) == 6 and all("is allowed now and would be denied" in c["detail"] for c in narrowed), narrowed[:1]
PY
"$regpol" plan --policy policy.regpol --snapshot before.json --now $now | grep -q "^settings: 76 settings differ from the policy (76 written" && ok || bad "text drift headline: $("$regpol" plan --policy policy.regpol --snapshot before.json --now $now | sed -n 3p)"

# The widening rail trips: nothing is written.
"$regpol" apply --settings --policy policy.regpol --snapshot before.json --state state.db --target ecr --endpoint-url "$url" --now $now --yes \
  > widen.out 2> widen.err; rc=$?
[ $rc = 1 ] && grep -q "widening rail" widen.err && [ "$(state "$url" | jq '.settings_writes | length')" = 0 ] && ok ||
  bad "the widening rail (exit $rc): $(tail -3 widen.err)"
# The lockout rail trips: the applying role would lose ecr:BatchDeleteImage.
"$regpol" apply --settings --policy lockout.regpol --snapshot before.json --state state.db --target ecr --endpoint-url "$url" --now $now --yes \
  --allow-wider-access > lock.out 2> lock.err; rc=$?
[ $rc = 1 ] && grep -q "lockout rail: arn:aws:sts::123456789012:assumed-role/regpol-apply/nightly would lose ecr:BatchDeleteImage" lock.err &&
  [ "$(state "$url" | jq '.settings_writes | length')" = 0 ] && ok || bad "the lockout rail (exit $rc): $(tail -3 lock.err)"
"$regpol" runs --state state.db > runs.txt 2>&1; grep -c refused runs.txt | grep -q 2 && ok || bad "refused runs recorded: $(cat runs.txt)"

# Written, then nothing left.
"$regpol" apply --settings --policy policy.regpol --snapshot before.json --state state.db --target ecr --endpoint-url "$url" --now $now --yes \
  --allow-wider-access > apply.out 2> apply.err && ok || bad "apply --settings: $(tail -5 apply.err)"
state "$url" > after-state.json
python3 - after-state.json <<'PY' && ok || bad "the writes: $(jq -c '[.settings_writes[].op] | group_by(.) | map({(.[0]): length}) | add, .problems' after-state.json)"
import json, sys
st = json.load(open(sys.argv[1]))
assert not st["problems"], st["problems"][:3]
ops = [w["op"] for w in st["settings_writes"]]
assert ops.count("PutImageTagMutability") == 26 and ops.count("PutImageScanningConfiguration") == 20
assert ops.count("SetRepositoryPolicy") == 24 and ops.count("DeleteLifecyclePolicy") == 4
assert ops.count("PutRegistryScanningConfiguration") == 1 and ops.count("PutReplicationConfiguration") == 1
assert st["by_op"].get("GetCallerIdentity", 0) >= 1
PY
"$regpol" snapshot pull ecr --endpoint-url "$url" --out after.json 2> pull2.err && ok || bad "pull after: $(cat pull2.err)"
"$regpol" plan --policy policy.regpol --snapshot after.json --now $now --format json > plan-after.json &&
  [ "$(jq '.settingsDrift.changes | length' plan-after.json)" = 0 ] && ok || bad "drift after apply: $(jq -c '.settingsDrift.changes[:3]' plan-after.json)"
"$regpol" apply --settings --policy policy.regpol --snapshot after.json --state state.db --target ecr --endpoint-url "$url" --now $now --yes \
  > again.out 2> again.err && grep -q "nothing to write" again.out && ok || bad "a second apply: $(cat again.out again.err)"

# gate --pull reads the image's repository now: after the apply its release tags are immutable.
printf 'repository "*" {\n  gate {\n    deny "mutable tag" where not tags_immutable\n  }\n}\n' > gate.regpol
read -r repo tag digest < <(jq -r '[.images[] | select(.tags != null and (.tags | length) > 0 and (.tags | index("latest") | not))][0] | "\(.repository) \(.tags[0]) \(.digest)"' after.json)
before_calls=$(state "$url" | jq '.by_op.BatchGetImage // 0')
"$regpol" gate "$repo:$tag" --policy gate.regpol --pull --endpoint-url "$url" > gate.out 2> gate.err &&
  [ "$(cat gate.out)" = "$repo@$digest" ] && [ "$(state "$url" | jq '.by_op.BatchGetImage // 0')" = "$before_calls" ] && ok ||
  bad "gate --pull $repo:$tag: $(cat gate.out gate.err)"
"$regpol" gate "$repo:latest-nope" --policy gate.regpol --pull --endpoint-url "$url" > /dev/null 2>&1; [ $? = 1 ] && ok || bad "gate --pull of a tag the registry lacks"

# The repository policy ECR holds decides as the regpol rules do: 2,000 random requests a repository.
python3 - after.json requests <<'PY'
import json, os, random, sys
d = json.load(open(sys.argv[1]))
os.makedirs(sys.argv[2], exist_ok=True)
rng = random.Random(29)
principals = ["arn:aws:iam::123456789012:role/ci", "arn:aws:sts::123456789012:assumed-role/ci/s1", "arn:aws:iam::222233334444:root",
              "arn:aws:iam::222233334444:role/puller", "arn:aws:iam::999988887777:root", "arn:aws:iam::123456789012:role/other",
              "arn:aws:iam::444455556666:user/u"]
actions = ["ecr:PutImage", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability", "ecr:BatchDeleteImage",
           "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:DescribeImages", "ecr:SetRepositoryPolicy", "ecr:ListImages"]
for r in d["repositories"]:
    open(os.path.join(sys.argv[2], r["name"].replace("/", "_") + ".policy.json"), "w").write(r["repositoryPolicy"])
    with open(os.path.join(sys.argv[2], r["name"].replace("/", "_") + ".jsonl"), "w") as f:
        for _ in range(2000):
            q = {"principal": rng.choice(principals), "action": rng.choice(actions), "repository": r["name"]}
            if rng.random() < 0.3:
                q["context"] = {"aws:SourceIp": "10.0.%d.%d" % (rng.randrange(256), rng.randrange(256))}
            f.write(json.dumps(q) + "\n")
PY
mismatch=0; compared=0
for req in requests/*.jsonl; do
  repo=$(head -1 "$req" | jq -r .repository)
  "$regpol" authorize --policy policy.regpol --requests "$req" --now $now | jq -c .decision > rules.out
  "$regpol" authorize --iam-policy "${req%.jsonl}.policy.json" --repository "$repo" --requests "$req" --now $now | jq -c .decision > held.out
  [ "$(wc -l < rules.out)" = 2000 ] && cmp -s rules.out held.out || { mismatch=$((mismatch+1)); echo "  $repo: the held policy decides otherwise"; }
  compared=$((compared+1))
done
[ $compared = 30 ] && [ $mismatch = 0 ] && [ "$(sort -u rules.out | wc -l)" = 2 ] && ok || bad "equivalence: $mismatch of $compared repositories differ"

# A reviewed plan: `plan --out` fixes the settings changes; apply --settings --plan writes
# those and nothing else, refuses an edited artifact and a changed policy.
start reviewed fixture.json
"$regpol" snapshot pull ecr --endpoint-url "$url" --out reviewed.json 2> /dev/null
"$regpol" plan --policy policy.regpol --snapshot reviewed.json --now $now --out reviewed-plan.json > /dev/null &&
  [ "$(jq '.settings | length' reviewed-plan.json)" = 76 ] && ok || bad "the plan artifact holds the settings changes"
jq '.settings[0].request.imageTagMutability = "MUTABLE"' reviewed-plan.json > edited-plan.json
"$regpol" apply --settings --plan edited-plan.json --policy policy.regpol --state reviewed.db --target ecr --endpoint-url "$url" --yes \
  --allow-wider-access > /dev/null 2> edited.err; rc=$?
[ $rc = 3 ] && grep -q "artifactSha256" edited.err && [ "$(state "$url" | jq '.settings_writes | length')" = 0 ] && ok || bad "an edited plan: exit $rc: $(cat edited.err)"
sed 's/scan on push$/scan manual/' policy.regpol > other.regpol
"$regpol" apply --settings --plan reviewed-plan.json --policy other.regpol --state reviewed.db --target ecr --endpoint-url "$url" --yes \
  --allow-wider-access > /dev/null 2> other.err; rc=$?
[ $rc = 3 ] && grep -q "is not the policy" other.err && ok || bad "another policy than the plan's: exit $rc: $(cat other.err)"
"$regpol" apply --settings --plan reviewed-plan.json --policy policy.regpol --state reviewed.db --target ecr --endpoint-url "$url" --now $now --yes \
  --allow-wider-access > reviewed.out 2> reviewed.err && [ "$(state "$url" | jq '.settings_writes | length')" = 76 ] && ok ||
  bad "apply --settings --plan: $(tail -3 reviewed.err)"

# A settings apply killed half way is finished by the next one.
start slow fixture.json --latency-ms 150
"$regpol" snapshot pull ecr --endpoint-url "$url" --out slow.json 2> /dev/null
"$regpol" apply --settings --policy policy.regpol --snapshot slow.json --state killed.db --target ecr --endpoint-url "$url" --now $now --yes \
  --allow-wider-access > killed.out 2> killed.err & victim=$!
for _ in $(seq 200); do [ "$(state "$url" | jq '.settings_writes | length')" -ge 5 ] && break; sleep 0.05; done
kill -9 $victim 2>/dev/null; wait $victim 2>/dev/null
written=$(state "$url" | jq '.settings_writes | length')
[ "$written" -ge 5 ] && [ "$written" -lt 76 ] && ok || bad "the kill did not land half way ($written writes)"
"$regpol" apply --settings --policy policy.regpol --snapshot slow.json --state killed.db --target ecr --endpoint-url "$url" --now $now --yes \
  --allow-wider-access > resumed.out 2> resumed.err && grep -q "did not finish" resumed.err && ok || bad "the resume: $(tail -3 resumed.err)"
state "$url" > resumed-state.json
python3 - resumed-state.json "$written" <<'PY' && ok || bad "after the resume: $(jq -c '.problems' resumed-state.json)"
import json, sys
st = json.load(open(sys.argv[1]))
assert not st["problems"], st["problems"][:3]
# Each setting written once, but the one in flight at the kill may go twice.
assert 76 <= len(st["settings_writes"]) <= 77, len(st["settings_writes"])
PY
"$regpol" snapshot pull ecr --endpoint-url "$url" --out slow-after.json 2> /dev/null
"$regpol" plan --policy policy.regpol --snapshot slow-after.json --now $now --format json | jq -e '.settingsDrift.changes == []' > /dev/null &&
  ok || bad "drift after the resumed apply"
"$regpol" runs --state killed.db > killed-runs.txt; grep -q abandoned killed-runs.txt && grep -q finished killed-runs.txt && ok || bad "runs: $(cat killed-runs.txt)"
finish
