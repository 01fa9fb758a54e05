#!/usr/bin/env bash
# regpol apply: plan/apply equivalence, every rail (tripped and just under), the lock,
# resume after a kill, --plan artifacts, grace, history. Crash injection at scale is
# tests/run_apply_crashes.sh.
source "$(dirname "$0")/lib.sh" "$1"
now=2026-11-27T00:00:00Z

cat > policy.regpol <<'EOF'
policy "apply-test"
defaults {
  lifecycle {
    rule 1 "keep five releases" {
      select tagged pattern ["v*"]
      keep newest 5
    }
    rule 2 "untagged go after a week" {
      select untagged
      expire older than 7d
    }
    rule 3 "old previews go to archive" {
      select tagged prefix ["pr-"]
      archive older than 30d
    }
  }
}
EOF
"$regpol" snapshot gen --repos 12 --images-per-repo 40 --seed 7 --format regpol --out snap.json 2>/dev/null
"$regpol" snapshot import snap.json --db snap.db >/dev/null 2>&1
sum() { sha256sum "$1" | cut -d' ' -f1; }
images_in() { sqlite3 "$1" "SELECT count(*) FROM images"; }

# ---- 1. apply acts on exactly what plan shows (the same evaluation) ----
"$regpol" plan --policy policy.regpol --snapshot snap.db --now $now --format json > plan.json
cp snap.db target.db
"$regpol" apply --policy policy.regpol --snapshot snap.db --state s1.db --target target.db --now $now --yes > out.txt 2> err.txt
rc=$?
[ $rc -eq 0 ] && ok || bad "plain apply exit $rc: $(cat err.txt)"
"$regpol" runs show 1 --state s1.db --format json > run1.json
# The text's audit log: a batch's `sent` names its repository and its actions, never an
# image with an empty digest (`#3 repo@`).
"$regpol" runs show 1 --state s1.db > run1.txt
grep -qE '  sent  [^ ]+  (delete|transition) [0-9]+: seq [0-9]' run1.txt && ! grep -qE '@ |@$' run1.txt && ok || bad "runs show: sent entries: $(grep sent run1.txt | head -3)"
python3 - plan.json run1.json target.db <<'EOF' && ok || bad "plan and apply disagree"
import json, sqlite3, sys
plan = json.load(open(sys.argv[1])); run = json.load(open(sys.argv[2]))
want = [(i["repository"], i["digest"], "delete" if i["action"] == "expire" else "transition")
        for i in plan["images"] if i["action"] != "keep"]
got = [(a["repository"], a["digest"], a["action"]) for a in run["actions"]]
assert want == got, (len(want), len(got))
assert len(want) > 50, len(want)
assert all(a["status"] == "done" for a in run["actions"])
db = sqlite3.connect(sys.argv[3])
left = {(r, d): s for r, d, s in db.execute("SELECT r.name, i.digest, i.status FROM images i JOIN repositories r ON r.id = i.repository")}
for repo, digest, kind in want:
    if kind == "delete": assert (repo, digest) not in left, digest
    else: assert left[(repo, digest)] == 1, digest
kept = [(i["repository"], i["digest"]) for i in plan["images"] if i["action"] == "keep"]
assert all(k in left for k in kept)
assert len(left) == len(plan["images"]) - sum(1 for w in want if w[2] == "delete")
EOF
# Running it again on the same snapshot does nothing.
"$regpol" apply --policy policy.regpol --snapshot snap.db --state s1.db --target target.db --now $now --yes > again.txt 2>&1
[ $? -eq 0 ] && grep -q "nothing to do: run 1" again.txt && ok || bad "second apply of the same snapshot: $(cat again.txt)"

