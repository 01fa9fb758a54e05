#!/usr/bin/env python3
"""Property test of `protect in_use` (docs/in-use.md), against a model written here from the
documented matching rules, not from regpol's code:

1. Whatever the policy says (random rules: expire, archive, keep, untag, by age, count and
   pull time, over any, tagged and untagged selections), no image a workload references is
   expired, archived or untagged, by `plan` or by `apply` on a snapshot store.
2. Exactness: under a policy that expires every image, the images kept are exactly those the
   model says the workloads reference in the snapshot's registry; references to other
   registries, hostless references in kubectl documents (Docker Hub), tags and digests the
   repository does not hold protect nothing.

Each trial draws a snapshot (an ECR registry, a Distribution registry, or one that names no
registry), kubectl documents of random workload kinds and a reference list, all referring
to this registry, to others, and to images that do not exist.
usage: property_in_use.py REGPOL [TRIALS] [SEED]"""
import json
import os
import random
import subprocess
import sys
import tempfile

REGPOL = os.path.abspath(sys.argv[1])
TRIALS = int(sys.argv[2]) if len(sys.argv) > 2 else 60
SEED = int(sys.argv[3]) if len(sys.argv) > 3 else 20261203
NOW = "2026-12-02T00:00:00Z"
ACCOUNT, REGION = "111122223333", "us-east-1"
ECR_HOST = "%s.dkr.ecr.%s.amazonaws.com" % (ACCOUNT, REGION)
OTHER_HOSTS = ["222233334444.dkr.ecr.us-east-1.amazonaws.com", "111122223333.dkr.ecr.eu-west-1.amazonaws.com",
               "ghcr.io", "localhost:5001", "registry.example.com", "docker.io"]
REPOS = ["app", "team/api", "team/web", "library/nginx", "batch/report", "nginx"]
TAGS = ["v1", "v2", "v3", "latest", "stable", "2026-11-01", "nightly"]


def digest(rng):
    return "sha256:" + "".join(rng.choice("0123456789abcdef") for _ in range(64))


def snapshot(rng):
    kind = rng.choice(["ecr", "oci", "none"])
    images = []
    for repo in rng.sample(REPOS, rng.randint(2, len(REPOS))):
        free = list(TAGS)
        rng.shuffle(free)
        for _ in range(rng.randint(1, 6)):
            tags = [free.pop() for _ in range(rng.randint(0, 2)) if free]
            images.append({"repository": repo, "digest": digest(rng), "tags": tags, "sizeBytes": rng.randint(1, 10**8),
                           "pushedAt": "2026-%02d-%02dT00:00:00Z" % (rng.randint(6, 11), rng.randint(1, 28)),
                           **({"lastPulledAt": "2026-11-%02dT00:00:00Z" % rng.randint(1, 28)} if rng.random() < 0.5 else {})})
    doc = {"schema": "regpol.snapshot/v1", "capturedAt": NOW, "images": images}
    if kind == "ecr":
        doc["source"] = "ecr:%s/%s" % (REGION, ACCOUNT)
    elif kind == "oci":
        doc["source"] = "oci://localhost:5000"
    return kind, doc


def own_host(kind):
    return ECR_HOST if kind == "ecr" else "localhost:5000" if kind == "oci" else ECR_HOST


def reference(rng, kind, images):
    """A reference and what the model says it protects: (repo, digest) or None."""
    img = rng.choice(images)
    repo, d = img["repository"], img["digest"]
    how = rng.random()
    host = own_host(kind) if rng.random() < 0.7 else rng.choice(OTHER_HOSTS)
    if how < 0.4 and img["tags"]:
        tail, target = repo + ":" + rng.choice(img["tags"]), (repo, d)
    elif how < 0.75:
        tail, target = repo + "@" + d, (repo, d)
    elif how < 0.85:
        tail, target = repo + ":no-such-tag", None
    else:
        tail, target = repo + "@" + digest(rng), None
    hostless = rng.random() < 0.15
    ref = tail if hostless else host + "/" + tail
    return ref, target, hostless, host


