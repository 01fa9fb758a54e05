#!/usr/bin/env python3
"""Writes OUT/requests.jsonl (N access requests) and OUT/iam-{10,100,1000}.json (IAM
repository policies with that many statements) for bench/run. Deterministic."""
import json, random, sys

out, n = sys.argv[1], int(sys.argv[2])
rng = random.Random(1)
actions = ["ecr:PutImage", "ecr:BatchGetImage", "ecr:BatchDeleteImage", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload"]
def principal():
    return "arn:aws:iam::%d:role/r%d" % (100000000000 + rng.randrange(50), rng.randrange(20))
for count in (10, 100, 1000):
    statements = []
    for i in range(count):
        statements.append({"Sid": "S%d" % i, "Effect": "Deny" if rng.randrange(10) == 0 else "Allow",
                           "Principal": {"AWS": principal()}, "Action": rng.choice(actions),
                           "Condition": {"IpAddress": {"aws:SourceIp": "10.%d.0.0/16" % rng.randrange(256)}}})
    with open("%s/iam-%d.json" % (out, count), "w") as f:
        json.dump({"Version": "2012-10-17", "Statement": statements}, f)
with open("%s/requests.jsonl" % out, "w") as f:
    for _ in range(n):
        f.write(json.dumps({"principal": principal(), "action": rng.choice(actions), "repository": "team/app",
                            "context": {"aws:SourceIp": "10.%d.1.2" % rng.randrange(256)}}) + "\n")
