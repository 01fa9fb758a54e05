#!/usr/bin/env python3
"""The top-level .pre-commit-hooks.yaml is valid for the pre-commit framework and its
entries are commands regpol accepts (each entry's options appear in the command's --help).
usage: check_precommit_hooks.py REGPOL REPO_ROOT"""
import subprocess, sys
import yaml

regpol, root = sys.argv[1], sys.argv[2]
hooks = yaml.safe_load(open(root + "/.pre-commit-hooks.yaml"))
failed = passed = 0
assert isinstance(hooks, list) and hooks, "a list of hooks"
for h in hooks:
    for key in ("id", "name", "entry", "language", "files"):
        if key not in h: print("FAIL hook %s lacks %s" % (h.get("id"), key)); failed += 1
        else: passed += 1
    words = h["entry"].split()
    if words[0] != "regpol": print("FAIL %s does not run regpol" % h["id"]); failed += 1; continue
    help_text = subprocess.run([regpol, words[1], "--help"], capture_output=True, text=True).stdout
    for opt in words[2:]:
        if opt in help_text: passed += 1
        else: print("FAIL %s: %s is not an option of regpol %s" % (h["id"], opt, words[1])); failed += 1
    # The hook works on a formatted, clean file and fails on a broken one.
    import tempfile, os
    with tempfile.TemporaryDirectory() as d:
        good, bad = os.path.join(d, "good.regpol"), os.path.join(d, "bad.regpol")
        open(good, "w").write('repository "*" {\n  mutability immutable except "latest"\n}\n')
        open(bad, "w").write('repository "*" {\n mutability   immutable\n')
        ok = subprocess.run([regpol] + words[1:] + [good], capture_output=True).returncode == 0
        ko = subprocess.run([regpol] + words[1:] + [bad], capture_output=True).returncode != 0
        if ok and ko: passed += 1
        else: print("FAIL %s: good file %s, broken file %s" % (h["id"], ok, ko)); failed += 1
print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