def protects(kind, target, hostless, host, in_list):
    """The model: does this reference protect `target` in this snapshot?"""
    if target is None:
        return False
    if kind == "none":
        return True  # the path alone (a hostless one is read as written, then with library/)
    if hostless:
        return in_list  # a list's hostless line names this registry; kubectl's names Docker Hub
    return host == own_host(kind)


def workloads(rng, kind, images):
    items, protected = [], set()
    for n in range(rng.randint(1, 6)):
        wk = rng.choice(["Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job", "CronJob", "Pod", "ReplicationController"])
        conts = []
        for c in range(rng.randint(1, 3)):
            ref, target, hostless, host = reference(rng, kind, images)
            conts.append({"name": "c%d" % c, "image": ref})
            if protects(kind, target, hostless, host, False):
                protected.add(target)
        spec = {"containers": conts}
        if rng.random() < 0.3:
            ref, target, hostless, host = reference(rng, kind, images)
            spec["initContainers"] = [{"name": "init", "image": ref}]
            if protects(kind, target, hostless, host, False):
                protected.add(target)
        meta = {"name": "w%d" % n, "namespace": "ns"}
        if wk == "Pod":
            item = {"apiVersion": "v1", "kind": "Pod", "metadata": meta, "spec": spec}
        elif wk == "CronJob":
            item = {"apiVersion": "batch/v1", "kind": wk, "metadata": meta,
                    "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": spec}}}}}
        else:
            item = {"apiVersion": "apps/v1", "kind": wk, "metadata": meta, "spec": {"replicas": rng.randint(0, 3), "template": {"spec": spec}}}
        items.append(item)
    items.append({"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"}, "spec": {}})
    rng.shuffle(items)
    return {"apiVersion": "v1", "kind": "List", "items": items}, protected


def reference_list(rng, kind, images):
    lines, protected = ["# deployed"], set()
    for _ in range(rng.randint(0, 4)):
        ref, target, hostless, host = reference(rng, kind, images)
        lines.append(ref)
        if protects(kind, target, hostless, host, True):
            protected.add(target)
    return "\n".join(lines) + "\n", protected


def random_policy(rng):
    rules = []
    for p in range(1, rng.randint(2, 5)):
        sel = rng.choice(["select any", "select untagged", 'select tagged pattern ["v*"]', 'select tagged prefix ["s"]',
                          'select tagged pattern ["*"]'])
        act = rng.choice(["expire older than %dd" % rng.randint(1, 60), "expire all but newest %d" % rng.randint(1, 3),
                          "archive older than %dd" % rng.randint(1, 90), "archive all but newest %d" % rng.randint(1, 3),
                          "keep newest %d" % rng.randint(1, 3), "expire unpulled for %dd" % rng.randint(1, 30)])
        if act.startswith("keep") and sel == "select untagged":
            sel = "select any"
        rules.append((p * 10, sel, act))
    if rng.random() < 0.4:
        rules.append((900, 'select tagged pattern ["*"]', "untag older than %dd" % rng.randint(1, 60)))
    text = 'repository "*" {\n  lifecycle {\n'
    for prio, sel, act in rules:
        text += "    rule %d {\n      %s\n      %s\n    }\n" % (prio, sel, act)
    return text + "    protect in_use\n    allow_empty\n  }\n}\n"


EXPIRE_ALL = 'repository "*" {\n  lifecycle {\n    rule 1 {\n      select any\n      expire older than 1d\n    }\n    protect in_use\n    allow_empty\n  }\n}\n'


def run(args, check=True):
    r = subprocess.run([REGPOL] + args, capture_output=True, text=True)
    if check and r.returncode != 0:
        raise AssertionError("regpol %s: exit %d\n%s" % (" ".join(args), r.returncode, r.stderr[-2000:]))
    return r


