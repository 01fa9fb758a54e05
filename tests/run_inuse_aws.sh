#!/usr/bin/env bash
# `regpol in-use pull ecs|lambda` against test ECS and Lambda endpoints on loopback
# (tests/inuse/aws_workloads_endpoint.py: every SigV4 signature recomputed and every request
# validated with botocore's own ecs and lambda models; lists paginated at 3; two accounts,
# two regions), then `plan --in-use` of the pulled files on an ECR snapshot of account
# 111122223333 in us-east-1: exactly the images those workloads use are kept — a rollout's
# previous task definition, the digest a task resolved after its tag moved, a cross-account
# pull of this registry, the newest K ACTIVE revisions, Lambda versions by resolved digest —
# and nothing another account's, region's or Docker Hub's references name.
# usage: run_inuse_aws.sh REGPOL
fix=$(cd "$(dirname "$0")/inuse" && pwd)
source "$(dirname "$0")/lib.sh" "$1"
now=2026-12-02T00:00:00Z
endpoint() {  # PORTFILE [options]: starts an endpoint, sets $port and $pid
  local file=$1; shift
  python3 "$fix/aws_workloads_endpoint.py" "$fix/aws_fixture.json" "$file" "$@" 2> "$file.log" &
  pid=$!; pids+=("$pid")
  for _ in $(seq 100); do [ -s "$file" ] && break; sleep 0.1; done
  port=$(cat "$file")
}
pids=()
trap 'kill "${pids[@]}" 2>/dev/null; rm -rf "$tmp"' EXIT
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null AWS_EC2_METADATA_DISABLED=true
as_a() { AWS_ACCESS_KEY_ID=AKIDINUSEACCOUNTA AWS_SECRET_ACCESS_KEY=in-use-secret-a "$@"; }
as_b() { AWS_ACCESS_KEY_ID=AKIDINUSEACCOUNTB AWS_SECRET_ACCESS_KEY=in-use-secret-b "$@"; }
endpoint p1
url=http://127.0.0.1:$port

as_a "$regpol" in-use pull ecs --region us-east-1 --region eu-west-1 --endpoint-url "$url" --active-revisions 2 --out ecs-a.json 2> e1.txt \
  && ok || bad "pull ecs (account A): $(cat e1.txt)"
as_a "$regpol" in-use pull lambda --region us-east-1 --region eu-west-1 --endpoint-url "$url" --out lambda-a.json 2> e2.txt \
  && ok || bad "pull lambda (account A): $(cat e2.txt)"
as_b "$regpol" in-use pull ecs --region us-east-1 --endpoint-url "$url" --out ecs-b.json 2> e3.txt && ok || bad "pull ecs (account B): $(cat e3.txt)"
grep -q 'ecs-a.json: .* from 5 clusters, 3 services, 3 tasks, 8 task definitions in 2 regions' e1.txt && ok || bad "ecs summary line: $(cat e1.txt)"
state=$(curl -s "$url/_state")
[ "$(jq -c .problems <<< "$state")" = "[]" ] && ok || bad "the endpoint saw bad requests: $(jq -c .problems <<< "$state")"
[ "$(jq -c '[.by_account["111122223333"] > 0, .by_account["222233334444"] > 0, .by_op.ListClusters >= 3, .by_op.ListFunctions >= 3]' <<< "$state")" = "[true,true,true,true]" ] \
  && ok || bad "every account and page was read: $state"
for f in ecs-a.json lambda-a.json ecs-b.json; do
  [ "$(jq -r .schema $f)" = regpol.in-use/v1 ] && [ "$(jq -r '.readAt | test("^2[0-9-]+T")' $f)" = true ] && ok || bad "$f: schema or readAt"
done
jq -e '.images[] | select(.digest == "sha256:'"$(printf '6%.0s' $(seq 64))"'" and (.user | test("cluster prod task")))' ecs-a.json > /dev/null \
  && ok || bad "the digest a task resolved is recorded"
jq -e '.images[] | select(.user == "lambda us-east-1 function thumbs version 2 (alias live, canary (weighted))")' lambda-a.json > /dev/null \
  && ok || bad "lambda aliases name their versions: $(jq -c '[.images[].user]' lambda-a.json)"