# ---- 2. the rails: tripped (exit 1, nothing changed) and just under ----
deletes=$(python3 -c 'import json,sys; print(sum(1 for i in json.load(open("plan.json"))["images"] if i["action"]=="expire"))')
total=$(python3 -c 'import json,sys; print(len(json.load(open("plan.json"))["images"]))')
rail() {  # rail NAME EXPECT(0|1) ARGS...
  local name=$1 expect=$2; shift 2
  rm -f t.db st.db st.db.lock; cp snap.db t.db
  local before; before=$(sum t.db)
  "$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now "${rail_now:-$now}" --yes "$@" > r.out 2> r.err
  local rc=$?
  if [ "$expect" = 1 ]; then
    if [ $rc -eq 1 ] && [ "$(sum t.db)" = "$before" ] && grep -q "refused" r.err; then ok; else bad "rail $name should trip: exit $rc $(cat r.err)"; fi
    [ "$(sqlite3 st.db "SELECT status FROM runs")" = refused ] && ok || bad "rail $name: the refused run is not in the history"
  else
    if [ $rc -eq 0 ] && [ "$(sum t.db)" != "$before" ]; then ok; else bad "rail $name should pass: exit $rc $(cat r.err)"; fi
  fi
}
rail max-delete 1 --max-delete $((deletes - 1))
rail max-delete 0 --max-delete $deletes
max_repo=$(python3 -c '
import json, collections
c = collections.Counter(i["repository"] for i in json.load(open("plan.json"))["images"] if i["action"] == "expire")
print(max(c.values()))')
rail max-delete-per-repository 1 --max-delete-per-repository $((max_repo - 1))
rail max-delete-per-repository 0 --max-delete-per-repository $max_repo
pct=$(python3 -c '
import json, collections
imgs = json.load(open("plan.json"))["images"]
n = collections.Counter(i["repository"] for i in imgs); d = collections.Counter(i["repository"] for i in imgs if i["action"] == "expire")
print(max(100.0 * d[r] / n[r] for r in n))')
rail max-delete-percent 1 --max-delete-percent "$(python3 -c "print($pct - 0.1)")"
rail max-delete-percent 0 --max-delete-percent "$(python3 -c "print(min(100, $pct + 0.1))")"
# capturedAt is 2026-11-27T00:00:00Z; now is two days later.
rail_now=2026-11-29T00:00:00Z rail max-snapshot-age 1 --max-snapshot-age 47h
rail_now=2026-11-29T00:00:00Z rail max-snapshot-age 0 --max-snapshot-age 48h
"$regpol" snapshot gen --repos 2 --images-per-repo 5 --format ecr --out nocapture.json 2>/dev/null
rm -f st.db st.db.lock
"$regpol" apply --policy policy.regpol --snapshot nocapture.json --state st.db --target actions:acts --yes --max-snapshot-age 1d > r.out 2> r.err
[ $? -eq 1 ] && grep -q "capturedAt" r.err && ok || bad "a snapshot without capturedAt passed --max-snapshot-age: $(cat r.err)"

# Never empty a repository unless the policy says allow_empty.
cat > empty.regpol <<'EOF'
repository "old/*" {
  lifecycle {
    rule 1 { select any expire older than 1d }
  }
}
EOF
sed 's/lifecycle {/lifecycle {\n    allow_empty/' empty.regpol > empty-allowed.regpol
python3 - <<'PY'
import json
imgs = [{"repository": "old/app", "digest": "sha256:" + str(i) * 64, "tags": ["t%d" % i], "sizeBytes": 1000,
         "pushedAt": "2025-0%d-01T00:00:00Z" % i} for i in range(1, 4)]
imgs.append({"repository": "old/lib", "digest": "sha256:" + "9" * 64, "tags": ["new"], "sizeBytes": 1000, "pushedAt": "2026-11-26T12:00:00Z"})
imgs.append({"repository": "old/lib", "digest": "sha256:" + "8" * 64, "tags": ["old"], "sizeBytes": 1000, "pushedAt": "2025-01-01T00:00:00Z"})
json.dump({"schema": "regpol.snapshot/v1", "capturedAt": "2026-11-27T00:00:00Z", "images": imgs}, open("old.json", "w"))
PY
"$regpol" snapshot import old.json --db old.db > /dev/null 2>&1
cp old.db t.db; rm -f st.db st.db.lock; before=$(sum t.db)
"$regpol" apply --policy empty.regpol --snapshot old.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
[ $? -eq 1 ] && [ "$(sum t.db)" = "$before" ] && grep -q "allow_empty" r.err && ok || bad "emptying a repository was not refused: $(cat r.err)"
"$regpol" apply --policy empty-allowed.regpol --snapshot old.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
[ $? -eq 0 ] && [ "$(sqlite3 t.db "SELECT group_concat(i.tags) FROM images i")" = new ] \
  && ok || bad "allow_empty did not let the repository be emptied: $(cat r.err)"

# A policy with errors is refused (1); a malformed one is bad input (3).
printf 'defaults { lifecycle { rule 1 { select any expire older than 1d } rule 1 { select untagged expire older than 1d } } }\n' > dup.regpol
"$regpol" apply --policy dup.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > /dev/null 2>&1
[ $? -eq 1 ] && ok || bad "a policy with errors was not refused with exit 1"
printf 'defaults { lifecycle { rule 1 { select any expire older than } } }\n' > broken.regpol
"$regpol" apply --policy broken.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > /dev/null 2>&1
[ $? -eq 3 ] && ok || bad "a malformed policy was not exit 3"

# ---- 3. --grace: two-phase deletion ----
rm -f t.db g.db g.db.lock; cp snap.db t.db
g() { "$regpol" apply --policy policy.regpol --snapshot snap.json --state g.db --target t.db --yes --grace 2d --now "$1" > g.out 2> g.err; }
g 2026-11-27T00:00:00Z && [ "$(images_in t.db)" = "$(images_in snap.db)" ] && ok || bad "grace: the first run deleted: $(cat g.err g.out)"
grep -q "deferred" g.out && ok || bad "grace: the deferrals are not reported: $(cat g.out)"
g 2026-11-28T00:00:00Z && [ "$(images_in t.db)" = "$(images_in snap.db)" ] && ok || bad "grace: deleted after one day of two"
g 2026-11-29T00:00:00Z && [ "$(images_in t.db)" -lt "$(images_in snap.db)" ] && ok || bad "grace: nothing deleted after the grace period: $(cat g.err g.out)"
# A candidate that stops being one starts again from zero.
rm -f t.db g.db g.db.lock; cp snap.db t.db
g 2026-11-27T00:00:00Z
# The next night's snapshot (a glitch, or a policy change) makes none of them a candidate.
printf 'defaults { lifecycle { rule 1 { select untagged expire older than 3650d } } }\n' > lenient.regpol
"$regpol" apply --policy lenient.regpol --snapshot snap.json --state g.db --target actions:glitch --yes --grace 2d --now 2026-11-28T00:00:00Z >/dev/null 2>&1
[ "$(sqlite3 g.db "SELECT count(*) FROM candidates")" = 0 ] && ok || bad "grace: candidates not forgotten"
g 2026-11-29T00:00:00Z && [ "$(images_in t.db)" = "$(images_in snap.db)" ] && ok || bad "grace: a candidate whose streak broke was deleted"
# A run the rails refuse starts no clock: only runs that pass the rails count (issue #24).
rm -f t.db g.db g.db.lock; cp snap.db t.db
"$regpol" apply --policy policy.regpol --snapshot snap.json --state g.db --target t.db --yes --grace 2d --max-delete 0 --now 2026-11-27T00:00:00Z > /dev/null 2> g.err
[ $? -eq 1 ] && [ "$(sqlite3 g.db "SELECT count(*) FROM candidates")" = 0 ] && ok || bad "grace: a refused run recorded candidates: $(sqlite3 g.db "SELECT count(*) FROM candidates") $(cat g.err)"
g 2026-11-28T00:00:00Z && g 2026-11-29T00:00:00Z && [ "$(images_in t.db)" = "$(images_in snap.db)" ] && ok || bad "grace: the refused run's night counted towards --grace"
g 2026-11-30T00:00:00Z && [ "$(images_in t.db)" -lt "$(images_in snap.db)" ] && ok || bad "grace: nothing deleted two days after the first run that passed the rails: $(cat g.err g.out)"

# ---- drain: a backlog larger than --max-delete goes N a run, oldest first (issue #24) ----
rm -f t.db d.db d.db.lock full.db f.db f.db.lock; cp snap.db t.db; cp snap.db full.db
"$regpol" apply --policy policy.regpol --snapshot full.db --state f.db --target full.db --now $now --yes > /dev/null 2>&1
total=$(jq '[.images[] | select(.action == "expire")] | length' plan.json)
n=$(( (total + 2) / 3 ))
"$regpol" apply --policy policy.regpol --snapshot t.db --state d.db --target t.db --now $now --yes --max-delete $n > /dev/null 2>&1
[ $? -eq 1 ] && [ "$(images_in t.db)" = "$(images_in snap.db)" ] && ok || bad "drain: without --drain, --max-delete refuses the run"
# Each night plans the target as it is (the store is its own snapshot) and deletes at most n.
drained=0
for night in 1 2 3 4; do
  "$regpol" apply --policy policy.regpol --snapshot t.db --state d.db --target t.db --now $now --yes --max-delete $n --drain > d$night.out 2> d$night.err \
    || bad "drain night $night: $(cat d$night.err)"
  id=$("$regpol" runs --state d.db --format json | jq '.runs[-1].id')
  deleted=$("$regpol" runs show "$id" --state d.db --format json | jq '.counts.deleted')
  want=$(( total - drained < n ? total - drained : n ))
  [ "$deleted" = "$want" ] && ok || bad "drain night $night: deleted $deleted, want $want: $(cat d$night.out d$night.err)"
  drained=$((drained + deleted))
done
[ "$(sqlite3 t.db "SELECT digest FROM images ORDER BY digest" | sha256sum)" = "$(sqlite3 full.db "SELECT digest FROM images ORDER BY digest" | sha256sum)" ] \
  && ok || bad "drain: three nights of $n do not end where one uncapped run does"
# The first night took the oldest: no image it deferred was pushed before one it deleted
# (among plain images; indexes and referrers go first).
python3 - d.db <<'EOF' && ok || bad "drain: the first night did not take the oldest first"
import sqlite3, sys
st = sqlite3.connect(sys.argv[1])
rows = st.execute("SELECT status, pushed_at FROM actions WHERE run = (SELECT min(id) FROM runs WHERE status = 'finished') AND kind = 'delete' AND graph_rank = 2").fetchall()
done = [p for s, p in rows if s == "done"]; later = [p for s, p in rows if s == "deferred"]
assert done and later and max(done) <= min(later), (max(done), min(later))
EOF
# The other rails still judge the whole plan: a percent the plan exceeds refuses a drain too.
cp snap.db t2.db
"$regpol" apply --policy policy.regpol --snapshot t2.db --state d2.db --target t2.db --now $now --yes --max-delete 1 --drain --max-delete-percent 1 > /dev/null 2> d2.err
[ $? -eq 1 ] && grep -q "max-delete-percent" d2.err && [ "$(images_in t2.db)" = "$(images_in snap.db)" ] && ok || bad "drain: the percent rail no longer judged the plan: $(cat d2.err)"
"$regpol" apply --policy policy.regpol --snapshot t2.db --state d3.db --target t2.db --now $now --yes --drain > /dev/null 2> d3.err
[ $? -eq 2 ] && grep -q -- "--drain needs --max-delete" d3.err && ok || bad "drain without a cap: $(cat d3.err)"

# ---- --metrics-file: the Prometheus text format, whatever the outcome (issue #24) ----
rm -f t.db ms.db ms.db.lock; cp snap.db t.db
command -v promtool > /dev/null || bad "promtool is not installed (scripts/bootstrap test installs prometheus)"
metric() { awk -v m="$2" '$1 ~ "^"m"({|$)" {print $2; exit}' "$1"; }
"$regpol" apply --policy policy.regpol --snapshot snap.db --state ms.db --target t.db --now $now --yes --metrics-file ok.prom > /dev/null 2>&1
"$regpol" runs show last --state ms.db --format json > ms-run.json
promtool check metrics < ok.prom > promtool.out 2>&1 && [ "$(metric ok.prom regpol_apply_exit_code)" = 0 ] \
  && [ "$(metric ok.prom regpol_apply_run_deleted_images)" = "$(jq .counts.deleted ms-run.json)" ] \
  && [ "$(metric ok.prom regpol_apply_run_deleted_bytes)" = "$(jq .counts.bytesDeleted ms-run.json)" ] \
  && grep -q 'regpol_apply_run_status{target="t.db",status="finished"} 1' ok.prom && grep -q '^regpol_apply_last_success_timestamp_seconds' ok.prom \
  && ok || bad "metrics of a finished run: $(cat promtool.out) $(cat ok.prom)"
"$regpol" apply --policy policy.regpol --snapshot snap.db --state ms2.db --target t.db --now $now --yes --max-delete 0 --metrics-file refused.prom > /dev/null 2>&1
promtool check metrics < refused.prom > promtool.out 2>&1 && [ "$(metric refused.prom regpol_apply_exit_code)" = 1 ] \
  && grep -q 'status="refused"} 1' refused.prom && ! grep -q '^regpol_apply_last_success' refused.prom \
  && [ "$(awk '/outcome="planned"/ {print $2}' refused.prom)" -gt 0 ] && ok || bad "metrics of a refused run: $(cat promtool.out) $(cat refused.prom)"
( exec 9> ms.db.lock; flock 9; sleep 2 ) & holder=$!; sleep 0.3
"$regpol" apply --policy policy.regpol --snapshot snap.db --state ms.db --target t.db --now $now --yes --metrics-file busy.prom > /dev/null 2>&1
[ $? -eq 5 ] && promtool check metrics < busy.prom > /dev/null 2>&1 && [ "$(metric busy.prom regpol_apply_exit_code)" = 5 ] && ! grep -q regpol_apply_run_id busy.prom \
  && ok || bad "metrics of a busy state file: $(cat busy.prom)"
wait $holder

# --metrics-push: the same text in a real Prometheus Pushgateway (Debian's), on 127.0.0.1.
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
prometheus-pushgateway --web.listen-address=127.0.0.1:$pg_port > pushgateway.log 2>&1 &
pg_pid=$!
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$pg_port/-/ready" > /dev/null && break; sleep 0.1; done
"$regpol" apply --policy policy.regpol --snapshot snap.db --state ms3.db --target t.db --now $now --yes --max-delete 0 \
  --metrics-push "http://127.0.0.1:$pg_port" > /dev/null 2> push.err
curl -s "http://127.0.0.1:$pg_port/metrics" > gateway.txt
grep -q '^regpol_apply_exit_code{.*job="regpol_apply".*} 1$' gateway.txt && grep -q 'regpol_apply_run_status{.*status="refused".*} 1$' gateway.txt \
  && grep 'regpol_apply_exit_code{' gateway.txt | grep -q 'target="t.db"' && ! grep -q warning push.err \
  && ok || bad "--metrics-push: not in the Pushgateway: $(cat push.err) $(grep regpol_ gateway.txt | head -5) $(tail -3 pushgateway.log)"
kill $pg_pid; wait $pg_pid 2> /dev/null
# A Pushgateway that is not there: a warning, the run's own exit code.
"$regpol" apply --policy policy.regpol --snapshot snap.db --state ms4.db --target t.db --now $now --yes --max-delete 0 \
  --metrics-push "http://127.0.0.1:$pg_port" > /dev/null 2> push2.err
[ $? -eq 1 ] && grep -q "warning: --metrics-push" push2.err && ok || bad "--metrics-push to nothing: $(cat push2.err)"

# --notify: a JSON summary POSTed to a webhook (a loopback server here, stopped by its PID).
python3 - notify.port notify.jsonl > notify.log 2>&1 <<'EOF' &
import http.server, os, sys
class Hook(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        with open(sys.argv[2], "ab") as f:
            f.write(self.headers.get("Content-Type", "").encode() + b"\t" + body + b"\n")
        self.send_response(200); self.send_header("Content-Length", "2"); self.end_headers(); self.wfile.write(b"ok")
    def log_message(self, *args):
        pass
server = http.server.HTTPServer(("127.0.0.1", 0), Hook)
open(sys.argv[1] + ".tmp", "w").write(str(server.server_port)); os.rename(sys.argv[1] + ".tmp", sys.argv[1])
server.serve_forever()
EOF
hook_pid=$!
for _ in $(seq 100); do [ -s notify.port ] && break; sleep 0.1; done
hook="http://127.0.0.1:$(cat notify.port)/hooks/T000/B000/secret-part"
rm -f t.db; cp snap.db t.db
"$regpol" apply --policy policy.regpol --snapshot snap.db --state n1.db --target t.db --now $now --yes --max-delete 0 --notify "$hook" > /dev/null 2> n1.err
"$regpol" apply --policy policy.regpol --snapshot snap.db --state n1.db --target t.db --now $now --yes --notify "$hook" > /dev/null 2> n2.err
kill $hook_pid; wait $hook_pid 2> /dev/null
python3 - notify.jsonl "$("$regpol" runs show last --state n1.db --format json | jq .counts.deleted)" <<'EOF' && ok || bad "--notify: $(cat notify.jsonl n1.err n2.err)"
import json, sys
lines = [l.split("\t", 1) for l in open(sys.argv[1]).read().splitlines()]
assert len(lines) == 2 and all(ct == "application/json" for ct, _ in lines), lines
refused, done = (json.loads(b) for _, b in lines)
assert refused["exitCode"] == 1 and refused["run"]["status"] == "refused" and "refused" in refused["text"], refused
assert refused["run"]["counts"]["plannedDeletions"] > 0 and "nothing carried out" in refused["text"], refused
assert done["exitCode"] == 0 and done["run"]["counts"]["deleted"] == int(sys.argv[2]) > 0 and "%s deleted" % sys.argv[2] in done["text"], done
EOF
rm -f t.db; cp snap.db t.db
"$regpol" apply --policy policy.regpol --snapshot snap.db --state n3.db --target t.db --now $now --yes --notify "$hook" > /dev/null 2> n3.err
[ $? -eq 0 ] && grep -q "warning: --notify: the notification was not delivered" n3.err && ! grep -q "secret-part" n3.err \
  && ok || bad "--notify to nothing: a warning that does not repeat the webhook's path: $(cat n3.err)"
"$regpol" apply --policy policy.regpol --snapshot snap.db --state n4.db --target t.db --now $now --yes --notify "http://192.0.2.1/hook" > /dev/null 2> n4.err
grep -q "warning: --notify" n4.err && ok || bad "--notify over plain http off loopback was not refused: $(cat n4.err)"

# --log-format json: every stderr line one JSON object, its level from the line (issue #24).
rm -f t.db lj.db lj.db.lock; cp snap.db t.db
"$regpol" apply --policy policy.regpol --snapshot snap.db --state lj.db --target t.db --now $now --yes --max-delete 0 --log-format json > lj.out 2> lj.err
[ $? -eq 1 ] && python3 - lj.err <<'EOF' && ok || bad "--log-format json: $(head -c 500 lj.err)"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
assert objs and all(set(o) == {"time", "level", "message"} and o["time"].endswith("Z") for o in objs), objs
assert any(o["level"] == "error" and o["message"].startswith("run 1 refused") for o in objs), objs
assert not any(o["message"].startswith("regpol:") for o in objs), objs
EOF
"$regpol" apply --policy policy.regpol --snapshot snap.db --state lj.db --target t.db --now $now --yes --log-format yaml > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--log-format yaml is not a usage error"

# ---- 4. the lock: one apply per state file; a killed one leaves no lock to wait for ----
rm -f t.db s4.db s4.db.lock; cp snap.db t.db
( exec 9> s4.db.lock; flock 9; echo "pid 1, since 2026-11-27T00:00:00Z" >&9; sleep 3 ) &
holder=$!
sleep 0.3
"$regpol" apply --policy policy.regpol --snapshot snap.db --state s4.db --target t.db --now $now --yes > /dev/null 2> busy.err
rc=$?
[ $rc -eq 5 ] && grep -q "another apply is using" busy.err && ok || bad "a held state file gave exit $rc: $(cat busy.err)"
kill $holder 2>/dev/null; wait $holder 2>/dev/null
# Killed in the middle (SIGKILL, holding the lock): the next apply resumes at once.
REGPOL_TEST_KILL_AT=after-sent:3 "$regpol" apply --policy policy.regpol --snapshot snap.db --state s4.db --target t.db --now $now --yes --batch-size 10 > /dev/null 2>&1
rc=$?
[ $rc -eq 137 ] && ok || bad "the kill point did not kill (exit $rc)"
timeout 20 "$regpol" apply --policy policy.regpol --snapshot snap.db --state s4.db --target t.db --now $now --yes > res.out 2> res.err
rc=$?
[ $rc -eq 0 ] && grep -q "resuming run 1" res.err && grep -q "held by pid" res.err && ok || bad "resume after SIGKILL: exit $rc $(cat res.err)"
python3 - s4.db plan.json t.db <<'EOF' && ok || bad "resume: the audit log or the target is wrong"
import json, sqlite3, sys
st = sqlite3.connect(sys.argv[1]); plan = json.load(open(sys.argv[2])); t = sqlite3.connect(sys.argv[3])
final = {}
for seq, event in st.execute("SELECT seq, event FROM audit WHERE run = 1 AND seq > 0 AND event NOT IN ('planned','sent')"):
    assert seq not in final, ("two outcomes", seq); final[seq] = event
actions = list(st.execute("SELECT seq, repository, digest, kind, status FROM actions WHERE run = 1"))
assert len(final) == len(actions)
assert sum(1 for e in final.values() if e == "already-gone") <= 10  # at most the batch in flight
left = {(r, d) for r, d in t.execute("SELECT r.name, i.digest FROM images i JOIN repositories r ON r.id = i.repository")}
for seq, repo, digest, kind, status in actions:
    assert status in ("done", "already-done"), status
    if kind == "delete": assert (repo, digest) not in left
EOF
# Two applies at once on one state file: one works, the other is refused or finds it done.
rm -f t.db s5.db s5.db.lock; cp snap.db t.db
"$regpol" apply --policy policy.regpol --snapshot snap.db --state s5.db --target t.db --now $now --yes --batch-size 5 > a.out 2> a.err & pa=$!
"$regpol" apply --policy policy.regpol --snapshot snap.db --state s5.db --target t.db --now $now --yes --batch-size 5 > b.out 2> b.err & pb=$!
wait $pa; ra=$?; wait $pb; rb=$?
case "$ra/$rb" in
  0/5|5/0) ok ;;
  0/0) grep -q "nothing to do" a.out b.out && ok || bad "two applies both ran" ;;
  *) bad "two applies: exits $ra and $rb: $(cat a.err b.err)" ;;
