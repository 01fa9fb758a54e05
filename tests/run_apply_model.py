#!/usr/bin/env python3
"""Model-based test of apply's act-time invariant against the SQLite store target.

Each trial makes a random registry (tags, untagged images, multi-arch indexes and their
children, signatures with a subject) and a random policy, plans it, then changes the target
between the plan and the apply and again between a random kill (SIGKILL at a fault point)
and the resume: tags added, moved and removed, new indexes and referrers, images deleted by
someone else, repositories emptied. After every apply it checks, against a reference taken
right before that apply (a fresh `regpol plan` of the target as it was then):

- no deletion that the original plan and a fresh plan at that moment would not both make;
- no repository emptied unless its lifecycle says `allow_empty`;
- no image deleted that an index still in the target lists as a child, once the run is over;
- every action of every run has exactly one outcome, and every run ends finished or
  superseded (a resume with changed inputs).

usage: run_apply_model.py REGPOL [TRIALS] [SEED]
(at most 30 trials under the sanitizers, where the plain build already ran them all)
"""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_lib import Checks, check_journal, random_policy, trials as model_trials  # noqa: E402

regpol = os.path.abspath(sys.argv[1])
trials = int(sys.argv[2]) if len(sys.argv) > 2 else 40
seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261202
if os.environ.get("ASAN_OPTIONS"):  # `make test-sanitize`: each regpol run is ~5x slower there
    trials = min(trials, 30)
NOW = "2026-11-27T00:00:00Z"
NOW_US = 1795737600 * 1000000
DAY_US = 86400 * 1000000
IDX = "application/vnd.oci.image.index.v1+json"
MAN = "application/vnd.oci.image.manifest.v1+json"
check = Checks()


def digest(n):
    return "sha256:%064x" % n


