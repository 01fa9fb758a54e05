#!/usr/bin/env bash
# `regpol snapshot pull oci://` against Debian's docker-registry on 127.0.0.1 holding 20
# repositories of 100 tagged images each (tests/oci/populate.py --scenario bench), side by
# side with what a team's script does: `skopeo list-tags` per repository and
# `skopeo inspect` per tag (which, like regpol, reads the manifest and the image config).
# Run from the repository root after `make`.
set -euo pipefail
out=$PWD/bench/out/oci-pull; rm -rf "$out"; mkdir -p "$out/data"
port=$(/usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
bash tests/oci/registry_config.sh "$out/data" "$port" > "$out/config.yml"
pid=""; trap '[ -z "$pid" ] || kill $pid' EXIT
# An empty registry on $port (the one before, if any, stopped), filled with REPOS
# repositories of PER_REPO images.
fresh_registry() {  # fresh_registry REPOS PER_REPO
  if [ -n "$pid" ]; then kill $pid; wait $pid 2> /dev/null || true; fi
  rm -rf "$out/data" && mkdir -p "$out/data"
  docker-registry serve "$out/config.yml" > "$out/registry.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do curl -s -o /dev/null "http://127.0.0.1:$port/v2/" && break; sleep 0.1; done
  /usr/bin/python3 tests/oci/populate.py --registry 127.0.0.1:$port --scenario bench --repos "$1" --per-repo "$2" --direct --out "$out/made.json"
}
fresh_registry 20 100
start=$(date +%s.%N)
build/regpol snapshot pull oci://127.0.0.1:$port --jobs 8 --out "$out/pulled.json" 2> "$out/pull.log"
ours=$(echo "$(date +%s.%N) - $start" | bc)
images=$(jq '.images | length' "$out/pulled.json")
# A nightly pull with --state: the second one reads only what is new (nothing, here).
build/regpol snapshot pull oci://127.0.0.1:$port --jobs 8 --state "$out/state.db" --out "$out/warm1.json" 2> /dev/null
start=$(date +%s.%N)
build/regpol snapshot pull oci://127.0.0.1:$port --jobs 8 --state "$out/state.db" --out "$out/warm2.json" 2> "$out/warm.log"
warm=$(echo "$(date +%s.%N) - $start" | bc)
start=$(date +%s.%N)
for r in $(curl -s "http://127.0.0.1:$port/v2/_catalog?n=1000" | jq -r '.repositories[]'); do
  for t in $(skopeo list-tags --tls-verify=false "docker://127.0.0.1:$port/$r" | jq -r '.Tags[]'); do
    skopeo inspect --tls-verify=false "docker://127.0.0.1:$port/$r:$t" > /dev/null
  done
done
theirs=$(echo "$(date +%s.%N) - $start" | bc)
printf 'images=%s repositories=20 (loopback registry)\n' "$images"
printf 'regpol snapshot pull oci:// --jobs 8                    %7.2f s  (%s)\n' "$ours" "$(tail -1 "$out/pull.log")"
printf 'regpol snapshot pull oci:// --jobs 8 --state (again)    %7.2f s  (%s)\n' "$warm" "$(tail -1 "$out/warm.log")"
printf 'skopeo list-tags + skopeo inspect per tag               %7.2f s\n' "$theirs"
printf '  -> regpol is %.1fx faster (%.1fx with --state, the second time)\n' "$(echo "$theirs / $ours" | bc -l)" "$(echo "$theirs / $warm" | bc -l)"

# One large repository: its tags are spread over the jobs like those of many repositories
# (--jobs 1 reads them one after another, as a pull did per repository before).
fresh_registry 1 1000
for jobs in 1 8; do
  start=$(date +%s.%N)
  build/regpol snapshot pull oci://127.0.0.1:$port --jobs $jobs --out "$out/one-$jobs.json" 2> "$out/one-$jobs.log"
  printf 'one repository of 1000 tags, --jobs %-2s                %7.2f s  (%s)\n' "$jobs" "$(echo "$(date +%s.%N) - $start" | bc)" "$(tail -1 "$out/one-$jobs.log")"
done
cmp -s <(jq -S 'del(.capturedAt)' "$out/one-1.json") <(jq -S 'del(.capturedAt)' "$out/one-8.json") || { echo "the two pulls differ" >&2; exit 1; }

# apply --target oci:// on that repository: 900 deletions (keep the newest 100), with one
# job and with eight, each on a freshly filled registry.
printf 'repository "*" {\n  lifecycle {\n    rule 1 "keep the newest 100" {\n      select any\n      keep newest 100\n    }\n  }\n}\n' > "$out/keep100.regpol"
for jobs in 1 8; do
  if [ "$jobs" != 1 ]; then
    fresh_registry 1 1000
    build/regpol snapshot pull oci://127.0.0.1:$port --out "$out/one-$jobs.json" --replace 2> "$out/refill-pull.log" ||
      { cat "$out/refill-pull.log" >&2; exit 1; }
  fi
  rm -f "$out/apply-$jobs.db"
  start=$(date +%s.%N)
  build/regpol apply --policy "$out/keep100.regpol" --snapshot "$out/one-$jobs.json" --state "$out/apply-$jobs.db" --target oci://127.0.0.1:$port \
    --jobs $jobs --yes > "$out/apply-$jobs.log" 2>&1
  printf 'apply --target oci:// (900 deletes), --jobs %-2s         %7.2f s  (%s)\n' "$jobs" "$(echo "$(date +%s.%N) - $start" | bc)" \
    "$(grep -o '[0-9]* deleted' "$out/apply-$jobs.log" | head -1)"
done