esac
[ "$(sqlite3 s5.db "SELECT count(*) FROM audit WHERE event = 'deleted'")" = "$deletes" ] && ok || bad "two applies: deletions not exactly once"

# ---- 5. an unfinished run with other inputs is settled, not mixed up with the new one ----
# Killed after the target deleted a batch; the next apply brings a new policy: the old run is
# settled by what the target holds (the batch the target did: already gone; the rest: not
# carried out), ends `superseded`, and the new inputs are planned and applied. No person.
rm -f t.db s6.db s6.db.lock; cp snap.db t.db
REGPOL_TEST_KILL_AT=after-target:2 "$regpol" apply --policy policy.regpol --snapshot snap.db --state s6.db --target t.db --now $now --yes --batch-size 10 >/dev/null 2>&1
[ $? -eq 137 ] && ok || bad "the kill point did not kill"
"$regpol" apply --policy empty-allowed.regpol --snapshot snap.db --state s6.db --target t.db --now $now --yes > u.out 2> u.err
rc=$?
[ $rc -eq 0 ] && grep -q "run 1 .* did not finish and its inputs changed: superseded" u.err && grep -q "^run 2 finished" u.out && ok || bad "a changed input after a crash: exit $rc $(cat u.err u.out)"
python3 - s6.db <<'EOF' && ok || bad "the superseded run's journal is wrong"
import sqlite3, sys
st = sqlite3.connect(sys.argv[1])
assert st.execute("SELECT status FROM runs WHERE id = 1").fetchone()[0] == "superseded"
statuses = dict(st.execute("SELECT status, count(*) FROM actions WHERE run = 1 GROUP BY status"))
sent = [d for (d,) in st.execute("SELECT detail FROM audit WHERE run = 1 AND event = 'sent' ORDER BY id")]
def seqs(detail):
    out = set()
    for part in detail.split(": seq ")[1].split(","):
        lo, _, hi = part.partition("-"); out |= set(range(int(lo), int(hi or lo) + 1))
    return out
