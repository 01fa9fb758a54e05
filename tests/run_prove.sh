#!/usr/bin/env bash
# `regpol prove` end to end (#26): properties written in policy files (`prove` blocks in
# repository blocks and at the top level, `for` globs, `no new access than`), each answer
# and exit code, the JSON form, `regpol test` running them, located errors for properties
# regpol cannot prove, and every counterexample replayed through `regpol authorize`.
# usage: run_prove.sh REGPOL REPO_ROOT
set -u
here=$(cd "$(dirname "$0")" && pwd)
root=$2
source "$here/lib.sh" "$1"

cat > policy.regpol <<'P'
policy "prove"

repository "prod/*" {
  access {
    sid "OrgPull" allow pull to *
      when aws:PrincipalOrgID == "o-abc123"
    sid "CiPush" allow push to arn "arn:aws:iam::111122223333:role/ci"
    sid "OpsDelete" allow delete to account "111122223333"
  }

  prove "nothing public" { never allow * to not account "111122223333", org "o-abc123" }
  prove "org can pull" { always allow pull to org "o-abc123" }
  prove "no delete outside org" { never allow delete to * unless aws:PrincipalOrgID == "o-abc123" }
}

repository "prod/legacy-*" {
  access {
    sid "LegacyPublic" allow pull to *
  }
}

prove "ci-only releases" for "prod/*" {
  never allow "ecr:PutImage" on tags "v*" to not arn "arn:aws:iam::111122223333:role/ci"
}
# `push` names ecr:BatchCheckLayerAvailability, which pulls need too: OrgPull grants it.
prove "push is CI only" for "prod/*" { never allow push to not arn "arn:aws:iam::111122223333:role/ci" }
prove "dev is not prod" for "dev/*" { never allow * to * }
P

# replay JSON-WITH-COUNTEREXAMPLE DECISION POLICY-ARGS…
replay() {
  local cex=$1 want=$2; shift 2
  printf '%s\n' "$cex" > cex.json
  "$regpol" authorize "$@" --request cex.json > decision.json 2> decision.err || { bad "authorize refused the counterexample: $(cat decision.err)"; return; }
  [ "$(jq -r .decision decision.json)" = "$want" ] && ok || bad "the counterexample $cex should be $want: $(cat decision.json)"
}

"$regpol" prove policy.regpol --format json > p.json; rc=$?
[ $rc = 1 ] && ok || bad "a failing property exits 1 (got $rc)"
jq -e '.properties | length == 6' p.json > /dev/null && ok || bad "six properties: $(cat p.json)"
result() { jq -r --arg n "$1" '.properties[] | select(.name == $n) | .result' p.json; }
[ "$(result 'no delete outside org')" = failed ] && ok || bad "OpsDelete lets the account delete without the org: $(result 'no delete outside org')"
[ "$(result 'dev is not prod')" = proved ] && ok || bad "nothing is granted on dev/*: $(result 'dev is not prod')"
[ "$(result 'ci-only releases')" = proved ] && ok || bad "only CI puts images on prod/*: $(result 'ci-only releases')"
push=$(jq -c '.properties[] | select(.name == "push is CI only")' p.json)
[ "$(jq -r .result <<< "$push")" = failed ] && [ "$(jq -r .counterexample.action <<< "$push")" = ecr:BatchCheckLayerAvailability ] && [ "$(jq -r .decidedBy <<< "$push")" = OrgPull ] && ok || bad "OrgPull grants a push action: $push"
replay "$(jq -c .counterexample <<< "$push")" allow --policy policy.regpol
# The block's "nothing public" holds on prod/api, but prod/legacy-* adds a public pull: the
# prover finds that class of names.
[ "$(result 'nothing public')" = failed ] && ok || bad "prod/legacy-* is public: $(result 'nothing public')"
legacy=$(jq -c '.properties[] | select(.name == "nothing public")' p.json)
case "$(jq -r .counterexample.repository <<< "$legacy")" in prod/legacy-*) ok ;; *) bad "the public class is prod/legacy-*: $legacy" ;; esac
[ "$(jq -r .decidedBy <<< "$legacy")" = LegacyPublic ] && ok || bad "decided by LegacyPublic: $legacy"
[ "$(jq -r .repository <<< "$legacy")" = "prod/*" ] && ok || bad "the property covers the block's prod/*: $legacy"
replay "$(jq -c .counterexample <<< "$legacy")" allow --policy policy.regpol
# always allow: org pulls are allowed on prod/* (OrgPull; the legacy block only adds).
[ "$(result 'org can pull')" = proved ] && ok || bad "the organization can pull: $(result 'org can pull')"
del=$(jq -c '.properties[] | select(.name == "no delete outside org")' p.json)
[ "$(jq -r .decidedBy <<< "$del")" = OpsDelete ] && ok || bad "decided by OpsDelete: $del"
replay "$(jq -c .counterexample <<< "$del")" allow --policy policy.regpol
jq -e '.properties[] | select(.name == "no delete outside org") | .source | test("policy.regpol:13:3")' p.json > /dev/null && ok || bad "the property's source: $del"

