#!/usr/bin/env bash
# `protect in_use` fed by documents that kubectl itself prints (docs/in-use.md). The
# manifests in tests/inuse/kubectl/manifests/ are what a cluster holds — a Deployment at zero
# replicas and the ReplicaSet it keeps for a rollback, a StatefulSet with an init container
# and an image by tag and digest, a DaemonSet, a finished Job, a CronJob between runs, a Pod
# whose tag has moved since it started (status.imageID), an ephemeral container, a ConfigMap,
# and images of other registries (another account, another region, GitHub's, Docker Hub's)
# — and kubectl prints them as JSON offline (`kubectl label --local -f … -o json`, no server:
# run without a network where possible). Against an ECR snapshot of account 111122223333 in
# us-east-1, every policy that would expire everything keeps exactly what they name in that
# registry; each file alone, all of them as kubectl's stream of objects, and two "clusters'"
# outputs concatenated agree; a custom resource without a pod template is a located error.
# usage: run_inuse_kubectl.sh REGPOL
fix=$(cd "$(dirname "$0")/inuse/kubectl" && pwd)
source "$(dirname "$0")/lib.sh" "$1"
now=2026-12-02T00:00:00Z

command -v kubectl > /dev/null || { bad "kubectl is missing (scripts/bootstrap test installs kubernetes-client)"; finish; exit; }
# kubectl as a user would run it, but with no configuration and, where the machine allows,
# no network: --local never asks a server.
kube() {
  if unshare -n true 2> /dev/null; then KUBECONFIG=/dev/null unshare -n kubectl "$@"; else KUBECONFIG=/dev/null kubectl "$@"; fi
}
as_json() { kube label --local -f "$1" -o json regpol.dev/fixture=in-use; }

cp "$fix/../expire-all-but-in-use.regpol" p.regpol
kept() { jq -c '[.images[] | select(.action == "keep") | .repository + "@" + .digest[7:8]] | sort' "$1"; }
expected='["agent@6","api@b","api@c","debug@d","migrate@8","report@9","web@2","web@3","worker@4","worker@5"]'