kept() { jq -c '[.images[] | select(.action == "keep") | .digest[7:8]] | sort | join("")' "$1"; }
cp "$fix/expire-all-but-in-use.regpol" p.regpol
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-aws.json" --now $now --format json \
  --in-use ecs-a.json --in-use lambda-a.json --in-use ecs-b.json > plan.json 2> plan.err; rc=$?
[ $rc -eq 0 ] && ok || bad "plan: exit $rc $(cat plan.err)"
# Kept: shop/web v2 (account B's cross-account pull), v4 (the rollout's previous task
# definition), v5 and the untagged 6 (the digest the task resolved); shop/api stable (api:1,
# ACTIVE) and b (by digest); batch/report nightly and e (resolved); fn/thumbs 7, 8, 9.
[ "$(kept plan.json)" = '"2456789abde"' ] && ok || bad "kept with --active-revisions 2: $(kept plan.json)"
# shop/webapi is in no snapshot repository: two unmatched; other registries: envoy on Docker
# Hub, account B's registry, eu-west-1's, public.ecr.aws.
[ "$(jq -c '[.summary.inUseUnmatched, .summary.inUseOtherRegistries > 0]' plan.json)" = '[2,true]' ] && ok || bad "counts: $(jq -c .summary plan.json)"
"$regpol" explain --policy p.regpol --snapshot "$fix/snapshot-aws.json" --now $now --in-use ecs-a.json --in-use ecs-b.json \
  --image shop/web:v2 > ex.txt 2> /dev/null
grep -q 'ecs us-east-1 cluster shared service shop, deployment PRIMARY (task definition shop:7, container legacy)' ex.txt && ok || bad "explain names the service: $(cat ex.txt)"

# The default keeps three ACTIVE revisions a family: web:3 (shop/web v3) too.
as_a "$regpol" in-use pull ecs --region us-east-1 --endpoint-url "$url" --out ecs-a3.json 2> /dev/null || bad "pull ecs, default revisions"
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-aws.json" --now $now --format json --in-use ecs-a3.json > plan3.json 2> /dev/null
[ "$(kept plan3.json)" = '"3456abde"' ] && ok || bad "kept with the default 3 revisions, ECS alone: $(kept plan3.json)"

# An existing --out needs --replace; the file is then replaced whole.
as_a "$regpol" in-use pull ecs --region us-east-1 --endpoint-url "$url" --out ecs-a3.json > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--out over a file without --replace"

# Freshness: a file read more than --max-in-use-age before --now is refused (exit 3).
read_at=$(jq -r .readAt ecs-a.json)
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-aws.json" --now 2030-01-01T00:00:00Z --in-use ecs-a.json --max-in-use-age 6h > /dev/null 2> stale.txt
[ $? -eq 3 ] && grep -q "ecs-a.json: read at ${read_at%%.*}" stale.txt && grep -q 'more than --max-in-use-age 6h' stale.txt && ok || bad "a stale file: $(cat stale.txt)"
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-aws.json" --in-use ecs-a.json --max-in-use-age 6h > /dev/null 2>&1 && ok || bad "a fresh file was refused"

# Throttling: every 4th request throttled; the retries read the same workloads.
endpoint p2 --throttle-every 4
as_a "$regpol" in-use pull ecs --region us-east-1 --region eu-west-1 --endpoint-url "http://127.0.0.1:$port" --active-revisions 2 --out ecs-t.json 2> et.txt \
  && ok || bad "pull under throttling: $(cat et.txt)"
as_a "$regpol" in-use pull lambda --region us-east-1 --region eu-west-1 --endpoint-url "http://127.0.0.1:$port" --out lambda-t.json 2> /dev/null \
  && ok || bad "lambda pull under throttling"
[ "$(jq -c .images ecs-t.json)" = "$(jq -c .images ecs-a.json)" ] && [ "$(jq -c .images lambda-t.json)" = "$(jq -c .images lambda-a.json)" ] \
  && ok || bad "throttled pulls read something else"