def iso(us):
    import datetime
    return datetime.datetime.fromtimestamp(us / 1e6, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def make_registry(rng):
    images, n = [], [0]

    def new(repo, tags, pushed, **extra):
        n[0] += 1
        d = {"repository": repo, "digest": digest(rng.getrandbits(200) ^ n[0]), "tags": tags, "sizeBytes": 1000 + n[0],
             "pushedAt": iso(pushed), "manifestMediaType": MAN}
        d.update(extra)
        images.append(d)
        return d

    for r in range(rng.randint(1, 3)):
        repo = "team/app%d" % r
        used = set()
        for _ in range(rng.randint(3, 12)):
            pushed = NOW_US - rng.randint(0, 400) * DAY_US
            kind = rng.random()
            tags = []
            for _ in range(rng.choice([0, 1, 1, 2])):
                t = rng.choice(["v%d" % rng.randint(1, 30), "pr-%d" % rng.randint(1, 9), "keep-%d" % rng.randint(1, 3), "latest"])
                if t not in used:
                    used.add(t)
                    tags.append(t)
            if kind < 0.2:  # an index with two children, pushed with it
                kids = [new(repo, [], pushed) for _ in range(2)]
                new(repo, tags, pushed, manifestMediaType=IDX, children=[k["digest"] for k in kids])
            elif kind < 0.3 and images:  # a signature of an earlier image of this repository
                subject = rng.choice([i for i in images if i["repository"] == repo] or [None])
                if subject:
                    new(repo, [], pushed, subject=subject["digest"], artifactMediaType="application/vnd.dev.cosign.artifact.sig.v1+json")
            else:
                new(repo, tags, pushed)
    return images


def rows(db):
    c = sqlite3.connect(db)
    out = {}
    for repo, d, tags, children, subject in c.execute(
            "SELECT r.name, i.digest, i.tags, i.children, i.subject FROM images i JOIN repositories r ON r.id = i.repository"):
        out[(repo, d)] = (tags, children or "", subject or "")
    c.close()
    return out


def mutate(db, rng):
    """Someone else changes the registry: one to three changes."""
    c = sqlite3.connect(db)
    imgs = list(c.execute("SELECT repository, digest, tags FROM images"))
    repos = [r for (r,) in c.execute("SELECT id FROM repositories")]
    for _ in range(rng.randint(1, 3)):
        if not imgs:
            break
        op = rng.random()
        rid, d, tags = rng.choice(imgs)
        if op < 0.25:  # a protected or new tag pushed onto an image (moved there if another had it)
            t = rng.choice(["keep-9", "v99", "hotfix", "latest"])
            for orid, od, otags in imgs:
                if orid == rid and t in otags.split("\n"):
                    c.execute("UPDATE images SET tags = ? WHERE repository = ? AND digest = ?",
                              ("\n".join(x for x in otags.split("\n") if x != t), orid, od))
            tags = c.execute("SELECT tags FROM images WHERE repository = ? AND digest = ?", (rid, d)).fetchone()[0]
            c.execute("UPDATE images SET tags = ? WHERE repository = ? AND digest = ?", ("\n".join([x for x in tags.split("\n") if x] + [t]), rid, d))
        elif op < 0.4:  # its tags removed
            c.execute("UPDATE images SET tags = '' WHERE repository = ? AND digest = ?", (rid, d))
        elif op < 0.55:  # deleted by someone else
            c.execute("DELETE FROM images WHERE repository = ? AND digest = ?", (rid, d))
        elif op < 0.75:  # a new index that lists this image as a child
            c.execute("INSERT INTO images (repository, digest, tags, children, pushed_at, manifest_media_type, status) VALUES (?,?,?,?,?,?,0)",
                      (rid, digest(rng.getrandbits(250)), "v1%08x" % rng.getrandbits(32), d, NOW_US + DAY_US, IDX))
        elif op < 0.9:  # a new signature of this image
            c.execute("INSERT INTO images (repository, digest, tags, children, pushed_at, manifest_media_type, subject, status) "
                      "VALUES (?,?,'','',?,?,?,0)", (rid, digest(rng.getrandbits(250)), NOW_US + DAY_US, MAN, d))
        elif repos:  # a repository emptied
            c.execute("DELETE FROM images WHERE repository = ?", (rng.choice(repos),))
        imgs = list(c.execute("SELECT repository, digest, tags FROM images"))
    c.commit()
    c.close()


def plan_expires(policy, db):
    shutil.copy(db, "fresh.db")
    r = subprocess.run([regpol, "plan", "--policy", policy, "--snapshot", "fresh.db", "--now", NOW, "--format", "json"],
                       capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit("plan failed: " + r.stderr)
    return {(i["repository"], i["digest"]) for i in json.loads(r.stdout)["images"] if i["action"] == "expire"}


def apply(policy, snapshot, target, state, kill=None):
    env = dict(os.environ)
    if kill:
        env["REGPOL_TEST_KILL_AT"] = kill
    r = subprocess.run([regpol, "apply", "--policy", policy, "--snapshot", snapshot, "--state", state, "--target", target, "--now", NOW,
                        "--yes", "--batch-size", "2"], capture_output=True, text=True, env=env)
    return r.returncode, r.stdout + r.stderr


def checked_apply(trial, policy, allow_empty, original, kill=None):
    """One apply on t.db with the reference taken right before it; returns its exit code."""
    before = rows("t.db")
    fresh = plan_expires(policy, "t.db")
    code, out = apply(policy, "snap.db", "t.db", "st.db", kill)
    after = rows("t.db")
    deleted = set(before) - set(after)
    check(deleted <= (original & fresh), "trial %d: deleted what a fresh plan would not: %s (%s)" %
          (trial, sorted(deleted - (original & fresh))[:3], out[-300:]))
    for repo in {r for r, _ in before}:
        if any(r == repo for r, _ in before) and not any(r == repo for r, _ in after):
            check(allow_empty or not any(r == repo for r, _ in deleted), "trial %d: %s emptied without allow_empty" % (trial, repo))
    check(code in (0, 1, -9), "trial %d: apply exit %d: %s" % (trial, code, out[-300:]))
    return code, deleted


tmp = tempfile.mkdtemp()
try:
    kills = 0
    for trial, rng in model_trials(tmp, seed, trials):
        images = make_registry(rng)
        with open("snap.json", "w") as f:
            json.dump({"schema": "regpol.snapshot/v1", "capturedAt": "2026-11-26T00:00:00Z", "images": images}, f)
        policy_text = random_policy(rng)
        with open("p.regpol", "w") as f:
            f.write(policy_text)
        if subprocess.run([regpol, "snapshot", "import", "snap.json", "--db", "snap.db"], capture_output=True).returncode != 0:
            raise SystemExit("import failed")
        shutil.copy("snap.db", "t.db")
        original = plan_expires("p.regpol", "snap.db")
        allow_empty = "allow_empty" in policy_text
        if rng.random() < 0.8:
            mutate("t.db", rng)
        kill = None
        if rng.random() < 0.6:
            kill = "%s:%d" % (rng.choice(["before-sent", "after-sent", "after-target", "after-record"]), rng.randint(1, 4))
        code, deleted = checked_apply(trial, "p.regpol", allow_empty, original, kill)
        if code == -9:  # killed by SIGKILL at the fault point: changed again, then resumed
            kills += 1
            if rng.random() < 0.8:
                mutate("t.db", rng)
            code, more = checked_apply(trial, "p.regpol", allow_empty, original)
            deleted |= more
        # Once the run is over, no index left in the target lists an image apply deleted (while
        # a run is cut short, an index it is about to delete may briefly outlive a child).
        kept_children = {c for (tags, children, subject) in rows("t.db").values() for c in children.split("\n") if c}
        check(not any(d in kept_children for _, d in deleted), "trial %d: deleted a child of an index that stays" % trial)
        check_journal(check, "st.db", trial)
    print("%d trials (seed %d), %d killed and resumed" % (trials, seed, kills))
finally:
    os.chdir("/")
    shutil.rmtree(tmp, ignore_errors=True)

check.finish()
