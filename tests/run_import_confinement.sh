#!/usr/bin/env bash
# Imports and test-block snapshots stay inside the import root (the policy's folder, or
# --import-root): absolute paths, `..` escapes, symbolic links out, non-regular files are
# refused with E0206, and nothing of a refused file's content is ever printed.
# usage: run_import_confinement.sh REGPOL
set -u
regpol=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
pass=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
marker="SECRET-$RANDOM-$RANDOM"
mkdir -p "$tmp/outside" "$tmp/root/sub" "$tmp/root/dir.regpol"
printf '%s = hunter2\n' "$marker" > "$tmp/outside/secret.regpol"
printf '%s\n' "$marker" > "$tmp/outside/secret"
printf '%s\n' "$marker" > "$tmp/root/notes.txt"
printf 'let count = 3\n' > "$tmp/root/sub/shared.regpol"
printf 'let count = 3\n' > "$tmp/outside/shared.regpol"
ln -s "$tmp/outside/secret.regpol" "$tmp/root/link.regpol"
ln -s "$tmp/outside" "$tmp/root/out"
ln -s /dev/zero "$tmp/root/zero.regpol"
printf '{"imageDetails": []}\n' > "$tmp/outside/snap.json"

policy() { printf 'import "%s" as m\nrepository "*" { }\n' "$1" > "$tmp/root/p.regpol"; }
# case NAME WANT-EXIT WANT-CODE IMPORT [extra lint args]
case_() {
  local name=$1 want=$2 code=$3 spec=$4; shift 4
  policy "$spec"
  for fmt in text json sarif; do
    (cd "$tmp" && "$regpol" lint "$@" --format "$fmt" root/p.regpol) > "$tmp/out" 2>&1; local rc=$?
    if [ $rc -ne "$want" ]; then failed=$((failed+1)); echo "FAIL $name ($fmt): exit $rc, want $want"; head -5 "$tmp/out"; continue; fi
    if [ -n "$code" ] && ! grep -q "$code" "$tmp/out"; then failed=$((failed+1)); echo "FAIL $name ($fmt): no $code"; head -5 "$tmp/out"; continue; fi
    if grep -q "$marker" "$tmp/out"; then failed=$((failed+1)); echo "FAIL $name ($fmt): printed the file's content"; continue; fi
    pass=$((pass+1))
  done
}
case_ "absolute path" 1 E0206 "$tmp/outside/secret.regpol"
case_ "/etc/passwd" 1 E0206 "/etc/passwd"
case_ "dot-dot escape" 1 E0206 "../outside/secret"
case_ "deep dot-dot escape" 1 E0206 "../../../../../../etc/passwd"
case_ "dot-dot through a subfolder" 1 E0206 "sub/../../outside/secret"
case_ "symlinked file leaving the root" 1 E0206 "link"
case_ "symlinked folder leaving the root" 1 E0206 "out/secret"
case_ "a device through a symlink" 1 E0206 "zero"
case_ "a directory" 1 E0206 "dir"
case_ "a non-.regpol file is never opened" 1 E0202 "notes.txt"
case_ "inside the root" 0 "" "sub/shared"
case_ "dot-dot that stays inside" 0 "" "sub/../sub/shared"
case_ "a wider --import-root allows it" 0 "" "../outside/shared" --import-root "$tmp"
case_ "a narrower --import-root refuses" 1 E0206 "sub/shared" --import-root "$tmp/root/dir.regpol"

# Nested imports are confined too: an allowed module cannot import its way out.
printf 'import "../../outside/secret" as s\nlet count = 1\n' > "$tmp/root/sub/hop.regpol"
case_ "an imported module escaping" 1 E0206 "sub/hop"

# test blocks: `snapshot "FILE"` under the same rule.
cat > "$tmp/root/t.regpol" <<'P'
repository "*" { lifecycle { rule 1 { select untagged  expire older than 1d } } }
test "escape" {
  snapshot "../outside/snap.json"
  expect "app:v1" kept
}
P
(cd "$tmp" && "$regpol" test root/t.regpol) > "$tmp/out" 2>&1; rc=$?
if [ $rc -eq 1 ] && grep -q E0206 "$tmp/out"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL test-block snapshot outside the root: exit $rc"; cat "$tmp/out"; fi
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
