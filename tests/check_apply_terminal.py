#!/usr/bin/env python3
"""`regpol apply` on a terminal (a pseudo-terminal here): it shows the plan's totals and
asks; "no" changes nothing (exit 1), "y" carries the plan out with a live progress line.
usage: check_apply_terminal.py REGPOL"""
import hashlib
import os
import pty
import subprocess
import sys
import tempfile
import time

regpol = os.path.abspath(sys.argv[1])
failed = passed = 0


def check(what, cond):
    global failed, passed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL", what)


def on_terminal(args, answer):
    pid, fd = pty.fork()
    if pid == 0:
        os.execv(regpol, [regpol] + args)
    out = b""
    deadline = time.time() + 30
    answered = False
    while time.time() < deadline:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
        if not answered and b"[y/N]" in out:
            os.write(fd, answer + b"\n")
            answered = True
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


with tempfile.TemporaryDirectory() as tmp:
    os.chdir(tmp)
    with open("p.regpol", "w") as f:
        f.write('defaults {\n  lifecycle {\n    rule 1 { select untagged expire older than 7d }\n  }\n}\n')
    subprocess.run([regpol, "snapshot", "gen", "--repos", "20", "--images-per-repo", "50", "--format", "regpol", "--out", "s.json"],
                   check=True, capture_output=True)
    subprocess.run([regpol, "snapshot", "import", "s.json", "--db", "t.db"], check=True, capture_output=True)
    args = ["apply", "--policy", "p.regpol", "--snapshot", "s.json", "--state", "st.db", "--target", "t.db", "--now",
            "2026-11-27T00:00:00Z", "--batch-size", "5"]
    before = digest("t.db")
    code, out = on_terminal(args, b"n")
    check("asked, with the totals: %r" % out, "deletions" in out and "[y/N]" in out)
    check("no: exit 1 (%d)" % code, code == 1)
    check("no: nothing changed", digest("t.db") == before)
    code, out = on_terminal(args, b"y")
    check("yes: exit 0 (%d) %r" % (code, out[-300:]), code == 0)
    check("yes: the target changed", digest("t.db") != before)
    check("a progress line with done/total, rate and ETA: %r" % out[-300:], "applying: " in out and "/s, ETA" in out)
    check("the summary", "finished:" in out)

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
