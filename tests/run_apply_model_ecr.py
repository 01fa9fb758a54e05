#!/usr/bin/env python3
"""The model-based apply test (tests/run_apply_model.py), shorter, against the ECR test
endpoint (tests/ecr/ecr_endpoint.py: SigV4 and every body checked with botocore): a random
registry pulled with `snapshot pull ecr`, a random policy, tags moved and removed and
images deleted by someone else between the pull and the apply and between a random SIGKILL
and the resume. After every apply: no deletion that the plan and a fresh plan of the
registry as it was right before that apply would not both make, no repository emptied
without `allow_empty`, and the endpoint saw no request it had to refuse.
usage: run_apply_model_ecr.py REGPOL [TRIALS] [SEED]
"""
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_lib import Checks, ecr_test_env, random_policy, report_trials, stop_and_remove, trials as model_trials  # noqa: E402

regpol = os.path.abspath(sys.argv[1])
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 12
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261202
here = os.path.dirname(os.path.abspath(__file__))
NOW = "2026-11-27T00:00:00Z"
check = Checks()
deletions = 0  # over all trials: the test must have deleted something to mean anything
env = ecr_test_env()
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def endpoint(url, path, doc=None):
    data = None if doc is None else json.dumps(doc).encode()
    with opener.open(urllib.request.Request(url + path, data=data, method="POST" if data else "GET")) as r:
        return json.loads(r.read())


def images_now(url):
    return {(repo, d["imageDigest"]): d for repo, ds in endpoint(url, "/_state")["images"].items() for d in ds}


def fresh_expires(url):
    details = []
    for (repo, _), d in images_now(url).items():
        details.append(dict(d, repositoryName=repo, registryId=d.get("registryId", "123456789012")))
    with open("now.json", "w") as f:
        json.dump({"imageDetails": details}, f)
    r = subprocess.run([regpol, "plan", "--policy", "p.regpol", "--snapshot", "now.json", "--now", NOW, "--format", "json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("plan failed: " + r.stderr)
    return {(i["repository"], i["digest"]) for i in json.loads(r.stdout)["images"] if i["action"] == "expire"}


def mutate(url, rng):
    imgs = images_now(url)
    for _ in range(rng.randint(1, 3)):
        if not imgs:
            return
        (repo, digest), d = rng.choice(sorted(imgs.items()))
        op = rng.random()
        if op < 0.45:  # a tag pushed onto it (moved from whichever image had it)
            t = rng.choice(["keep-9", "v99", "hotfix"])
            for (r2, d2), other in imgs.items():
                if r2 == repo and t in other.get("imageTags", []):
                    endpoint(url, "/_retag", {"repository": repo, "digest": d2, "tags": [x for x in other["imageTags"] if x != t]})
            endpoint(url, "/_retag", {"repository": repo, "digest": digest, "tags": [x for x in d.get("imageTags", []) if x != t] + [t]})
        elif op < 0.65:  # its tags removed
            endpoint(url, "/_retag", {"repository": repo, "digest": digest, "tags": []})
        else:  # deleted by someone else
            endpoint(url, "/_delete", {"repository": repo, "digest": digest})
        imgs = images_now(url)


def checked_apply(trial, url, allow_empty, original, kill=None):
    before = images_now(url)
    fresh = fresh_expires(url)
    e = dict(env)
    if kill:
        e["REGPOL_TEST_KILL_AT"] = kill
    r = subprocess.run([regpol, "apply", "--policy", "p.regpol", "--snapshot", "snap.json", "--state", "st.db", "--target", "ecr",
                        "--endpoint-url", url, "--now", NOW, "--yes", "--batch-size", "3"], capture_output=True, text=True, env=e)
    after = images_now(url)
    deleted = set(before) - set(after)
    global deletions
    deletions += len(deleted)
    check(deleted <= (original & fresh), "trial %d: deleted what a fresh plan would not: %s %s" %
          (trial, sorted(deleted - (original & fresh))[:3], (r.stdout + r.stderr)[-300:]))
    for repo in {k[0] for k in before}:
        if not any(k[0] == repo for k in after) and any(k[0] == repo for k in deleted):
            check(allow_empty, "trial %d: %s emptied without allow_empty" % (trial, repo))
    check(r.returncode in (0, 1, -9), "trial %d: apply exit %d: %s" % (trial, r.returncode, (r.stdout + r.stderr)[-300:]))
    return r.returncode


tmp = tempfile.mkdtemp()
procs = []
try:
    kills = 0
    for trial, rng in model_trials(tmp, seed, trials):
        with open("fixture.json", "w") as f:
            subprocess.run([regpol, "snapshot", "gen", "--repos", str(rng.randint(1, 3)), "--images-per-repo", str(rng.randint(4, 14)),
                            "--seed", str(rng.randint(1, 10 ** 6)), "--format", "regpol"], stdout=f, stderr=subprocess.DEVNULL, check=True)
        proc = subprocess.Popen(["/usr/bin/python3", os.path.join(here, "ecr", "ecr_endpoint.py"), "fixture.json", "port"],
                                stderr=open("endpoint.log", "w"))
        procs.append(proc)
        for _ in range(100):
            if os.path.exists("port") and open("port").read().strip():
                break
            time.sleep(0.1)
        url = "http://127.0.0.1:" + open("port").read().strip()
        with open("p.regpol", "w") as f:
            f.write(random_policy(rng, '"*"', any_rule=False, optional_previews=False))
        allow_empty = "allow_empty" in open("p.regpol").read()
        r = subprocess.run([regpol, "snapshot", "pull", "ecr", "--endpoint-url", url, "--out", "snap.json"], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise SystemExit("pull failed: " + r.stderr)
        original = fresh_expires(url)
        if rng.random() < 0.8:
            mutate(url, rng)
        kill = "%s:%d" % (rng.choice(["before-sent", "after-sent", "after-target", "after-record"]), rng.randint(1, 3)) if rng.random() < 0.6 else None
        if checked_apply(trial, url, allow_empty, original, kill) == -9:
            kills += 1
            if rng.random() < 0.8:
                mutate(url, rng)
            checked_apply(trial, url, allow_empty, original)
        problems = endpoint(url, "/_state")["problems"]
        check(not problems, "trial %d: the endpoint refused requests: %s" % (trial, problems[:3]))
        proc.kill()
        proc.wait()
    report_trials(check, "the ECR endpoint", seed, trials, kills, deletions, "images")
finally:
    stop_and_remove(procs, tmp)

check.finish()