assert len(sent) == 2, sent
done = {s for (s,) in st.execute("SELECT seq FROM actions WHERE run = 1 AND status = 'done'")}
found = {s for (s,) in st.execute("SELECT seq FROM actions WHERE run = 1 AND status = 'already-done'")}
assert done == seqs(sent[0]), "the first batch, recorded before the kill"
assert found == seqs(sent[1]), "the second: done by the target before the kill, found gone when settled"
assert set(statuses) == {"done", "already-done", "skipped"}, statuses
outcomes = {}
for seq, event in st.execute("SELECT seq, event FROM audit WHERE run = 1 AND seq > 0 AND event NOT IN ('planned', 'sent')"):
    assert seq not in outcomes, ("two outcomes", seq); outcomes[seq] = event
assert len(outcomes) == st.execute("SELECT count(*) FROM actions WHERE run = 1").fetchone()[0]
assert st.execute("SELECT count(*) FROM audit WHERE run = 1 AND event = 'run-superseded'").fetchone()[0] == 1
EOF
# `runs abandon` still gives a run up by hand.
rm -f s6b.db s6b.db.lock; cp snap.db t.db
REGPOL_TEST_KILL_AT=after-target:2 "$regpol" apply --policy policy.regpol --snapshot snap.db --state s6b.db --target t.db --now $now --yes --batch-size 10 >/dev/null 2>&1
"$regpol" runs abandon 1 --state s6b.db > /dev/null && [ "$(sqlite3 s6b.db "SELECT status FROM runs WHERE id = 1")" = abandoned ] && ok || bad "runs abandon"
cp old.db t.db  # the new inputs' own store (a snapshot applies to the store it was read from)
"$regpol" apply --policy empty-allowed.regpol --snapshot old.db --state s6b.db --target t.db --now $now --yes > /dev/null 2>&1
[ $? -eq 0 ] && ok || bad "apply after abandoning"

