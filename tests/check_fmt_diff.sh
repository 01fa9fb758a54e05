#!/usr/bin/env bash
# `fmt --diff`: for every policy file of examples/ and stdlib/, a copy with its indentation
# stripped from every other line and its last newline removed is not formatted; `fmt --diff`
# exits 1 and prints a unified diff that `patch` applies to give exactly what `fmt` prints.
# A formatted file gives no diff and exit 0; `--check` names the file with the commands that
# show and make the changes.
# usage: check_fmt_diff.sh REGPOL SOURCE_DIR
src=$(cd "$2" && pwd)
source "$(dirname "$0")/lib.sh" "$1"
n=0
while IFS= read -r f; do
  n=$((n+1))
  name=p$n.regpol
  # Every other line without its indentation, and no newline at the end.
  awk 'NR % 2 == 0 { sub(/^[ \t]+/, "") } { print }' "$f" | head -c -1 > "$name"
  "$regpol" fmt "$name" > want.txt 2> err.txt || { bad "$f: fmt failed: $(cat err.txt)"; continue; }
  "$regpol" fmt --diff "$name" > d.diff 2> err.txt; rc=$?
  if cmp -s want.txt "$name"; then
    [ $rc -eq 0 ] && [ ! -s d.diff ] && ok || bad "$f: formatted already, yet --diff exit $rc: $(head -5 d.diff)"
    continue
  fi
  [ $rc -eq 1 ] && head -2 d.diff | grep -q "^+++ $name$" && ok || bad "$f: --diff exit $rc: $(head -3 d.diff) $(cat err.txt)"
  patch -s -p0 -o got.txt < d.diff > patch.log 2>&1 && cmp -s got.txt want.txt && ok || bad "$f: the diff does not give fmt's output: $(cat patch.log) $(diff got.txt want.txt | head -5)"
  # Formatted, the file has nothing to show.
  cp want.txt "$name"
  "$regpol" fmt --diff "$name" > d.diff; rc=$?
  [ $rc -eq 0 ] && [ ! -s d.diff ] && ok || bad "$f: a formatted file gave exit $rc and $(head -3 d.diff)"
done < <(find "$src/examples" "$src/stdlib" -name '*.regpol' | sort)
[ $n -gt 5 ] && ok || bad "only $n policy files found"
printf 'repository "*" {\n mutability immutable\n}\n' > c.regpol
"$regpol" fmt --check c.regpol > out.txt; rc=$?
[ $rc -eq 1 ] && grep -q '^c.regpol: not formatted (`regpol fmt --diff c.regpol` shows the changes; `regpol fmt --write c.regpol` makes them)$' out.txt \
  && ok || bad "--check: exit $rc $(cat out.txt)"
"$regpol" fmt --diff --write c.regpol > /dev/null 2>&1
[ $? -eq 2 ] && ok || bad "--diff with --write must be a usage error"
finish
