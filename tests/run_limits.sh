#!/usr/bin/env bash
# The size limits of docs/limits.md: each reader stops at its limit with a message and
# exit 3 (endless inputs such as /dev/zero included), never runs away with memory or time.
# usage: run_limits.sh REGPOL
set -u
regpol=$1
pass=0; failed=0
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
expect() {  # want-exit, message-pattern, description, command...
  local want=$1 pattern=$2 what=$3; shift 3
  timeout 60 "$@" > "$tmp/out" 2>&1; local rc=$?
  if [ $rc -eq "$want" ] && { [ -z "$pattern" ] || grep -q -- "$pattern" "$tmp/out"; }; then pass=$((pass+1));
  else failed=$((failed+1)); echo "FAIL $what: exit $rc (want $want), output:"; head -c 400 "$tmp/out"; echo; fi
}
echo '{"Version": "2012-10-17", "Statement": []}' > "$tmp/iam.json"
echo '{"principal": "arn:aws:iam::1:role/x", "action": "ecr:PutImage", "repository": "r"}' > "$tmp/req.json"
# A policy one byte over 16 MiB (a long comment), and one at the limit that is valid.
{ printf 'repository "*" { }\n#'; head -c $((16 * 1024 * 1024 - 21)) /dev/zero | tr '\0' 'x'; printf '\n'; } > "$tmp/at.regpol"
{ cat "$tmp/at.regpol"; printf 'x'; } > "$tmp/over.regpol"
mkdir -p "$tmp/dir"

expect 3 'larger than 16 MiB' "lint /dev/zero" "$regpol" lint /dev/zero
expect 3 'larger than 16 MiB' "a policy over 16 MiB" "$regpol" lint "$tmp/over.regpol"
expect 0 '' "a policy of exactly 16 MiB" "$regpol" lint "$tmp/at.regpol"
expect 3 'is a directory' "a directory as the policy" "$regpol" lint "$tmp/dir"
expect 3 'is a directory' "a directory given to plan" "$regpol" plan --policy "$tmp/dir" --snapshot "$tmp/iam.json"
printf 'import "over" as big\nrepository "*" { }\n' > "$tmp/imports-big.regpol"
expect 1 'E0202' "an imported module over 16 MiB" "$regpol" lint "$tmp/imports-big.regpol"
expect 3 'larger than 64 MiB' "an IAM policy from /dev/zero" "$regpol" authorize --iam-policy /dev/zero --repository r --request "$tmp/req.json"
expect 3 'larger than 64 MiB' "a request from /dev/zero" "$regpol" authorize --iam-policy "$tmp/iam.json" --repository r --request /dev/zero
expect 3 'longer than 1 MiB' "a request log from /dev/zero" "$regpol" authorize --iam-policy "$tmp/iam.json" --repository r --requests /dev/zero
expect 3 'larger than 64 MiB' "an ECR lifecycle policy from /dev/zero" "$regpol" plan --ecr-lifecycle /dev/zero --snapshot "$tmp/iam.json"
expect 0 'allow\|deny' "a normal request log" "$regpol" authorize --iam-policy "$tmp/iam.json" --repository r --requests "$tmp/req.json"
# 100,000 nested arrays or objects where a reader expects none (an unknown field, a
# condition value, a request's context): a located error, exit 3, never a crash.
deep() { head -c 100000 /dev/zero | tr '\0' "$1"; }
digest=sha256:$(printf '1%.0s' $(seq 64))
for open_close in '[]' '{}'; do
  o=${open_close:0:1}; c=${open_close:1:1}
  if [ "$o" = '{' ]; then inner=$(deep '{' | sed 's/{/{"a":/g')1$(deep '}'); else inner=$(deep '[')1$(deep ']'); fi
  printf '{"imageDetails":[{"repositoryName":"app","imageDigest":"%s","imagePushedAt":"2026-01-01T00:00:00Z","imageSizeInBytes":1,"extra":%s}]}' "$digest" "$inner" > "$tmp/deep.json"
  expect 3 'nested deeper than 128' "snapshot stats on $o-nesting in an unknown field" "$regpol" snapshot stats "$tmp/deep.json"
  expect 3 'nested deeper than 128' "plan on $o-nesting in an unknown field" "$regpol" plan --policy "$tmp/at.regpol" --snapshot "$tmp/deep.json"
  printf '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":"*","Action":"ecr:*","Condition":{"StringEquals":{"aws:x":%s}}}]}' "$inner" > "$tmp/deep-iam.json"
  expect 3 'E0405' "an IAM condition value with $o-nesting" "$regpol" authorize --iam-policy "$tmp/deep-iam.json" --repository r --request "$tmp/req.json"
  printf '{"principal":"arn:aws:iam::1:role/x","action":"ecr:PutImage","repository":"r","context":{"k":%s}}\n' "$inner" > "$tmp/deep-req.json"
  expect 3 'context value' "a request context with $o-nesting" "$regpol" authorize --iam-policy "$tmp/iam.json" --repository r --requests "$tmp/deep-req.json"
  printf '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"imageCountMoreThan","countNumber":1,"x":%s},"action":{"type":"expire"}}]}' "$inner" > "$tmp/deep-lc.json"
  expect 3 'E0404' "an ECR lifecycle policy with $o-nesting" "$regpol" plan --ecr-lifecycle "$tmp/deep-lc.json" --snapshot "$tmp/deep.json"
done
# Sizes at ECR's largest add up exactly (128-bit totals), in the plan report and in stats.
max=9223372036854775807
printf '{"imageDetails":[%s]}' "$(for i in 1 2 3; do printf '{"repositoryName":"app","imageDigest":"sha256:%064d","imagePushedAt":"2020-01-01T00:00:00Z","imageSizeInBytes":%s}' $i $max; [ $i -lt 3 ] && printf ,; done)" > "$tmp/big.json"
echo '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"any","countType":"sinceImagePushed","countUnit":"days","countNumber":1},"action":{"type":"expire"}}]}' > "$tmp/all.json"
expect 0 '"bytesReclaimed": 27670116110564327421,' "three images of 2^63-1 bytes: exact total" "$regpol" plan --ecr-lifecycle "$tmp/all.json" --snapshot "$tmp/big.json" --format json --now 2026-11-27T00:00:00Z
expect 0 '"bytes": 2.767011611056' "stats of three images of 2^63-1 bytes: no wrap" "$regpol" snapshot stats "$tmp/big.json" --format json
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
