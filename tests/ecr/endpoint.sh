# shellcheck shell=bash
# Sourced (after tests/lib.sh) by the runners that talk to the test ECR endpoint: only
# loopback and only the test's credentials, `start_endpoint NAME FIXTURE [OPTIONS...]`
# (sets $url; the endpoint is stopped by its PID on exit) and `state URL` (its /_state).
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done; rm -rf "$tmp"' EXIT

# Only loopback, and only the credentials each case gives.
unset AWS_PROFILE AWS_DEFAULT_REGION AWS_SESSION_TOKEN AWS_ROLE_ARN AWS_WEB_IDENTITY_TOKEN_FILE AWS_CONTAINER_CREDENTIALS_FULL_URI \
  AWS_CONTAINER_CREDENTIALS_RELATIVE_URI AWS_CONTAINER_AUTHORIZATION_TOKEN AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE AWS_ENDPOINT_URL_STS
export AWS_CONFIG_FILE=$tmp/no-config AWS_SHARED_CREDENTIALS_FILE=$tmp/no-credentials AWS_EC2_METADATA_DISABLED=true AWS_REGION=us-east-1
export AWS_ACCESS_KEY_ID=AKIDREGPOLTEST AWS_SECRET_ACCESS_KEY=regpol-test-secret
export NO_PROXY='*' no_proxy='*'

start_endpoint() {  # start_endpoint NAME FIXTURE [OPTIONS...] -> $url
  local name=$1 fixture=$2; shift 2
  rm -f "$name.port"
  /usr/bin/python3 "$(dirname "${BASH_SOURCE[0]}")/ecr_endpoint.py" "$fixture" "$name.port" "$@" 2> "$name.log" &
  pids+=($!)
  for _ in $(seq 100); do [ -s "$name.port" ] && break; sleep 0.1; done
  [ -s "$name.port" ] || { echo "the test endpoint did not start: $(cat "$name.log")"; exit 1; }
  url=http://127.0.0.1:$(cat "$name.port")
}
state() { curl -s --noproxy '*' "$1/_state"; }
