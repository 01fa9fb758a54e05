#!/usr/bin/env bash
# `regpol check` on repository policies of 50 statements (issue #26): per property, the
# whole process (start, read, build the candidates, solve, replay), over 40 generated
# policies x 3 checks. Target: p50 <= 20 ms and p95 <= 100 ms on 2 cores. Also counts the
# answers (a benchmark where every answer is `unknown` would measure nothing).
# Run from the repository root after `make`.
set -euo pipefail
out=bench/out/check; rm -rf "$out"; mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import json, random, statistics, subprocess, sys, time
out = sys.argv[1]
rng = random.Random(26)
accounts = ["111122223333", "444455556666", "777788889999", "123456789012"]
def principal():
    k = rng.randrange(6)
    a = rng.choice(accounts)
    if k == 0: return "*"
    if k == 1: return {"AWS": a}
    if k == 2: return {"AWS": "arn:aws:iam::%s:role/%s" % (a, rng.choice(["ci", "deploy", "admin", "reader"]))}
    if k == 3: return {"AWS": ["arn:aws:iam::%s:root" % a, rng.choice(accounts)]}
    if k == 4: return {"Service": rng.choice(["lambda.amazonaws.com", "codebuild.amazonaws.com"])}
    return {"AWS": "arn:aws:iam::%s:user/u%d" % (a, rng.randrange(5))}
actions = ["ecr:*", "ecr:Batch*", "ecr:BatchGetImage", "ecr:BatchDeleteImage", "ecr:PutImage", "ecr:Get*", "ecr:Describe*",
           "ecr:InitiateLayerUpload", "ecr:UploadLayerPart", "ecr:CompleteLayerUpload", "ecr:?etRepositoryPolicy", "ecr:List*"]
def condition():
    k = rng.randrange(9)
    if k == 0: return {"StringEquals": {"aws:PrincipalOrgID": rng.choice(["o-abc", "o-def"])}}
    if k == 1: return {"StringNotLikeIfExists": {"aws:SourceVpce": "vpce-%d*" % rng.randrange(3)}}
    if k == 2: return {"ArnNotLike": {"aws:PrincipalArn": "arn:aws:iam::%s:role/%s-*" % (rng.choice(accounts), rng.choice(["ci", "break-glass"]))}}
    if k == 3: return {"IpAddress": {"aws:SourceIp": ["10.%d.0.0/16" % rng.randrange(4), "192.168.%d.0/24" % rng.randrange(4)]}}
    if k == 4: return {"ForAllValues:StringLike": {"aws:TagKeys": ["team", "cost-*"]}}
    if k == 5: return {"Bool": {"aws:SecureTransport": "true"}}
    if k == 6: return {"DateLessThan": {"aws:CurrentTime": "2027-0%d-01T00:00:00Z" % (1 + rng.randrange(9))}}
    if k == 7: return {"ArnLike": {"aws:SourceArn": "arn:aws:lambda:*:%s:function:*" % rng.choice(accounts)}}
    return None
def statement(i):
    s = {"Sid": "S%d" % i, "Effect": "Deny" if rng.random() < 0.25 else "Allow", "Principal": principal(),
         "Action": rng.sample(actions, rng.randrange(1, 4))}
    c = condition()
    if c: s["Condition"] = c
    return s
files = []
for n in range(40):
    path = "%s/policy-%02d.json" % (out, n)
    json.dump({"Version": "2012-10-17", "Statement": [statement(i) for i in range(50)]}, open(path, "w"))
    files.append(path)
checks = [["access-not-granted", "--action", "ecr:BatchDeleteImage"], ["no-public-access"], ["no-new-access", "--existing", None]]
times, results = [], {}
for i, f in enumerate(files):
    for c in checks:
        args = [a if a is not None else files[i - 1] for a in c]
        start = time.perf_counter()
        p = subprocess.run(["build/regpol", "check"] + args + [f, "--repository", "app", "--format", "json"], capture_output=True, text=True)
        times.append((time.perf_counter() - start) * 1000)
        r = json.loads(p.stdout)["result"] if p.returncode in (0, 1) else "exit %d" % p.returncode
        results[r] = results.get(r, 0) + 1
times.sort()
p95 = times[int(round(0.95 * (len(times) - 1)))]
print("checks: %d (policies of 50 statements x 3 checks); answers: %s" % (len(times), ", ".join("%s %d" % kv for kv in sorted(results.items()))))
print("whole process per check: p50 %.1f ms, p95 %.1f ms, max %.1f ms" % (statistics.median(times), p95, times[-1]))
PY
