#!/usr/bin/env bash
# Tag-immutability sequences through `regpol authorize --policy --requests`, one decision
# per request in order, with tag state carried from request to request and from --snapshot.
# Expected (worked out by hand from language.md section 3):
#   1 push v1->aaa            allow   (new tag)
#   2 push v1->bbb            deny    tag-immutable (v1 names aaa)
#   3 push v1->aaa            allow   (same digest re-pushed)
#   4 push latest->aaa        allow   (excluded tag)
#   5 push latest->bbb        allow   (excluded tags may move)
#   6 push dev-7->ccc         allow
#   7 push dev-7->ddd         allow   (excluded by dev-*)
#   8 push prod-1 by ci       deny    explicit-deny (the on-tags statement)
#   9 push prod-1 by release  implicit deny (no allow for that role)
#  10 push old->fff           deny    tag-immutable (old names old0 in the snapshot)
#  11 scratch a->1            allow   (mutable repository)
#  12 scratch a->2            allow   (mutable: overwrite allowed)
#  13 scratch release-1->1    allow
#  14 scratch release-1->2    deny    tag-immutable (release-* is the exception of a mutable repository)
# usage: run_access_sequences.sh REGPOL DIR
set -u
regpol=$1; d=$2
want='allow/allowed
deny/tag-immutable
allow/allowed
allow/allowed
allow/allowed
allow/allowed
allow/allowed
deny/explicit-deny
deny/implicit-deny
deny/tag-immutable
allow/allowed
allow/allowed
allow/allowed
deny/tag-immutable'
got=$("$regpol" authorize --policy "$d/mutability.regpol" --requests "$d/sequence.jsonl" --snapshot "$d/snapshot.json" --now 2026-11-27T00:00:00Z | jq -r '"\(.decision)/\(.reason)"')
if [ "$got" = "$want" ]; then echo "1 passed, 0 failed"; else diff <(echo "$want") <(echo "$got"); echo "0 passed, 1 failed"; exit 1; fi
"$regpol" authorize --policy "$d/mutability.regpol" --requests "$d/sequence.jsonl" --snapshot "$d/snapshot.json" --fail-on-deny >/dev/null
[ $? -eq 1 ] || { echo "FAIL --fail-on-deny should exit 1"; exit 1; }
# CloudTrail: ECR events only, account-level calls skipped; the assumed-role session is the CI role.
got=$("$regpol" authorize --policy "$d/mutability.regpol" --requests "$d/cloudtrail.json" | jq -r '"\(.decision)/\(.reason)"' | tr '\n' ' ')
[ "$got" = "allow/allowed deny/implicit-deny " ] || { echo "FAIL cloudtrail: $got"; exit 1; }
summary=$("$regpol" authorize --policy "$d/mutability.regpol" --requests "$d/cloudtrail.json" --summary --format json | jq -c '[.requests, .denied, .groups[0].denies]')
[ "$summary" = "[2,1,1]" ] || { echo "FAIL summary: $summary"; exit 1; }
# A pretty-printed CloudTrail file is still recognised as CloudTrail.
got=$(jq . "$d/cloudtrail.json" | "$regpol" authorize --policy "$d/mutability.regpol" --requests /dev/stdin | jq -r .decision | tr '\n' ' ')
[ "$got" = "allow deny " ] || { echo "FAIL pretty cloudtrail: $got"; exit 1; }
# A malformed request after good ones: exit 3, the line named, and no decision printed at
# all (decisions are held back until the whole log has been read).
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
{ head -3 "$d/sequence.jsonl"; echo '{"principal": "arn:aws:iam::1:role/x", "action": 7}'; } > "$tmp/bad.jsonl"
"$regpol" authorize --policy "$d/mutability.regpol" --requests "$tmp/bad.jsonl" > "$tmp/out" 2> "$tmp/err"
rc=$?
[ $rc -eq 3 ] || { echo "FAIL malformed request: exit $rc, want 3"; exit 1; }
[ ! -s "$tmp/out" ] || { echo "FAIL malformed request: decisions were printed"; cat "$tmp/out"; exit 1; }
grep -q 'bad.jsonl:4: ' "$tmp/err" || { echo "FAIL malformed request: line not named"; cat "$tmp/err"; exit 1; }
# CloudTrail records whose fields have the wrong type are located errors (exit 3), never
# dropped or decided as if the field were absent.
n=0
for mutation in '.Records[0].requestParameters.repositoryName = 5' '.Records[0].userIdentity.arn = 12' \
                '.Records[0].eventTime = 17' '.Records[0].eventTime = "yesterday"' '.Records[0].eventName = null' \
                '.Records[0].requestParameters = "x"' '.Records[0].sourceIPAddress = []'; do
  jq "$mutation" "$d/cloudtrail.json" > "$tmp/ct.json"
  "$regpol" authorize --policy "$d/mutability.regpol" --requests "$tmp/ct.json" > "$tmp/out" 2> "$tmp/err"; rc=$?
  { [ $rc -eq 3 ] && [ ! -s "$tmp/out" ] && grep -q 'Records\[0\]' "$tmp/err"; } || { echo "FAIL cloudtrail $mutation: exit $rc"; cat "$tmp/err"; exit 1; }
  n=$((n + 1))
done
# ECR's own field names work: the second push of a tag to another digest is denied by
# immutability however the request spells the tag.
printf '%s\n' '{"principal": "arn:aws:iam::123456789012:role/ci", "action": "ecr:PutImage", "repositoryName": "backend/api", "imageTag": "v9", "imageDigest": "sha256:1111111111111111111111111111111111111111111111111111111111111111"}' \
               '{"principal": "arn:aws:iam::123456789012:role/ci", "action": "ecr:PutImage", "repository": "backend/api", "imageTag": "v9", "imageDigest": "sha256:2222222222222222222222222222222222222222222222222222222222222222"}' > "$tmp/ecr-names.jsonl"
got=$("$regpol" authorize --policy "$d/mutability.regpol" --requests "$tmp/ecr-names.jsonl" | jq -r .reason | tr '\n' ' ')
[ "$got" = "allowed tag-immutable " ] || { echo "FAIL ECR field names: $got"; exit 1; }
n=$((n + 1))
# Unknown fields, and one field under both names, are located errors.
for line in '{"principal": "p", "action": "ecr:PutImage", "repository": "r", "imagetag": "v1"}' \
            '{"principal": "p", "action": "ecr:PutImage", "repository": "r", "tag": "v1", "imageTag": "v2"}'; do
  printf '%s\n' "$line" > "$tmp/bad-field.jsonl"
  "$regpol" authorize --policy "$d/mutability.regpol" --requests "$tmp/bad-field.jsonl" > "$tmp/out" 2> "$tmp/err"; rc=$?
  { [ $rc -eq 3 ] && grep -q 'bad-field.jsonl:1: ' "$tmp/err"; } || { echo "FAIL request $line: exit $rc"; cat "$tmp/err"; exit 1; }
  n=$((n + 1))
done
echo "$((5 + n)) passed, 0 failed"