# always allow that fails: the counterexample is denied, decidedBy the deny (or null).
cat > always.regpol <<'P'
repository "app" {
  access {
    sid "Pull" allow pull to account "111122223333"
    sid "NoOldIps" deny pull to * when aws:SourceIp in ["10.0.0.0/8"]
  }
  prove "account pulls" { always allow pull to account "111122223333" }
  prove "roles pull" { always allow pull to arn "arn:aws:iam::111122223333:role/r" unless aws:SourceIp in ["10.0.0.0/8"] }
}
P
"$regpol" prove always.regpol --format json > a.json; rc=$?
[ $rc = 1 ] && ok || bad "always allow fails under the deny (exit $rc)"
a1=$(jq -c '.properties[0]' a.json)
[ "$(jq -r .result <<< "$a1")" = failed ] && [ "$(jq -r .decidedBy <<< "$a1")" = NoOldIps ] && ok || bad "denied by NoOldIps: $a1"
replay "$(jq -c .counterexample <<< "$a1")" deny --policy always.regpol
[ "$(jq -r '.properties[1].result' a.json)" = proved ] && ok || bad "a role of the account pulls from outside 10/8: $(jq -c '.properties[1]' a.json)"

# no new access than: a file beside the policy, regpol or IAM JSON.
cat > old.regpol <<'P'
repository "app" {
  access {
    sid "Pull" allow pull to account "111122223333"
  }
}
P
cat > new.regpol <<'P'
repository "app" {
  access {
    sid "Pull" allow pull to account "111122223333"
    sid "Push" allow push to account "111122223333"
  }
  prove "refactor is safe" { no new access than "old.regpol" }
}
prove "nothing new anywhere" { no new access than "old.json" }
P
printf '{"Version": "2012-10-17", "Statement": [{"Sid": "All", "Effect": "Allow", "Principal": {"AWS": "111122223333"}, "Action": "ecr:*"}]}\n' > old.json
"$regpol" prove new.regpol --format json > n.json; rc=$?
[ $rc = 1 ] && [ "$(jq -r '.properties[0].result' n.json)" = failed ] && ok || bad "push is new access: exit $rc $(cat n.json)"
[ "$(jq -r '.properties[0].decidedBy' n.json)" = Push ] && ok || bad "the new statement decided it: $(jq -c '.properties[0]' n.json)"
replay "$(jq -c '.properties[0].counterexample' n.json)" allow --policy new.regpol
replay "$(jq -c '.properties[0].counterexample' n.json)" deny --policy old.regpol
[ "$(jq -r '.properties[1].result' n.json)" = proved ] && ok || bad "ecr:* for the account covers pull and push: $(jq -c '.properties[1]' n.json)"

