#!/usr/bin/python3
"""The request documents of `regpol apply --target actions:DIR`, validated against the ECR
service model of Debian's python3-botocore with botocore's own parameter validator (what
`aws ecr batch-delete-image --cli-input-json` runs before sending).

Debian's botocore (1.29) predates UpdateImageStorageClass (2025), so that operation's input
is checked as a structure of the model's own member shapes (RegistryId, RepositoryName,
ImageIdentifier) plus the documented targetStorageClass enum (STANDARD | ARCHIVE).

usage: check_ecr_action_documents.py REGPOL
"""
import glob
import json
import os
import subprocess
import sys
import tempfile

import botocore.session
from botocore.model import ShapeResolver, StructureShape
from botocore.validate import ParamValidator

regpol = os.path.abspath(sys.argv[1])
failures = []


def check(cond, what):
    if not cond:
        failures.append(what)
        print("FAIL", what)


model = botocore.session.get_session().get_service_model("ecr")
validator = ParamValidator()
delete_shape = model.operation_model("BatchDeleteImage").input_shape

if "UpdateImageStorageClass" in model.operation_names:
    transition_shape = model.operation_model("UpdateImageStorageClass").input_shape
else:
    shapes = dict(model._shape_resolver._shape_map)
    shapes["TargetStorageClass"] = {"type": "string", "enum": ["STANDARD", "ARCHIVE"]}
    shapes["UpdateImageStorageClassRequest"] = {
        "type": "structure",
        "required": ["repositoryName", "imageId", "targetStorageClass"],
        "members": {
            "registryId": {"shape": "RegistryId"},
            "repositoryName": {"shape": "RepositoryName"},
            "imageId": {"shape": "ImageIdentifier"},
            "targetStorageClass": {"shape": "TargetStorageClass"},
        },
    }
    resolver = ShapeResolver(shapes)
    transition_shape = StructureShape("UpdateImageStorageClassRequest", shapes["UpdateImageStorageClassRequest"], resolver)

with tempfile.TemporaryDirectory() as tmp:
    os.chdir(tmp)
    with open("policy.regpol", "w") as f:
        f.write('defaults {\n  lifecycle {\n    rule 1 { select untagged expire older than 1d }\n'
                '    rule 2 { select tagged prefix ["pr-"] archive older than 7d }\n'
                '    rule 3 { select any keep newest 30 }\n  }\n}\n')
    with open("snap.json", "w") as f:
        subprocess.run([regpol, "snapshot", "gen", "--repos", "8", "--images-per-repo", "150", "--seed", "3", "--format", "ecr"],
                       stdout=f, stderr=subprocess.DEVNULL, check=True)
    r = subprocess.run([regpol, "apply", "--policy", "policy.regpol", "--snapshot", "snap.json", "--state", "st.db", "--target",
                        "actions:acts", "--now", "2026-11-27T00:00:00Z", "--yes"], capture_output=True, text=True)
    check(r.returncode == 0, "apply exit %d: %s" % (r.returncode, r.stderr))
    deletes = sorted(glob.glob("acts/run-1-*/delete-*.json"))
    transitions = sorted(glob.glob("acts/run-1-*/transition-*.json"))
    check(len(deletes) >= 3, "only %d delete documents" % len(deletes))
    check(len(transitions) >= 1, "no transition documents")
    full = 0
    for path in deletes:
        doc = json.load(open(path))
        report = validator.validate(doc, delete_shape)
        check(not report.has_errors(), "%s: %s" % (path, report.generate_report()))
        check(1 <= len(doc["imageIds"]) <= 100, "%s: %d image ids (ECR takes 1 to 100)" % (path, len(doc["imageIds"])))
        check(doc.get("registryId") == "123456789012", "%s: registryId from the snapshot" % path)
        full += len(doc["imageIds"]) == 100
    check(full >= 1, "no request reached the 100-id limit (the test should split one)")
    for path in transitions:
        doc = json.load(open(path))
        report = validator.validate(doc, transition_shape)
        check(not report.has_errors(), "%s: %s" % (path, report.generate_report()))
        check(doc["targetStorageClass"] == "ARCHIVE", path)
    # A broken document must fail the same validation (the check can fail).
    bad = {"repositoryName": "platform/api-0", "imageIds": [{"imageDigest": 5}]}
    check(validator.validate(bad, delete_shape).has_errors(), "the validator accepted a malformed request")
    bad_t = {"repositoryName": "platform/api-0", "targetStorageClass": "ARCHIVE"}
    check(validator.validate(bad_t, transition_shape).has_errors(), "the validator accepted a request without imageId")
    # The events: one per action, shaped like EventBridge's `ECR Image Action`.
    events = [json.loads(line) for line in open(glob.glob("acts/run-1-*/events.jsonl")[0])]
    n = sum(len(json.load(open(p))["imageIds"]) for p in deletes) + len(transitions)
    check(len(events) == n, "%d events for %d actions" % (len(events), n))
    for e in events:
        check(e["source"] == "aws.ecr" and e["detail-type"] == "ECR Image Action" and e["version"] == "0", "event envelope %s" % e)
        check(set(e["detail"]) >= {"result", "repository-name", "image-digest", "action-type"}, "event detail %s" % e)
        check(e["detail"]["action-type"] in ("DELETE", "ARCHIVE"), "action-type %s" % e)
    commands = open(glob.glob("acts/run-1-*/commands.sh")[0]).read()
    check(commands.count("aws ecr batch-delete-image --cli-input-json") == len(deletes), "commands.sh lists every delete request")

print("%d delete and %d transition documents checked against the ECR model of botocore %s; %d failures"
      % (len(deletes), len(transitions), botocore.__version__, len(failures)))
sys.exit(1 if failures else 0)
