#!/usr/bin/env bash
# `regpol gate` as a pipeline step runs it: the whole process, deciding one image of a
# 200,000-image registry kept as a SQLite store (`snapshot import`), against the same
# registry as a JSON snapshot. Target (issue #29): under 50 ms from the store. Best of 20.
# Run from the repository root after `make`.
set -euo pipefail
out=bench/out/gate; rm -rf "$out"; mkdir -p "$out"
build/regpol snapshot gen --repos 2000 --images-per-repo 100 --seed 1 --format regpol --out "$out/images-200k.json" 2> /dev/null
build/regpol snapshot import "$out/images-200k.json" --db "$out/images-200k.db" > /dev/null 2>&1
cat > "$out/gate.regpol" <<'P'
repository "*" {
  gate {
    deny "critical findings" where findings.critical > 0
    deny "not scanned" where not scanned
    deny "stale" where age > 180d
  }
}
P
# The newest image of the largest repository, by digest, as a pipeline pins it.
read -r repo digest < <(/usr/bin/python3 -c "
import json, collections, sys
d = json.load(open('$out/images-200k.json'))
by = collections.defaultdict(list)
for i in d['images']: by[i['repository']].append(i)
repo = max(by, key=lambda r: len(by[r]))
print(repo, max(by[repo], key=lambda i: i['pushedAt'])['digest'])")
source "$(dirname "$0")/best_time.sh"
args=("$repo@$digest" --policy "$out/gate.regpol" --now 2026-11-27T00:00:00Z)
echo "image: $repo@$digest ($(build/regpol gate "${args[@]}" --snapshot "$out/images-200k.db" > /dev/null 2>&1 && echo allowed || echo refused))"
printf 'regpol gate, SQLite store of 200k images   best of 20: %s\n' "$(best 20 build/regpol gate "${args[@]}" --snapshot "$out/images-200k.db")"
printf 'regpol gate, JSON snapshot of 200k images  best of 5:  %s\n' "$(best 5 build/regpol gate "${args[@]}" --snapshot "$out/images-200k.json")"
printf 'regpol --version (the process alone)       best of 20: %s\n' "$(best 20 build/regpol --version)"
