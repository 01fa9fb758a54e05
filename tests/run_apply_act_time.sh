#!/usr/bin/env bash
# apply acts only on what is true when it acts (engine/apply/recheck.h): the reproductions of
# the deletion-safety review, each against a SQLite snapshot store changed between plan and
# apply or between a kill and the resume, checked against the store afterwards.
source "$(dirname "$0")/lib.sh" "$1"
now=2026-11-27T00:00:00Z
has() { [ "$(sqlite3 "$1" "SELECT count(*) FROM images WHERE digest = '$2'")" = 1 ]; }
d() { printf 'sha256:%064d' "$1"; }  # a digest from a number

# A store: repository `app` with six releases, the newest three kept; `multi` with two
# multi-arch indexes and their children.
python3 - <<'EOF'
import json
d = lambda n: "sha256:%064d" % n
imgs = []
for i in range(1, 7):
    imgs.append({"repository": "app", "digest": d(i), "tags": ["v%d" % i], "sizeBytes": 1000, "pushedAt": "2026-0%d-01T00:00:00Z" % i})
idx = "application/vnd.oci.image.index.v1+json"
man = "application/vnd.oci.image.manifest.v1+json"
imgs += [
    {"repository": "multi", "digest": d(100), "tags": ["v1"], "pushedAt": "2026-01-01T00:00:00Z", "manifestMediaType": idx, "children": [d(101), d(102)]},
    {"repository": "multi", "digest": d(101), "tags": [], "pushedAt": "2026-01-01T00:00:00Z", "manifestMediaType": man},
    {"repository": "multi", "digest": d(102), "tags": [], "pushedAt": "2026-01-01T00:00:00Z", "manifestMediaType": man},
    {"repository": "multi", "digest": d(200), "tags": ["v2"], "pushedAt": "2026-06-01T00:00:00Z", "manifestMediaType": idx, "children": [d(201)]},
    {"repository": "multi", "digest": d(201), "tags": [], "pushedAt": "2026-06-01T00:00:00Z", "manifestMediaType": man},
]
json.dump({"schema": "regpol.snapshot/v1", "capturedAt": "2026-11-26T00:00:00Z", "images": imgs}, open("snap.json", "w"))
EOF
"$regpol" snapshot import snap.json --db snap.db > /dev/null 2>&1 || { echo "import failed"; exit 1; }
cat > policy.regpol <<'EOF'
repository "app" {
  lifecycle {
    rule 1 { select tagged pattern ["v*"] keep newest 3 }
  }
}
repository "multi" {
  lifecycle {
    rule 1 { select tagged pattern ["v*"] keep newest 1 }
    rule 2 { select untagged expire older than 1d }
  }
}
EOF
"$regpol" plan --policy policy.regpol --snapshot snap.db --now $now --format json > plan.json
python3 - plan.json <<'EOF' && ok || bad "the plan is not the one these cases assume"
import json, sys
plan = json.load(open(sys.argv[1]))
gone = sorted((i["repository"], i["digest"][-3:]) for i in plan["images"] if i["action"] == "expire")
assert gone == [("app", "001"), ("app", "002"), ("app", "003"), ("multi", "100"), ("multi", "101"), ("multi", "102")], gone
EOF

# ---- A resumed run reads the target again: a protected tag pushed onto a planned image
# after the kill and before the resume keeps it (it used to be deleted). ----
cp snap.db t.db; rm -f st.db st.db.lock
REGPOL_TEST_KILL_AT=before-sent:1 "$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes --batch-size 1 > /dev/null 2>&1
[ $? -eq 137 ] && ok || bad "the kill point did not kill"
sqlite3 t.db "UPDATE images SET tags = 'keep-prod' || char(10) || 'v1' WHERE digest = '$(d 1)'"
"$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
rc=$?
[ $rc -eq 0 ] && grep -q "resuming run 1" r.err && ok || bad "resume: exit $rc $(cat r.err)"
has t.db "$(d 1)" && ok || bad "the resume deleted an image a protected tag was pushed onto"
! has t.db "$(d 2)" && ! has t.db "$(d 3)" && ok || bad "the resume did not delete what still holds"
[ "$(sqlite3 st.db "SELECT status || ': ' || answer FROM actions WHERE digest = '$(d 1)'")" = "skipped: changed since the plan: tags were [v1], now [keep-prod, v1]" ] \
  && ok || bad "the skipped action's record: $(sqlite3 st.db "SELECT status, answer FROM actions WHERE digest = '$(d 1)'")"

