#!/usr/bin/env bash
# Crash injection: applies of a plan of thousands of actions are killed with SIGKILL at
# random moments (at the four points between the journal's writes and the target's call,
# and at random times from outside), then resumed. After the last resume every action was
# applied exactly once, the audit log has one outcome per action, and the target ends
# exactly as an apply that was never interrupted leaves it.
# usage: run_apply_crashes.sh REGPOL [KILLS]   (KILLS: at least this many kills; default 50)
source "$(dirname "$0")/lib.sh" "$1"
kills_wanted=${2:-50}
# Under the sanitizers (`make test-sanitize` sets ASAN_OPTIONS) every run is several times
# slower; the plain build has already made all the kills.
if [ -n "${ASAN_OPTIONS:-}" ] && [ "$kills_wanted" -gt 20 ]; then kills_wanted=20; fi
now=2026-11-27T00:00:00Z
RANDOM=20261129  # reproducible choices

cat > policy.regpol <<'EOF'
defaults {
  lifecycle {
    rule 1 { select tagged pattern ["v*"] keep newest 3 }
    rule 2 { select untagged expire older than 1d }
    rule 3 { select tagged prefix ["pr-"] archive older than 7d }
    rule 4 { select any expire older than 200d }
  }
}
EOF
"$regpol" snapshot gen --repos 40 --images-per-repo 100 --seed 11 --format regpol --out snap.json 2>/dev/null
"$regpol" snapshot import snap.json --db snap.db > /dev/null 2>&1

apply() {  # apply STATE TARGET [env...]
  local state=$1 target=$2; shift 2
  env "$@" "$regpol" apply --policy policy.regpol --snapshot snap.db --state "$state" --target "$target" --now $now --yes --batch-size 20 \
    > /dev/null 2>> apply.log
}
state_of() { sqlite3 "$1" "SELECT r.name, i.digest, i.tags, i.status FROM images i JOIN repositories r ON r.id = i.repository ORDER BY 1, 2"; }

# The reference: one apply, never interrupted.
cp snap.db ref.db
apply ref-state.db ref.db || { echo "reference apply failed: $(cat apply.log)"; exit 1; }
state_of ref.db > ref.txt
planned=$(sqlite3 ref-state.db "SELECT count(*) FROM actions")
[ "$planned" -ge 2000 ] && ok || bad "the plan has only $planned actions"
echo "plan: $planned actions"

points=(before-sent after-sent after-target after-record)
kills=0 scenario=0
while [ $kills -lt "$kills_wanted" ]; do
  scenario=$((scenario + 1))
  rm -rf t.db st.db st.db.lock acts
  cp snap.db t.db
  target=t.db
  [ $((scenario % 4)) -eq 0 ] && target=actions:acts
  # First attempt: killed at a fault point; then a resume killed from outside at a random
  # time; then resumes until the run finishes.
  point=${points[$((RANDOM % 4))]}
  n=$((1 + RANDOM % 100))
  apply st.db $target REGPOL_TEST_KILL_AT=$point:$n
  [ $? -eq 137 ] && kills=$((kills + 1))
  env "$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target $target --now $now --yes --batch-size 20 \
    > /dev/null 2>> apply.log &
  pid=$!
  sleep "0.$((RANDOM % 30))"
  kill -9 $pid 2>/dev/null
  wait $pid 2>/dev/null
  [ $? -eq 137 ] && kills=$((kills + 1))  # counted only when SIGKILL ended it (it may have finished first)
  for _ in 1 2 3; do
    apply st.db $target && break
  done
  status=$(sqlite3 st.db "SELECT group_concat(status) FROM runs")
  [ "$status" = finished ] && ok || { bad "scenario $scenario ($point:$n): runs ended as $status"; tail -5 apply.log; }
  python3 - st.db "$planned" <<'EOF' && ok || bad "scenario $scenario ($point:$n): the journal is wrong"
import sqlite3, sys
st = sqlite3.connect(sys.argv[1]); planned = int(sys.argv[2])
actions = {seq: (kind, status) for seq, kind, status in st.execute("SELECT seq, kind, status FROM actions WHERE run = 1")}
assert len(actions) == planned, (len(actions), planned)
assert all(s in ("done", "already-done") for _, s in actions.values())
outcomes = {}
outcome_at, detail_of = {}, {}
for id_, seq, event, detail in st.execute("SELECT id, seq, event, detail FROM audit WHERE run = 1 AND seq > 0 AND event NOT IN ('planned', 'sent')"):
    assert seq not in outcomes, ("an action has two outcomes", seq)
    outcomes[seq], outcome_at[seq], detail_of[seq] = event, id_, detail
assert set(outcomes) == set(actions), "an action has no outcome in the audit log"
sent, first_sent = {}, {}  # one `sent` entry per batch: "delete 20: seq 1-20" or "… seq 4,7-9"
for id_, detail in st.execute("SELECT id, detail FROM audit WHERE run = 1 AND event = 'sent' ORDER BY id"):
    for part in detail.split(": seq ")[1].split(","):
        lo, _, hi = part.partition("-")
        for seq in range(int(lo), int(hi or lo) + 1):
            sent[seq] = sent.get(seq, 0) + 1
            first_sent.setdefault(seq, id_)
# Nothing but this run changes the target, so every action was sent, and an action is
# found already done only after a kill came between its `sent` and its outcome: either
# sent again (the target answers already-gone) or found done when the resume read its
# repository again (recheck), never before it was first sent.
assert set(sent) == set(actions), ("actions never sent", sorted(set(actions) - set(sent))[:5])
for seq, e in outcomes.items():
    if e in ("already-gone", "already-archived"):
        rechecked = detail_of[seq].startswith(("not in the target when apply read", "already in the archive class"))
        assert sent[seq] >= 2 or (rechecked and first_sent[seq] < outcome_at[seq]), ("idempotent answer without a resend", seq, detail_of[seq])
EOF
  if [ "$target" = t.db ]; then
    state_of t.db > final.txt
    cmp -s ref.txt final.txt && ok || bad "scenario $scenario ($point:$n): the target differs from an uninterrupted apply"
  else
    python3 - acts/run-1-* st.db <<'EOF' && ok || bad "scenario $scenario ($point:$n): the request documents are wrong"
import glob, json, sqlite3, sys
d = sys.argv[1]; st = sqlite3.connect(sys.argv[2])
want_del = sorted((r, g) for r, g in st.execute("SELECT repository, digest FROM actions WHERE kind = 'delete'"))
want_tr = sorted((r, g) for r, g in st.execute("SELECT repository, digest FROM actions WHERE kind = 'transition'"))
got_del = []
for f in glob.glob(d + "/delete-*.json"):
    doc = json.load(open(f)); assert 1 <= len(doc["imageIds"]) <= 100
    got_del += [(doc["repositoryName"], i["imageDigest"]) for i in doc["imageIds"]]
got_tr = [(json.load(open(f))["repositoryName"], json.load(open(f))["imageId"]["imageDigest"]) for f in glob.glob(d + "/transition-*.json")]
assert sorted(got_del) == want_del, "each deletion in exactly one request"
assert sorted(got_tr) == want_tr, "each transition in exactly one request"
events = [json.loads(l) for l in open(d + "/events.jsonl")]
assert sorted((e["detail"]["repository-name"], e["detail"]["image-digest"]) for e in events) == sorted(want_del + want_tr)
assert len(set(e["id"] for e in events)) == len(events)
EOF
  fi
done
echo "$kills kills in $scenario scenarios"
finish
