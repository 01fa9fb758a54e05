#!/usr/bin/env python3
# Two regpol binaries side by side on the policies `bench/prove.sh` generated: each file's
# `regpol prove` run with one and then the other, alternating which goes first, so that a
# VM whose speed drifts during the run slows both alike. Prints each binary's p50 and p95
# (whole process) and whether they gave the same answers.
# usage: bash bench/prove.sh && bench/prove_ab.py OLD_REGPOL NEW_REGPOL [ROUNDS]
import glob, json, subprocess, sys, time

old, new = sys.argv[1], sys.argv[2]
rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 2
files = sorted(glob.glob("bench/out/prove/*.regpol"))
if not files:
    sys.exit("no bench/out/prove/*.regpol: run bash bench/prove.sh first")
times = {old: [], new: []}
answers = {old: {}, new: {}}
for r in range(rounds):
    for f in files:
        for b in ((old, new) if r % 2 == 0 else (new, old)):
            start = time.perf_counter()
            p = subprocess.run([b, "prove", f, "--format", "json"], capture_output=True, text=True)
            times[b].append((time.perf_counter() - start) * 1000)
            answers[b][f] = [x["result"] for x in json.loads(p.stdout)["properties"]] if p.returncode in (0, 1) else "exit %d" % p.returncode
for b in (old, new):
    t = sorted(times[b])
    print("%s: p50 %.1f ms, p95 %.1f ms (%d processes)" % (b, t[len(t) // 2], t[int(len(t) * 0.95)], len(t)))
same = sum(answers[old][f] == answers[new][f] for f in files)
print("same answers on %d of %d files" % (same, len(files)))