[ "$(curl -s "http://127.0.0.1:$port/_state" | jq '.throttled > 0')" = true ] && ok || bad "nothing was throttled"
# Past the retries: exit 4 (try later), nothing written.
endpoint p3 --throttle-every 1
AWS_MAX_ATTEMPTS=2 as_a "$regpol" in-use pull lambda --region us-east-1 --endpoint-url "http://127.0.0.1:$port" --out never.json 2> e4.txt
rc=$?; [ $rc -eq 4 ] && [ ! -e never.json ] && grep -q 'TooManyRequestsException' e4.txt && ok || bad "throttled past the retries: exit $rc $(cat e4.txt)"
# Refused credentials: exit 3, nothing written, no secret printed.
AWS_ACCESS_KEY_ID=AKIDINUSEACCOUNTA AWS_SECRET_ACCESS_KEY=wrong-secret "$regpol" in-use pull ecs --region us-east-1 --endpoint-url "$url" --out never.json 2> e5.txt
rc=$?; [ $rc -eq 3 ] && [ ! -e never.json ] && grep -q InvalidSignatureException e5.txt && ! grep -q wrong-secret e5.txt && ok || bad "refused credentials: exit $rc $(cat e5.txt)"
# The nightly job reads what runs at run time: apply --pull --in-use-pull ecs against the
# test ECR endpoint (account 123456789012) and the ECS endpoint, with the same credentials.
d() { printf 'sha256:%s' "$(printf "%64s" | tr ' ' "$1")"; }
cat > ecr-fixture.json <<J
{"schema": "regpol.snapshot/v1", "images": [
 {"repository": "app", "digest": "$(d 1)", "tags": ["v1"], "pushedAt": "2026-10-01T00:00:00Z", "sizeBytes": 100},
 {"repository": "app", "digest": "$(d 2)", "tags": ["v2"], "pushedAt": "2026-10-02T00:00:00Z", "sizeBytes": 100},
 {"repository": "app", "digest": "$(d 3)", "tags": ["v3"], "pushedAt": "2026-10-03T00:00:00Z", "sizeBytes": 100}]}
J
python3 - "$fix/aws_fixture.json" nightly-fixture.json <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f["keys"]["AKIDREGPOLTEST"] = {"secret": "regpol-test-secret", "account": "123456789012"}
img = "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v2"
f["123456789012"] = {"us-east-1": {"ecs": {"clusters": [{"name": "prod", "services": [{"name": "web", "deployments": [
    {"status": "PRIMARY", "taskDefinition": "web:1"}]}], "tasks": []}], "taskDefinitions": {"web:1": {"containers": [{"name": "web", "image": img}]}}}}}
json.dump(f, open(sys.argv[2], "w"))
PY
python3 "$(dirname "$fix")/ecr/ecr_endpoint.py" ecr-fixture.json ecr-port 2> ecr.log & pids+=("$!")
for _ in $(seq 100); do [ -s ecr-port ] && break; sleep 0.1; done
python3 "$fix/aws_workloads_endpoint.py" nightly-fixture.json p4 2> p4.log & pids+=("$!")
for _ in $(seq 100); do [ -s p4 ] && break; sleep 0.1; done
cat > nightly.regpol <<'P'
repository "*" {
  lifecycle {
    rule 1 {
      select any
      expire older than 7d
    }
    protect in_use
    allow_empty
  }
}
P
AWS_ACCESS_KEY_ID=AKIDREGPOLTEST AWS_SECRET_ACCESS_KEY=regpol-test-secret AWS_REGION=us-east-1 "$regpol" apply --pull --policy nightly.regpol \
  --state nightly.db --target ecr --endpoint-url "http://127.0.0.1:$(cat ecr-port)" --in-use-pull ecs \
  --in-use-endpoint-url "http://127.0.0.1:$(cat p4)" --max-delete-percent 100 --yes --max-in-use-age 1h > nightly.txt 2>&1; rc=$?
left=$(curl -s "http://127.0.0.1:$(cat ecr-port)/_state" | jq -c '[.images.app[].imageTags[0]]')
[ $rc -eq 0 ] && [ "$left" = '["v2"]' ] && [ -s nightly.db.in-use/ecs.json ] && ok || bad "apply --pull --in-use-pull ecs: exit $rc, left $left: $(cat nightly.txt)"
"$regpol" apply --policy nightly.regpol --snapshot ecr-fixture.json --state x.db --target actions:out --in-use-pull ecs --yes > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--in-use-pull without --pull is a usage error"
"$regpol" in-use pull ecr --out x.json > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "in-use pull ecr is a usage error"
"$regpol" in-use pull lambda --active-revisions 2 --out x.json > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--active-revisions with lambda is a usage error"
finish
