#!/usr/bin/env bash
# The docs and --help say the same thing as the code: every diagnostic code of
# engine/diag/codes.cpp is in docs/diagnostics.md, and every command `regpol --help` lists
# is in the README and has its own --help.
# usage: check_docs.sh REGPOL REPO_ROOT
regpol=$1; root=$2; failed=0; pass=0
for code in $(grep -oE '"[EW][0-9]{4}"' "$root/engine/diag/codes.cpp" | tr -d '"'); do
  if grep -q "| $code |" "$root/docs/diagnostics.md"; then pass=$((pass+1)); else echo "FAIL: $code missing from docs/diagnostics.md"; failed=$((failed+1)); fi
done
for cmd in $("$regpol" --help | awk '/^Commands:/{on=1; next} /^$/{on=0} on {print $1}'); do
  if grep -q "regpol $cmd" "$root/README.md" && "$regpol" "$cmd" --help >/dev/null; then pass=$((pass+1)); else echo "FAIL: command $cmd not in README or no --help"; failed=$((failed+1)); fi
done
# Each lint-catalogue code's page (`lint --explain`) is the one docs/diagnostics.md shows.
for code in $(grep -oE '"W2[0-9]{3}"' "$root/engine/diag/codes.cpp" | tr -d '"'); do
  description=$("$regpol" lint --explain "$code" | sed -n 5p)
  if [ -n "$description" ] && grep -qF -- "$description" "$root/docs/diagnostics.md" && grep -q "^### $code\$" "$root/docs/diagnostics.md"; then pass=$((pass+1));
  else echo "FAIL: docs/diagnostics.md has no section for $code with its --explain text"; failed=$((failed+1)); fi
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
