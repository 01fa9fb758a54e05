#!/usr/bin/env bash
# The docs and --help say the same thing as the code: every diagnostic code of
# engine/diag/codes.cpp is in docs/diagnostics.md, and every command `regpol --help` lists
# is in the README and has its own --help, whose text explains every option its usage
# lines name.
# usage: check_docs.sh REGPOL REPO_ROOT
regpol=$1; root=$2; failed=0; pass=0
for code in $(grep -oE '"[EW][0-9]{4}"' "$root/engine/diag/codes.cpp" | tr -d '"'); do
  if grep -q "| $code |" "$root/docs/diagnostics.md"; then pass=$((pass+1)); else echo "FAIL: $code missing from docs/diagnostics.md"; failed=$((failed+1)); fi
done
for cmd in $("$regpol" --help | awk '/^Commands:/{on=1; next} /^$/{on=0} on {print $1}'); do
  if grep -q "regpol $cmd" "$root/README.md" && "$regpol" "$cmd" --help >/dev/null; then pass=$((pass+1)); else echo "FAIL: command $cmd not in README or no --help"; failed=$((failed+1)); fi
done
# Every option of a usage line is explained below it (an option line or the prose): a
# usage line that names an option nothing describes leaves the user guessing.
undescribed() {  # help text on stdin -> the options of its usage lines named nowhere else
  local text; text=$(cat)
  local rest; rest=$(awk '/^usage:/{on=1} /^$/{on=0} !on' <<<"$text" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
  for o in $(awk '/^usage:/{on=1} /^$/{on=0} on' <<<"$text" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u); do
    [ "$o" = --help ] || grep -qx -- "$o" <<<"$rest" || echo "$o"
  done
}
for cmd in $("$regpol" --help | awk '/^Commands:/{on=1; next} /^$/{on=0} on {print $1}') "snapshot pull" "runs show"; do
  missing=$("$regpol" $cmd --help 2>&1 | undescribed | tr '\n' ' ')
  if [ -z "$missing" ]; then pass=$((pass+1)); else echo "FAIL: \`regpol $cmd --help\` names options it does not explain: $missing"; failed=$((failed+1)); fi
done
# Each lint-catalogue code's page (`lint --explain`) is the one docs/diagnostics.md shows.
for code in $(grep -oE '"W2[0-9]{3}"' "$root/engine/diag/codes.cpp" | tr -d '"'); do
  description=$("$regpol" lint --explain "$code" | sed -n 5p)
  if [ -n "$description" ] && grep -qF -- "$description" "$root/docs/diagnostics.md" && grep -q "^### $code\$" "$root/docs/diagnostics.md"; then pass=$((pass+1));
  else echo "FAIL: docs/diagnostics.md has no section for $code with its --explain text"; failed=$((failed+1)); fi
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
