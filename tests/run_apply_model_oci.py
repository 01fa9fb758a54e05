#!/usr/bin/env python3
"""The model-based apply test (tests/run_apply_model.py), shorter, against a real OCI
Distribution registry (Debian's docker-registry, one per trial, on 127.0.0.1, stopped by
its PID). Each trial pushes a random registry through the registry's API (tagged images,
multi-arch indexes with untagged children, cosign-style signatures with an OCI 1.1
`subject`, and a repository `other/app` outside the target's prefix in half the trials),
pulls it with `snapshot pull oci://`, writes a random policy, then changes the registry
between the pull and the apply and again between a random SIGKILL and the resume: tags
pushed onto images (moved from others), tags taken away, images deleted by someone else,
new indexes listing an image, new signatures, repositories emptied.

The registry's own answers are the truth (HEAD of every manifest the test pushed); a fresh
`snapshot pull` + `plan` right before each apply is the reference. After every apply:
- no deletion that the original plan and the fresh plan would not both make;
- no repository emptied (nothing left that a pull sees) without `allow_empty`;
- nothing deleted outside the target's prefix;
- once the run is over, no index still in the registry lists a deleted child;
- every action has exactly one outcome; every run ends finished, superseded, refused or
  failed.
usage: run_apply_model_oci.py REGPOL [TRIALS] [SEED]
"""
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
sys.path.insert(0, os.path.join(here, "oci"))
import populate  # noqa: E402  (tests/oci/populate.py: the image maker and the push API)
from model_lib import Checks, check_journal, free_port, random_policy, report_trials, stop_and_remove, trials as model_trials  # noqa: E402

regpol = os.path.abspath(sys.argv[1])
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 8
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261202
NOW = datetime.datetime(2026, 11, 27, tzinfo=datetime.timezone.utc)
check = Checks()
os.environ.update({"NO_PROXY": "*", "no_proxy": "*"})
for k in ("REGPOL_REGISTRY_USERNAME", "REGPOL_REGISTRY_PASSWORD"):
    os.environ.pop(k, None)
direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))
urllib.request.install_opener(direct)  # populate.Api uses urlopen: loopback, never a proxy


def start_registry(folder):
    port = free_port()
    os.makedirs(os.path.join(folder, "data"))
    config = subprocess.run(["bash", os.path.join(here, "oci", "registry_config.sh"), os.path.join(folder, "data"), str(port)],
                            capture_output=True, text=True, check=True).stdout
    with open(os.path.join(folder, "config.yml"), "w") as f:
        f.write(config)
    proc = subprocess.Popen(["docker-registry", "serve", os.path.join(folder, "config.yml")],
                            stdout=subprocess.DEVNULL, stderr=open(os.path.join(folder, "registry.log"), "w"))
    for _ in range(200):
        try:
            direct.open("http://127.0.0.1:%d/v2/" % port, timeout=2).close()
            return proc, port
        except (urllib.error.URLError, ConnectionError):
            time.sleep(0.05)
    proc.kill()
    raise SystemExit("the registry did not start: " + open(os.path.join(folder, "registry.log")).read())


class World:
    """What the test pushed, by digest: the objects (to push again under another tag or
    as a child) and the repository each lives in."""

    def __init__(self, api, rng):
        self.api, self.rng, self.maker = api, rng, populate.Maker()
        self.objects = {}  # (repo, digest) -> populate object
        self.serial = 0

    def push(self, repo, tag, obj):
        populate.push_direct(self.api, self.maker, repo, tag, obj)
        self.objects[(repo, obj["digest"])] = obj
        for ch in obj.get("children", []):
            self.objects[(repo, ch["digest"])] = ch

    def image(self, days_old, arch="amd64"):
        self.serial += 1
        created = (NOW - datetime.timedelta(days=days_old)).strftime("%Y-%m-%dT%H:%M:%SZ")
        return self.maker.image(created, [self.maker.layer("layer-%d-%d" % (self.rng.getrandbits(40), self.serial), 64)], arch)

    def exists(self, repo, digest):
        obj = self.objects[(repo, digest)]
        status, _, _ = self.api.request("HEAD", "/v2/%s/manifests/%s" % (repo, digest), headers={"Accept": obj["mediaType"]})
        if status not in (200, 404):
            raise SystemExit("HEAD %s@%s: HTTP %d" % (repo, digest, status))
        return status == 200

    def alive(self):
        return {k for k in self.objects if self.exists(*k)}

    def tag_of_fresh_image(self, repo, tag):
        """Pushes a new image onto `tag`, which takes the tag away from whichever had it."""
        self.push(repo, tag, self.image(self.rng.randint(0, 30)))

    def retag(self, repo, digest, tag):
        """Pushes the manifest again under `tag`; the registry refuses an index whose child
        someone deleted (MANIFEST_BLOB_UNKNOWN), and then nothing changes."""
        obj = self.objects[(repo, digest)]
        status, _, body = self.api.request("PUT", "/v2/%s/manifests/%s" % (repo, tag), self.maker.blobs.data[digest],
                                           {"Content-Type": obj["mediaType"]})
        if status != 201 and b"MANIFEST_BLOB_UNKNOWN" not in body:
            raise SystemExit("PUT %s:%s: HTTP %d %s" % (repo, tag, status, body[:200]))

    def delete(self, repo, digest):
        status, _, body = self.api.request("DELETE", "/v2/%s/manifests/%s" % (repo, digest))
        if status not in (202, 404):
            raise SystemExit("DELETE %s@%s: HTTP %d %s" % (repo, digest, status, body[:200]))