# diff --symbolic: both directions, per class of repository names, replayable.
"$regpol" diff old.regpol new.regpol --symbolic --format json > d.json; rc=$?
[ $rc = 0 ] && [ "$(jq -r .result d.json)" = different ] && ok || bad "push added: exit $rc $(cat d.json)"
app=$(jq -c '.repositories[] | select(.repository == "app")' d.json)
[ "$(jq -r .added.result <<< "$app")" = failed ] && [ "$(jq -r .added.allowedBy <<< "$app")" = Push ] && ok || bad "added on app by Push: $app"
[ "$(jq -r .removed.result <<< "$app")" = none ] && ok || bad "nothing removed on app: $app"
replay "$(jq -c .added.request <<< "$app")" allow --policy new.regpol
replay "$(jq -c .added.request <<< "$app")" deny --policy old.regpol
jq -e '[.repositories[] | select(.repository != "app") | .added.result, .removed.result] | all(. == "none")' d.json > /dev/null && ok || bad "other names are not governed by either: $(cat d.json)"
"$regpol" diff new.regpol old.regpol --symbolic --repository app --format json > r.json
[ "$(jq -r '.repositories[0].removed.result' r.json)" = failed ] && [ "$(jq -r '.repositories[0].added.result' r.json)" = none ] && ok || bad "the other way round, push is removed: $(cat r.json)"
replay "$(jq -c '.repositories[0].removed.request' r.json)" allow --policy new.regpol
"$regpol" diff old.regpol old.regpol --symbolic --fail-on-change > s.txt; rc=$?
[ $rc = 0 ] && grep -q "equivalent" s.txt && ok || bad "a policy is equivalent to itself: exit $rc $(cat s.txt)"
"$regpol" diff old.regpol new.regpol --symbolic --fail-on-change > s.txt; rc=$?
[ $rc = 1 ] && grep -q "added: " s.txt && ok || bad "--fail-on-change: exit $rc $(cat s.txt)"
"$regpol" diff old.regpol old.json --symbolic --repository app --format json > j.json; rc=$?
[ $rc = 0 ] && [ "$(jq -r '.repositories[0].added.result' j.json)" = failed ] && ok || bad "an IAM document against a regpol policy: exit $rc $(cat j.json)"
"$regpol" diff old.regpol new.regpol --symbolic --snapshot x.json > /dev/null 2>&1; [ $? = 2 ] && ok || bad "--snapshot with --symbolic is a usage error"

# Hand-written properties with known answers (tests/prove/hand.regpol): each name starts
# with the answer; every counterexample replays to the decision its property says.
hand="$root/tests/prove/hand.regpol"
"$regpol" prove "$hand" --format json > h.json; rc=$?
[ $rc = 1 ] && ok || bad "hand.regpol has failing properties: exit $rc"
n=$(jq '.properties | length' h.json)
[ "$n" -ge 40 ] && ok || bad "at least 40 hand-written properties: $n"
while IFS=$'\t' read -r result name source; do
  [ "${name%%:*}" = "$result" ] && ok || bad "$source \"$name\": $result"
done < <(jq -r '.properties[] | [.result, .name, .source] | @tsv' h.json)
while read -r cex; do
  kind=$(jq -r .kind <<< "$cex")
  want=allow; [ "$kind" = always ] && want=deny
  replay "$(jq -c .request <<< "$cex")" "$want" --policy "$hand"
done < <(jq -c '.properties[] | select(.result == "failed") | {request: .counterexample, kind}' h.json)

# Text form, and `regpol test` running the properties.
"$regpol" prove always.regpol > a.txt; rc=$?
[ $rc = 1 ] && grep -q 'prove "account pulls" (app): failed' a.txt && grep -q 'denied by NoOldIps' a.txt && grep -q 'prove "roles pull" (app): proved for every request' a.txt && ok || bad "text form: $(cat a.txt)"
"$regpol" test always.regpol > t.txt; rc=$?
[ $rc = 1 ] && grep -q '^FAIL  always.regpol:6:3 prove "account pulls"' t.txt && grep -q '^ok    always.regpol:7:3 prove "roles pull"' t.txt && grep -q "1 passed, 1 failed" t.txt && ok || bad "regpol test runs properties: exit $rc $(cat t.txt)"

# Properties regpol cannot prove as written: located errors.
cat > wrong.regpol <<'P'
repository "app" {
  prove "x" for "other/*" { never allow pull to * }
  prove "y" { never deny pull to * }
}
prove "z" { never sid "S" allow pull to * }
prove "w" { never allow pull to * }
prove "w" { never allow push to * }
P
"$regpol" lint wrong.regpol > w.txt 2>&1; rc=$?
[ $rc = 1 ] && ok || bad "lint refuses them (exit $rc)"
grep -q 'wrong.regpol:2:3: error\[E0313\]' w.txt && ok || bad "for in a block: $(cat w.txt)"
grep -q 'wrong.regpol:3:21: error\[E0313\]' w.txt && ok || bad "never deny: $(cat w.txt)"
grep -q 'wrong.regpol:5:19: error\[E0313\]' w.txt && ok || bad "sid: $(cat w.txt)"
grep -q 'wrong.regpol:7:1: error\[E0203\]' w.txt && ok || bad "a name twice: $(cat w.txt)"
"$regpol" prove wrong.regpol > /dev/null 2>&1; [ $? = 3 ] && ok || bad "prove of a policy with errors is bad input (exit 3), nothing proved"
# A property in the defaults block covers only the names no other block matches: the
# public block below is not its business.
cat > defaults.regpol <<'P'
repository "public/*" {
  access {
    allow pull to *
  }
}

