#!/usr/bin/env bash
# `protect in_use` fed by kubectl JSON of every workload kind (docs/in-use.md): against an
# ECR snapshot (account 111122223333, us-east-1) the fixtures in tests/inuse/ protect exactly
# the images they name in that registry — a Deployment at zero replicas, a ReplicaSet kept for
# rollback, a CronJob between runs, init and ephemeral containers, a Pod's pulled digest
# whose tag has moved on — and nothing named in other registries (Docker Hub's nginx is not
# the ECR repository library/nginx; another account's or region's shop/web is not this one).
# An unusable document is a located error; apply deletes nothing in use.
# usage: run_inuse.sh REGPOL
fix=$(cd "$(dirname "$0")/inuse" && pwd)
source "$(dirname "$0")/lib.sh" "$1"
now=2026-12-02T00:00:00Z
cp "$fix/expire-all-but-in-use.regpol" p.regpol
d() { printf 'sha256:%s' "$(printf "%64s" | tr ' ' "$1")"; }
kept() { jq -c '[.images[] | select(.action == "keep") | .digest[7:8]] | sort' "$1"; }
expired() { jq -c '[.images[] | select(.action == "expire") | .digest[7:8]] | sort' "$1"; }

# Both clusters' files: exactly these kept (letters are the digests' first hex digit).
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --format json \
  --in-use "$fix/k8s-prod.json" --in-use "$fix/k8s-staging.json" > plan.json 2> err.txt; rc=$?
[ $rc -eq 0 ] && ok || bad "plan with two in-use files: exit $rc $(cat err.txt)"
[ "$(kept plan.json)" = '["2","3","4","5","7","9","a","c"]' ] && ok || bad "kept: $(kept plan.json)"
[ "$(expired plan.json)" = '["0","1","6","8","b","d","e"]' ] && ok || bad "expired: $(expired plan.json)"
[ "$(jq -c '[.summary.inUseUnmatched, .summary.inUseOtherRegistries, .summary.protected]' plan.json)" = '[0,8,8]' ] && ok \
  || bad "summary counts: $(jq -c .summary plan.json)"
grep -q 'regpol: in use: 8 references name other registries than ECR 111122223333 in us-east-1 (111122223333.dkr.ecr.eu-west-1.amazonaws.com 1, 222233334444.dkr.ecr.us-east-1.amazonaws.com 1, docker.io 5, ghcr.io 1)' err.txt \
  && ok || bad "the other registries line: $(cat err.txt)"
# Who keeps each protected image, and what each file named.
[ "$(jq -c '.images[] | select(.digest[7:8] == "5") | .inUseBy' plan.json)" = "[\"$fix/k8s-prod.json: CronJob batch/nightly-report (container report)\"]" ] \
  && ok || bad "inUseBy: $(jq -c '[.images[] | .inUseBy]' plan.json)"
[ "$(jq -c '[.summary.inUseSources[] | [(.file | split("/") | last), .references, .images, .protected, (.readAt | type)]]' plan.json)" = \
  '[["k8s-prod.json",14,7,7,"string"],["k8s-staging.json",5,1,1,"string"]]' ] && ok || bad "inUseSources: $(jq -c .summary.inUseSources plan.json)"
grep -q 'warning' err.txt && bad "a warning with every reference matched: $(cat err.txt)" || ok
python3 -c 'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
  plan.json "$fix/../../docs/plan.schema.json" && ok || bad "plan.json against docs/plan.schema.json"
# The pull-request comment says the same: per source, and each image kept with its users.
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --format markdown \
  --in-use "$fix/k8s-prod.json" --in-use "$fix/k8s-staging.json" > plan.md 2> /dev/null
grep -q '^<details><summary>8 images kept because in use</summary>' plan.md && \
  grep -q "^| shop/web | \`sha256:aaaaaaaaaaaa\` | v3 | .* | $fix/k8s-prod.json: Deployment shop/web (container web) |$" plan.md && \
  grep -q '^| batch/report | .* | &lt;untagged> |' plan.md && \
  grep -q "^- \*\*in use:\*\* $fix/k8s-staging.json (read .*): 5 references, naming 1 image of this snapshot, 1 of them kept" plan.md \
  && ok || bad "markdown in use: $(cat plan.md)"

