#!/usr/bin/env bash
# Inputs the fuzzers once crashed on (tests/regressions/), each with the answer it must get:
# a located error and exit 3, or formatting that is idempotent.
# usage: run_regressions.sh REGPOL DIR
set -u
regpol=$1; d=$2; pass=0; failed=0
expect() {  # want-exit, description, command...
  local want=$1 what=$2; shift 2
  "$@" >/dev/null 2>&1; local rc=$?
  if [ $rc -eq "$want" ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL $what: exit $rc, want $want"; fi
}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo '{"principal": "arn:aws:iam::1:role/x", "action": "ecr:PutImage", "repository": "r"}' > "$tmp/req.json"
expect 3 "number overflow in an IAM policy" "$regpol" authorize --iam-policy "$d/number-overflow-iam.json" --repository r --request "$tmp/req.json"
expect 3 "number overflow in an ECR lifecycle policy" "$regpol" plan --ecr-lifecycle "$d/number-overflow-lifecycle.json" --snapshot "$d/../snapshots/same/ecr-images.json"
printf '{"principal": "p", "action": "a", "repository": "r", "context": {"n": 1e999999}}\n' > "$tmp/big.json"
echo '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*"}]}' > "$tmp/iam.json"
expect 0 "a valid request against a valid policy" "$regpol" authorize --iam-policy "$tmp/iam.json" --repository r --request "$tmp/req.json"
expect 3 "number overflow in a request" "$regpol" authorize --iam-policy "$tmp/iam.json" --repository r --request "$tmp/big.json"
expect 3 "an epoch date too large for 64 bits" "$regpol" authorize --iam-policy "$d/epoch-date-overflow-iam.json" --repository r --request "$tmp/req.json"
expect 3 "a mangled lifecycle policy" "$regpol" plan --ecr-lifecycle "$d/count-overflow-lifecycle.json" --snapshot "$d/../snapshots/same/ecr-images.json"
printf '{"rules": [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countUnit": "days", "countNumber": 99999999999999}, "action": {"type": "expire"}}]}' > "$tmp/huge.json"
expect 0 "an age of 10^14 days (never elapses)" "$regpol" plan --ecr-lifecycle "$tmp/huge.json" --snapshot "$d/../snapshots/same/ecr-images.json" --now 2026-11-27T00:00:00Z
# The parser fuzzer's timeout: a 24,000-term `or` chain took 11 s to lint (W1011's guard
# checker asked about each chain's left side at every level above it). Now each node once;
# the verdicts at that depth are checked here (the time is in docs/benchmarks.md, not here).
python3 -c "
n = 24000
term = ' or scanned and findings.critical > 0'
print('repository \"*\" {\n  lifecycle {\n    rule 1 {\n      select any where scanned and findings.critical > 0' + term * n + '\n      expire older than 1d\n    }\n  }\n}')" > "$tmp/guarded.regpol"
sed 's/expire older/expire older/; s/findings.critical > 0$/findings.critical > 0 or findings.high > 0/' "$tmp/guarded.regpol" > "$tmp/unguarded.regpol"
g=$("$regpol" lint --format json "$tmp/guarded.regpol" 2>/dev/null | grep -o W1011 | wc -l)
u=$("$regpol" lint --format json "$tmp/unguarded.regpol" 2>/dev/null | grep -o '"W1011"' | wc -l)
if [ "$g" = 0 ] && [ "$u" = 1 ]; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL guard checker at 24,000 terms: $g and $u W1011 (want 0 and 1)"; fi
# The ecr_responses fuzzer's crash: a credential_process printing a string Version threw
# (nlohmann's value() on a wrong type) and aborted. Now a located refusal, exit 3.
printf '[default]\ncredential_process = cat %s\n' "$d/../fuzz/corpus/ecr_responses/version-not-a-number.json" > "$tmp/aws-config"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE AWS_CONFIG_FILE="$tmp/aws-config" AWS_SHARED_CREDENTIALS_FILE="$tmp/none" \
  AWS_EC2_METADATA_DISABLED=true "$regpol" snapshot pull ecr --region us-east-1 --endpoint-url http://127.0.0.1:9 --out "$tmp/x.json" 2> "$tmp/cp.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "credential_process printed an unsupported Version" "$tmp/cp.err"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL credential_process with a string Version: exit $rc $(cat "$tmp/cp.err")"; fi
# A credential_process that prints more than 1 MiB and then sleeps: stopped at the bound
# (reading used to stop there and pclose wait for the sleeper forever).
printf '[default]\ncredential_process = sh -c "head -c 3000000 /dev/zero; sleep 600"\n' > "$tmp/aws-config-big"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY -u AWS_PROFILE AWS_CONFIG_FILE="$tmp/aws-config-big" AWS_SHARED_CREDENTIALS_FILE="$tmp/none" \
  AWS_EC2_METADATA_DISABLED=true timeout 60 "$regpol" snapshot pull ecr --region us-east-1 --endpoint-url http://127.0.0.1:9 --out "$tmp/x.json" 2> "$tmp/cp.err"
rc=$?
if [ $rc -eq 3 ] && grep -q "credential_process printed more than 1 MiB; it was stopped" "$tmp/cp.err"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL credential_process past 1 MiB: exit $rc $(head -c 300 "$tmp/cp.err")"; fi
# A byte-order mark before a comment: spans stay right and fmt is idempotent.
"$regpol" fmt "$d/bom-comment.regpol" > "$tmp/once.regpol"
"$regpol" fmt "$tmp/once.regpol" > "$tmp/twice.regpol"
if cmp -s "$tmp/once.regpol" "$tmp/twice.regpol" && grep -q 'true, false]$' "$tmp/once.regpol"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL bom-comment: fmt not idempotent or comment cut"; fi
# A comment right after a block's `{`: fmt moves it once, then leaves it.
"$regpol" fmt "$d/comment-after-brace.regpol" > "$tmp/once.regpol"
"$regpol" fmt "$tmp/once.regpol" > "$tmp/twice.regpol"
if cmp -s "$tmp/once.regpol" "$tmp/twice.regpol"; then pass=$((pass+1)); else failed=$((failed+1)); echo "FAIL comment-after-brace: fmt not idempotent"; fi
# A request whose aws:CurrentTime is an epoch too large for microseconds (fuzz finding):
# not a date, decided without overflow (the sanitizer run fails on the overflow).
echo '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "ecr:*", "Condition": {"DateGreaterThan": {"aws:CurrentTime": "2026-01-01T00:00:00Z"}}}]}' > "$tmp/date.json"
echo '{"principal": "arn:aws:iam::1:role/x", "action": "ecr:PutImage", "repository": "r", "context": {"aws:CurrentTime": "94161616160000"}}' > "$tmp/far.json"
expect 0 "an epoch aws:CurrentTime beyond year 9999" "$regpol" authorize --iam-policy "$tmp/date.json" --repository r --request "$tmp/far.json"
echo "$pass passed, $failed failed"
[ $failed -eq 0 ]
