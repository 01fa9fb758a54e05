#!/usr/bin/env bash
# The SQLite snapshot store trusts nothing it reads: values written into a valid store by
# anything else are rejected with the row and column (exit 3), as the JSON readers reject
# them. Writing never clobbers: an existing path is refused without --replace, a directory
# always, and of two imports racing for one new store exactly one succeeds.
# usage: run_store_checks.sh REGPOL
set -u
# shellcheck source=tests/lib.sh
source "$(dirname "$0")/lib.sh" "$1"
"$regpol" snapshot gen --repos 3 --images-per-repo 5 --out snap.json 2>/dev/null
"$regpol" snapshot import snap.json --db good.db 2>/dev/null || bad "import into a new store"
"$regpol" snapshot stats good.db > /dev/null 2>&1 && ok || bad "a valid store is read"
tamper() {  # description, column that must be named, SQL
  cp good.db t.db
  sqlite3 t.db "$3" || { bad "$1: sqlite3 failed"; return; }
  "$regpol" snapshot stats t.db > out 2> err; local rc=$?
  if [ $rc -eq 3 ] && grep -q "$2" err && [ ! -s out ]; then ok; else bad "$1: exit $rc, $(cat err)"; fi
}
tamper "status 99" '`status`' "UPDATE images SET status = 99"
tamper "text pushed_at" '`pushed_at`' "UPDATE images SET pushed_at = 'yesterday'"
tamper "negative pushed_at" '`pushed_at`' "UPDATE images SET pushed_at = -5"
tamper "pushed_at after 9999" '`pushed_at`' "UPDATE images SET pushed_at = 253402300800000000"
tamper "negative size" '`size_bytes`' "UPDATE images SET size_bytes = -1"
tamper "text size" '`size_bytes`' "UPDATE images SET size_bytes = 'big'"
tamper "unknown mutability" '`mutability`' "UPDATE repositories SET mutability = 9"
tamper "scan_on_push 7" '`scan_on_push`' "UPDATE repositories SET scan_on_push = 7"
tamper "bad digest" '`digest`' "UPDATE images SET digest = 'x' WHERE digest = (SELECT min(digest) FROM images)"
tamper "bad tag" '`tags`' "UPDATE images SET tags = 'has space' WHERE tags != ''"
tamper "tag twice" '`tags`' "UPDATE images SET tags = 'v1' || char(10) || 'v1' WHERE tags != ''"
tamper "bad repository name" '`name`' "UPDATE repositories SET name = 'UPPER/Case' WHERE id = (SELECT min(id) FROM repositories)"
tamper "negative finding count" '`critical`' "UPDATE images SET critical = -3"
tamper "float finding count" '`high`' "UPDATE images SET high = 1.5"
tamper "unknown repository id" 'repository id' "UPDATE images SET repository = 999"
# SQLite's own wording never reaches the user.
cp good.db t.db; sqlite3 t.db "DROP TABLE images"
"$regpol" snapshot stats t.db > out 2> err
if [ $? -eq 3 ] && ! grep -qi 'no more rows\|sqlite' err; then ok; else bad "a store without images: $(cat err)"; fi

# Writing never clobbers.
echo "my notes" > notes.txt
"$regpol" snapshot import snap.json --db notes.txt 2> err; rc=$?
if [ $rc -eq 2 ] && [ "$(cat notes.txt)" = "my notes" ] && grep -q 'replace' err; then ok; else bad "a text file is refused: exit $rc"; fi
"$regpol" snapshot import snap.json --db good.db 2> err; rc=$?
if [ $rc -eq 2 ] && grep -q 'already exists' err; then ok; else bad "an existing store is refused without --replace: exit $rc"; fi
mkdir emptydir
"$regpol" snapshot import snap.json --db emptydir --replace 2> err; rc=$?
if [ $rc -eq 2 ] && [ -d emptydir ]; then ok; else bad "a directory is refused even with --replace: exit $rc"; fi
"$regpol" snapshot gen --repos 1 --images-per-repo 2 --seed 9 --out small.json 2>/dev/null
"$regpol" snapshot import small.json --db good.db --replace 2> err && grep -q 'replaced' err && ok || bad "--replace replaces and says so"
n=$("$regpol" snapshot stats good.db --format json | jq .images)
[ "$n" = "$("$regpol" snapshot stats small.json --format json | jq .images)" ] && ok || bad "the replaced store holds the new snapshot ($n images)"
# Two imports racing for one new store: exactly one wins, the other says why; the winner's
# store is complete.
for round in 1 2 3 4 5; do
  rm -f race.db
  "$regpol" snapshot import snap.json --db race.db 2> e1 & p1=$!
  "$regpol" snapshot import small.json --db race.db 2> e2 & p2=$!
  wait $p1; r1=$?; wait $p2; r2=$?
  wins=$(( (r1 == 0) + (r2 == 0) ))
  if [ $wins -eq 1 ] && "$regpol" snapshot stats race.db > /dev/null 2>&1 && ! ls race.db.tmp-* > /dev/null 2>&1; then ok; else bad "race $round: exits $r1 and $r2"; fi
done
# A write that fails (a full disk) leaves nothing behind and exits non-zero.
"$regpol" snapshot gen --repos 1 --images-per-repo 2 --out /dev/full 2>/dev/null; rc=$?
[ $rc -eq 4 ] && [ -c /dev/full ] && ok || bad "--out /dev/full: exit $rc"
printf 'repository "*" {\n  mutability immutable\n}\n' > p.regpol
for cmd in "snapshot stats snap.json" "snapshot gen --repos 1 --images-per-repo 2" "fmt p.regpol" "lint --format json p.regpol"; do
  "$regpol" $cmd > /dev/full 2>/dev/null; rc=$?
  [ $rc -eq 4 ] && ok || bad "$cmd > /dev/full: exit $rc"
done
finish
