"""Shared by the Python test runners (the model-based apply tests, the hostile registries,
the checks of deploy files, SARIF and apply on a terminal):
counting checks with a closing "N passed, N failed" line, random lifecycle policies, and
the journal's one-outcome-per-action check. Import it with the tests folder on sys.path.
"""
import os
import random
import shutil
import socket
import sqlite3
import sys


class Checks:
    """Counts checks; `finish` prints the closing line and exits 1 if any failed."""

    def __init__(self):
        self.passed = 0
        self.failed = 0

    def __call__(self, cond, what):
        if cond:
            self.passed += 1
        else:
            self.failed += 1
            print("FAIL " + what)
        return cond

    def finish(self):
        print("%d passed, %d failed" % (self.passed, self.failed))
        sys.exit(1 if self.failed else 0)


def random_policy(rng, repositories='"team/*"', any_rule=True, optional_previews=True):
    """A lifecycle whose rules select what the random registries hold: releases `v*` kept
    by count, untagged images and `pr-` previews expired by age, protected `keep-*` tags,
    `allow_empty` three times in ten, and sometimes a catch-all age rule."""
    lines = ["repository %s {" % repositories, "  lifecycle {"]
    if rng.random() < 0.3:
        lines.append("    allow_empty")
    if rng.random() < 0.6:
        lines.append('    protect tagged pattern ["keep-*"]')
    lines.append('    rule 1 { select tagged pattern ["v*"] keep newest %d }' % rng.randint(1, 4))
    lines.append("    rule 2 { select untagged expire older than %dd }" % rng.randint(1, 120))
    if not optional_previews or rng.random() < 0.5:
        lines.append('    rule 3 { select tagged prefix ["pr-"] expire older than %dd }' % rng.randint(1, 60))
    if any_rule and rng.random() < 0.5:
        lines.append("    rule 4 { select any expire older than %dd }" % rng.randint(30, 300))
    lines += ["  }", "}", ""]
    return "\n".join(lines)


def check_journal(check, state_db, trial):
    """Every run ended (finished, superseded, refused or failed) and every action of a run
    that was not refused has exactly one outcome in the audit log."""
    st = sqlite3.connect(state_db)
    try:
        for run, status in st.execute("SELECT id, status FROM runs"):
            check(status in ("finished", "superseded", "refused", "failed"), "trial %d: run %d ended %s" % (trial, run, status))
            n = st.execute("SELECT count(*) FROM actions WHERE run = ?", (run,)).fetchone()[0]
            outcomes = {}
            for seq, event in st.execute("SELECT seq, event FROM audit WHERE run = ? AND seq > 0 AND event NOT IN ('sent')", (run,)):
                check(seq not in outcomes, "trial %d: run %d action %d has two outcomes" % (trial, run, seq))
                outcomes[seq] = event
            check(status == "refused" or len(outcomes) == n, "trial %d: run %d: %d outcomes for %d actions" % (trial, run, len(outcomes), n))
    finally:
        st.close()


def stop_and_remove(processes, folder):
    """Stops the servers a test started (by their process) and removes its folder."""
    for p in processes:
        if p.poll() is None:
            p.kill()
            p.wait()
    os.chdir("/")
    shutil.rmtree(folder, ignore_errors=True)


def trials(folder, seed, count):
    """Works in `folder`: yields (trial, rng) `count` times (one generator seeded with `seed`),
    removing the files (not the folders) the previous trial left there first, so that each
    trial starts from its own inputs."""
    os.chdir(folder)
    rng = random.Random(seed)
    for trial in range(count):
        for name in os.listdir("."):
            if os.path.isfile(name):
                os.remove(name)
        yield trial, rng


def report_trials(check, against, seed, count, kills, deletions, unit):
    """The closing line of a model test's trials, and its one check that the trials did
    something: a model test whose plans never delete proves nothing."""
    print("%d trials against %s (seed %d), %d killed and resumed, %d %s deleted" % (count, against, seed, kills, deletions, unit))
    check(deletions > 0, "no trial deleted anything")


def free_port():
    """A port on 127.0.0.1 that nothing listens on now (for a server the test starts)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def ecr_test_env():
    """The environment for regpol against tests/ecr/ecr_endpoint.py: the endpoint's test key,
    region us-east-1, no AWS configuration of the machine, no proxy."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update({"AWS_ACCESS_KEY_ID": "AKIDREGPOLTEST", "AWS_SECRET_ACCESS_KEY": "regpol-test-secret", "AWS_REGION": "us-east-1",
                "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_EC2_METADATA_DISABLED": "true",
                "NO_PROXY": "*", "no_proxy": "*"})
    return env
