#!/usr/bin/env python3
"""The nightly command (`regpol apply --pull`) killed with SIGKILL at random moments, night
after night, while the registry changes between nights (new pushes, tags moved, images
deleted by someone else): against the ECR test endpoint with throttling
(tests/ecr/ecr_endpoint.py, SigV4 and bodies checked with botocore) and against Debian's
docker-registry (a real Distribution registry on 127.0.0.1, stopped by its PID).

Each registry's nights go on until KILLS of them were killed (at a journal step, or by a
timer at any instant). Checked after every night: nothing was deleted that a fresh plan of
the registry as it was right before that night would not delete, and the command needed no
person (exit 0, 1 refused with nothing changed, 4 stopped, or killed; never 5 or an
abandon). Then, with the registry left alone, one night without a kill: every run of the
state database ended and each action has exactly one outcome, and that night leaves
exactly what an uninterrupted night leaves (the fresh plan's deletions, all of them), after
which a further night deletes nothing.
usage: run_nightly_kills.py REGPOL [KILLS_PER_REGISTRY] [SEED]
"""
import hashlib
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_lib import Checks, check_journal, ecr_test_env, free_port, random_policy, stop_and_remove  # noqa: E402

regpol = os.path.abspath(sys.argv[1])
kills_wanted = int(sys.argv[2]) if len(sys.argv) > 2 else 25
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261203
here = os.path.dirname(os.path.abspath(__file__))
check = Checks()
opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
STEPS = ["before-sent", "after-sent", "after-target", "after-record"]


def night(argv, env, rng=None):
    """One run of the nightly command, killed (at a journal step or after a random delay)
    two times in three when given `rng`. Returns its exit code (-9: killed) and its output."""
    e = dict(env)
    how = rng.random() if rng else 1.0
    if how < 0.33:
        e["REGPOL_TEST_KILL_AT"] = "%s:%d" % (rng.choice(STEPS), rng.randint(1, 3))
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=e)
    if 0.33 <= how < 0.67:
        try:
            out, _ = proc.communicate(timeout=rng.uniform(0.0, 0.4))
            return proc.returncode, out
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
    out, _ = proc.communicate()
    return proc.returncode, out