# ---- 6. reviewed plans: --plan applies exactly the artifact, refuses a changed target ----
rm -f t.db s7.db s7.db.lock; cp snap.db t.db
"$regpol" plan --policy policy.regpol --snapshot t.db --now $now --out reviewed.json > /dev/null
python3 - reviewed.json plan.json <<'EOF' && ok || bad "the plan artifact differs from the report"
import json, sys
a = json.load(open(sys.argv[1])); p = json.load(open(sys.argv[2]))
assert a["schema"] == "regpol.plan-artifact/v1"
assert [(x["repository"], x["digest"]) for x in a["actions"]] == [(i["repository"], i["digest"]) for i in p["images"] if i["action"] != "keep"]
EOF
python3 -c '
import json; a = json.load(open("reviewed.json")); a["actions"].pop(); json.dump(a, open("edited.json", "w"))'
"$regpol" apply --plan edited.json --state s7.db --target t.db --yes > /dev/null 2> e.err
[ $? -eq 3 ] && grep -q "was changed after" e.err && ok || bad "an edited plan artifact was accepted: $(cat e.err)"
# The target changes under the plan (one planned image gets a new tag): refused, nothing changed.
digest=$(python3 -c 'import json; print([x for x in json.load(open("reviewed.json"))["actions"] if x["action"]=="delete"][0]["digest"])')
sqlite3 t.db "UPDATE images SET tags = 'hotfix' WHERE digest = '$digest'"
before=$(sum t.db)
"$regpol" apply --plan reviewed.json --state s7.db --target t.db --yes > /dev/null 2> p.err
[ $? -eq 1 ] && [ "$(sum t.db)" = "$before" ] && grep -q "hotfix" p.err && ok || bad "a plan was applied to a changed target: $(cat p.err)"
rm -f t.db; cp snap.db t.db
"$regpol" apply --plan reviewed.json --state s7.db --target t.db --yes > /dev/null 2> p.err
[ $? -eq 0 ] && [ "$(images_in t.db)" = "$(python3 -c '
import json; a = json.load(open("reviewed.json")); print(sum(r["images"] for r in a["repositories"]) - sum(1 for x in a["actions"] if x["action"] == "delete"))')" ] \
  && ok || bad "apply --plan: $(cat p.err)"
"$regpol" apply --plan reviewed.json --state s7.db --target t.db --yes > again.out 2>&1
grep -q "nothing to do" again.out && ok || bad "apply --plan twice: $(cat again.out)"

# ---- 7. without --yes and without a terminal: a usage error, nothing read ----
"$regpol" apply --policy policy.regpol --snapshot snap.db --state s8.db --target t.db < /dev/null > /dev/null 2> y.err
[ $? -eq 2 ] && grep -q -- "--yes" y.err && [ ! -e s8.db ] && ok || bad "no --yes in a job: $(cat y.err)"

# ---- 8. --shard: the shards partition the repositories; together they are the whole plan ----
for i in 0 1 2; do "$regpol" plan --policy policy.regpol --snapshot snap.db --now $now --shard $i/3 --format json > shard$i.json; done
python3 - plan.json shard0.json shard1.json shard2.json <<'EOF' && ok || bad "shards do not partition the plan"
import json, sys
whole = json.load(open(sys.argv[1]))["images"]
parts = [json.load(open(p))["images"] for p in sys.argv[2:]]
repos = [set(i["repository"] for i in p) for p in parts]
assert all(r for r in repos), "an empty shard (unlikely with 12 repositories)"
assert not (repos[0] & repos[1]) and not (repos[0] & repos[2]) and not (repos[1] & repos[2])
key = lambda i: (i["repository"], i["digest"], i["action"])
assert sorted(map(key, whole)) == sorted(key(i) for p in parts for i in p)
EOF
"$regpol" plan --policy policy.regpol --snapshot snap.db --shard 3/3 > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "--shard 3/3 accepted"

# ---- 8b. plan and apply agree on random policies and snapshots ----
python3 - <<'PY'
import random
rnd = random.Random(9)
sels = ['any', 'untagged', 'tagged prefix ["pr-"]', 'tagged pattern ["v*"]', 'tagged pattern ["*"]', 'any in archive',
        'tagged prefix ["nightly-", "pr-"]', 'any where size > 100000000']
for k in range(12):
    rules = []
    for prio in range(1, rnd.randint(1, 5) + 1):
        sel = rnd.choice(sels)
        if "in archive" in sel:
            act = "expire archived for %dd" % rnd.randint(1, 200)
        else:
            act = rnd.choice(["keep newest %d" % rnd.randint(1, 15), "expire older than %dd" % rnd.randint(1, 300),
                              "archive older than %dd" % rnd.randint(1, 300), "expire all but newest %d" % rnd.randint(1, 20),
                              "archive unpulled for %dd" % rnd.randint(1, 300), "expire unpulled for %dd" % rnd.randint(1, 300)])
        rules.append("    rule %d { select %s %s }" % (prio, sel, act))
    protect = "    protect tagged pattern [\"v1*\"]\n" if rnd.random() < 0.3 else ""
    open("random-%d.regpol" % k, "w").write("defaults {\n  lifecycle {\n    allow_empty\n%s\n%s  }\n}\n" % ("\n".join(rules), protect))
PY
for k in $(seq 0 11); do
  "$regpol" snapshot gen --repos 6 --images-per-repo 30 --seed $((k + 100)) --format regpol --out r$k.json 2>/dev/null
  "$regpol" plan --policy random-$k.regpol --snapshot r$k.json --now $now --format json > rp$k.json 2> rp$k.err || { bad "random policy $k does not plan: $(cat rp$k.err)"; continue; }
  "$regpol" apply --policy random-$k.regpol --snapshot r$k.json --state rs$k.db --target actions:ra$k --now $now --yes > /dev/null 2> ra$k.err \
    || { bad "random policy $k does not apply: $(cat ra$k.err)"; continue; }
  "$regpol" runs show 1 --state rs$k.db --format json > rr$k.json
  python3 - rp$k.json rr$k.json <<'PY' && ok || bad "random policy $k: plan and apply disagree"
import json, sys
plan = json.load(open(sys.argv[1])); run = json.load(open(sys.argv[2]))
want = [(i["repository"], i["digest"], "delete" if i["action"] == "expire" else "transition") for i in plan["images"] if i["action"] != "keep"]
assert want == [(a["repository"], a["digest"], a["action"]) for a in run["actions"]]
open("random-actions.txt", "a").write("%d\n" % len(want))
PY
done
total_random=$(awk '{s += $1} END {print s}' random-actions.txt)
nonzero=$(awk '$1 > 0' random-actions.txt | wc -l)
[ "$total_random" -gt 300 ] && [ "$nonzero" -ge 8 ] && ok || bad "the random policies act too little to compare ($total_random actions, $nonzero policies with any)"

# ---- 9. history ----
"$regpol" runs --state s1.db | grep -q "run 1  finished" && ok || bad "runs list"
"$regpol" runs show 1 --state s1.db | grep -q "audit log" && ok || bad "runs show"
"$regpol" runs show 9 --state s1.db > /dev/null 2>&1; [ $? -eq 3 ] && ok || bad "runs show of a missing run"
# A refused run lists what it had planned, none of it carried out (issue #24).
rm -f t.db rf.db rf.db.lock; cp snap.db t.db
"$regpol" apply --policy policy.regpol --snapshot snap.db --state rf.db --target t.db --now $now --yes --max-delete 1 > /dev/null 2> rf.err
planned_del=$(jq '[.images[] | select(.action == "expire")] | length' plan.json)
planned_tr=$(jq '[.images[] | select(.action == "transition")] | length' plan.json)
"$regpol" runs --state rf.db | grep -q "nothing carried out; the plan held $planned_del deletions" && grep -q "the plan held $planned_del deletions" rf.err \
  && ok || bad "a refused run does not say what it planned: $("$regpol" runs --state rf.db) $(cat rf.err)"
[ "$("$regpol" runs show last --state rf.db --format json | jq -r '[.counts.plannedDeletions, .counts.plannedTransitions, .counts.deleted, (.actions | length)] | map(tostring) | join(" ")')" \
  = "$planned_del $planned_tr 0 $((planned_del + planned_tr))" ] && "$regpol" runs show last --state rf.db | grep -q "not carried out" \
  && ok || bad "runs show of a refused run: $("$regpol" runs show last --state rf.db --format json | jq -c .counts)"
# runs show: summary first, then filtered details; `last` names the newest run.
"$regpol" runs show 1 --state s1.db --status done --limit 5 --format json > f1.json
done_all=$("$regpol" runs show 1 --state s1.db --format json | jq '[.actions[] | select(.status == "done")] | length')
[ "$(jq '.actions | length' f1.json)" = 5 ] && [ "$(jq '[.actions[] | select(.status != "done")] | length' f1.json)" = 0 ] \
  && [ "$(jq .actionsMatching f1.json)" = "$done_all" ] && ok || bad "runs show --status done --limit 5: $(jq -c '[.actionsMatching, (.actions | length)]' f1.json)"
frepo=$(jq -r '[.images[] | select(.action != "keep")][0].repository' plan.json)
want_repo=$(jq --arg r "$frepo" '[.images[] | select(.action != "keep" and .repository == $r)] | length' plan.json)
"$regpol" runs show 1 --state s1.db --repository "$frepo" --format json > f2.json
[ "$(jq --arg r "$frepo" '[.actions[] | select(.repository != $r)] | length' f2.json)" = 0 ] && [ "$(jq '.actions | length' f2.json)" = "$want_repo" ] \
  && [ "$(jq --arg r "$frepo" '.byRepository[] | select(.repository == $r) | .planned' f2.json)" = "$want_repo" ] \
  && [ "$(jq '[.byRepository[].planned] | add' f2.json)" = "$(jq '.counts.planned' f2.json)" ] && ok || bad "runs show --repository $frepo"
"$regpol" runs show last --state s1.db > last.txt
[ "$(head -1 last.txt | cut -d' ' -f2)" = "$("$regpol" runs --state s1.db --format json | jq '.runs[-1].id')" ] && grep -q "^  by repository" last.txt \
  && grep -q "shown of" last.txt && [ "$(grep -cE '^  [0-9]+\. ' last.txt)" -le 100 ] && ok || bad "runs show last (text, 100 actions at most by default)"
rm -f empty.db; "$regpol" runs show last --state empty.db > /dev/null 2>&1; [ $? -eq 3 ] && ok || bad "runs show last without runs"
"$regpol" runs show 1 --state s1.db --status nosuch > /dev/null 2>&1; [ $? -eq 2 ] && ok || bad "runs show --status nosuch is a usage error"
sqlite3 s1.db "DELETE FROM audit" 2> del.err; grep -q "append-only" del.err && ok || bad "the audit log could be deleted"

finish
