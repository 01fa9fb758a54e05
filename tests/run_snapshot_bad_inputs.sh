#!/usr/bin/env bash
# Every file in tests/snapshots/bad must be rejected whole: exit code 3, nothing on stdout
# (no partial report), and an error that names the file and a location (JSON path or byte).
# usage: run_snapshot_bad_inputs.sh REGPOL SNAPSHOT_DIR
set -u
regpol=$1; dir=$2; pass=0; failed=0
# Generated here rather than stored: an image with 65,536 distinct tags (the limit is 65,535).
gen=$(mktemp -d); trap 'rm -rf "$gen"' EXIT
python3 -c 'import json; print(json.dumps({"imageDetails": [{"repositoryName": "r", "imageDigest": "sha256:" + "a" * 64,
  "imagePushedAt": 1, "imageTags": ["t%d" % i for i in range(65536)]}]}))' > "$gen/too-many-tags.json"
for f in "$dir"/bad/*.json "$gen"/*.json; do
  out=$("$regpol" plan --ecr-lifecycle "$dir/policy.json" --snapshot "$f" --now 2026-11-27T00:00:00Z --format json 2>/tmp/snap_err.$$)
  rc=$?; err=$(cat /tmp/snap_err.$$)
  if [ $rc -eq 3 ] && [ -z "$out" ] && grep -q "$(basename "$f")" <<<"$err" && grep -qE 'E0501' <<<"$err"; then
    pass=$((pass+1))
  else
    failed=$((failed+1)); echo "FAIL $(basename "$f"): exit $rc, stdout ${#out} bytes, stderr: $err"
  fi
done
rm -f /tmp/snap_err.$$
# The edges of what is valid are accepted: a byte-order mark, an empty listing, sha512,
# `__` and runs of `-` in names, a 128-character tag, the last second of year 9999.
d256=sha256:$(printf 'ab%.0s' $(seq 32)); d512=sha512:$(printf 'cd%.0s' $(seq 64)); t128=$(printf 'x%.0s' $(seq 128))
good() {  # name, content
  printf '%s' "$2" > "$gen/$1.json"
  if "$regpol" snapshot stats "$gen/$1.json" > /dev/null 2> "$gen/err"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL $1 rejected: $(cat "$gen/err")"; fi
}
good bom $'\xEF\xBB\xBF'"{\"imageDetails\": [{\"repositoryName\": \"app\", \"imageDigest\": \"$d256\", \"imagePushedAt\": 1}]}"
good empty-listing '{"imageDetails": []}'
good edges "{\"imageDetails\": [{\"repositoryName\": \"team__x/web--app.v2_b\", \"imageDigest\": \"$d512\", \"imagePushedAt\": \"9999-12-31T23:59:59Z\", \"imageTags\": [\"$t128\", \"_v1.0-rc\"], \"imageSizeInBytes\": 9223372036854775807}]}"
good clean-scan "{\"imageDetails\": [{\"repositoryName\": \"app\", \"imageDigest\": \"$d256\", \"imagePushedAt\": 0, \"imageScanFindingsSummary\": {\"findingSeverityCounts\": {}}}]}"
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