def populate_registry(world, rng, repos):
    for repo in repos:
        used = set()
        for _ in range(rng.randint(3, 8)):
            kind = rng.random()
            tags = []
            for _ in range(rng.choice([1, 1, 2])):
                t = rng.choice(["v%d" % rng.randint(1, 30), "pr-%d" % rng.randint(1, 9), "keep-%d" % rng.randint(1, 3), "latest"])
                if t not in used:
                    used.add(t)
                    tags.append(t)
            if not tags:
                continue
            age = rng.randint(0, 400)
            if kind < 0.2:  # a multi-arch index with two untagged children
                obj = world.maker.index([(world.image(age, "amd64"), "amd64"), (world.image(age, "arm64"), "arm64")])
            elif kind < 0.3:  # a signature of an earlier image of this repository, cosign's tag
                subjects = [o for (r, _), o in world.objects.items() if r == repo and o["mediaType"] == populate.OCI_MANIFEST
                            and not o.get("subject")]
                if not subjects:
                    continue
                subject = rng.choice(subjects)
                world.push(repo, "sha256-%s.sig" % subject["digest"][7:], world.maker.signature(subject, "s%d" % rng.getrandbits(32)))
                continue
            else:
                obj = world.image(age)
            world.push(repo, tags[0], obj)
            for t in tags[1:]:
                world.retag(repo, obj["digest"], t)


def mutate(world, rng, repos):
    """Someone else changes the registry: one to three changes."""
    for _ in range(rng.randint(1, 3)):
        alive = sorted(k for k in world.alive() if k[0] in repos)
        if not alive:
            return
        repo, digest = rng.choice(alive)
        obj = world.objects[(repo, digest)]
        op = rng.random()
        if op < 0.3:  # a protected or new tag pushed onto it (moved there if another had it)
            world.retag(repo, digest, rng.choice(["keep-9", "v99", "hotfix", "latest"]))
        elif op < 0.45:  # a tag taken away: pushed onto a new image instead
            world.tag_of_fresh_image(repo, rng.choice(["latest", "v%d" % rng.randint(1, 30), "pr-%d" % rng.randint(1, 9)]))
        elif op < 0.6:  # deleted by someone else
            world.delete(repo, digest)
        elif op < 0.75 and obj["mediaType"] == populate.OCI_MANIFEST and not obj.get("subject"):
            # a new multi-arch index that lists it as a child
            world.push(repo, "v1%08x" % rng.getrandbits(32), world.maker.index([(obj, "amd64")]))
        elif op < 0.9 and obj["mediaType"] == populate.OCI_MANIFEST and not obj.get("subject"):
            # a new signature of it
            world.push(repo, "sha256-%s.sig" % digest[7:], world.maker.signature(obj, "s%d" % rng.getrandbits(32)))
        else:  # its repository emptied
            for k in world.alive():
                if k[0] == repo:
                    world.delete(*k)


