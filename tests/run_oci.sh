#!/usr/bin/env bash
# snapshot pull and apply against a real OCI Distribution registry (Debian's
# docker-registry) on 127.0.0.1, filled by tests/oci/populate.py with skopeo copy:
# images with shared layers, multi-arch indexes, signature artifacts and a reproducible
# build (created 1970). Each registry is started here with deletion enabled and a temporary
# storage folder, and stopped by its PID. Variants: anonymous, htpasswd (basic), token auth
# (tests/oci/token_service.py), apply killed mid-way and resumed, a tag moved onto an image
# between the snapshot and the apply.
# usage: run_oci.sh REGPOL
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$1"
py=/usr/bin/python3
export NO_PROXY='*' no_proxy='*' HOME=$tmp DOCKER_CONFIG=$tmp/docker-config
unset REGPOL_REGISTRY_USERNAME REGPOL_REGISTRY_PASSWORD
for tool in docker-registry skopeo; do
  command -v $tool > /dev/null || { echo "$tool is missing: run scripts/bootstrap as root"; exit 1; }
done
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2> /dev/null; done; wait 2> /dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
now=2026-11-01T00:00:00Z
free_port() { $py -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

# start_registry NAME [AUTH-YAML]: sets port_NAME and pid_NAME.
start_registry() {
  local name=$1 auth=${2:-} port
  port=$(free_port)
  mkdir -p "$name/data"
  bash "$here/oci/registry_config.sh" "$tmp/$name/data" "$port" "$auth" > "$name/config.yml"
  docker-registry serve "$name/config.yml" > "$name/registry.log" 2>&1 &
  local pid=$!
  pids+=("$pid")
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  curl -s -o /dev/null "http://127.0.0.1:$port/v2/" || { echo "the registry did not start: $(cat "$name/registry.log")"; exit 1; }
  printf -v "port_$name" %s "$port"
  printf -v "pid_$name" %s "$pid"
}
stop_registry() { local p="pid_$1"; kill "${!p}"; wait "${!p}" 2> /dev/null; }
blob_bytes() { find "$1/data/docker/registry/v2/blobs" -name data -type f -printf '%s\n' | awk '{s+=$1} END {print s+0}'; }
tags_of() { curl -s ${3:+-u "$3"} "http://127.0.0.1:$1/v2/$2/tags/list" | jq -c '.tags | sort'; }
digest_of() { jq -r --arg t "$2" '.images[] | select(.tag == $t) | .digest' "$1"; }

cat > policy.regpol <<'POLICY'
policy "oci-test"

repository "team/app" {
  lifecycle {
    rule 1 "three newest releases" {
      select tagged pattern ["v*"]
      keep newest 3
    }
    rule 2 "old previews" {
      select tagged prefix ["pr-"]
      expire older than 30d
    }
    protect tagged pattern ["*-hotfix"]
  }
}

repository "team/multi" {
  lifecycle {
    rule 1 "newest release" {
      select tagged pattern ["*"]
      keep newest 1
    }
  }
}

repository "team/signed" {
  lifecycle {
    rule 1 "two newest" {
      select tagged pattern ["rel-*"]
      keep newest 2
    }
  }
}
POLICY

# The digests the policy must delete, from what populate.py made (by construction).
expected_deletions() {
  local made=$1
  {
    for t in v1 v2 pr-1 pr-2 pr-3 1.0 rel-1; do digest_of "$made" $t; done
    jq -r '.images[] | select(.tag == "1.0") | .children[]' "$made"
    jq -r --arg s "$(digest_of "$made" rel-1)" '.images[] | select(.subject == $s) | .digest' "$made"
  } | sort
}

# --- anonymous registry: pull, plan, apply, garbage collection ---
start_registry anon
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_anon --out anon-made.json || { echo "populate failed"; exit 1; }
if "$regpol" snapshot pull oci://127.0.0.1:$port_anon --out anon.json 2> pull.err; then ok; else bad "pull: $(cat pull.err)"; fi
[ "$(jq '.images | length' anon.json)" = 20 ] && ok || bad "20 images expected, got $(jq '.images | length' anon.json)"
# Tags are read in parallel across and within repositories: one job or many, the same
# snapshot from the same requests (two tags naming one image read its config once).
for jobs in 1 16; do
  "$regpol" snapshot pull oci://127.0.0.1:$port_anon --jobs $jobs --out jobs$jobs.json 2> jobs$jobs.err || bad "pull --jobs $jobs"
done
cmp -s <(jq -S 'del(.capturedAt)' jobs1.json) <(jq -S 'del(.capturedAt)' jobs16.json) && cmp -s <(jq -S 'del(.capturedAt)' anon.json) <(jq -S 'del(.capturedAt)' jobs1.json) &&
  ok || bad "--jobs 1 and --jobs 16 pull different snapshots"
[ "$(grep -o '([0-9]* requests)' jobs1.err)" = "$(grep -o '([0-9]* requests)' jobs16.err)" ] && grep -q '([0-9]* requests)' jobs1.err && ok ||
  bad "--jobs 1 and 16 make different requests: $(cat jobs1.err jobs16.err)"
[ "$(jq -r .registryKind anon.json)" = distribution ] && ok || bad "registryKind"
[ "$(jq '[.images[] | select((.children // []) | length == 2)] | length' anon.json)" = 2 ] && ok || bad "two indexes with two children each"
[ "$(jq '[.images[] | select(.subject != null)] | length' anon.json)" = 2 ] && ok || bad "two signatures linked to their subjects"
sig_subject=$(jq -r --arg t "sha256-$(digest_of anon-made.json rel-2 | cut -c8-).sig" '.images[] | select(.tags | index($t)) | .subject' anon.json)
[ "$sig_subject" = "$(digest_of anon-made.json rel-2)" ] && ok || bad "the rel-2 signature's subject: $sig_subject"
# Sizes: the manifest, config and layers, exactly as pushed.
# A prefix reads the repositories below it, or the one it names.
"$regpol" snapshot pull oci://127.0.0.1:$port_anon/team --out prefix1.json 2> /dev/null &&
  [ "$(jq -c '[.images[].repository] | unique' prefix1.json)" = '["team/app","team/multi","team/signed"]' ] && ok || bad "oci://HOST/team reads team/*"
"$regpol" snapshot pull oci://127.0.0.1:$port_anon/team/multi --out prefix2.json 2> /dev/null &&
  [ "$(jq -c '[.images[].repository] | unique' prefix2.json)" = '["team/multi"]' ] && ok || bad "oci://HOST/team/multi reads that repository"
want_size=$(jq --arg d "$(digest_of anon-made.json v1)" '[.images[] | select(.digest == $d) | .blobs[].size] | add' anon-made.json)
got_size=$(jq --arg d "$(digest_of anon-made.json v1)" '.images[] | select(.digest == $d) | .sizeBytes' anon.json)
[ "$want_size" = "$got_size" ] && ok || bad "v1's size: $got_size, pushed $want_size"
"$regpol" plan --policy policy.regpol --snapshot anon.json --now $now --format json > plan.json || bad "plan failed"
jq -r '.images[] | select(.action == "expire") | .digest' plan.json | sort > planned.txt
expected_deletions anon-made.json > expected.txt
diff expected.txt planned.txt > /dev/null && ok || bad "planned deletions differ from the expected ones: $(diff expected.txt planned.txt)"
# The image tagged both pr-9 (an old preview) and v0-hotfix (protected) is kept.
[ "$(jq -r --arg d "$(digest_of anon-made.json pr-9)" '.images[] | select(.digest == $d) | .action' plan.json)" = keep ] && ok || bad "pr-9/v0-hotfix must be kept"
# The reproducible build (created 1970) is undated: newest for the count rule, so kept.
repro=$(jq -r --arg d "$(digest_of anon-made.json rel-repro)" '.images[] | select(.digest == $d) | [.action, .pushedAtSource, (.pushedAt == null)] | join(" ")' plan.json)
[ "$repro" = "keep unknown true" ] && ok || bad "the 1970 image: $repro"
[ "$(jq .summary.undatedImages plan.json)" = 3 ] && ok || bad "undatedImages: $(jq .summary.undatedImages plan.json)"
"$regpol" plan --policy policy.regpol --snapshot anon.json --now $now | grep -q "without a usable push time" && ok || bad "the text report warns about undated images"
freed=$(jq .summary.bytesFreed plan.json)
summed=$(jq .summary.bytesReclaimed plan.json)
[ "$freed" -gt 0 ] && [ "$freed" -lt "$summed" ] && ok || bad "bytesFreed $freed should be below the summed sizes $summed (shared layers)"
# A self-hosted registry's reports, in every format: no ECR price, and the bytes really freed
# next to the summed sizes.
"$regpol" plan --policy policy.regpol --snapshot anon.json --now $now --summary --format json > summary.json
[ "$(jq .summary.bytesFreed summary.json)" = "$freed" ] && [ "$(jq .summary.monthlySavingsUsd summary.json)" = null ] && ok ||
  bad "plan --summary --format json: bytesFreed $(jq .summary.bytesFreed summary.json) (want $freed), monthlySavingsUsd $(jq .summary.monthlySavingsUsd summary.json)"
[ "$(jq .summary.monthlySavingsUsd plan.json)" = null ] && ok || bad "plan --format json prices a self-hosted registry"
for args in "" "--summary" "--format markdown" "--summary --format markdown" "--format html"; do
  # shellcheck disable=SC2086
  "$regpol" plan --policy policy.regpol --snapshot anon.json --now $now $args > report.out
  grep -q 'freed in storage\|Freed in storage' report.out && ok || bad "plan $args does not show the bytes freed in storage"
  grep -q 'us-east-1\|\$[0-9]' report.out && bad "plan $args shows an ECR price for a self-hosted registry: $(grep -m1 'us-east-1\|\$[0-9]' report.out)" || ok
done
# A snapshot applies to its own registry only, and never beyond the target's prefix: both
# refused before any request (exit 1), the registry untouched.
"$regpol" apply --policy policy.regpol --snapshot anon.json --now $now --state wrong.db --target oci://127.0.0.1:$port_anon/elsewhere --yes > wrong.out 2>&1
[ $? = 1 ] && grep -q "repository \`team/app\` is outside oci://127.0.0.1:$port_anon/elsewhere" wrong.out && ok || bad "a prefix did not bound apply: $(cat wrong.out)"
"$regpol" apply --policy policy.regpol --snapshot anon.json --now $now --state wrong.db --target oci://127.0.0.1:1 --yes > wrong.out 2>&1
[ $? = 1 ] && grep -q "the snapshot is of oci://127.0.0.1:$port_anon, but the target is oci://127.0.0.1:1" wrong.out && ok || bad "another registry's snapshot was applied: $(cat wrong.out)"
[ "$(tags_of $port_anon team/app | jq length)" -gt 5 ] && ok || bad "a refused apply changed the registry"
if "$regpol" apply --policy policy.regpol --snapshot anon.json --now $now --state anon-state.db --target oci://127.0.0.1:$port_anon --yes \
  --metrics-file apply.prom > apply.out 2>&1; then ok; else bad "apply: $(cat apply.out)"; fi
grep -q "10 deleted" apply.out && ok || bad "apply should delete 10 manifests: $(cat apply.out)"
# The bytes the run really freed (blobs no remaining manifest references, each once), next to
# the summed sizes: in apply's line, the journal and the metrics; garbage collection checks it below.
grep -q "summed sizes, .* freed in storage" apply.out && ok || bad "apply does not say the bytes freed in storage: $(cat apply.out)"
run_freed=$("$regpol" runs --state anon-state.db --format json | jq '.runs[-1].counts.bytesFreed')
[ "$run_freed" = "$freed" ] && ok || bad "the journal says the run freed $run_freed bytes, the plan said $freed"
grep -q "^regpol_apply_run_freed_bytes{.*} $freed\$" apply.prom && ok || bad "metrics: $(grep freed apply.prom)"
"$regpol" runs --state anon-state.db | grep -q "freed in storage" && ok || bad "runs (text) does not say the bytes freed"
[ "$(tags_of $port_anon team/app)" = '["pr-9","v0-hotfix","v3","v4","v5"]' ] && ok || bad "team/app tags: $(tags_of $port_anon team/app)"
[ "$(tags_of $port_anon team/multi)" = '["2.0"]' ] && ok || bad "team/multi tags: $(tags_of $port_anon team/multi)"
sig2="sha256-$(digest_of anon-made.json rel-2 | cut -c8-).sig"
[ "$(tags_of $port_anon team/signed)" = "[\"rel-2\",\"rel-repro\",\"$sig2\"]" ] && ok || bad "team/signed tags: $(tags_of $port_anon team/signed)"
gone=0 kept=0
while read -r repo digest; do
  code=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: application/vnd.oci.image.manifest.v1+json, application/vnd.oci.image.index.v1+json" "http://127.0.0.1:$port_anon/v2/$repo/manifests/$digest")
  if grep -q "$digest" expected.txt; then [ "$code" = 404 ] && gone=$((gone+1)); else [ "$code" = 200 ] && kept=$((kept+1)); fi
done < <(jq -r '.images[] | "\(.repository) \(.digest)"' anon.json)
[ "$gone" = 10 ] && [ "$kept" = 10 ] && ok || bad "by digest: $gone of 10 deleted manifests gone, $kept of 10 kept ones there"
"$regpol" apply --policy policy.regpol --snapshot anon.json --now $now --state anon-state.db --target oci://127.0.0.1:$port_anon --yes > again.out 2>&1
[ $? = 0 ] && ok || bad "a second apply of the same inputs: $(cat again.out)"
final_anon=$(for r in team/app team/multi team/signed; do tags_of $port_anon $r; done)
before=$(blob_bytes anon)
stop_registry anon
docker-registry garbage-collect anon/config.yml > gc.log 2>&1 || bad "garbage-collect: $(tail -3 gc.log)"
after=$(blob_bytes anon)
[ $((before - after)) = "$freed" ] && ok || bad "garbage collection freed $((before - after)) bytes, the plan said $freed"

# --- apply killed mid-way, then resumed: the same final registry ---
start_registry kill
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_kill --out kill-made.json || { echo "populate failed"; exit 1; }
"$regpol" snapshot pull oci://127.0.0.1:$port_kill --out kill.json 2> /dev/null || bad "pull (kill)"
REGPOL_TEST_KILL_AT=after-target:2 "$regpol" apply --policy policy.regpol --snapshot kill.json --now $now --state kill-state.db \
  --target oci://127.0.0.1:$port_kill --yes --batch-size 2 > kill.out 2>&1
[ $? = 137 ] && ok || bad "the apply should have been killed: $(cat kill.out)"
"$regpol" apply --policy policy.regpol --snapshot kill.json --now $now --state kill-state.db --target oci://127.0.0.1:$port_kill --yes \
  --batch-size 2 > resume.out 2>&1 && ok || bad "resume: $(cat resume.out)"
# Killed and resumed, the run still frees what its plan said (each group of blobs once all
# the deletions that hold it are done, whichever process did them).
kill_freed=$("$regpol" plan --policy policy.regpol --snapshot kill.json --now $now --format json | jq .summary.bytesFreed)
[ "$("$regpol" runs --state kill-state.db --format json | jq '.runs[-1].counts.bytesFreed')" = "$kill_freed" ] && ok ||
  bad "the resumed run's bytesFreed: $("$regpol" runs --state kill-state.db --format json | jq -c '.runs[-1].counts')"
final_kill=$(for r in team/app team/multi team/signed; do tags_of $port_kill $r; done)
[ "$final_kill" = "$final_anon" ] && ok || bad "killed and resumed ends as an uninterrupted apply: $final_kill"
"$regpol" runs show 1 --state kill-state.db --format json > kill-run.json 2> /dev/null
[ "$(jq '[.actions[] | select(.status == "done" or .status == "already-done")] | length' kill-run.json)" = 10 ] && ok ||
  bad "every action has one final outcome: $(jq -c '[.actions[].status]' kill-run.json)"

# --- a reviewed plan (plan --out) carries the blobs its deletions free; its run reports them ---
start_registry art
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_art --out art-made.json > /dev/null || { echo "populate failed"; exit 1; }
"$regpol" snapshot pull oci://127.0.0.1:$port_art --out art.json 2> /dev/null || bad "pull (art)"
"$regpol" plan --policy policy.regpol --snapshot art.json --now $now --format json --out art-plan.json > art-report.json || bad "plan --out (art)"
art_freed=$(jq .summary.bytesFreed art-report.json)
[ "$(jq '[.freedBlobs[].bytes] | add' art-plan.json)" = "$art_freed" ] && ok || bad "the artifact's freedBlobs add up to $(jq '[.freedBlobs[].bytes] | add' art-plan.json), the plan says $art_freed"
"$regpol" apply --plan art-plan.json --state art-state.db --target oci://127.0.0.1:$port_art --yes > art-apply.out 2>&1 || bad "apply --plan: $(cat art-apply.out)"
[ "$("$regpol" runs --state art-state.db --format json | jq '.runs[-1].counts.bytesFreed')" = "$art_freed" ] && ok ||
  bad "apply --plan: the run's bytesFreed $("$regpol" runs --state art-state.db --format json | jq '.runs[-1].counts.bytesFreed'), the plan said $art_freed"
stop_registry art

# --- --state: the first sighting dates an image whose config time is a placeholder ---
"$regpol" snapshot pull oci://127.0.0.1:$port_kill --state seen.db --out seen1.json 2> seen1.err || bad "pull --state (first)"
repro_d=$(digest_of kill-made.json rel-repro)
[ "$(jq -r --arg d "$repro_d" '.images[] | select(.digest == $d) | .pushedAtSource' seen1.json)" = unknown ] && ok || bad "first pull: the 1970 image is unknown"
first_capture=$(jq -r .capturedAt seen1.json)
sleep 1
"$regpol" snapshot pull oci://127.0.0.1:$port_kill --state seen.db --out seen2.json 2> seen2.err || bad "pull --state (second)"
# The second pull reads no manifest or config it read before: one HEAD a tag, and the lists.
requests() { sed -nE 's/.*\(([0-9]+) requests\).*/\1/p' "$1"; }
[ "$(requests seen2.err)" -lt "$(requests seen1.err)" ] && ok || bad "a second pull with --state makes fewer requests: $(requests seen1.err) then $(requests seen2.err)"
[ "$(jq -S '[.images[] | del(.pushedAt, .pushedAtSource)]' seen1.json)" = "$(jq -S '[.images[] | del(.pushedAt, .pushedAtSource)]' seen2.json)" ] && ok ||
  bad "the cached pull reads the same images, sizes, blobs, children and subjects"
[ "$(jq -r --arg d "$repro_d" '.images[] | select(.digest == $d) | "\(.pushedAtSource) \(.pushedAt)"' seen2.json)" = "first-seen $first_capture" ] && ok ||
  bad "second pull: the 1970 image is dated by its first sighting: $(jq -c --arg d "$repro_d" '.images[] | select(.digest == $d)' seen2.json)"
[ "$(jq -r --arg d "$(digest_of kill-made.json v3)" '.images[] | select(.digest == $d) | .pushedAtSource' seen2.json)" = config-created ] && ok ||
  bad "an image with a real config time keeps it"

# --- blobs on object storage: a 307 to a signed URL, followed without our credentials ---
$py "$here/oci/redirecting_proxy.py" "$port_kill" proxy.port > proxy.log 2>&1 &
pids+=("$!")
for _ in $(seq 100); do [ -s proxy.port ] && break; sleep 0.1; done
"$regpol" snapshot pull oci://127.0.0.1:$(cat proxy.port) --out redirected.json 2> redirected.err && ok || bad "pull through blob redirects: $(cat redirected.err)"
"$regpol" snapshot pull oci://127.0.0.1:$port_kill --out direct.json 2> /dev/null
[ "$(jq -S '[.images[] | del(.pushedAt, .pushedAtSource, .configCreated)]' redirected.json)" = "$(jq -S '[.images[] | del(.pushedAt, .pushedAtSource, .configCreated)]' direct.json)" ] &&
  [ "$(jq '[.images[] | select(.pushedAtSource == "config-created")] | length' redirected.json)" -gt 5 ] && ok ||
  bad "through the redirects, the same images and their config times"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=irrelevant "$regpol" snapshot pull oci://127.0.0.1:$(cat proxy.port) --out redirected2.json 2> redirected2.err &&
  ok || bad "with credentials configured, the redirected download carries none (the bucket refuses them): $(cat redirected2.err)"

# --- a tag moved onto a planned image between the snapshot and the apply: skipped ---
start_registry moved
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_moved --out moved-made.json || { echo "populate failed"; exit 1; }
"$regpol" snapshot pull oci://127.0.0.1:$port_moved --out moved.json 2> /dev/null || bad "pull (moved)"
v1=$(digest_of moved-made.json v1)
curl -s -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://127.0.0.1:$port_moved/v2/team/app/manifests/v1" > v1.manifest
curl -s -o /dev/null -X PUT -H "Content-Type: application/vnd.oci.image.manifest.v1+json" --data-binary @v1.manifest \
  "http://127.0.0.1:$port_moved/v2/team/app/manifests/keep-me"
"$regpol" apply --policy policy.regpol --snapshot moved.json --now $now --state moved-state.db --target oci://127.0.0.1:$port_moved --yes > moved.out 2>&1
code=$(curl -s -o /dev/null -w '%{http_code}' -H "Accept: application/vnd.oci.image.manifest.v1+json" "http://127.0.0.1:$port_moved/v2/team/app/manifests/$v1")
[ "$code" = 200 ] && ok || bad "the image that gained the tag keep-me must survive (HTTP $code)"
"$regpol" runs show 1 --state moved-state.db --format json 2> /dev/null | jq -r --arg d "$v1" '.actions[] | select(.digest == $d) | .status' | grep -q skipped && ok ||
  bad "the changed image is recorded as skipped"
stop_registry moved

# --- untag on Distribution 2.8 (Debian's): it deletes manifests by digest only, so each tag
# removal fails with the registry's reason, nothing else changes, and the run says so ---
start_registry untag
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_untag --out untag-made.json || { echo "populate failed"; exit 1; }
cat > untag.regpol <<'POLICY'
repository "team/app" {
  lifecycle {
    rule 9 "drop preview tags" {
      select tagged prefix ["pr-"]
      untag older than 30d
    }
  }
}
POLICY
"$regpol" snapshot pull oci://127.0.0.1:$port_untag --out untag.json 2> /dev/null || bad "pull (untag)"
"$regpol" plan --policy untag.regpol --snapshot untag.json --now $now --format json > untag-plan.json
before=$(tags_of $port_untag team/app)
"$regpol" apply --policy untag.regpol --snapshot untag.json --now $now --state untag-state.db --target oci://127.0.0.1:$port_untag --yes > untag.out 2>&1
rc=$?
"$regpol" runs show 1 --state untag-state.db --format json > untag-run.json 2> /dev/null
[ $rc = 4 ] && [ "$(jq '.summary.untag' untag-plan.json)" -ge 2 ] && [ "$(tags_of $port_untag team/app)" = "$before" ] \
  && [ "$(jq '[.actions[] | select(.status == "failed" and (.answer | test("does not delete tags")))] | length' untag-run.json)" = "$(jq '.summary.untag' untag-plan.json)" ] \
  && ok || bad "untag on a registry without tag deletion: exit $rc $(tail -2 untag.out) $(jq -c '[.actions[] | [.status, .answer]]' untag-run.json | head -c 300)"
stop_registry untag

# --- a reviewed plan artifact applied to the registry ---
start_registry planned
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_planned --out planned-made.json || { echo "populate failed"; exit 1; }
"$regpol" snapshot pull oci://127.0.0.1:$port_planned --out planned.json 2> /dev/null || bad "pull (planned)"
"$regpol" plan --policy policy.regpol --snapshot planned.json --now $now --out planned-plan.json > /dev/null || bad "plan --out"
"$regpol" apply --plan planned-plan.json --state planned-state.db --target oci://127.0.0.1:$port_planned --yes > planned.out 2>&1 &&
  grep -q "10 deleted" planned.out && ok || bad "apply --plan to the registry: $(cat planned.out)"
[ "$(for r in team/app team/multi team/signed; do tags_of $port_planned $r; done)" = "$final_anon" ] && ok || bad "apply --plan ends as apply --policy"
stop_registry planned

# --- the nightly job's one command: apply --pull, killed mid-way, then the next night ---
start_registry nightly
$py "$here/oci/populate.py" --registry 127.0.0.1:$port_nightly --out nightly-made.json || { echo "populate failed"; exit 1; }
REGPOL_TEST_KILL_AT=after-target:2 "$regpol" apply --pull --policy policy.regpol --now $now --state nightly.db \
  --target oci://127.0.0.1:$port_nightly --yes --batch-size 2 > nightly1.out 2>&1
[ $? = 137 ] && ok || bad "apply --pull should have been killed: $(cat nightly1.out)"
# The next run pulls again (the registry has changed: the killed run deleted some), settles
# the unfinished run by what the registry holds, and plans the rest: no person needed.
"$regpol" apply --pull --policy policy.regpol --now $now --state nightly.db --target oci://127.0.0.1:$port_nightly --yes > nightly2.out 2>&1 \
  && grep -q "superseded" nightly2.out && ok || bad "apply --pull after a kill: $(cat nightly2.out)"
[ "$(for r in team/app team/multi team/signed; do tags_of $port_nightly $r; done)" = "$final_anon" ] && ok ||
  bad "apply --pull, killed and run again, ends as an uninterrupted apply"
[ "$(ls nightly.db.snapshots/sha256-*.json | wc -l)" = 2 ] && ok || bad "each run's pulled snapshot is kept: $(ls nightly.db.snapshots)"
"$regpol" runs --state nightly.db --format json | jq -e '[.runs[].source | test("pulled to .*nightly.db.snapshots/sha256-[0-9a-f]{64}.json")] == [true, true]' > /dev/null \
  && ok || bad "each run names the snapshot it pulled"
stop_registry nightly

# --- basic auth (htpasswd, bcrypt) ---
secret=s3cret-$RANDOM-pw
$py -c 'import bcrypt, sys; print("ci:" + bcrypt.hashpw(sys.argv[1].encode(), bcrypt.gensalt(5)).decode())' "$secret" > htpasswd
start_registry basic "auth:
  htpasswd:
    realm: regpol-test
    path: $tmp/htpasswd"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=$secret $py "$here/oci/populate.py" --registry 127.0.0.1:$port_basic --out basic-made.json ||
  { echo "populate (basic) failed"; exit 1; }
"$regpol" snapshot pull oci://127.0.0.1:$port_basic --out anon-basic.json > b1.out 2>&1
[ $? = 3 ] && grep -q "needs credentials" b1.out && ok || bad "anonymous pull of a basic-auth registry: $(cat b1.out)"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=wrong "$regpol" snapshot pull oci://127.0.0.1:$port_basic --out wrong.json > b2.out 2>&1
[ $? = 3 ] && [ ! -e wrong.json ] && ok || bad "a wrong password: $(cat b2.out)"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=$secret "$regpol" snapshot pull oci://127.0.0.1:$port_basic --out env.json > b3.out 2>&1 &&
  ok || bad "pull with REGPOL_REGISTRY_USERNAME: $(cat b3.out)"
printf '%s\n' "$secret" | "$regpol" snapshot pull oci://127.0.0.1:$port_basic --username ci --password-stdin --out stdin.json > b4.out 2>&1 &&
  ok || bad "pull with --password-stdin: $(cat b4.out)"
mkdir -p docker-config
printf '{"auths": {"http://127.0.0.1:%s/v1/": {"auth": "%s"}}}' "$port_basic" "$(printf 'ci:%s' "$secret" | base64 -w0)" > docker-config/config.json
"$regpol" snapshot pull oci://127.0.0.1:$port_basic --out docker.json > b5.out 2>&1 && ok || bad "pull with the Docker config file: $(cat b5.out)"
[ "$(jq '.images | length' docker.json 2> /dev/null)" = 20 ] && ok || bad "the authenticated pull read 20 images"
"$regpol" apply --policy policy.regpol --snapshot docker.json --now $now --state basic-state.db --target oci://127.0.0.1:$port_basic --yes > b6.out 2>&1 &&
  ok || bad "apply with basic auth: $(cat b6.out)"
[ "$(tags_of $port_basic team/app "ci:$secret")" = '["pr-9","v0-hotfix","v3","v4","v5"]' ] && ok || bad "basic: team/app tags after apply"
rm -f docker-config/config.json
stop_registry basic

# --- token auth (a token service signing with a key the registry trusts) ---
printf '%s\n' "$secret" > token-password
$py "$here/oci/token_service.py" token-cert.pem token.port regpol-test-issuer regpol-test-registry ci token-password > token.log 2>&1 &
pids+=("$!")
for _ in $(seq 100); do [ -s token.port ] && break; sleep 0.1; done
[ -s token.port ] || { echo "the token service did not start: $(cat token.log)"; exit 1; }
start_registry token "auth:
  token:
    realm: http://127.0.0.1:$(cat token.port)/token
    service: regpol-test-registry
    issuer: regpol-test-issuer
    rootcertbundle: $tmp/token-cert.pem"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=$secret $py "$here/oci/populate.py" --registry 127.0.0.1:$port_token --out token-made.json ||
  { echo "populate (token) failed: $(tail -5 token/registry.log)"; exit 1; }
"$regpol" snapshot pull oci://127.0.0.1:$port_token --out anon-token.json > t1.out 2>&1
[ $? = 3 ] && [ ! -e anon-token.json ] && ok || bad "anonymous pull of a token-auth registry: $(cat t1.out)"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=$secret "$regpol" snapshot pull oci://127.0.0.1:$port_token --out token.json > t2.out 2>&1 &&
  ok || bad "pull with a bearer token: $(cat t2.out)"
[ "$(jq '.images | length' token.json 2> /dev/null)" = 20 ] && ok || bad "the token pull read 20 images"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=$secret "$regpol" apply --policy policy.regpol --snapshot token.json --now $now \
  --state token-state.db --target oci://127.0.0.1:$port_token --yes > t3.out 2>&1 && ok || bad "apply with a bearer token: $(cat t3.out)"
grep -q "10 deleted" t3.out && ok || bad "token apply deleted 10: $(cat t3.out)"
stop_registry token

# --- a token service on plain http off loopback: credentials are never sent there ---
# (192.0.2.1 is TEST-NET-1: regpol refuses before connecting, so nothing is contacted.)
start_registry badrealm "auth:
  token:
    realm: http://192.0.2.1:9/token
    service: regpol-test-registry
    issuer: regpol-test-issuer
    rootcertbundle: $tmp/token-cert.pem"
REGPOL_REGISTRY_USERNAME=ci REGPOL_REGISTRY_PASSWORD=$secret "$regpol" snapshot pull oci://127.0.0.1:$port_badrealm --out badrealm.json > br.out 2>&1
[ $? = 3 ] && grep -q "plain http:// to 192.0.2.1 is refused" br.out && [ ! -e badrealm.json ] && ok ||
  bad "a plain-http token service off loopback is refused: $(cat br.out)"
stop_registry badrealm

# --- a registry that cannot answer now (503 after the retries, or nothing listening): exit 4,
# which a scheduler retries (podFailurePolicy, docs/scheduling.md), and nothing is written ---
$py - unavailable.port "$here" > unavailable.log 2>&1 <<'EOF' &
import http.server, sys
sys.path.insert(0, sys.argv[2])
from quiet_handler import QuietHandler
class H(QuietHandler):
    def do_GET(self):
        self.reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"maintenance"}]}', [("Content-Type", "application/json")])
    do_HEAD = do_GET