# All the manifests at once: kubectl prints one JSON object after another (8 objects; 17
# references: each container's image, and each container status's image and imageID).
as_json "$fix/manifests" > all.json 2> kubectl.err || bad "kubectl label --local: $(cat kubectl.err)"
[ "$(grep -c '^{' all.json)" -eq 8 ] && ok || bad "kubectl printed $(grep -c "^{" all.json) objects, not 8"
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot.json" --now $now --format json --in-use all.json > plan.json 2> err.txt; rc=$?
[ $rc -eq 0 ] && ok || bad "plan with kubectl's stream: exit $rc $(cat err.txt)"
[ "$(kept plan.json)" = "$expected" ] && ok || bad "kept with kubectl's stream: $(kept plan.json)"
[ "$(jq -c '[.summary.inUseSources[] | [.references, .images, .protected]]' plan.json)" = '[[17,10,10]]' ] && ok \
  || bad "inUseSources: $(jq -c .summary.inUseSources plan.json)"
[ "$(jq '.summary.inUseOtherRegistries' plan.json)" = 6 ] && ok || bad "other registries: $(jq .summary.inUseOtherRegistries plan.json)"
[ "$(jq '.summary.inUseUnmatched' plan.json)" = 0 ] && ok || bad "unmatched: $(jq .summary.inUseUnmatched plan.json) $(cat err.txt)"
# Who keeps what, by kind and name as kubectl printed them.
users() { jq -r --arg d "$1" '.images[] | select(.digest[7:8] == $d) | .inUseBy[]' plan.json | sed 's|^[^:]*: ||' | sort | tr '\n' ';'; }
[ "$(users 2)" = "ReplicaSet shop/web-5f7d8c9b4 (container web);" ] && ok || bad "users of web@2: $(users 2)"
[ "$(users 3)" = "Deployment shop/web (container web);" ] && ok || bad "users of web@3: $(users 3)"
[ "$(users 4)" = "StatefulSet jobs/worker (container schema);" ] && ok || bad "users of worker@4: $(users 4)"
[ "$(users 9)" = "CronJob batch/report (container report);" ] && ok || bad "users of report@9: $(users 9)"
[ "$(users d)" = "Pod shop/api-6d4cf56db6-h2x7k (container debugger);" ] && ok || bad "users of debug@d: $(users d)"
# Other registries' images protect nothing here: not web:v1 (eu-west-1, GitHub, Docker
# Hub's library/web), not agent:a0 (another account).
[ "$(jq -c '[.images[] | select(.action == "expire") | .repository + "@" + .digest[7:8]] | sort' plan.json)" = \
  '["agent@7","old@e","report@a","web@1"]' ] && ok || bad "expired: $(jq -c '[.images[] | select(.action == "expire") | .digest[7:8]]' plan.json)"
grep -q "ghcr.io 1" err.txt && grep -q "docker.io 2" err.txt && ok || bad "stderr names the other registries: $(cat err.txt)"

# Each file on its own (one object, or a stream of two), as --in-use repeated: the same.
args=()
for f in "$fix"/manifests/*.yaml; do
  as_json "$f" > "$(basename "$f" .yaml).json" 2>> kubectl.err || bad "kubectl on $f"
  args+=(--in-use "$(basename "$f" .yaml).json")
done
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot.json" --now $now --format json "${args[@]}" > each.json 2> /dev/null
[ "$(kept each.json)" = "$expected" ] && ok || bad "kept with each file: $(kept each.json)"
[ "$(jq '.summary.inUseSources | length' each.json)" = 6 ] && ok || bad "sources: $(jq -c .summary.inUseSources each.json)"

# Two clusters' outputs in one file.
cat web.json pod.json > two-clusters.json
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot.json" --now $now --format json --in-use two-clusters.json > two.json 2> /dev/null
[ "$(kept two.json)" = '["api@b","api@c","debug@d","web@2","web@3"]' ] && ok || bad "kept with two outputs: $(kept two.json)"

# apply on a snapshot store deletes what plan expired, nothing in use.
"$regpol" snapshot import "$fix/snapshot.json" --db st.db > /dev/null 2>&1 || bad "snapshot import"
"$regpol" apply --policy p.regpol --snapshot st.db --state state.db --target st.db --now $now --yes --in-use all.json > apply.txt 2>&1 \
  || bad "apply: $(cat apply.txt)"
"$regpol" plan --policy p.regpol --snapshot st.db --now $now --format json > after.json 2> /dev/null
[ "$(jq -c '[.images[] | .repository + "@" + .digest[7:8]] | sort' after.json)" = "$expected" ] && ok \
  || bad "left after apply: $(jq -c '[.images[] | .repository + "@" + .digest[7:8]] | sort' after.json)"

# A document regpol cannot use is a located error, in a stream as alone; nothing is evaluated.
as_json "$fix/unusable/widget.yaml" > widget.json 2>> kubectl.err || bad "kubectl on widget.yaml"
cat web.json widget.json > mixed.json
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot.json" --now $now --in-use mixed.json > out.txt 2> err.txt; rc=$?
line=$(( $(wc -l < web.json) + 1 ))
[ $rc -eq 3 ] && [ ! -s out.txt ] && grep -q "mixed.json:$line:1.*Widget" err.txt && ok || bad "unusable document: exit $rc $(cat err.txt)"
# A stream cut short: the line and column of the break.
head -c -3 all.json > cut.json
"$regpol" plan --policy p.regpol --snapshot "$fix/snapshot.json" --now $now --in-use cut.json > out.txt 2> err.txt; rc=$?
[ $rc -eq 3 ] && grep -q "cut.json:[0-9]*:[0-9]*: malformed JSON" err.txt && ok || bad "cut stream: exit $rc $(cat err.txt)"
finish