# One object, as `kubectl get deployment dash -o json` prints it, adds ops/dash:v1.
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --format json --in-use "$fix/k8s-prod.json" \
  --in-use "$fix/k8s-staging.json" --in-use "$fix/k8s-one-deployment.json" > plan3.json 2> /dev/null
[ "$(kept plan3.json)" = '["0","2","3","4","5","7","9","a","c"]' ] && ok || bad "one object: kept $(kept plan3.json)"

# explain names who uses an image; one no workload uses has no such line.
"$regpol" explain --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use "$fix/k8s-prod.json" \
  --image shop/api@"$(d 3)" > explain.txt 2> /dev/null
grep -q 'in use by:' explain.txt && grep -q 'k8s-prod.json: Pod shop/api-5c7b9d-x2x9q (container api)' explain.txt \
  && grep -q 'decision: keep' explain.txt && ok || bad "explain of the pod's pulled digest: $(cat explain.txt)"
"$regpol" explain --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use "$fix/k8s-prod.json" \
  --image shop/web:v2 > explain2.txt 2> /dev/null
grep -q 'ReplicaSet shop/web-7d9f8c6b5d (container web)' explain2.txt && ok || bad "explain of the rollback ReplicaSet's image: $(cat explain2.txt)"
"$regpol" explain --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use "$fix/k8s-prod.json" \
  --image library/nginx:1.27 > explain3.txt 2> /dev/null
grep -q 'in use by' explain3.txt && bad "Docker Hub's nginx protects the ECR repository library/nginx" || ok

# A document regpol cannot use is a located error (exit 3), with no report.
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use "$fix/k8s-unusable.json" > out.txt 2> err.txt; rc=$?
[ $rc -eq 3 ] && [ ! -s out.txt ] && grep -q 'k8s-unusable.json: items\[1\] is a Widget, which has no pod template regpol can read' err.txt \
  && ok || bad "unusable document: exit $rc $(cat err.txt)"

# Unmatched references to this registry warn (with where and why) and --strict-in-use
# refuses them; references to other registries are no mistake, so strict accepts them.
ecr=111122223333.dkr.ecr.us-east-1.amazonaws.com
printf '# deployed\n%s/shop/web:v1\n%s/shop/web:v9\nghcr.io/shop/queue:v5\nshop/migrate:2026-11-01\n' $ecr $ecr > refs.txt
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use refs.txt --format json > refs.json 2> err.txt
grep -q "refs.txt:3: in-use reference \`$ecr/shop/web:v9\` matches no image of the snapshot (no image of \`shop/web\` has tag \`v9\`)" err.txt \
  && ok || bad "unmatched warning: $(cat err.txt)"
[ "$(jq -c '[.summary.inUseUnmatched, .summary.inUseOtherRegistries]' refs.json)" = '[1,1]' ] && ok || bad "refs counts: $(jq -c .summary refs.json)"
# A list's line without a host names this registry: shop/migrate:2026-11-01 is kept.
[ "$(kept refs.json)" = '["1","d"]' ] && ok || bad "reference list kept: $(kept refs.json)"
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use refs.txt --strict-in-use > /dev/null 2>&1
[ $? -eq 3 ] && ok || bad "--strict-in-use accepted an unmatched reference"
printf '%s/shop/web:v1\nghcr.io/shop/queue:v5\n' $ecr > refs-ok.txt
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use refs-ok.txt --strict-in-use > /dev/null 2>&1
[ $? -eq 0 ] && ok || bad "--strict-in-use refused a reference to another registry"