def plan_expires(policy, snapshot, env):
    r = subprocess.run([regpol, "plan", "--policy", policy, "--snapshot", snapshot, "--format", "json"], capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise SystemExit("plan failed: " + r.stderr)
    return {(i["repository"], i["digest"]) for i in json.loads(r.stdout)["images"] if i["action"] == "expire"}


class Registry:
    """What the nights need of a registry: its images now, a fresh plan of it, changes by
    someone else, and the nightly command line."""

    def nights(self, name, rng, env):
        kills = deletions = 0
        nights = 0
        while kills < kills_wanted and nights < 4 * kills_wanted:
            nights += 1
            self.mutate(rng)
            before = self.images()
            fresh = self.fresh_expires(env)
            code, out = night(self.command(), env, rng)
            deleted = before - self.images()
            if os.environ.get("REGPOL_TEST_VERBOSE"):
                print("%s night %d: exit %d, %d images, %d deleted, %d in the fresh plan" % (name, nights, code, len(before), len(deleted), len(fresh)))
            deletions += len(deleted)
            kills += code == -9
            check(deleted <= fresh, "%s night %d: deleted what a fresh plan would not: %s\n%s" % (name, nights, sorted(deleted - fresh)[:3], out[-400:]))
            check(code in (0, 1, 4, -9), "%s night %d: exit %d needs a person: %s" % (name, nights, code, out[-400:]))
            check(code != 1 or not deleted, "%s night %d: refused, yet deleted %d" % (name, nights, len(deleted)))
        check(kills == kills_wanted, "%s: %d kills in %d nights" % (name, kills, nights))
        # Left alone: one night without a kill ends every run and leaves what an
        # uninterrupted night leaves; the next deletes nothing.
        before = self.images()
        fresh = self.fresh_expires(env)
        code, out = night(self.command(), env)
        deleted = before - self.images()
        check(code in (0, 1), "%s final night: exit %d: %s" % (name, code, out[-400:]))
        check(deleted == (fresh if code == 0 else set()), "%s final night: deleted %d, a fresh plan deletes %d: %s" %
              (name, len(deleted), len(fresh), out[-400:]))
        check_journal(check, "state.db", 0)
        code, out = night(self.command(), env)
        again = self.images()
        check(code in (0, 1) and again == before - deleted, "%s: a further night deleted %d: %s" % (name, len(before - deleted - again), out[-300:]))
        print("%s: %d nights, %d killed, %d images deleted, final night %d" % (name, nights, kills, deletions + len(deleted), len(deleted)))
        check(deletions + len(deleted) > 0, name + ": the nights deleted nothing, so they tested nothing")


class Ecr(Registry):
    def __init__(self, rng, procs):
        with open("fixture.json", "w") as f:
            subprocess.run([regpol, "snapshot", "gen", "--repos", "3", "--images-per-repo", "14", "--seed", str(rng.randint(1, 10 ** 6)),
                            "--format", "regpol"], stdout=f, stderr=subprocess.DEVNULL, check=True)
        proc = subprocess.Popen(["/usr/bin/python3", os.path.join(here, "ecr", "ecr_endpoint.py"), "fixture.json", "ecr.port", "--throttle-every", "9"],
                                stderr=open("endpoint.log", "w"))
        procs.append(proc)
        for _ in range(100):
            if os.path.exists("ecr.port") and open("ecr.port").read().strip():
                break
            time.sleep(0.1)
        self.url = "http://127.0.0.1:" + open("ecr.port").read().strip()
        self.pushes = 0

    def call(self, path, doc=None):
        data = None if doc is None else json.dumps(doc).encode()
        with opener.open(urllib.request.Request(self.url + path, data=data, method="POST" if data else "GET")) as r:
            return json.loads(r.read())

    def details(self):
        """Each image's describe-images detail, with the children of an index (as a pull reads them)."""
        st = self.call("/_state")
        return {(repo, d["imageDigest"]): dict(d, **({"children": st["children"][repo][d["imageDigest"]]} if d["imageDigest"] in st["children"].get(repo, {}) else {}))
                for repo, ds in st["images"].items() for d in ds}

    def images(self):
        return set(self.details())

    def fresh_expires(self, env):
        with open("now.json", "w") as f:
            json.dump({"imageDetails": [dict(d, repositoryName=r) for (r, _), d in self.details().items()]}, f)
        return plan_expires("ecr.regpol", "now.json", env)

    def mutate(self, rng):
        imgs = sorted(self.details().items())
        for _ in range(rng.randint(1, 8)):
            if not imgs:
                return
            (repo, digest), d = rng.choice(imgs)
            op = rng.random()
            if op < 0.6:  # a new image, pushed up to 200 days ago (CI builds, previews, releases)
                self.pushes += 1
                tags = [rng.choice(["v%d" % (100 + self.pushes), "pr-%d" % self.pushes, "keep-%d" % self.pushes])] if rng.random() < 0.7 else []
                self.call("/_push", {"repository": repo, "digest": "sha256:" + hashlib.sha256(b"push-%d" % self.pushes).hexdigest(),
                                     "tags": tags, "sizeBytes": 1000 + self.pushes, "pushedAt": time.time() - rng.uniform(0, 200) * 86400})
            elif op < 0.85:  # a tag moved onto it
                t = rng.choice(["keep-9", "v99", "hotfix"])
                for (r2, d2), other in imgs:
                    if r2 == repo and t in other.get("imageTags", []):
                        self.call("/_retag", {"repository": repo, "digest": d2, "tags": [x for x in other["imageTags"] if x != t]})
                self.call("/_retag", {"repository": repo, "digest": digest, "tags": [x for x in d.get("imageTags", []) if x != t] + [t]})
            else:  # deleted by someone else
                self.call("/_delete", {"repository": repo, "digest": digest})
            imgs = sorted(self.details().items())

    def command(self):
        return [regpol, "apply", "--pull", "--policy", "ecr.regpol", "--state", "state.db", "--target", "ecr", "--endpoint-url", self.url,
                "--yes", "--batch-size", "2", "--progress-every", "0s"]


OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
ACCEPT = ", ".join([OCI_MANIFEST, "application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.v2+json",
                    "application/vnd.docker.distribution.manifest.list.v2+json"])


class Distribution(Registry):
    def __init__(self, rng, procs):
        self.port = free_port()
        with open("registry.yml", "w") as f:
            subprocess.run(["bash", os.path.join(here, "oci", "registry_config.sh"), os.path.abspath("registry-data"), str(self.port)], stdout=f, check=True)
        procs.append(subprocess.Popen(["docker-registry", "serve", "registry.yml"], stdout=open("registry.log", "w"), stderr=subprocess.STDOUT))
        self.base = "http://127.0.0.1:%d" % self.port
        for _ in range(100):
            try:
                opener.open(self.base + "/v2/")
                break
            except OSError:
                time.sleep(0.1)
        subprocess.run(["/usr/bin/python3", os.path.join(here, "oci", "populate.py"), "--registry", "127.0.0.1:%d" % self.port, "--out", "made.json"],
                       check=True, capture_output=True)
        self.pushes = 0

    def request(self, method, path, data=None, headers=None):
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with opener.open(req) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def pull(self, out, env):
        r = subprocess.run([regpol, "snapshot", "pull", "oci://127.0.0.1:%d" % self.port, "--out", out, "--replace"], capture_output=True, text=True, env=env)
        if r.returncode != 0:
            raise SystemExit("pull failed: " + r.stderr)
        with open(out) as f:
            return json.load(f)["images"]

    def images(self):
        return {(i["repository"], i["digest"]) for i in self.pull("seen.json", os.environ)}

    def fresh_expires(self, env):
        self.pull("now.json", env)
        return plan_expires("oci.regpol", "now.json", env)

    def mutate(self, rng):
        images = [i for i in self.pull("seen.json", os.environ) if i.get("tags")]
        for _ in range(rng.randint(1, 8)):
            if not images:
                return
            img = rng.choice(images)
            repo, op = img["repository"], rng.random()
            if op < 0.6:  # a new image: a config of its own over a layer the repository has
                self.pushes += 1
                layers = [b for b in img["layers"] if b["mediaType"].endswith("tar+gzip")][:1]
                if not layers:
                    continue
                created = "2026-%02d-01T00:00:00Z" % rng.randint(1, 11)
                config = json.dumps({"architecture": "amd64", "os": "linux", "created": created, "push": self.pushes,
                                     "rootfs": {"type": "layers", "diff_ids": [layers[0]["digest"]]}}).encode()
                digest = "sha256:" + hashlib.sha256(config).hexdigest()
                status, headers, _ = self.request("POST", "/v2/%s/blobs/uploads/" % repo, b"")
                location = headers.get("Location", "")
                location = location[len(self.base):] if location.startswith("http") else location
                status, _, _ = self.request("PUT", location + ("&" if "?" in location else "?") + "digest=" + digest, config,
                                            {"Content-Type": "application/octet-stream"})
                if status != 201:
                    raise SystemExit("config upload: HTTP %d" % status)
                manifest = json.dumps({"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                                       "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest, "size": len(config)},
                                       "layers": [{"mediaType": layers[0]["mediaType"], "digest": layers[0]["digest"], "size": layers[0]["size"]}]}).encode()
                tag = rng.choice(["v%d" % (100 + self.pushes), "pr-%d" % (100 + self.pushes), "keep-%d" % self.pushes])
                self.request("PUT", "/v2/%s/manifests/%s" % (repo, tag), manifest, {"Content-Type": OCI_MANIFEST})
            elif op < 0.85:  # a tag moved onto it
                status, headers, body = self.request("GET", "/v2/%s/manifests/%s" % (repo, img["digest"]), headers={"Accept": ACCEPT})
                if status == 200:
                    self.request("PUT", "/v2/%s/manifests/%s" % (repo, rng.choice(["keep-9", "v99", "hotfix"])), body,
                                 {"Content-Type": headers.get("Content-Type", OCI_MANIFEST)})
            else:  # deleted by someone else (an image deleted earlier this night answers 404)
                self.request("DELETE", "/v2/%s/manifests/%s" % (repo, img["digest"]))

    def command(self):
        return [regpol, "apply", "--pull", "--policy", "oci.regpol", "--state", "state.db", "--target", "oci://127.0.0.1:%d" % self.port,
                "--yes", "--batch-size", "2", "--progress-every", "0s"]


tmp = tempfile.mkdtemp()
procs = []
try:
    rng = random.Random(seed)
    env = ecr_test_env()
    os.environ.update(NO_PROXY="*", no_proxy="*")
    for name, kind, repositories in (("ecr", Ecr, '"*"'), ("distribution", Distribution, '"team/*"')):
        folder = os.path.join(tmp, name)
        os.makedirs(folder)
        os.chdir(folder)
        with open(("ecr" if name == "ecr" else "oci") + ".regpol", "w") as f:
            f.write(random_policy(rng, repositories, any_rule=False, optional_previews=False))
        kind(rng, procs).nights(name, rng, env)
        for p in procs:
            p.kill()
            p.wait()
        procs.clear()
    print("seed %d" % seed)
finally:
    os.chdir("/")
    stop_and_remove(procs, tmp)

check.finish()