def main():
    rng = random.Random(SEED)
    failures, checked_images, applied = 0, 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        for trial in range(TRIALS):
            kind, snap = snapshot(rng)
            files, protected = [], set()
            for n in range(rng.randint(1, 2)):
                doc, p = workloads(rng, kind, snap["images"])
                path = os.path.join(tmp, "k8s-%d-%d.json" % (trial, n))
                with open(path, "w") as f:
                    json.dump(doc, f)
                files.append(path)
                protected |= p
            text, p = reference_list(rng, kind, snap["images"])
            path = os.path.join(tmp, "list-%d.txt" % trial)
            with open(path, "w") as f:
                f.write(text)
            files.append(path)
            protected |= p
            snap_path = os.path.join(tmp, "snap-%d.json" % trial)
            with open(snap_path, "w") as f:
                json.dump(snap, f)
            in_use = sum((["--in-use", x] for x in files), [])
            where = "trial %d (seed %d, %s snapshot)" % (trial, SEED, kind)
            # 1. Whatever the policy says: nothing referenced goes, is archived or loses a tag.
            policy = os.path.join(tmp, "p-%d.regpol" % trial)
            with open(policy, "w") as f:
                f.write(random_policy(rng))
            plan = json.loads(run(["plan", "--policy", policy, "--snapshot", snap_path, "--now", NOW, "--format", "json"] + in_use).stdout)
            for img in plan["images"]:
                if (img["repository"], img["digest"]) in protected and img["action"] != "keep":
                    failures += 1
                    print("FAIL %s: %s@%s is in use but the plan says %s\n%s" % (where, img["repository"], img["digest"], img["action"], open(policy).read()))
            checked_images += len(plan["images"])
            # ... nor does apply, on a snapshot store.
            if trial % 4 == 0:
                db = os.path.join(tmp, "st-%d.db" % trial)
                run(["snapshot", "import", snap_path, "--db", db])
                run(["apply", "--policy", policy, "--snapshot", db, "--state", os.path.join(tmp, "state-%d.db" % trial), "--target", db,
                     "--now", NOW, "--yes", "--max-delete-percent", "100"] + in_use)
                after = json.loads(run(["plan", "--policy", EXPIRE_ALL_PATH, "--snapshot", db, "--now", NOW, "--format", "json"]).stdout)
                left = {(i["repository"], i["digest"]): i for i in after["images"]}
                for target in protected:
                    if target not in left:
                        failures += 1
                        print("FAIL %s: apply deleted %s@%s, which is in use" % (where, *target))
                    elif left[target].get("storageClass", "standard") != "standard":
                        failures += 1
                        print("FAIL %s: apply archived %s@%s, which is in use" % (where, *target))
                applied += 1
            # 2. Exactness: with every image old and a rule that expires them all, the kept
            # images are exactly the protected ones.
            plan = json.loads(run(["plan", "--policy", EXPIRE_ALL_PATH, "--snapshot", snap_path, "--now", NOW, "--format", "json"] + in_use).stdout)
            kept = {(i["repository"], i["digest"]) for i in plan["images"] if i["action"] == "keep"}
            if kept != protected:
                failures += 1
                print("FAIL %s: kept %s, the model protects %s" % (where, sorted(kept - protected), sorted(protected - kept)))
                for x in files:
                    print("  " + x + ": " + open(x).read()[:3000])
    print("%d trials, %d images checked, %d applies, %d failures" % (TRIALS, checked_images, applied, failures))
    return 1 if failures else 0


if __name__ == "__main__":
    with tempfile.NamedTemporaryFile("w", suffix=".regpol", delete=False) as f:
        f.write(EXPIRE_ALL)
        EXPIRE_ALL_PATH = f.name
    try:
        sys.exit(main())
    finally:
        os.unlink(EXPIRE_ALL_PATH)