# The same after a kill between `sent` and the target's call, with --plan: the resume
# re-reads, and the action already sent is not sent blind.
cp snap.db t.db; rm -f st.db st.db.lock
"$regpol" plan --policy policy.regpol --snapshot snap.db --now $now --out art.json > /dev/null
REGPOL_TEST_KILL_AT=after-sent:1 "$regpol" apply --plan art.json --state st.db --target t.db --yes --batch-size 1 > /dev/null 2>&1
sqlite3 t.db "UPDATE images SET tags = 'keep-prod' || char(10) || 'v1' WHERE digest = '$(d 1)'"
"$regpol" apply --plan art.json --state st.db --target t.db --yes > r.out 2> r.err
has t.db "$(d 1)" && ok || bad "a resumed --plan run deleted a retagged image: $(cat r.err)"

# ---- An index child that a new index, which stays, lists is not deleted. ----
cp snap.db t.db; rm -f st.db st.db.lock
# Pushed after the plan: v3, the newest index, whose one child is the planned 101.
sqlite3 t.db "INSERT INTO images (repository, digest, tags, children, pushed_at, manifest_media_type, status)
  SELECT repository, '$(d 300)', 'v3', '$(d 101)', 1795000000000000, manifest_media_type, 0 FROM images WHERE digest = '$(d 100)'"
"$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
rc=$?
[ $rc -eq 0 ] && ok || bad "apply with a new index: exit $rc $(cat r.err)"
has t.db "$(d 101)" && ok || bad "a child of a new index that stays was deleted (the index is broken)"
! has t.db "$(d 100)" && ! has t.db "$(d 102)" && ok || bad "the rest of the planned deletions in multi did not go"
# Without the policy (a reviewed plan), the image-level check sees the reference itself.
cp snap.db t.db; rm -f st.db st.db.lock
sqlite3 t.db "INSERT INTO images (repository, digest, tags, children, pushed_at, manifest_media_type, status)
  SELECT repository, '$(d 300)', 'v3', '$(d 101)', 1795000000000000, manifest_media_type, 0 FROM images WHERE digest = '$(d 100)'"
"$regpol" apply --plan art.json --state st.db --target t.db --yes > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "lists it" r.err && has t.db "$(d 101)" && has t.db "$(d 1)" && ok || bad "--plan with a new index referencing a planned child: exit $rc $(cat r.err)"

# ---- Never empty, counted on the target: a second run from the same (now stale) snapshot
# would delete the rest of a repository. ----
# A policy for `app` that expires each of the given tags, one rule each.
expire_each() {
  printf 'repository "app" {\n  lifecycle {\n'
  local n=1
  for t in "$@"; do printf '    rule %d { select tagged pattern ["%s"] expire older than 1d }\n' $n "$t"; n=$((n + 1)); done
  printf '  }\n}\n'
}
expire_each v4 v5 v6 > first.regpol
expire_each v1 v2 v3 > second.regpol
cp snap.db t.db; rm -f st.db st.db.lock
"$regpol" apply --policy first.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
[ "$(sqlite3 t.db "SELECT count(*) FROM images i JOIN repositories r ON r.id = i.repository WHERE r.name = 'app'")" = 3 ] && ok || bad "first run: $(cat r.err)"
before=$(sha256sum t.db)
"$regpol" apply --policy second.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "allow_empty" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "a stale snapshot emptied a repository: exit $rc $(cat r.out r.err)"
# The same from a reviewed plan of the stale snapshot.
"$regpol" plan --policy second.regpol --snapshot snap.db --now $now --out second.json > /dev/null
"$regpol" apply --plan second.json --state st.db --target t.db --yes > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "allow_empty" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "a stale plan artifact emptied a repository: exit $rc $(cat r.out r.err)"
# With allow_empty it may.
sed 's/lifecycle {/lifecycle {\n    allow_empty/' second.regpol > second-allowed.regpol
"$regpol" apply --policy second-allowed.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
[ $? -eq 0 ] && [ "$(sqlite3 t.db "SELECT count(*) FROM images i JOIN repositories r ON r.id = i.repository WHERE r.name = 'app'")" = 0 ] \
  && ok || bad "allow_empty did not let the repository go: $(cat r.err)"

# ---- A plan made now decides: an image a count rule keeps now is not deleted, although the
# stale snapshot's plan deleted it (someone removed two newer releases meanwhile). ----
cp snap.db t.db; rm -f st.db st.db.lock
sqlite3 t.db "DELETE FROM images WHERE digest IN ('$(d 5)', '$(d 6)')"
"$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
rc=$?
[ $rc -eq 0 ] && has t.db "$(d 3)" && has t.db "$(d 2)" && ! has t.db "$(d 1)" && ok || bad "a count rule's fresh verdict was ignored: exit $rc $(cat r.err)"
grep -q "would not delete" <(sqlite3 st.db "SELECT answer FROM actions WHERE digest = '$(d 3)'") && ok || bad "the reason is not recorded"

