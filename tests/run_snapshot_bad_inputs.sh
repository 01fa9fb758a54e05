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
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
