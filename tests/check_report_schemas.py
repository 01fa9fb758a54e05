#!/usr/bin/env python3
"""Validates regpol's JSON reports against the schemas in docs/ (with Debian's
python3-jsonschema), and checks what a schema cannot: counts add up, every image once.
usage: check_report_schemas.py REGPOL REPO_ROOT"""
import json, os, subprocess, sys, tempfile
import jsonschema

regpol, root = sys.argv[1], sys.argv[2]
failed = passed = 0
def schema(name):
    with open(os.path.join(root, "docs", name)) as f:
        return json.load(f)
def run(*args):
    return json.loads(subprocess.run([regpol, *args], check=True, capture_output=True, text=True).stdout)
def check(what, cond):
    global failed, passed
    if cond: passed += 1
    else: failed += 1; print("FAIL", what)

with tempfile.TemporaryDirectory() as tmp:
    snap = os.path.join(tmp, "snap.json")
    subprocess.run([regpol, "snapshot", "gen", "--repos", "30", "--images-per-repo", "15", "--out", snap], check=True, capture_output=True)
    policy = os.path.join(tmp, "p.regpol")
    with open(policy, "w") as f:
        f.write('repository "*" {\n  lifecycle {\n    rule 1 "untagged" {\n      select untagged\n      expire older than 7d\n    }\n'
                '    rule 2 {\n      select tagged pattern ["v*"]\n      keep newest 2\n    }\n    rule 3 {\n      select any\n'
                '      archive older than 60d\n    }\n    protect tagged pattern ["v1*"]\n  }\n}\n')
    in_use = os.path.join(tmp, "in-use.txt")
    with open(in_use, "w") as f: f.write("nosuch/repo:v1\n")
    common = ["--policy", policy, "--snapshot", snap, "--now", "2026-11-27T00:00:00Z", "--format", "json"]
    plan_schema, summary_schema = schema("plan.schema.json"), schema("plan-summary.schema.json")
    for extra in ([], ["--changes-only"], ["--in-use", in_use]):
        doc = run("plan", *common, *extra)
        try:
            jsonschema.validate(doc, plan_schema); check("plan %s validates" % extra, True)
        except jsonschema.ValidationError as e:
            check("plan %s validates: %s" % (extra, e.message), False)
        s = doc["summary"]
        check("keep + expire + transition = images", s["keep"] + s["expire"] + s["transition"] == s["images"])
        listed = doc["images"]
        if extra == ["--changes-only"]:
            check("--changes-only lists exactly the changes", len(listed) == s["expire"] + s["transition"] and all(i["action"] != "keep" for i in listed))
        else:
            check("every image once", len(listed) == s["images"] and len({(i["repository"], i["digest"]) for i in listed}) == len(listed))
            check("protected counted", sum(1 for i in listed if i["protected"]) == s["protected"])
        check("reclaimed bytes add up", sum(i["sizeBytes"] or 0 for i in listed if i["action"] == "expire") == s["bytesReclaimed"])
    check("protected images exist in this case", run("plan", *common)["summary"]["protected"] > 0)
    summary = run("plan", *common, "--summary")
    try:
        jsonschema.validate(summary, summary_schema); check("summary validates", True)
    except jsonschema.ValidationError as e:
        check("summary validates: " + e.message, False)
    full = run("plan", *common)["summary"]
    for k in ("images", "keep", "expire", "transition", "protected", "bytesReclaimed"):
        check("summary %s matches the report" % k, summary["summary"][k] == full[k] == sum(r[k] for r in summary["repositories"]))
    # The plan artifact (plan --out) and the run history (runs --format json).
    artifact = os.path.join(tmp, "plan-artifact.json")
    subprocess.run([regpol, "plan", *common, "--out", artifact], check=True, capture_output=True)
    with open(artifact) as f:
        art = json.load(f)
    try:
        jsonschema.validate(art, schema("plan-artifact.schema.json")); check("plan artifact validates", True)
    except jsonschema.ValidationError as e:
        check("plan artifact validates: " + e.message, False)
    check("the artifact's actions are the report's changes", len(art["actions"]) == full["expire"] + full["transition"])
    check("the artifact has actions", len(art["actions"]) > 0)
    # The diff report (regpol.diff/v1): the policy above against one that keeps more releases,
    # protects differently and allows a pull; protected images on the new side name their clause.
    newer = os.path.join(tmp, "q.regpol")
    with open(policy) as f:
        text = f.read()
    with open(newer, "w") as f:
        f.write(text.replace("keep newest 2", "keep newest 4").replace('protect tagged pattern ["v1*"]', 'protect tagged pattern ["v2*"]')
                .replace("\n}\n", '\n  access {\n    allow pull to account "111122223333"\n  }\n}\n'))
    requests = os.path.join(tmp, "requests.jsonl")
    with open(requests, "w") as f:
        f.write('{"principal": "arn:aws:iam::111122223333:role/ci", "action": "ecr:BatchGetImage", "repository": "platform/api-0"}\n')
    diff = json.loads(subprocess.run([regpol, "diff", policy, newer, "--snapshot", snap, "--now", "2026-11-27T00:00:00Z", "--format", "json",
                                      "--requests", requests], capture_output=True, text=True).stdout)
    try:
        jsonschema.validate(diff, schema("diff.schema.json")); check("diff validates", True)
    except jsonschema.ValidationError as e:
        check("diff validates: %s at %s" % (e.message, list(e.absolute_path)), False)
    check("the diff has image and access changes", diff["summary"]["changed"] > 0 and diff["access"]["changed"] == 1)
    check("the diff shows a protect clause", any(i["new"]["rule"] and "protect" in i["new"]["rule"] for i in diff["images"]))
    check("the diff's repositories add up", sum(r["changed"] for r in diff["repositories"]) == diff["summary"]["changed"] == len(diff["images"]))
    # Markdown fits a pull-request comment at any size.
    big = os.path.join(tmp, "big.json")
    subprocess.run([regpol, "snapshot", "gen", "--repos", "200", "--images-per-repo", "60", "--out", big], check=True, capture_output=True)
    md = subprocess.run([regpol, "plan", "--policy", policy, "--snapshot", big, "--now", "2026-11-27T00:00:00Z", "--format", "markdown"],
                        check=True, capture_output=True, text=True).stdout
    check("markdown under 65,536 characters (%d)" % len(md), len(md) < 65536)
    check("markdown says how many more changes", "more change" in md and "--changes-only" in md)
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
