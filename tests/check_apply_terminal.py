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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_lib import Checks  # noqa: E402

regpol = os.path.abspath(sys.argv[1])
check = Checks()


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
    check("deletions" in out and "[y/N]" in out, "asked, with the totals: %r" % out)
    check(code == 1, "no: exit 1 (%d)" % code)
    check(digest("t.db") == before, "no: nothing changed")
    code, out = on_terminal(args, b"y")
    check(code == 0, "yes: exit 0 (%d) %r" % (code, out[-300:]))
    check(digest("t.db") != before, "yes: the target changed")
    check("applying: " in out and "/s, ETA" in out, "a progress line with done/total, rate and ETA: %r" % out[-300:])
    check("finished:" in out, "the summary")

check.finish()
