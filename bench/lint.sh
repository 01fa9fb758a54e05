#!/usr/bin/env bash
# `regpol lint` as a pre-commit hook runs it: the whole process, on a 200-line policy (the
# size of a real team's file: several blocks, access statements, stdlib recipes, tests)
# and on a generated 10,000-rule policy. Targets (issue: policy review): under 20 ms and
# under 1 s. Best of 20 (200 lines) and of 5 (10,000 rules). Run after `make`.
set -euo pipefail
out=bench/out/lint; rm -rf "$out"; mkdir -p "$out"
/usr/bin/python3 - "$out" <<'PY'
import sys
out = sys.argv[1]
lines = ['policy "bench-200"', '', 'import "std/retention" as retention', 'import "std/access" as acl', '']
team = 0
while len(lines) < 190:
    team += 1
    lines += [f'repository "team-{team}/*" {{', '  mutability immutable except "latest"', '', '  lifecycle {',
              '    rule 1 "releases" {', '      select tagged pattern ["v*"]', '      keep newest 10', '    }',
              '    rule 2 "vulnerable previews" {', '      select tagged prefix ["pr-"] where scanned and findings.critical > 0', '      expire older than 3d', '    }',
              '    use retention.untagged(after: 14d) priority 3', '    protect tagged pattern ["prod-*"]', '  }', '',
              '  access {', '    use acl.org_pull("o-abc123")', f'    use acl.push_only_from(["arn:aws:iam::123456789012:role/team-{team}-ci"])',
              '    sid "NoDelete" deny delete to *', '      unless aws:PrincipalArn like "arn:aws:iam::*:role/break-glass"', '  }', '}', '']
open(f"{out}/policy-200.regpol", "w").write("\n".join(lines[:200]) + "\n")
big = ['policy "bench-10000"', '', 'repository "*" {', '  lifecycle {']
for i in range(1, 10001):
    big += [f'    rule {i} "r{i}" {{', f'      select tagged prefix ["p{i}-"]', f'      expire older than {i % 300 + 1}d', '    }']
big += ['  }', '}']
open(f"{out}/policy-10000.regpol", "w").write("\n".join(big) + "\n")
PY
build/regpol fmt --write "$out/policy-200.regpol" > /dev/null
source "$(dirname "$0")/best_time.sh"
printf 'regpol lint policy-200.regpol (%s lines)       best of 20: %s\n' "$(wc -l < "$out/policy-200.regpol")" "$(best 20 build/regpol lint "$out/policy-200.regpol")"
printf 'regpol lint policy-10000.regpol (10,000 rules)  best of 5:  %s\n' "$(best 5 build/regpol lint "$out/policy-10000.regpol")"