# ---- A plan artifact's counts are not trusted: edited counts are refused, and the rails
# count the actions and the target. ----
python3 - art.json <<'EOF'
import hashlib, json, sys
a = json.load(open(sys.argv[1]))
for r in a["repositories"]:
    r["deletes"] = 0  # what the rails used to read
covered = {k: v for k, v in a.items() if k not in ("artifactSha256", "signature")}  # rehashed, as anyone can
a["artifactSha256"] = hashlib.sha256(json.dumps(covered, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
json.dump(a, open("counts.json", "w"))
EOF
cp snap.db t.db; rm -f st.db st.db.lock
"$regpol" apply --plan counts.json --state st.db --target t.db --yes --max-delete 1 > r.out 2> r.err
rc=$?
[ $rc -eq 3 ] && grep -q "the actions delete" r.err && has t.db "$(d 1)" && ok || bad "an artifact with edited counts was accepted: exit $rc $(cat r.err)"
"$regpol" apply --plan art.json --state st.db --target t.db --yes --max-delete 5 > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "would delete 6 images, more than --max-delete 5" r.err && ok || bad "--max-delete on an artifact: exit $rc $(cat r.err)"

# ---- A snapshot is bound to its source: another store is refused, a copy is the same store. ----
"$regpol" snapshot import snap.json --db other.db > /dev/null 2>&1
cp other.db t.db; rm -f st.db st.db.lock; before=$(sha256sum t.db)
"$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "the snapshot was read from store" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "a snapshot of another store was applied: exit $rc $(cat r.err)"
# A snapshot whose images are mostly gone from the target does not describe it.
cp snap.db t.db; rm -f st.db st.db.lock
sqlite3 t.db "DELETE FROM images WHERE digest IN ('$(d 1)', '$(d 2)', '$(d 3)', '$(d 100)', '$(d 101)')"
before=$(sha256sum t.db)
"$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "5 of the 6 images the plan deletes are not in the target" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "a mostly-gone plan ran: exit $rc $(cat r.err)"
"$regpol" apply --policy policy.regpol --snapshot snap.db --state st.db --target t.db --now $now --yes --max-gone-percent 90 > r.out 2> r.err
[ $? -eq 0 ] && grep -q "1 deleted" r.out && ok || bad "--max-gone-percent 90: $(cat r.out r.err)"

# ---- actions:DIR: runs of two state files (or of a lost one made anew) never share a
# folder: each run writes its own, and each folder has all of its run's requests. ----
rm -rf acts sa.db sa.db.lock sb.db sb.db.lock
"$regpol" apply --policy policy.regpol --snapshot snap.json --state sa.db --target actions:acts --now $now --yes > /dev/null 2>&1
"$regpol" apply --policy policy.regpol --snapshot snap.json --state sb.db --target actions:acts --now $now --yes > /dev/null 2>&1
folders=$(ls -d acts/run-1-* 2>/dev/null | wc -l)
complete=0
for f in acts/run-1-*; do
  [ "$(cat "$f"/delete-*.json | jq -s '[.[].imageIds | length] | add')" = 6 ] && grep -q batch-delete-image "$f/commands.sh" && complete=$((complete + 1))
done
[ "$folders" = 2 ] && [ "$complete" = 2 ] && ok || bad "two state files' runs in one actions folder: $folders folders, $complete complete"

# ---- the state database: a real file with one name ----
"$regpol" apply --policy policy.regpol --snapshot snap.json --state '' --target actions:acts --now $now --yes > r.out 2> r.err
[ $? -eq 3 ] && grep -q "needs a file name" r.err && ok || bad "--state '' was accepted: $(cat r.err)"
ln sa.db sa-link.db
"$regpol" apply --policy policy.regpol --snapshot snap.json --state sa-link.db --target actions:acts --now $now --yes > r.out 2> r.err
[ $? -eq 3 ] && grep -q "hard links" r.err && ok || bad "a state file with two names was accepted: $(cat r.err)"

# ---- The snapshot file as its own target (the docs' and the CronJob's way): a killed run
# changed the snapshot, so the retry has other inputs; it settles the old run and finishes
# the work, ending as an uninterrupted apply does. ----
state_of() { sqlite3 "$1" "SELECT r.name, i.digest, i.tags, i.status FROM images i JOIN repositories r ON r.id = i.repository ORDER BY 1, 2"; }
cp snap.db ref.db; rm -f rs.db rs.db.lock
"$regpol" apply --policy policy.regpol --snapshot ref.db --state rs.db --target ref.db --now $now --yes > /dev/null 2>&1
for point in after-sent:2 after-target:2 after-record:1; do
  cp snap.db self.db; rm -f ss.db ss.db.lock
  REGPOL_TEST_KILL_AT=$point "$regpol" apply --policy policy.regpol --snapshot self.db --state ss.db --target self.db --now $now --yes --batch-size 1 > /dev/null 2>&1
  killed=$?
  "$regpol" apply --policy policy.regpol --snapshot self.db --state ss.db --target self.db --now $now --yes > r.out 2> r.err
  rc=$?
  [ $killed -eq 137 ] && [ $rc -eq 0 ] && [ "$(state_of self.db)" = "$(state_of ref.db)" ] && [ "$(sqlite3 ss.db "SELECT status FROM runs WHERE id = 1")" = superseded ] \
    && ok || bad "a killed self-targeted run ($point) did not heal: killed $killed, exit $rc $(cat r.err)"
done

# ---- Plan artifacts: the hash covers the whole document, and a signed plan is carried out
# only with its signature intact (apply --plan --verify-key). ----
openssl genpkey -algorithm ed25519 -out key.pem 2> /dev/null && openssl pkey -in key.pem -pubout -out pub.pem 2> /dev/null
openssl genpkey -algorithm ed25519 -out other.pem 2> /dev/null
"$regpol" plan --policy policy.regpol --snapshot snap.db --now $now --out signed.json --sign-key key.pem > /dev/null 2> r.err
[ "$(jq -r .signature.algorithm signed.json)" = ed25519 ] && ok || bad "plan --sign-key wrote no signature: $(cat r.err)"
cp snap.db t.db; rm -f st.db st.db.lock
"$regpol" apply --plan signed.json --verify-key pub.pem --state st.db --target t.db --yes > r.out 2> r.err
[ $? -eq 0 ] && ! has t.db "$(d 1)" && ok || bad "a signed plan did not apply: $(cat r.err)"
# Edited (a registryId added, then the hash recomputed, as anyone can): the hash passes, the signature does not.
python3 - signed.json <<'EOF'
import hashlib, json, sys
a = json.load(open(sys.argv[1]))
a["actions"][0]["registryId"] = "999999999999"
covered = {k: v for k, v in a.items() if k not in ("artifactSha256", "signature")}
a["artifactSha256"] = hashlib.sha256(json.dumps(covered, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
json.dump(a, open("rehashed.json", "w"))
a["artifactSha256"] = "0" * 64
json.dump(a, open("edited.json", "w"))
EOF
cp snap.db t.db; rm -f st.db st.db.lock; before=$(sha256sum t.db)
"$regpol" apply --plan rehashed.json --verify-key pub.pem --state st.db --target t.db --yes > r.out 2> r.err
rc=$?
[ $rc -eq 3 ] && grep -q "does not verify" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "an edited, rehashed signed plan was applied: exit $rc $(cat r.err)"
"$regpol" apply --plan edited.json --state st.db --target t.db --yes > r.out 2> r.err
rc=$?
[ $rc -eq 3 ] && grep -q "artifactSha256" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "an edited plan was applied: exit $rc $(cat r.err)"
"$regpol" apply --plan art.json --verify-key pub.pem --state st.db --target t.db --yes > r.out 2> r.err
[ $? -eq 3 ] && grep -q "is not signed" r.err && ok || bad "an unsigned plan passed --verify-key: $(cat r.err)"
"$regpol" apply --plan signed.json --verify-key other.pem --state st.db --target t.db --yes > r.out 2> r.err
[ $? -eq 3 ] && grep -q "does not verify" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "a plan signed by another key passed: $(cat r.err)"

# ---- apply --plan P --policy F: the reviewed plan, checked again with the policy on the
# target as it is: unchanged, it runs; after two newer releases went, a count rule keeps v3
# now, and the run is refused. ----
cp snap.db t.db; rm -f st.db st.db.lock
"$regpol" apply --plan art.json --policy policy.regpol --state st.db --target t.db --yes > r.out 2> r.err
[ $? -eq 0 ] && ! has t.db "$(d 3)" && ok || bad "--plan with --policy on an unchanged target: $(cat r.err)"
cp snap.db t.db; rm -f st.db st.db.lock
sqlite3 t.db "DELETE FROM images WHERE digest IN ('$(d 5)', '$(d 6)')"
before=$(sha256sum t.db)
"$regpol" apply --plan art.json --policy policy.regpol --state st.db --target t.db --yes > r.out 2> r.err
rc=$?
[ $rc -eq 1 ] && grep -q "would not delete it" r.err && [ "$(sha256sum t.db)" = "$before" ] && ok || bad "--plan with --policy took an action the policy would not: exit $rc $(cat r.err)"

finish