# diff: both policies see the same workloads.
printf 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any\n      expire older than 7d\n    }\n  }\n}\n' > q.regpol
"$regpol" diff q.regpol p.regpol --snapshot "$fix/snapshot-ecr.json" --now $now --in-use "$fix/k8s-prod.json" --format json > diff.json 2> /dev/null
[ "$(jq -c '[.images[] | select(.old.action == "expire" and .new.action == "keep") | .digest[7:8]] | sort' diff.json)" = '["2","3","4","5","7","a","c"]' ] \
  && ok || bad "diff with --in-use: $(jq -c '[.images[] | [.digest[7:8], .old.action, .new.action]]' diff.json)"

[ "$(jq -c '[.inUseSources[] | [(.file | split("/") | last), .images, .protectedOld, .protectedNew]]' diff.json)" = '[["k8s-prod.json",7,0,7]]' ] \
  && ok || bad "diff inUseSources: $(jq -c .inUseSources diff.json)"
python3 -c 'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
  diff.json "$fix/../../docs/diff.schema.json" && ok || bad "diff.json against docs/diff.schema.json"

# apply on a snapshot store deletes exactly what plan expired, nothing in use.
"$regpol" snapshot import "$fix/snapshot-ecr.json" --db st.db > /dev/null 2>&1 || bad "snapshot import"
"$regpol" apply --policy p.regpol --snapshot st.db --state state.db --target st.db --now $now --yes \
  --in-use "$fix/k8s-prod.json" --in-use "$fix/k8s-staging.json" > apply.txt 2>&1; rc=$?
[ $rc -eq 0 ] && ok || bad "apply: exit $rc $(cat apply.txt)"
"$regpol" plan --policy p.regpol --snapshot st.db --now $now --format json \
  --in-use "$fix/k8s-prod.json" --in-use "$fix/k8s-staging.json" > after.json 2> /dev/null
[ "$(jq -c '[.images[] | .digest[7:8]] | sort' after.json)" = '["2","3","4","5","7","9","a","c"]' ] && ok \
  || bad "left after apply: $(jq -c '[.images[] | .digest[7:8]] | sort' after.json)"
# runs says what each source kept, as plan did.
"$regpol" runs show last --state state.db --format json > run.json 2> /dev/null
[ "$(jq -c '[.inUseSources[] | [(.file | split("/") | last), .references, .images, .protected, (.readAt | type)]]' run.json)" = \
  "$(jq -c '[.summary.inUseSources[] | [(.file | split("/") | last), .references, .images, .protected, (.readAt | type)]]' plan.json)" ] \
  && ok || bad "runs inUseSources: $(jq -c .inUseSources run.json)"
"$regpol" runs show last --state state.db > run.txt 2>&1
grep -q "in use: .*k8s-prod.json (read .*): 14 references, naming 7 images, 7 of them kept from a rule" run.txt && \
  grep -q "in use: 2 sources, 8 images kept from a rule" run.txt && ok || bad "runs show text: $(cat run.txt)"
# A reviewed plan carries its sources to the run that carries it out.
"$regpol" snapshot import "$fix/snapshot-ecr.json" --db st2.db > /dev/null 2>&1 || bad "snapshot import st2"
"$regpol" plan --policy p.regpol --snapshot st2.db --now $now --out reviewed.json \
  --in-use "$fix/k8s-prod.json" --in-use "$fix/k8s-staging.json" > /dev/null 2>&1 || bad "plan --out"
python3 -c 'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))' \
  reviewed.json "$fix/../../docs/plan-artifact.schema.json" && ok || bad "reviewed.json against docs/plan-artifact.schema.json"
"$regpol" apply --plan reviewed.json --state state2.db --target st2.db --yes > apply2.txt 2>&1 || bad "apply --plan: $(cat apply2.txt)"
"$regpol" runs show last --state state2.db --format json > run2.json 2> /dev/null
[ "$(jq -c '[.inUseSources[] | [.file, .references, .images, .protected, .readAt]]' run2.json)" = \
  "$(jq -c '[.inUseSources[] | [.file, .references, .images, .protected, .readAt]]' reviewed.json)" ] && \
  [ "$(jq '[.inUseSources[].protected] | add' run2.json)" = 8 ] && ok || bad "apply --plan inUseSources: $(jq -c .inUseSources run2.json)"
finish
