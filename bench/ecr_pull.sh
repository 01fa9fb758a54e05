#!/usr/bin/env bash
# `regpol snapshot pull ecr` against the test ECR endpoint (tests/ecr/ecr_endpoint.py) with
# 20 ms added to every call (a distant region), 200 repositories and about 20,000 images,
# side by side with what a team's script does: `aws ecr describe-images` one repository at
# a time. regpol also reads each repository's lifecycle policy, repository policy and tags
# (four calls a repository to the script's one). Run from the repository root after `make`.
set -euo pipefail
out=bench/out/ecr-pull; rm -rf "$out"; mkdir -p "$out"
export AWS_ACCESS_KEY_ID=AKIDREGPOLTEST AWS_SECRET_ACCESS_KEY=regpol-test-secret AWS_REGION=us-east-1 AWS_EC2_METADATA_DISABLED=true
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null NO_PROXY='*'
build/regpol snapshot gen --repos 200 --images-per-repo 100 --seed 3 --format regpol --out "$out/fixture.json" 2>/dev/null
/usr/bin/python3 tests/ecr/ecr_endpoint.py "$out/fixture.json" "$out/port" --latency-ms 20 2> "$out/endpoint.log" &
pid=$!; trap 'kill $pid' EXIT
for _ in $(seq 100); do [ -s "$out/port" ] && break; sleep 0.1; done
url=http://127.0.0.1:$(cat "$out/port")
images=$(python3 -c "import json; print(len(json.load(open('$out/fixture.json'))['images']))")
start=$(date +%s.%N)
build/regpol snapshot pull ecr --endpoint-url "$url" --jobs 16 --out "$out/pulled.json" 2> "$out/pull.log"
ours=$(echo "$(date +%s.%N) - $start" | bc)
repos=$(python3 -c "import json; print(' '.join(sorted({i['repository'] for i in json.load(open('$out/fixture.json'))['images']})))")
start=$(date +%s.%N)
for r in $repos; do aws ecr describe-images --repository-name "$r" --endpoint-url "$url" --region us-east-1 --output json > /dev/null; done
theirs=$(echo "$(date +%s.%N) - $start" | bc)
printf 'images=%s repositories=%s latency_ms=20\n' "$images" "$(echo $repos | wc -w)"
printf 'regpol snapshot pull ecr --jobs 16 (4 calls a repository)   %6.2f s  (%s)\n' "$ours" "$(tail -1 "$out/pull.log")"
printf 'aws ecr describe-images, one repository at a time            %6.2f s\n' "$theirs"
printf '  -> regpol is %.1fx faster\n' "$(echo "$theirs / $ours" | bc -l)"
