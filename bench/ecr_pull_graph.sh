#!/usr/bin/env bash
# What reading index manifests adds to `regpol snapshot pull ecr` (#25's bound: at most
# +30%): 200 repositories x 100 images, 20 of each repository's images indexes (each
# listing two of the others as children), against the test ECR endpoint with 20 ms a
# call; the same binary and endpoint with and without --no-index-manifests, interleaved,
# RUNS times each (default 3). Run from the repository root after `make`.
set -euo pipefail
runs=${1:-3}
regpol=${REGPOL:-build/regpol}  # the binary measured
out=bench/out/ecr-pull-graph; rm -rf "$out"; mkdir -p "$out"
export AWS_ACCESS_KEY_ID=AKIDREGPOLTEST AWS_SECRET_ACCESS_KEY=regpol-test-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null NO_PROXY='*'
/usr/bin/python3 - "$out/fixture.json" <<'EOF'
import hashlib, json, sys
images = []
for r in range(200):
    repo = f"team-{r:03d}/svc"
    digests = ["sha256:" + hashlib.sha256(f"{r}/{i}".encode()).hexdigest() for i in range(100)]
    for i, d in enumerate(digests):
        img = {"repository": repo, "digest": d, "tags": [f"v1.{i}.0"] if i < 20 else [],
               "pushedAt": f"2026-{1 + i % 11:02d}-{1 + i % 27:02d}T00:00:00Z", "sizeBytes": 1000 + i}
        if i < 20:  # an index listing two of the untagged images
            img["manifestMediaType"] = "application/vnd.oci.image.index.v1+json"
            img["children"] = [digests[20 + 2 * i], digests[21 + 2 * i]]
        else:
            img["manifestMediaType"] = "application/vnd.oci.image.manifest.v1+json"
        images.append(img)
json.dump({"schema": "regpol.snapshot/v1", "capturedAt": "2026-12-01T00:00:00Z", "images": images}, open(sys.argv[1], "w"))
EOF
/usr/bin/python3 tests/ecr/ecr_endpoint.py "$out/fixture.json" "$out/port" --latency-ms 20 2> "$out/endpoint.log" &
pid=$!; trap 'kill $pid' EXIT
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$out/port")
pull() {  # label, extra flags...
  local label=$1; shift
  local start; start=$(date +%s.%N)
  "$regpol" snapshot pull ecr --endpoint-url "$url" --jobs 16 --out "$out/$label.json" --replace "$@" 2> "$out/$label.log"
  printf '%-22s %6.2f s  (%s)\n' "$label" "$(echo "$(date +%s.%N) - $start" | bc)" "$(tail -1 "$out/$label.log")"
}
echo "images=20000 repositories=200 indexes=4000 latency_ms=20"
for _ in $(seq "$runs"); do
  pull without-manifests --no-index-manifests
  pull with-manifests
done
