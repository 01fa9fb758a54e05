#!/usr/bin/env python3
"""`regpol lint --format sarif` over the lint corpus (tests/golden/lint) validates against
the official SARIF 2.1.0 JSON schema (sarif-2.1.0-rtm.5.json, installed into tests/sarif by
scripts/bootstrap from the npm package pinned in tests/sarif/package-lock.json) and against
tests/sarif/sarif-2.1.0-subset.schema.json (what regpol promises beyond the standard's
minimum: levels, full descriptions, help), both with python3-jsonschema; and what code
scanning relies on holds: every result's ruleIndex names the rule with its ruleId, every code of the
catalogue has a rule with a help page anchor that docs/diagnostics.md has, and security
checks (and only they) carry a security-severity and the `security` tag.
usage: check_sarif.py REGPOL REPO_ROOT"""
import glob
import json
import os
import subprocess
import sys

import jsonschema

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_lib import Checks  # noqa: E402

regpol, root = sys.argv[1], sys.argv[2]
schema = json.load(open(os.path.join(root, "tests/sarif/sarif-2.1.0-subset.schema.json")))
official_path = os.path.join(root, "tests/sarif/node_modules/@microsoft/jest-sarif/lib/schemas/sarif-2.1.0-rtm.5.json")
if not os.path.exists(official_path):
    print("FAIL the official SARIF 2.1.0 schema is not installed (%s): run scripts/bootstrap" % official_path)
    print("0 passed, 1 failed")
    sys.exit(1)
official = json.load(open(official_path))
docs = open(os.path.join(root, "docs/diagnostics.md")).read()
check = Checks()


corpus = sorted(glob.glob(os.path.join(root, "tests/golden/lint/*.regpol")))
out = subprocess.run([regpol, "lint", "--format", "sarif"] + [os.path.basename(f) for f in corpus],
                     cwd=os.path.join(root, "tests/golden/lint"), capture_output=True, text=True).stdout
doc = json.loads(out)
check(official.get("title", "").startswith("Static Analysis Results Format (SARIF) Version 2.1.0")
      and official["properties"]["version"]["enum"] == ["2.1.0"], "the official schema is SARIF 2.1.0's")
official_validator = jsonschema.Draft4Validator(official, format_checker=jsonschema.FormatChecker())
for e in official_validator.iter_errors(doc):
    check(False, "official schema: %s at %s" % (e.message, list(e.absolute_path)))
check(official_validator.is_valid(doc), "the lint corpus's SARIF validates against the official schema")
# The official schema is not vacuous either: a wrong version, a level outside the standard's
# four, or a property the standard does not define is refused.
import copy
for what, change in (
        ("version 2.0.0", lambda d: d.__setitem__("version", "2.0.0")),
        ("level 'warn'", lambda d: d["runs"][0]["results"][0].__setitem__("level", "warn")),
        ("an unknown top-level property", lambda d: d.__setitem__("regpol", 1)),
        ("a result without a message", lambda d: d["runs"][0]["results"][0].pop("message"))):
    broken = copy.deepcopy(doc)
    change(broken)
    check(not official_validator.is_valid(broken), "the official schema refuses %s" % what)
try:
    jsonschema.Draft7Validator(schema, format_checker=jsonschema.FormatChecker()).validate(doc)
    check(True, "")
except jsonschema.ValidationError as e:
    check(False, "schema: %s at %s" % (e.message, list(e.absolute_path)))
# The subset schema is not vacuous: a result without a level, or a rule without its full
# description, is refused.
for path, key in ((("runs", 0, "results", 0), "level"), (("runs", 0, "tool", "driver", "rules", 0), "fullDescription")):
    broken = copy.deepcopy(doc)
    node = broken
    for k in path:
        node = node[k]
    del node[key]
    check(not jsonschema.Draft7Validator(schema).is_valid(broken), "the schema refuses a document without %s" % key)
run = doc["runs"][0]
rules = run["tool"]["driver"]["rules"]
results = run["results"]
check(len(results) > 20, "the corpus gives results (%d)" % len(results))
for r in results:
    check(rules[r["ruleIndex"]]["id"] == r["ruleId"], "ruleIndex of %s" % r["ruleId"])
codes = {r["id"] for r in rules}
found = {r["ruleId"] for r in results}
for code in ["W2001", "W2002", "W2003", "W2004", "W2005", "W2101", "W2102", "W2201", "W2202", "W2301", "W2302"]:
    check(code in found, "the corpus produces %s" % code)
for rule in rules:
    sev = rule["properties"].get("security-severity")
    security = "security" in rule["properties"]["tags"]
    check((sev is not None) == security, "%s: security-severity and the security tag go together" % rule["id"])
    if rule["id"].startswith("W2"):
        check("### " + rule["id"] + "\n" in docs, "%s has a section in docs/diagnostics.md" % rule["id"])
        check(rule["helpUri"].endswith("#" + rule["id"].lower()), "%s helpUri anchor" % rule["id"])
check(all(c in codes for c in ["W2001", "W2401", "E0101"]), "every code is a rule")
check({r["id"] for r in rules if "security" in r["properties"]["tags"]} == {"W2001", "W2002", "W2003", "W2004", "W2005", "W2006", "W2007"},
      "the security checks are W2001-W2007")
check.finish()
