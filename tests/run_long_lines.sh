#!/usr/bin/env bash
# Long lines and huge elements, streamed through a pipe (nothing is written to disk):
#  1. a describe-images document of more than 2 GiB on ONE line (a minified export) loads,
#     every image of it, with memory bounded by the images kept, not by the line;
#  2. one element of more than 256 MiB (a single giant tag) is a located error, exit 3,
#     and nothing on stdout.
# usage: run_long_lines.sh REGPOL [REPOS MIN_BYTES]
# The sanitizer build (REGPOL_SANITIZED_TESTS) passes a tenth of the repositories and a
# 200 MiB floor: the same streaming code under ASan/UBSan in a tenth of the time; the
# plain build keeps the 2 GiB line, whose point is the size (no 32-bit offset anywhere).
set -uo pipefail
regpol=$1; repos=${2:-4400}; min_bytes=${3:-$((2 * 1024 * 1024 * 1024))}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT

"$regpol" snapshot gen --repos "$repos" --images-per-repo 1000 --seed 7 2> "$tmp/gen.txt" | tr -d '\n' | tee >(wc -c > "$tmp/bytes") |
  "$regpol" snapshot stats /dev/stdin --format json > "$tmp/stats.json"
rc=$?
want=$(grep -o 'generated [0-9]*' "$tmp/gen.txt" | grep -o '[0-9]*')
got=$(jq .images "$tmp/stats.json" 2>/dev/null)
bytes=$(cat "$tmp/bytes")
if [ $rc -ne 0 ] || [ "$got" != "$want" ] || [ "$bytes" -le "$min_bytes" ]; then
  echo "FAIL one-line snapshot: exit $rc, $got of $want images, $bytes bytes"; exit 1
fi
echo "ok: a $bytes-byte single-line snapshot, $got images"

python3 -c '
import sys
sys.stdout.write("{\"imageDetails\": [{\"repositoryName\": \"r\", \"imageDigest\": \"sha256:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881\", \"imagePushedAt\": 1, \"imageTags\": [\"")
chunk = "a" * (1 << 20)
for _ in range(300): sys.stdout.write(chunk)
sys.stdout.write("\"]}]}")' 2>/dev/null | "$regpol" snapshot stats /dev/stdin > "$tmp/out" 2> "$tmp/err"
rc=$?
if [ $rc -ne 3 ] || [ -s "$tmp/out" ] || ! grep -q 'byte [0-9]*: malformed JSON: an element larger than 256 MiB' "$tmp/err"; then
  echo "FAIL giant element: exit $rc"; cat "$tmp/err"; exit 1
fi
echo "ok: a 300 MiB element is refused: $(cat "$tmp/err")"
echo "2 passed, 0 failed"
