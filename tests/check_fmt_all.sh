#!/usr/bin/env bash
# Every .regpol file in the repository (except the deliberately broken ones) is already
# formatted, formatting is idempotent (fmt of fmt is byte-identical), and no comment is lost.
# Not checked: bench/out/, the policies benchmarks generate (git ignores them).
# usage: check_fmt_all.sh REGPOL REPO_ROOT
set -u
regpol=$1; root=$2
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
pass=0; failed=0
while IFS= read -r f; do
  "$regpol" fmt "$f" > "$tmp/once.regpol" 2>"$tmp/err" || { echo "FAIL $f: $(cat "$tmp/err")"; failed=$((failed+1)); continue; }
  "$regpol" fmt "$tmp/once.regpol" > "$tmp/twice.regpol"
  if ! cmp -s "$tmp/once.regpol" "$tmp/twice.regpol"; then echo "FAIL $f: fmt is not idempotent"; failed=$((failed+1)); continue; fi
  if ! cmp -s "$f" "$tmp/once.regpol"; then echo "FAIL $f: not formatted (run regpol fmt --write)"; failed=$((failed+1)); continue; fi
  # Comments survive: the multiset of comment lines is unchanged.
  if [ "$(grep -o '#.*' "$f" | sed 's/[[:space:]]*$//' | sort)" != "$(grep -o '#.*' "$tmp/once.regpol" | sed 's/[[:space:]]*$//' | sort)" ]; then
    echo "FAIL $f: comments changed"; failed=$((failed+1)); continue
  fi
  pass=$((pass+1))
done < <(find "$root" -name '*.regpol' -not -path '*/tests/golden/errors/*' -not -path '*/tests/golden/commands/broken-*' -not -path '*/tests/regressions/*' -not -path '*/tests/fuzz/*' -not -path '*/build*/*' -not -path '*/bench/out/*' | sort)
echo "$pass passed, $failed failed"
[ $failed -eq 0 ] && [ $pass -gt 0 ]
