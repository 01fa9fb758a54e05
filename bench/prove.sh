#!/usr/bin/env bash
# `regpol prove` on regpol policies of 50 access statements (issue #26): one property per
# file, so each run is one property's whole process (start, parse, compile, build the
# candidates, search, replay), over 40 generated policies x 4 kinds of property (never,
# always, never with a condition, no new access than the policy before). Target: p50 <= 20
# ms and p95 <= 100 ms on 2 cores. Counts the answers too (a benchmark where every answer
# is `unknown` would measure nothing).
# Run from the repository root after `make`.
set -euo pipefail
out=bench/out/prove; rm -rf "$out"; mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import json, random, statistics, subprocess, sys, time
out = sys.argv[1]
rng = random.Random(2026)
accounts = ["111122223333", "444455556666", "777788889999", "123456789012"]
def principal():
    k = rng.randrange(6)
    a = rng.choice(accounts)
    if k == 0: return "*"
    if k == 1: return 'account "%s"' % a
    if k == 2: return 'arn "arn:aws:iam::%s:role/%s"' % (a, rng.choice(["ci", "deploy", "admin", "reader"]))
    if k == 3: return 'account "%s", account "%s"' % (a, rng.choice(accounts))
    if k == 4: return 'service "%s"' % rng.choice(["lambda.amazonaws.com", "codebuild.amazonaws.com"])
    return 'org "%s"' % rng.choice(["o-abc", "o-def"])
actions = ["pull", "push", "delete", '"ecr:*"', '"ecr:Batch*"', '"ecr:Get*"', '"ecr:Describe*"', '"ecr:?etRepositoryPolicy"', '"ecr:List*"']
def clause():
    k = rng.randrange(8)
    if k == 0: return ' when aws:PrincipalOrgID == "%s"' % rng.choice(["o-abc", "o-def"])
    if k == 1: return ' unless aws:SourceVpce like "vpce-%d*"' % rng.randrange(3)
    if k == 2: return ' unless aws:PrincipalArn like "arn:aws:iam::%s:role/%s-*"' % (rng.choice(accounts), rng.choice(["ci", "break-glass"]))
    if k == 3: return ' when aws:SourceIp IpAddress "10.%d.0.0/16"' % rng.randrange(4)
    if k == 4: return ' when aws:SecureTransport Bool "true"'
    if k == 5: return ' when aws:CurrentTime DateLessThan "2027-0%d-01T00:00:00Z"' % (1 + rng.randrange(9))
    return ""
def statement(i):
    effect = "deny" if rng.random() < 0.25 else "allow"
    return '    sid "S%d" %s %s to %s%s' % (i, effect, ", ".join(rng.sample(actions, rng.randrange(1, 3))), principal(), clause())
properties = [
    lambda prev: 'never allow * to not account "111122223333", org "o-abc"',
    lambda prev: 'always allow "ecr:BatchGetImage" to org "o-abc"',
    lambda prev: 'never allow delete to * unless aws:PrincipalOrgID == "o-abc"',
    lambda prev: 'no new access than "%s"' % prev,
]
runs = []
for n in range(40):
    body = "\n".join(statement(i) for i in range(50))
    for k, prop in enumerate(properties):
        name = "policy-%02d-%d.regpol" % (n, k)
        prev = "policy-%02d-0.regpol" % (n - 1 if n else 39)
        with open("%s/%s" % (out, name), "w") as f:
            f.write('policy "bench"\n\nrepository "app" {\n  access {\n%s\n  }\n\n  prove "p%d" { %s }\n}\n' % (body, k, prop(prev)))
        runs.append(name)
times, results = [], {}
for name in runs:
    start = time.perf_counter()
    p = subprocess.run(["build/regpol", "prove", "%s/%s" % (out, name), "--format", "json"], capture_output=True, text=True)
    times.append((time.perf_counter() - start) * 1000)
    r = json.loads(p.stdout)["properties"][0]["result"] if p.returncode in (0, 1) else "exit %d" % p.returncode
    results[r] = results.get(r, 0) + 1
times.sort()
p95 = times[int(round(0.95 * (len(times) - 1)))]
print("properties: %d (policies of 50 statements x 4 kinds); answers: %s" % (len(times), ", ".join("%s %d" % kv for kv in sorted(results.items()))))
print("whole process per property: p50 %.1f ms, p95 %.1f ms, max %.1f ms" % (statistics.median(times), p95, times[-1]))
PY