defaults {
  access {
    allow pull to account "111122223333"
  }

  prove "defaults are private" { never allow * to not account "111122223333" }
}
P
"$regpol" prove defaults.regpol --format json > df.json; rc=$?
[ $rc = 0 ] && [ "$(jq -r '.properties[0].result' df.json)" = proved ] && ok || bad "a defaults-block property skips names other blocks match: exit $rc $(cat df.json)"
sed 's/allow pull to account "111122223333"/allow pull to */' defaults.regpol > defaults-open.regpol
"$regpol" prove defaults-open.regpol --format json > do.json; rc=$?
case "$(jq -r '.properties[0].counterexample.repository' do.json)" in public/*) bad "the counterexample is a name the defaults do not govern: $(cat do.json)" ;; *) [ $rc = 1 ] && ok || bad "an open defaults block fails: exit $rc $(cat do.json)" ;; esac

# Every file is compiled before anything is proved or printed: a good file first, then a bad
# one, is exit 3 with nothing on stdout (no partial report).
"$regpol" prove policy.regpol wrong.regpol > two.txt 2> two.err; rc=$?
[ $rc = 3 ] && [ ! -s two.txt ] && ok || bad "a good file then a bad one: exit $rc, stdout $(cat two.txt)"

# The file compared with is confined to the import root, and must load.
mkdir -p sub && printf 'repository "app" {\n  prove "p" { no new access than "../old.regpol" }\n}\n' > sub/escape.regpol
"$regpol" prove sub/escape.regpol > e.txt 2>&1; rc=$?
[ $rc = 3 ] && grep -q 'E0206' e.txt && ok || bad "a file outside the import root is refused: exit $rc $(cat e.txt)"
printf 'prove "p" { no new access than "missing.regpol" }\n' > refers.regpol
"$regpol" prove refers.regpol > m.txt 2>&1; rc=$?
[ $rc = 3 ] && ok || bad "a missing file is bad input: exit $rc $(cat m.txt)"

# `on tags` after the principals, as the request-set grammar writes it; twice is an error.
printf 'repository "app" {\n  access {\n    sid "Ci" allow push to arn "arn:aws:iam::111122223333:role/ci" on tags "v*"\n  }\n  prove "ci-only releases" { never allow "ecr:PutImage" to not arn "arn:aws:iam::111122223333:role/ci" on tags "v*" }\n  prove "others push untagged" { never allow "ecr:PutImage" to not arn "arn:aws:iam::111122223333:role/ci" }\n}\n' > tags.regpol
"$regpol" prove tags.regpol --format json > tg.json; rc=$?
[ $rc = 0 ] && [ "$(jq -r '[.properties[].result] | join(" ")' tg.json)" = "proved proved" ] && ok || bad "on tags after the principals: exit $rc $(cat tg.json)"
"$regpol" fmt tags.regpol | grep -q 'allow push on tags "v\*" to arn' && ok || bad "fmt moves on tags before to"
printf 'repository "app" {\n  prove "twice" { never allow push on tags "a" to * on tags "b" }\n}\n' > twice.regpol
"$regpol" lint twice.regpol > tw.txt 2>&1; rc=$?
[ $rc = 3 ] && grep -q 'twice.regpol:2:61: error\[E0101\]' tw.txt && ok || bad "on tags twice: exit $rc $(cat tw.txt)"

# Formatting keeps properties, and fmt is stable on them.
"$regpol" fmt policy.regpol > f1.regpol && "$regpol" fmt f1.regpol > f2.regpol && cmp -s f1.regpol f2.regpol && grep -q 'prove "ci-only releases" for "prod/\*" {' f1.regpol && ok || bad "fmt: $(cat f1.regpol)"

# Usage.
"$regpol" prove > /dev/null 2>&1; [ $? = 2 ] && ok || bad "prove without a file is a usage error"
"$regpol" prove policy.regpol --format xml > /dev/null 2>&1; [ $? = 2 ] && ok || bad "an unknown format is a usage error"
"$regpol" prove --help | grep -q "never reported as proved" && ok || bad "--help"
printf 'repository "a" {\n}\n' > none.regpol
"$regpol" prove none.regpol > none.txt; rc=$?
[ $rc = 0 ] && grep -q "no properties" none.txt && ok || bad "a file without properties: exit $rc $(cat none.txt)"

finish
