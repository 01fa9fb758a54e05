#!/usr/bin/env python3
"""Hostile registries and endpoints (tests/hostile/hostile_server.py, on 127.0.0.1, started
and stopped by PID here): endless and looping pagination, a huge manifest, a slow answer,
names made to escape a URL, an ECR endpoint that repeats its nextToken or answers 64 MiB,
and a registry that echoes the credentials it got into its error. Each pull or apply must
end with a clear error (exit code and words), within a stated time and peak memory, send no
request built from a hostile name, and print or store no credential.
usage: run_hostile.py REGPOL"""
import base64
import os
import sqlite3
import subprocess
import sys
import tempfile
import time

regpol = os.path.abspath(sys.argv[1])
here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, here)
from model_lib import Checks, stop_and_remove  # noqa: E402
check = Checks()
# What a pull of these tiny registries may use, whatever they send (today: under 50 MiB).
# A sanitizer build (`make test-sanitize` sets ASAN_OPTIONS) keeps shadow memory and a
# quarantine of freed blocks: there the bound only has to catch unbounded growth.
MAX_RSS_MB = 1024 if os.environ.get("ASAN_OPTIONS") else 200


def start(mode, tmp):
    port_file, log_file = os.path.join(tmp, mode + ".port"), os.path.join(tmp, mode + ".log")
    proc = subprocess.Popen([sys.executable, os.path.join(here, "hostile", "hostile_server.py"), mode, port_file, log_file])
    for _ in range(100):
        if os.path.exists(port_file):
            return proc, open(port_file).read().strip(), log_file
        time.sleep(0.05)
    proc.kill()
    raise SystemExit("the hostile server (%s) did not start" % mode)


def run_measured(args, env=None, timeout=120):
    """Like run, with the peak resident memory of the process (wait4's rusage)."""
    started = time.monotonic()
    p = subprocess.Popen([regpol] + args, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, env=dict(os.environ, **(env or {})))
    out_chunks = []
    deadline = started + timeout
    os.set_blocking(p.stdout.fileno(), False)
    while True:
        try:
            chunk = p.stdout.read()
            if chunk:
                out_chunks.append(chunk)
        except BlockingIOError:
            pass
        pid, status, usage = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            p.kill()
            pid, status, usage = os.wait4(p.pid, 0)
            return -1, b"".join(out_chunks).decode(errors="replace"), time.monotonic() - started, usage.ru_maxrss / 1024
        time.sleep(0.05)
    rest = p.stdout.read()
    if rest:
        out_chunks.append(rest)
    code = os.waitstatus_to_exitcode(status)
    return code, b"".join(out_chunks).decode(errors="replace"), time.monotonic() - started, usage.ru_maxrss / 1024