s = http.server.ThreadingHTTPServer(("127.0.0.1", 0), H)
open(sys.argv[1], "w").write(str(s.server_address[1]))
s.serve_forever()
EOF
pids+=("$!")
for _ in $(seq 100); do [ -s unavailable.port ] && break; sleep 0.1; done
"$regpol" snapshot pull oci://127.0.0.1:$(cat unavailable.port) --out unavailable.json > un.out 2>&1
[ $? = 4 ] && grep -q "HTTP 503" un.out && grep -q "a later run tries again" un.out && [ ! -e unavailable.json ] && ok ||
  bad "a registry answering 503 past the retries: exit 4, nothing written: $(cat un.out)"
"$regpol" apply --pull --policy policy.regpol --now $now --state unavailable.db --target oci://127.0.0.1:$(cat unavailable.port) --yes > un2.out 2>&1
[ $? = 4 ] && grep -q "a later run tries again" un2.out && ok || bad "apply --pull from a registry answering 503: exit 4: $(cat un2.out)"
"$regpol" snapshot pull oci://127.0.0.1:1 --out closed.json > closed.out 2>&1
[ $? = 4 ] && [ ! -e closed.json ] && ok || bad "a registry with nothing listening: exit 4: $(cat closed.out)"

# --- no secret in any output or database ---
leaks=$(grep -rl --exclude=htpasswd --exclude=token-password --exclude-dir=docker-config --exclude-dir=data -e "$secret" . 2> /dev/null)
[ -z "$leaks" ] && ok || bad "the password appears in: $leaks"

# --- usage errors ---
"$regpol" snapshot pull oci://example.com:5000 --insecure --out x.db > u2.out 2>&1
[ $? = 2 ] && grep -q "JSON" u2.out && ok || bad "an OCI pull into .db is refused with a reason: $(cat u2.out)"
"$regpol" snapshot import anon.json --db anon.db > u4.out 2>&1
[ $? = 2 ] && [ ! -e anon.db ] && grep -q "keep the snapshot as JSON" u4.out && ok || bad "an OCI snapshot is not imported into a store that would lose its blobs: $(cat u4.out)"
"$regpol" snapshot pull oci://127.0.0.1:1 --password-stdin --out x.json < /dev/null > u3.out 2>&1
[ $? = 2 ] && ok || bad "--password-stdin without --username: $(cat u3.out)"
finish
