#!/usr/bin/env bash
# `regpol plan --format html` at 50,000 images and more (issue #27): the page's size (target
# under 5 MB), the time regpol takes to write it against the JSON report of the same plan
# (whole process, best of 3), and the time the page takes to open in headless Chromium
# (navigation to the load event, and to the image table drawn; best of 5 fresh browsers).
# Target: the load event under 2 s. Run from the repository root after `make`; needs
# chromium, chromium-driver and python3-selenium (scripts/bootstrap test).
set -euo pipefail
out=bench/out/html; rm -rf "$out"; mkdir -p "$out"
build/regpol snapshot gen --repos 50 --images-per-repo 1000 --seed 5 --format regpol --out "$out/snapshot.json" 2> /dev/null
args=(--policy bench/policy-10-rules.regpol --snapshot "$out/snapshot.json" --now 2026-11-27T00:00:00Z)
build/regpol plan "${args[@]}" --format html > "$out/plan.html"
build/regpol plan "${args[@]}" --format json > "$out/plan.json"
source "$(dirname "$0")/best_time.sh"
printf 'images: %s; plan.html %s bytes, plan.json %s bytes\n' "$(jq .summary.images "$out/plan.json")" \
  "$(stat -c %s "$out/plan.html")" "$(stat -c %s "$out/plan.json")"
printf 'regpol plan --format html  best of 3: %s\n' "$(best 3 build/regpol plan "${args[@]}" --format html)"
printf 'regpol plan --format json  best of 3: %s\n' "$(best 3 build/regpol plan "${args[@]}" --format json)"
/usr/bin/python3 - "$out/plan.html" <<'PY'
import json, os, subprocess, sys, tempfile
runs = []
for _ in range(5):
    env = dict(os.environ, CHROME_PROFILE=tempfile.mkdtemp())
    out = subprocess.run(["/usr/bin/python3", "tests/html/check_report_html.py", "--html", sys.argv[1], "--measure"],
                         env=env, capture_output=True, text=True, check=True).stdout
    runs.append(json.loads(out))
best = min(runs, key=lambda r: r["loadEventMs"])
print("chromium, load event        best of 5: %.1f ms (all: %s)" % (best["loadEventMs"], ", ".join("%.0f" % r["loadEventMs"] for r in runs)))
print("chromium, table drawn       best of 5: %.1f ms (from the driver's navigation call)" % min(r["readyMs"] for r in runs))
PY