tmp = tempfile.mkdtemp()
servers = []
try:
    os.chdir(tmp)
    # Each OCI case: pull, expecting a failure that says what happened, bounded in time and memory.
    cases = [
        ("endless-tags", "more than 100000 pages or 1000000 tags", 60),
        ("looping-link", "leads back to a page already read", 20),
        ("huge-manifest", "passed its size bound", 30),
        ("hostile-names", "which is not a tag name", 20),
    ]
    for mode, words, limit in cases:
        proc, port, log = start(mode, tmp)
        servers.append(proc)
        code, out, secs, rss = run_measured(["snapshot", "pull", "oci://127.0.0.1:" + port, "--out", mode + ".json"], timeout=limit + 30)
        check(code == 3 and words in out, "%s: exit %d, expected 3 and %r: %s" % (mode, code, words, out[-400:]))
        check(secs < limit, "%s: took %.1f s (limit %d s)" % (mode, secs, limit))
        check(0 < rss < MAX_RSS_MB, "%s: peak memory %.0f MiB (limit %d MiB)" % (mode, rss, MAX_RSS_MB))
        check(not os.path.exists(mode + ".json"), "%s: a snapshot was written" % mode)
        print("%-16s exit %d in %5.1f s, peak %5.1f MiB" % (mode, code, secs, rss))
        proc.kill()
        proc.wait()
        if mode == "hostile-names":
            requests = open(log).read()
            check("/manifests/" not in requests and "X-Injected" not in requests,
                  "hostile-names: a request was built from a hostile tag: " + requests)

    # A slow registry (one byte a second) holds the pull no longer than --deadline; exit 4:
    # the registry could not answer now, and a later run tries again.
    proc, port, log = start("slow", tmp)
    servers.append(proc)
    code, out, secs, rss = run_measured(["snapshot", "pull", "oci://127.0.0.1:" + port, "--deadline", "8s", "--out", "slow.json"], timeout=60)
    check(code == 4 and "deadline" in out and "a later run tries again" in out and secs < 15, "slow: exit %d in %.1f s: %s" % (code, secs, out[-300:]))
    print("%-16s exit %d in %5.1f s, peak %5.1f MiB" % ("slow", code, secs, rss))
    proc.kill()
    proc.wait()

    # ECR endpoints: a nextToken repeated forever, and an answer of 64 MiB.
    aws_env = {"AWS_ACCESS_KEY_ID": "AKIDHOSTILETEST", "AWS_SECRET_ACCESS_KEY": "hostile-secret-key-for-tests",
               "AWS_REGION": "us-east-1", "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
               "AWS_EC2_METADATA_DISABLED": "true"}
    for mode, words, limit in [("ecr-repeat-token", "sent a nextToken it had sent before", 20), ("ecr-huge", "passed its size bound", 30)]:
        proc, port, log = start(mode, tmp)
        servers.append(proc)
        code, out, secs, rss = run_measured(["snapshot", "pull", "ecr", "--endpoint-url", "http://127.0.0.1:" + port, "--out", mode + ".json"],
                                            env=aws_env, timeout=limit + 30)
        check(code == 3 and words in out and secs < limit and 0 < rss < MAX_RSS_MB,
              "%s: exit %d in %.1f s, %.0f MiB: %s" % (mode, code, secs, rss, out[-400:]))
        check(aws_env["AWS_SECRET_ACCESS_KEY"] not in out, "%s: the secret key was printed" % mode)
        print("%-16s exit %d in %5.1f s, peak %5.1f MiB" % (mode, code, secs, rss))
        proc.kill()
        proc.wait()

    # A registry that echoes the Authorization header into its error: neither the password
    # nor the header's value is printed, or stored in the state database.
    proc, port, log = start("echo", tmp)
    servers.append(proc)
    user, password = "robot", "hunter2-very-secret"
    basic = base64.b64encode((user + ":" + password).encode()).decode()
    creds = {"REGPOL_REGISTRY_USERNAME": user, "REGPOL_REGISTRY_PASSWORD": password}
    code, out, _, _ = run_measured(["snapshot", "pull", "oci://127.0.0.1:" + port, "--out", "echo.json"], env=creds)
    check(code == 0, "echo: the pull failed: " + out[-300:])
    with open("policy.regpol", "w") as f:
        f.write('repository "app" {\n  lifecycle {\n    rule 1 { select tagged pattern ["v*"] keep newest 1 }\n  }\n}\n')
    code, out, _, _ = run_measured(["apply", "--policy", "policy.regpol", "--snapshot", "echo.json", "--state", "echo-state.db",
                                    "--target", "oci://127.0.0.1:" + port, "--now", "2026-11-27T00:00:00Z", "--yes"], env=creds)
    runs = subprocess.run([regpol, "runs", "show", "1", "--state", "echo-state.db"], capture_output=True, text=True).stdout
    check(code == 4 and "DENIED" in runs and "[redacted]" in runs, "echo: the refused delete is not recorded as such: exit %d %s %s" % (code, out[-300:], runs[-300:]))
    stored = "\n".join(str(row) for table in ("actions", "audit") for row in sqlite3.connect("echo-state.db").execute("SELECT * FROM " + table))
    for secret in (password, basic):
        check(secret not in out and secret not in runs and secret not in stored, "echo: a credential was printed or stored")
    proc.kill()
    proc.wait()
    # A registry that answers every DELETE with 503: after the retries the run stops, to be
    # resumed (exit 4), as on ECR; the image is not recorded as a final failure (the target
    # once decided that by searching the message for "HTTP ").
    proc, port, log = start("busy", tmp)
    servers.append(proc)
    code, out, _, _ = run_measured(["snapshot", "pull", "oci://127.0.0.1:" + port, "--out", "busy.json"])
    check(code == 0, "busy: the pull failed: " + out[-300:])
    code, out, _, _ = run_measured(["apply", "--policy", "policy.regpol", "--snapshot", "busy.json", "--state", "busy-state.db",
                                    "--target", "oci://127.0.0.1:" + port, "--now", "2026-11-27T00:00:00Z", "--yes"])
    db = sqlite3.connect("busy-state.db")
    run_status = db.execute("SELECT status FROM runs").fetchall()
    action_status = db.execute("SELECT status FROM actions").fetchall()
    db.close()
    check(code == 4 and run_status == [("running",)] and "run the same command again to resume" in out and action_status and all(s != "failed" for (s,) in action_status),
          "busy: a 503 after retries must stop the run for a resume: exit %d, run %s, actions %s: %s" % (code, run_status, action_status, out[-300:]))
    deletes = sum(1 for line in open(log) if line.startswith("DELETE "))
    check(deletes >= 2, "busy: the DELETE was not retried (%d sent)" % deletes)
    proc.kill()
    proc.wait()
finally:
    stop_and_remove(servers, tmp)

check.finish()
