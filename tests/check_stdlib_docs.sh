#!/usr/bin/env bash
# docs/stdlib.md lists every stdlib module, template (with each parameter and default) and
# constant exactly as the modules declare them.
# usage: check_stdlib_docs.sh REPO_ROOT
set -u
root=$1; doc="$root/docs/stdlib.md"; pass=0; failed=0
ok() { pass=$((pass+1)); }
bad() { failed=$((failed+1)); echo "FAIL $*"; }
for m in "$root"/stdlib/std/*.regpol; do
  name=std/$(basename "$m" .regpol)
  grep -q "^## $name\$" "$doc" && ok || bad "module $name has no section"
  # template NAME(P = D, Q = E) "…" {
  while IFS= read -r line; do
    t=$(sed -E 's/^template ([a-z_0-9]+)\((.*)\).*/\1/' <<<"$line")
    params=$(sed -E 's/^template [a-z_0-9]+\((.*)\) ".*/\1/' <<<"$line")
    row=$(grep -E "^\| \`$t\` \|" "$doc") || { bad "template $name.$t is not listed"; continue; }
    IFS=',' read -ra ps <<<"$params"
    for p in "${ps[@]}"; do
      p=$(sed -E 's/^ +| +$//g' <<<"$p")
      grep -qF "\`$p\`" <<<"$row" && ok || bad "$name.$t: parameter \`$p\` not documented as declared"
    done
  done < <(grep -E '^template ' "$m")
  while IFS= read -r line; do
    c=$(sed -E 's/^let ([a-z_0-9]+) = (.*)$/\1/' <<<"$line"); v=$(sed -E 's/^let ([a-z_0-9]+) = (.*)$/\2/' <<<"$line")
    grep -qF "\`$c\`" "$doc" && grep -qF "$v" "$doc" && ok || bad "constant $name.$c = $v not documented"
  done < <(grep -E '^let ' "$m")
done
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
