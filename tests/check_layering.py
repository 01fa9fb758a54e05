#!/usr/bin/env python3
"""The include graph against the table of rooms in docs/architecture.md: every
`#include "room/..."` in engine/, cli/ and stdlib/ must name the file's own room or one its
row allows; a folder of engine/ that the table does not name is an error too.

It first checks itself on a small tree made here with one upward include (util/ including
plan/) and a thick command (cli/ including a registry client), which it must report: a
check that cannot fail proves nothing.
usage: check_layering.py REPO_ROOT
"""
import os
import re
import shutil
import sys
import tempfile

INCLUDE = re.compile(r'^\s*#\s*include\s*"([^"]+)"', re.M)
ROW = re.compile(r"^\|\s*`([a-z/]+)`\s*\|[^|]*\|\s*(.*?)\s*\|\s*$")


def read_table(doc_path):
    allowed = {}
    with open(doc_path) as f:
        for line in f:
            m = ROW.match(line)
            if not m:
                continue
            room, may = m.group(1), m.group(2)
            if may == "any room":
                allowed[room] = None  # anything
            elif may in ("—", "-", ""):
                allowed[room] = set()
            else:
                allowed[room] = set(re.findall(r"`([a-z/]+)`", may))
    return allowed


def room_of_path(rel):
    """The room of a source file (relative to the root), or None when outside the rooms."""
    parts = rel.split(os.sep)
    if parts[0] == "engine" and len(parts) > 2:
        if parts[1] == "registry" and len(parts) > 3:
            return "registry/" + parts[2]
        return parts[1]
    if parts[0] in ("cli", "stdlib"):
        return parts[0]
    return None


def room_of_include(inc, rooms):
    parts = inc.split("/")
    if len(parts) < 2:
        return None  # a generated header (RegpolParser.h) or a file beside it
    if parts[0] == "registry" and len(parts) > 2 and "registry/" + parts[1] in rooms:
        return "registry/" + parts[1]
    return parts[0] if parts[0] in rooms else None


def check(root):
    allowed = read_table(os.path.join(root, "docs", "architecture.md"))
    problems = []
    if not allowed:
        return ["docs/architecture.md has no table of rooms"]
    for folder in sorted(os.listdir(os.path.join(root, "engine"))):
        path = os.path.join(root, "engine", folder)
        if not os.path.isdir(path):
            continue
        subrooms = [folder + "/" + s for s in sorted(os.listdir(path)) if os.path.isdir(os.path.join(path, s))] if folder == "registry" else []
        for r in [folder] + subrooms:
            if r not in allowed:
                problems.append("engine/%s is a room the table in docs/architecture.md does not name" % r)
    for top in ("engine", "cli", "stdlib"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".h", ".cpp")):
                    continue
                full = os.path.join(dirpath, name)
                rel = os.path.relpath(full, root)
                room = room_of_path(rel)
                if room is None or room not in allowed:
                    continue
                with open(full, errors="replace") as f:
                    text = f.read()
                for m in INCLUDE.finditer(text):
                    target = room_of_include(m.group(1), allowed)
                    if target is None or target == room or allowed[room] is None or target in allowed[room]:
                        continue
                    line = text.count("\n", 0, m.start()) + 1
                    problems.append("%s:%d: %s includes %s, which its row in docs/architecture.md does not allow" % (rel, line, room, m.group(1)))
    return problems


def self_test(root):
    tmp = tempfile.mkdtemp()
    try:
        os.makedirs(os.path.join(tmp, "docs"))
        shutil.copy(os.path.join(root, "docs", "architecture.md"), os.path.join(tmp, "docs"))
        for room in ("util", "plan"):
            os.makedirs(os.path.join(tmp, "engine", room))
        with open(os.path.join(tmp, "engine", "plan", "ok.cpp"), "w") as f:
            f.write('#include "util/time.h"\n')
        with open(os.path.join(tmp, "engine", "util", "upward.cpp"), "w") as f:
            f.write('// a low room reaching up\n#include "util/time.h"\n#include "plan/policy_plan.h"\n')
        # cli/ is thin: a command that wires a registry client itself must be reported too.
        os.makedirs(os.path.join(tmp, "cli"))
        with open(os.path.join(tmp, "cli", "cmd_thick.cpp"), "w") as f:
            f.write('#include "driver/pull.h"\n#include "registry/aws/ecr_client.h"\n')
        problems = check(tmp)
        return problems == ["engine/util/upward.cpp:3: util includes plan/policy_plan.h, which its row in docs/architecture.md does not allow",
                            "cli/cmd_thick.cpp:2: cli includes registry/aws/ecr_client.h, which its row in docs/architecture.md does not allow"], problems
    finally:
        shutil.rmtree(tmp)


def main():
    root = sys.argv[1]
    ok, seen = self_test(root)
    if not ok:
        print("FAIL the check missed (or misreported) an upward include in its self-test: %s" % seen)
        print("0 passed, 1 failed")
        return 1
    problems = check(root)
    for p in problems:
        print("FAIL " + p)
    print("%d passed, %d failed" % (2 - (1 if problems else 0), 1 if problems else 0))
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