def pull(target, out):
    r = subprocess.run([regpol, "snapshot", "pull", target, "--out", out, "--replace"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("pull failed: " + r.stderr)
    with open(out) as f:
        return json.load(f)


def plan_expires(snapshot):
    r = subprocess.run([regpol, "plan", "--policy", "p.regpol", "--snapshot", snapshot, "--now", NOW.strftime("%Y-%m-%dT%H:%M:%SZ"),
                        "--format", "json"], capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("plan failed: " + r.stderr)
    return {(i["repository"], i["digest"]) for i in json.loads(r.stdout)["images"] if i["action"] == "expire"}


def visible(doc):
    return {(i["repository"], i["digest"]) for i in doc["images"]}


def checked_apply(trial, world, target, allow_empty, original, kill=None):
    before = world.alive()
    seen_before = visible(pull(target, "now.json"))
    fresh = plan_expires("now.json")
    env = dict(os.environ)
    if kill:
        env["REGPOL_TEST_KILL_AT"] = kill
    r = subprocess.run([regpol, "apply", "--policy", "p.regpol", "--snapshot", "snap.json", "--state", "st.db", "--target", target,
                        "--now", NOW.strftime("%Y-%m-%dT%H:%M:%SZ"), "--yes", "--batch-size", "1"], capture_output=True, text=True, env=env)
    out = (r.stdout + r.stderr)[-400:]
    after = world.alive()
    deleted = before - after
    check(deleted <= (original & fresh), "trial %d: deleted what a fresh plan would not: %s (%s)" %
          (trial, sorted(deleted - (original & fresh))[:3], out))
    check(all(repo.startswith(target.split("/", 3)[3] + "/") for repo, _ in deleted) if target.count("/") > 2 else True,
          "trial %d: deleted outside %s: %s" % (trial, target, sorted(deleted)[:3]))
    seen_after = visible(pull(target, "after.json"))
    for repo in {r for r, _ in seen_before}:
        if not any(r == repo for r, _ in seen_after) and any(r == repo for r, _ in deleted):
            check(allow_empty, "trial %d: %s emptied without allow_empty (%s)" % (trial, repo, out))
    check(r.returncode in (0, 1, -9), "trial %d: apply exit %d: %s" % (trial, r.returncode, out))
    return r.returncode, deleted


tmp = tempfile.mkdtemp()
registries = []
try:
    kills = deletions = 0
    for trial, rng in model_trials(tmp, seed, trials):
        folder = os.path.join(tmp, "trial%d" % trial)
        proc, port = start_registry(folder)
        registries.append(proc)
        world = World(populate.Api("http://127.0.0.1:%d" % port), rng)
        repos = ["team/app%d" % r for r in range(rng.randint(1, 2))]
        outside = rng.random() < 0.5
        populate_registry(world, rng, repos + (["other/app"] if outside else []))
        # With a repository outside the prefix, the target (and the pull) name the prefix,
        # and the policy reaches every repository: the prefix alone must bound apply.
        target = "oci://127.0.0.1:%d/team" % port if outside else "oci://127.0.0.1:%d" % port
        policy = random_policy(rng, '"*"' if outside else '"team/*"')
        with open("p.regpol", "w") as f:
            f.write(policy)
        allow_empty = "allow_empty" in policy
        pull(target, "snap.json")
        original = plan_expires("snap.json")
        outside_before = {k for k in world.alive() if k[0] == "other/app"}
        if rng.random() < 0.8:
            mutate(world, rng, repos)
        kill = None
        if rng.random() < 0.6:
            kill = "%s:%d" % (rng.choice(["before-sent", "after-sent", "after-target", "after-record"]), rng.randint(1, 2))
        code, deleted = checked_apply(trial, world, target, allow_empty, original, kill)
        if code == -9:  # killed at the fault point: changed again, then resumed
            kills += 1
            if rng.random() < 0.8:
                mutate(world, rng, repos)
            code, more = checked_apply(trial, world, target, allow_empty, original)
            deleted |= more
        deletions += len(deleted)
        alive = world.alive()
        kept_children = {ch["digest"] for k, o in world.objects.items() if k in alive for ch in o.get("children", [])}
        check(not any(d in kept_children for _, d in deleted), "trial %d: deleted a child of an index that stays" % trial)
        check(outside_before <= alive, "trial %d: other/app lost images outside the target's prefix" % trial)
        check_journal(check, "st.db", trial)
        proc.kill()
        proc.wait()
    report_trials(check, "docker-registry", seed, trials, kills, deletions, "manifests")
finally:
    stop_and_remove(registries, tmp)

check.finish()
