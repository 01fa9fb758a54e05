#!/usr/bin/env bash
# `regpol in-use pull ecs|lambda` against the test ECS/Lambda endpoint
# (tests/inuse/aws_workloads_endpoint.py, every signature and request checked) with 20 ms
# added to every call, 2,000 task definitions (200 services, each family's 10 ACTIVE
# revisions kept) and 500 image functions, side by side with what a team's script does: the
# same reads with the AWS CLI, one call per task definition and per function. Both sides
# read the same definitions and functions; the endpoint pages at 100, as ECS and Lambda do.
# Run from the repository root after `make`. CLI_SAMPLE=N times the CLI loop over the first
# N task definitions and N/4 functions only and scales it (the full loop takes ~35 min).
set -euo pipefail
out=bench/out/in-use-pull; rm -rf "$out"; mkdir -p "$out"
export AWS_ACCESS_KEY_ID=AKIDINUSEACCOUNTA AWS_SECRET_ACCESS_KEY=in-use-secret-a AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null NO_PROXY='*'
python3 - "$out/fixture.json" <<'PY'
import json, sys
reg = "111122223333.dkr.ecr.us-east-1.amazonaws.com"
tds = {"svc-%03d:%d" % (f, r): {"status": "ACTIVE", "containers": [{"name": "app", "image": "%s/team/svc-%03d:r%d" % (reg, f, r)}]}
       for f in range(200) for r in range(1, 11)}
services = [{"name": "svc-%03d" % f, "deployments": [{"status": "PRIMARY", "taskDefinition": "svc-%03d:10" % f}]} for f in range(200)]
functions = [{"name": "fn-%03d" % i, "packageType": "Image",
              "versions": {"$LATEST": {"imageUri": "%s/fn/fn-%03d:latest" % (reg, i), "resolved": "%s/fn/fn-%03d@sha256:%064x" % (reg, i, i)}}}
             for i in range(500)]
fixture = {"keys": {"AKIDINUSEACCOUNTA": {"secret": "in-use-secret-a", "account": "111122223333"}},
           "111122223333": {"us-east-1": {"ecs": {"clusters": [{"name": "prod", "services": services, "tasks": []}], "taskDefinitions": tds},
                                          "lambda": {"functions": functions}}}}
json.dump(fixture, open(sys.argv[1], "w"))
PY
/usr/bin/python3 tests/inuse/aws_workloads_endpoint.py "$out/fixture.json" "$out/port" --latency-ms 20 --page-size 100 2> "$out/endpoint.log" &
pid=$!; trap 'kill $pid' EXIT
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$out/port")
start=$(date +%s.%N)
build/regpol in-use pull ecs --endpoint-url "$url" --active-revisions 10 --jobs 16 --out "$out/ecs.json" 2> "$out/ecs.log"
ecs=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
build/regpol in-use pull lambda --endpoint-url "$url" --jobs 16 --out "$out/lambda.json" 2> "$out/lambda.log"
lambda=$(echo "$(date +%s.%N) - $start" | bc)
ours=$(echo "$ecs + $lambda" | bc)
aws="aws --endpoint-url $url --region us-east-1 --output text"
$aws ecs list-task-definitions --status ACTIVE --query 'taskDefinitionArns[]' | tr '\t' '\n' > "$out/tds.txt"
$aws lambda list-functions --query 'Functions[?PackageType==`Image`].FunctionName' | tr '\t' '\n' > "$out/fns.txt"
tds=$(wc -l < "$out/tds.txt"); fns=$(wc -l < "$out/fns.txt")
n_td=${CLI_SAMPLE:-$tds}; n_fn=$(( ${CLI_SAMPLE:-$((fns * 4))} / 4 )); [ "$n_fn" -gt "$fns" ] && n_fn=$fns
start=$(date +%s.%N)
head -n "$n_td" "$out/tds.txt" | while read -r td; do $aws ecs describe-task-definition --task-definition "$td" --query 'taskDefinition.containerDefinitions[].image'; done > "$out/cli-images.txt"
head -n "$n_fn" "$out/fns.txt" | while read -r f; do $aws lambda get-function --function-name "$f" --query Code.ResolvedImageUri; done >> "$out/cli-images.txt"
measured=$(echo "$(date +%s.%N) - $start" | bc)
theirs=$(echo "$measured * ($tds + $fns) / ($n_td + $n_fn)" | bc -l)
problems=$(curl -s "$url/_state" | python3 -c 'import json, sys; print(len(json.load(sys.stdin)["problems"]))')
printf 'task_definitions=%s functions=%s latency_ms=20 endpoint_problems=%s\n' "$tds" "$fns" "$problems"
printf 'regpol in-use pull ecs --active-revisions 10 --jobs 16      %7.2f s  (%s)\n' "$ecs" "$(tail -1 "$out/ecs.log")"
printf 'regpol in-use pull lambda --jobs 16                         %7.2f s  (%s)\n' "$lambda" "$(tail -1 "$out/lambda.log")"
printf 'aws CLI loop: %s describe-task-definition + %s get-function  %7.2f s' "$n_td" "$n_fn" "$measured"
if [ "$n_td" -lt "$tds" ] || [ "$n_fn" -lt "$fns" ]; then printf ' (all %s + %s at that rate: %.0f s)' "$tds" "$fns" "$theirs"; fi
printf '\n  -> regpol is %.0fx faster\n' "$(echo "$theirs / $ours" | bc -l)"
