#!/usr/bin/env bash
# One registry written as describe-images JSON, as regpol's own snapshot JSON, split over
# two shuffled files with other time-zone offsets, and stored in a SQLite store, must give
# byte-identical plans, at one thread and at four.
# usage: run_snapshot_equivalence.sh REGPOL DIR
set -u
regpol=$1; d=$2
plan() { "$regpol" plan --ecr-lifecycle "$d/policy.json" --now 2026-11-27T00:00:00Z --format json "$@"; }
a=$(plan --snapshot "$d/ecr-images.json") || { echo "0 passed, 1 failed"; exit 1; }
b=$(plan --snapshot "$d/regpol-snapshot.json")
c=$(plan --snapshot "$d/ecr-images-shuffled-a.json" --snapshot "$d/ecr-images-shuffled-b.json" --threads 4)
e=$(plan --snapshot "$d/ecr-images-shuffled-b.json" --snapshot "$d/ecr-images-shuffled-a.json" --threads 1)
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
"$regpol" snapshot import "$d/ecr-images.json" --db "$tmp/store.db" 2>/dev/null
f=$(plan --snapshot "$tmp/store.db")
pass=0; failed=0
for x in "$b" "$c" "$e" "$f"; do
  if [ "$a" = "$x" ]; then pass=$((pass+1)); else failed=$((failed+1)); diff <(echo "$a") <(echo "$x") | head; fi
done
# The expected decisions, worked out by hand: 01 (v1) is beyond the newest v* image (03) and
# expires; 02 was last pulled 6 days ago and moves to archive; 04 was archived 53 days ago
# and expires; 03 stays.
want='sha256:0b8efa5a3bf104413a725c6ff0459a6be12b1fd33314cbb138745baf39504ae5=keep sha256:6cd5b6e51936a442b973660c21553dd22bd72ddc8751132a943475288113b4c0=expire sha256:938db8c9f82c8cb58d3f3ef4fd250036a48d26a712753d2fde5abd03a85cabf4=expire sha256:a953f09a1b6b6725b81956e9ad0b1eb49e3ad40004c04307ef8af6246a054116=transition'
got=$(jq -r '[.images[] | "\(.digest)=\(.action)"] | sort | join(" ")' <<<"$a")
if [ "$got" = "$want" ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL decisions: $got"; fi
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
