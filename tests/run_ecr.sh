#!/usr/bin/env bash
# regpol against a test ECR endpoint (tests/ecr/ecr_endpoint.py, on 127.0.0.1, stopped by
# its PID): every request's SigV4 signature is recomputed by Debian's python3-botocore and
# every body validated against botocore's ECR model. Covers snapshot pull ecr, apply
# --target ecr, Debian's awscli against the same endpoint, faults (throttling, 500s,
# dropped connections, a partial BatchDeleteImage failure), every credential source, and
# that no secret is ever printed or stored.
here=$(cd "$(dirname "$0")" && pwd)
source "$here/lib.sh" "$1"
now=2026-11-27T00:00:00Z
source "$here/ecr/endpoint.sh"
# ends_as_planned PLAN.json STATE.json [PYTHON...]: the endpoint holds exactly what the plan
# kept (archived what it transitioned), with no refused request; extra assertions may follow
# (they see `plan` and `st`).
ends_as_planned() {
  local plan=$1 st=$2; shift 2
  python3 - "$plan" "$st" "$@" <<'EOF'
import json, sys
plan = json.load(open(sys.argv[1])); st = json.load(open(sys.argv[2]))
assert not st["problems"], st["problems"][:5]
left = {(r, d["imageDigest"]): d["imageStatus"] for r, ds in st["images"].items() for d in ds}
for i in plan["images"]:
    k = (i["repository"], i["digest"])
    if i["action"] == "expire": assert k not in left, k
    elif i["action"] == "transition": assert left[k] == "ARCHIVED", k
    else: assert k in left, k
assert len(st["deleted"]) == plan["summary"]["expire"] and len(set(map(tuple, st["deleted"]))) == len(st["deleted"])
assert len(st["transitioned"]) == plan["summary"]["transition"]
for extra in sys.argv[3:]:
    exec(extra)
EOF
}

cat > policy.regpol <<'EOF'
defaults {
  lifecycle {
    rule 1 { select untagged expire older than 7d }
    rule 2 { select tagged pattern ["v*"] keep newest 3 }
    rule 3 { select tagged prefix ["pr-"] archive older than 30d }
  }
}
EOF
"$regpol" snapshot gen --repos 12 --images-per-repo 60 --seed 4 --format regpol --out fixture.json 2>/dev/null

# ---- pull → plan → apply; the endpoint ends exactly as the plan kept it ----
start_endpoint main fixture.json
"$regpol" snapshot pull ecr --endpoint-url "$url" --out pulled.json 2> pull.err && ok || bad "pull: $(cat pull.err)"
# Both plans must succeed: two failed plans print the same nothing. want.json is the
# reference of every comparison below.
"$regpol" plan --policy policy.regpol --snapshot fixture.json --now $now --format json > want.json || { echo "plan of the fixture failed"; exit 1; }
[ "$(jq '[.images[] | select(.action == "expire")] | length' want.json)" -gt 0 ] || { echo "the fixture's plan expires nothing"; exit 1; }
"$regpol" plan --policy policy.regpol --snapshot pulled.json --now $now --format json > got.json && cmp -s want.json got.json && ok ||
  bad "the pulled snapshot plans differently from the registry it came from"
python3 - pulled.json <<'EOF' && ok || bad "repository settings missing from the pulled snapshot"
import json, sys
d = json.load(open(sys.argv[1]))
r = [x for x in d["repositories"] if "lifecyclePolicy" in x]
assert len(r) == 1 and json.loads(r[0]["lifecyclePolicy"])["rules"][0]["rulePriority"] == 1
assert "Statement" in json.loads(r[0]["repositoryPolicy"]) and r[0]["tags"] == [{"Key": "team", "Value": "platform"}]
assert all("mutability" in x and "scanOnPush" in x and x["arn"].startswith("arn:aws:ecr:") for x in d["repositories"])
assert json.loads(d["registryScanningConfiguration"]) == {"scanType": "BASIC", "rules": []}
assert json.loads(d["registryReplicationConfiguration"]) == {"rules": []}
EOF
# Credentials that may not read the registry's configurations still pull: those stay unknown.
start_endpoint denied fixture.json --deny-op DescribeRegistry
"$regpol" snapshot pull ecr --endpoint-url "$url" --out denied.json 2> denied.err && ok || bad "pull with DescribeRegistry denied: $(cat denied.err)"
grep -q "DescribeRegistry was denied" denied.err && jq -e 'has("registryScanningConfiguration") and (has("registryReplicationConfiguration") | not)' denied.json >/dev/null &&
  ok || bad "a denied DescribeRegistry: $(cat denied.err)"
# The graph: every index's children, read from its manifest (BatchGetImage), as the
# registry holds them; archived indexes are not read (ECR will not hand them out).
python3 - fixture.json pulled.json <(state "$url") <<'EOF' && ok || bad "the pulled snapshot's index children differ from the registry's"
import json, sys
fix, got, st = (json.load(open(p)) for p in sys.argv[1:])
want = {i["digest"]: i["children"] for i in fix["images"] if i.get("children") and i.get("storageClass") != "archive"}
have = {i["digest"]: i["children"] for i in got["images"] if i.get("children")}
assert want and have == want, (len(want), len(have))
assert st["index_manifests_read"] == len(want) and not st["problems"], (st.get("index_manifests_read"), st["problems"][:3])
EOF
# --no-index-manifests: no manifest read (no BatchGetImage, so ECR records no pull), every
# index written `childrenUnknown` without children, and the plan counts them and warns.
"$regpol" snapshot pull ecr --endpoint-url "$url" --no-index-manifests --out blind.json 2> blind.err && ok || bad "pull --no-index-manifests: $(cat blind.err)"
"$regpol" plan --policy policy.regpol --snapshot blind.json --now $now --format json > blind-plan.json &&
  "$regpol" plan --policy policy.regpol --snapshot blind.json --now $now > blind-plan.txt || bad "plan of the blind pull failed"
python3 - fixture.json blind.json blind-plan.json blind-plan.txt <(state "$url") <<'EOF' && grep -q "no-index-manifests: the children of" blind.err && ok || bad "--no-index-manifests: $(tail -2 blind.err)"
import json, sys
fix, got, plan = (json.load(open(p)) for p in sys.argv[1:4]); text = open(sys.argv[4]).read(); st = json.load(open(sys.argv[5]))
indexes = {i["digest"] for i in fix["images"] if i.get("children")}
marked = {i["digest"] for i in got["images"] if i.get("childrenUnknown")}
assert indexes and marked == indexes and not any(i.get("children") for i in got["images"]), (len(indexes), len(marked))
want_read = len([i for i in fix["images"] if i.get("children") and i.get("storageClass") != "archive"])
assert st["index_manifests_read"] == want_read, (st["index_manifests_read"], want_read)  # only the first pull's reads
assert plan["summary"]["indexesWithUnknownChildren"] == len(indexes), plan["summary"]
assert f"warning: {len(indexes)} index images whose children the snapshot does not know" in text, text[-600:]
EOF
"$regpol" snapshot pull ecr --endpoint-url "$url" --no-index-manifests --out blind.db 2> blind-db.err; [ $? -eq 2 ] && grep -q "needs --out SNAP.json" blind-db.err && [ ! -e blind.db ] && ok || bad "--no-index-manifests into a store was not refused"
"$regpol" snapshot pull oci://127.0.0.1:1 --no-index-manifests --out blind-oci.json 2> /dev/null; [ $? -eq 2 ] && ok || bad "--no-index-manifests with oci:// was not refused"
"$regpol" snapshot pull ecr --endpoint-url "$url" --out pulled.db 2> /dev/null && "$regpol" plan --policy policy.regpol --snapshot pulled.db --now $now --format json | cmp -s - want.json \
  && ok || bad "pull into a SQLite store"
# A snapshot names its region and account: applied to another region it is refused before
# any request (exit 1, both named).
source_region=$(jq -r .source pulled.json | sed 's|^ecr:||; s|/.*||')
other_region=eu-north-1; [ "$source_region" = eu-north-1 ] && other_region=ap-south-1
"$regpol" apply --policy policy.regpol --snapshot pulled.json --state wrong.db --target ecr --region $other_region --endpoint-url "$url" --now $now --yes > wrong.out 2> wrong.err
[ $? -eq 1 ] && grep -q "the snapshot is of ECR in $source_region, but the target is ECR in $other_region" wrong.err && ok || bad "a snapshot of another region was applied: $(cat wrong.err)"
"$regpol" apply --policy policy.regpol --snapshot pulled.json --state st.db --target ecr --endpoint-url "$url" --now $now --yes > apply.out 2> apply.err \
  && ok || bad "apply --target ecr: $(cat apply.err)"
state "$url" > after.json
# (at most a request a repository and graph rank, plus one a full 100)
ends_as_planned want.json after.json 'assert st["by_op"]["BatchDeleteImage"] <= 3 * 12 + plan["summary"]["expire"] // 100 and st.get("refused_children", 0) == 0' \
  && ok || bad "the endpoint's final state is not the plan's"
# The migration path: the pulled registry's ECR settings as one regpol policy, which plans
# as ECR's own lifecycle document does.
"$regpol" import ecr --snapshot pulled.json --out imported.regpol 2> imp.err && "$regpol" lint imported.regpol > /dev/null 2>&1 \
  && grep -q 'sid "pull" allow "ecr:BatchGetImage" to account "222233334444"' imported.regpol && grep -q "mutability" imported.regpol \
  && ok || bad "import ecr --snapshot: $(cat imp.err)"
lrepo=$(python3 -c 'import json; print([r["name"] for r in json.load(open("pulled.json"))["repositories"] if "lifecyclePolicy" in r][0])')
python3 -c 'import json; print([r["lifecyclePolicy"] for r in json.load(open("pulled.json"))["repositories"] if "lifecyclePolicy" in r][0])' > ecr-lifecycle.json
"$regpol" plan --ecr-lifecycle ecr-lifecycle.json --snapshot pulled.json --repository "$lrepo" --now $now --format json > ecr-native.json
"$regpol" plan --policy imported.regpol --snapshot pulled.json --repository "$lrepo" --now $now --format json > ecr-imported.json
python3 - ecr-native.json ecr-imported.json <<'EOF' && ok || bad "the imported lifecycle plans differently from ECR's document"
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:])
key = lambda d: [(i["digest"], i["action"]) for i in d["images"]]
assert key(a) == key(b) and a["summary"]["expire"] > 0
EOF

# Applying again after a fresh pull: nothing left to do.
"$regpol" snapshot pull ecr --endpoint-url "$url" --out again.json 2> /dev/null
"$regpol" plan --policy policy.regpol --snapshot again.json --now $now --format json --changes-only > again-plan.json
[ "$(python3 -c 'import json; print(len(json.load(open("again-plan.json"))["images"]))')" = 0 ] && ok || bad "the registry still has work after apply"

# ---- Debian's awscli speaks to the same endpoint (so it checks what AWS clients send) ----
repo=$(python3 -c 'import json; print(json.load(open("fixture.json"))["images"][0]["repository"])')
if command -v aws > /dev/null; then
  aws ecr describe-images --repository-name "$repo" --endpoint-url "$url" --region us-east-1 --output json > cli.json 2> cli.err \
    && python3 -c 'import json,sys; assert len(json.load(open("cli.json"))["imageDetails"]) > 0' && ok || bad "awscli describe-images: $(cat cli.err)"
  # The actions: target's request documents, carried out by the AWS CLI itself.
  start_endpoint cli fixture.json
  "$regpol" apply --policy policy.regpol --snapshot fixture.json --state st-cli.db --target actions:acts --now $now --yes > /dev/null 2>&1
  # In commands.sh's order, which deletes an index in an earlier request than its children
  # (the endpoint refuses a child while an index lists it).
  n=0
  for f in $(grep -o "delete-[0-9]*\.json" acts/run-1-*/commands.sh); do
    aws ecr batch-delete-image --cli-input-json "file://$(echo acts/run-1-*/)$f" --endpoint-url "$url" --region us-east-1 --output json > /dev/null 2>> cli.err || n=$((n + 1))
  done
  state "$url" > cli-state.json
  python3 - want.json cli-state.json <<'EOF' && [ $n -eq 0 ] && ok || bad "aws ecr batch-delete-image on the actions: documents: $(tail -3 cli.err)"
import json, sys
plan = json.load(open(sys.argv[1])); st = json.load(open(sys.argv[2]))
assert not st["problems"], st["problems"][:3]
assert len(st["deleted"]) == plan["summary"]["expire"]
EOF
  [ "$(python3 -c 'import json; print(json.load(open("cli-state.json"))["by_key"].get("AKIDREGPOLTEST", 0))')" -gt 0 ] && ok || bad "awscli calls not counted"
else
  bad "awscli is not installed (scripts/bootstrap installs it)"
fi

# ---- the graph at act time: a snapshot that does not know the children (an older pull, or
# another tool's) plans them as plain untagged images; apply reads each repository's indexes
# again and keeps a child an index lists (an active index: before any request; an archived
# one, whose manifest ECR does not hand out: when ECR refuses, "skipped"), exit 0 ----
python3 - fixture.json <<'EOF'
import json, sys
fix = json.load(open(sys.argv[1]))
idx = [i for i in fix["images"] if i.get("children") and i.get("tags")]
assert len(idx) >= 2, len(idx)
idx[1]["storageClass"] = "archive"  # the endpoint serves it ARCHIVED
json.dump(fix, open("graph-fixture.json", "w"))
json.dump({"active": idx[0]["children"], "archived": idx[1]["children"]}, open("graph-kids.json", "w"))
for i in fix["images"]:
    i.pop("children", None)
json.dump(fix, open("graph-blind.json", "w"))
EOF
printf 'defaults {\n  lifecycle {\n    rule 1 { select untagged expire older than 7d }\n  }\n}\n' > untagged.regpol
start_endpoint graph graph-fixture.json
"$regpol" apply --policy untagged.regpol --snapshot graph-blind.json --state g.db --target ecr --endpoint-url "$url" --now $now --yes > g.out 2> g.err
rc=$?
python3 - graph-kids.json g.db <(state "$url") <<'EOF' && [ $rc -eq 0 ] && ok || bad "children planned blind were not kept at act time: exit $rc $(cat g.err | tail -3)"
import json, sqlite3, sys
kids = json.load(open(sys.argv[1])); db = sqlite3.connect(sys.argv[2]); st = json.load(open(sys.argv[3]))
left = {d["imageDigest"] for ds in st["images"].values() for d in ds}
answer = dict(db.execute("SELECT digest, status || ' ' || answer FROM actions"))
for c in kids["active"]:
    # decided before any request: the fresh plan of the repository as it is now keeps it
    assert c in left and answer[c].startswith("skipped") and "BatchDeleteImage" not in answer[c], (c, answer.get(c))
for c in kids["archived"]:
    assert c in left and answer[c].startswith("skipped BatchDeleteImage: ImageReferencedByManifestList"), (c, answer.get(c))
assert st["refused_children"] == len(kids["archived"]) and st["deleted"] and not st["problems"], (st.get("refused_children"), st["problems"][:3])
EOF

# ---- graphs end to end: 20 repositories of indexes, signatures, SBOMs and build tags ----
# pull (index manifests by BatchGetImage; subjects DescribeImages leaves out, from
# ListImageReferrers) -> plan -> apply: no failure and no refused request, every kept
# image's children and artifacts present, the planned images gone and the planned tags
# removed (BatchDeleteImage by imageTag), an image whose last tag the policy removes
# expired (ECR would delete it with that tag), and nothing left to do after a fresh pull.
python3 "$here/ecr/graph_fixture.py" 20 graphs.json
cat > graphs.regpol <<'EOF'
defaults {
  lifecycle {
    rule 1 {
      select tagged pattern ["v*"]
      keep newest 2
    }
    rule 2 {
      select untagged
      expire older than 7d
    }
    rule 9 "drop build tags" {
      select tagged pattern ["sha-*"]
      untag older than 30d
    }
  }
}
EOF
start_endpoint graphs graphs.json
"$regpol" snapshot pull ecr --endpoint-url "$url" --out graphs-pulled.json 2> gp.err && ok || bad "pull of the graphs: $(cat gp.err)"
jq --arg s "$(jq -r .source graphs-pulled.json)" '. + {source: $s}' graphs.json > graphs-want-snap.json
"$regpol" plan --policy graphs.regpol --snapshot graphs-want-snap.json --now $now --format json > graphs-want.json
"$regpol" plan --policy graphs.regpol --snapshot graphs-pulled.json --now $now --format json > graphs-got.json
cmp -s graphs-want.json graphs-got.json && ok || bad "the pulled graphs plan differently from the registry's (subjects from ListImageReferrers, children from BatchGetImage)"
"$regpol" apply --policy graphs.regpol --snapshot graphs-pulled.json --state graphs.db --target ecr --endpoint-url "$url" --now $now --yes > ga.out 2> ga.err
rc=$?
state "$url" > graphs-after.json
python3 - graphs.json graphs-got.json graphs-after.json <<'PY' && [ $rc -eq 0 ] && ok || bad "graphs apply: exit $rc $(tail -3 ga.err)"
import json, sys
fix, plan, st = (json.load(open(p)) for p in sys.argv[1:])
assert not st["problems"] and not st.get("refused_children"), (st["problems"][:3], st.get("refused_children"))
assert st.get("referrer_lists", 0) > 0, "ListImageReferrers was never asked"
left = {d["imageDigest"]: d for ds in st["images"].values() for d in ds}
s = plan["summary"]
assert s["expire"] > 0 and s.get("untag", 0) > 0 and len(plan["images"]) == len(fix["images"]), s
for i in plan["images"]:
    if i["action"] == "expire":
        assert i["digest"] not in left, ("not deleted", i["digest"])
    else:
        tags = sorted(left[i["digest"]].get("imageTags", []))
        want = sorted(set(i["tags"]) - set(i.get("untagTags", [])))
        assert tags == want, (i["digest"], tags, want)
# Every kept image keeps its children and its artifacts.
for img in fix["images"]:
    if img["digest"] in left:
        for c in img.get("children", []):
            assert c in left, ("a kept index lost a child", img["digest"], c)
    if img.get("subject") in left:
        assert img["digest"] in left, ("a kept image lost an artifact", img["subject"], img["digest"])
# The build-only images: their last tag goes, so they expire (by digest), planned so.
build_only = [i for i in plan["images"] if i["tags"] and all(t.startswith("sha-") for t in i["tags"])]
assert build_only and all(i["action"] == "expire" and "last tag" in i["reason"] for i in build_only), build_only[:2]
assert sum(len(i.get("untagTags", [])) for i in plan["images"]) == len(st.get("untagged", [])), (len(st.get("untagged", [])),)
PY
"$regpol" snapshot pull ecr --endpoint-url "$url" --out graphs-again.json 2> /dev/null
"$regpol" plan --policy graphs.regpol --snapshot graphs-again.json --now $now --format json --changes-only > graphs-again-plan.json
[ "$(jq '.images | length' graphs-again-plan.json)" = 0 ] && ok || bad "the graphs still have work after apply: $(jq -c '[.images[] | [.action, .tags]]' graphs-again-plan.json | head -c 400)"

# ---- an image retagged after the snapshot: skipped by apply, refused under --plan ----
start_endpoint retag fixture.json
"$regpol" snapshot pull ecr --endpoint-url "$url" --out r.json 2> /dev/null
"$regpol" plan --policy policy.regpol --snapshot r.json --now $now --out reviewed.json > /dev/null
read -r rrepo rdigest < <(python3 -c '
import json; a = [x for x in json.load(open("reviewed.json"))["actions"] if x["action"] == "delete"][0]; print(a["repository"], a["digest"])')
curl -s --noproxy '*' -X POST -d "{\"repository\": \"$rrepo\", \"digest\": \"$rdigest\", \"tags\": [\"hotfix\"]}" "$url/_retag" > /dev/null
"$regpol" apply --plan reviewed.json --state rp.db --target ecr --endpoint-url "$url" --yes > /dev/null 2> rp.err
rc=$?
[ $rc -eq 1 ] && grep -q "hotfix" rp.err && [ "$(state "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["deleted"]))')" = 0 ] \
  && ok || bad "apply --plan after a retag: exit $rc $(cat rp.err)"
"$regpol" apply --policy policy.regpol --snapshot r.json --state rs.db --target ecr --endpoint-url "$url" --now $now --yes > rs.out 2> rs.err
[ $? -eq 0 ] && [ "$(sqlite3 rs.db "SELECT status FROM actions WHERE digest = '$rdigest'")" = skipped ] \
  && state "$url" | python3 -c "import json,sys; assert '$rdigest' in [d['imageDigest'] for d in json.load(sys.stdin)['images']['$rrepo']]" \
  && ok || bad "apply after a retag: the changed image was not skipped: $(cat rs.err rs.out)"

# ---- the nightly job's one command: apply --pull pulls the target, plans, applies ----
start_endpoint nightly fixture.json
"$regpol" apply --pull --policy policy.regpol --state n.db --target ecr --endpoint-url "$url" --now $now --yes > n.out 2> n.err \
  && ok || bad "apply --pull: $(cat n.err)"
state "$url" > n-state.json
ends_as_planned want.json n-state.json && ok || bad "apply --pull: the endpoint's final state is not the plan's"
# The snapshot the run saw is kept by its content's digest, plans as the registry did,
# and the run names it.
nsnap=$(ls n.db.snapshots/sha256-*.json 2>/dev/null)
[ "$(wc -w <<<"$nsnap")" = 1 ] && [ "$(basename "$nsnap")" = "sha256-$(sha256sum "$nsnap" | cut -d' ' -f1).json" ] \
  && "$regpol" plan --policy policy.regpol --snapshot "$nsnap" --now $now --format json | cmp -s - want.json \
  && "$regpol" runs --state n.db --format json | jq -e --arg s "$nsnap" '.runs[0].source | contains($s)' > /dev/null \
  && ok || bad "apply --pull: the pulled snapshot is not kept by content or not named by the run: $nsnap"
# The next night: a fresh pull, nothing left to do; --keep-snapshots 1 keeps only it.
"$regpol" apply --pull --policy policy.regpol --state n.db --target ecr --endpoint-url "$url" --now $now --yes --keep-snapshots 1 > n2.out 2> n2.err
[ $? -eq 0 ] && grep -q "^run 2 finished: 0 deleted" n2.out && [ "$(ls n.db.snapshots | wc -l)" = 1 ] && [ ! -e "$nsnap" ] \
  && ok || bad "apply --pull, second night: $(cat n2.out n2.err)"
# A job's log is not silent: without a terminal, a progress line every --progress-every
# while pulling and while acting (an endpoint 200 ms away, one request at a time, two
# repositories: about ten seconds).
start_endpoint slow fixture.json --latency-ms 200
"$regpol" apply --pull --policy policy.regpol --state slow.db --target ecr --endpoint-url "$url" --now $now --yes --jobs 1 --batch-size 1 \
  --repository 'data/*' --progress-every 1s > slow.out 2> slow.err
python3 - slow.err <<'EOF' && ok || bad "progress lines of apply --pull: $(head -c 600 slow.err)"
import re, sys
lines = open(sys.argv[1]).read().splitlines()
pulls = [tuple(map(int, m.groups())) for m in (re.match(r"regpol: pulling ecr: (\d+)/(\d+) repositories, \d+/s, \d+ images", l) for l in lines) if m]
acts = [tuple(map(int, m.groups())) for m in (re.match(r"regpol: applying: (\d+)/(\d+) actions, \d+/s(?:, ETA \d+s)?$", l) for l in lines) if m]
assert len(pulls) >= 1 and len(acts) >= 2, (len(pulls), len(acts))
for seen in (pulls, acts):
    done = [d for d, _ in seen]
    assert done == sorted(done) and all(d <= t for d, t in seen), seen
EOF
"$regpol" snapshot pull ecr --endpoint-url "$url" --jobs 1 --repository 'data/*' --progress-every 0s --out quiet.json 2> quiet.err
[ $? -eq 0 ] && ! grep -q "pulling" quiet.err && ok || bad "--progress-every 0s still printed progress: $(cat quiet.err)"
# Only with a registry target, never with --snapshot or --plan (exit 2, nothing done).
for bad_args in "--snapshot fixture.json --target ecr" "--target n-store.db" "--plan reviewed.json --target ecr"; do
  "$regpol" apply --pull --policy policy.regpol $bad_args --state n3.db --endpoint-url "$url" --yes > /dev/null 2> n3.err
  [ $? -eq 2 ] && grep -q -- "--pull" n3.err && [ ! -e n3.db ] && ok || bad "apply --pull $bad_args: $(cat n3.err)"
done
cat n.err n2.err >> all-output.txt

# ---- faults: throttling, 500s, dropped connections; then a partial BatchDeleteImage ----
start_endpoint faults fixture.json --throttle-every 4 --fail-every 9 --drop-every 13
"$regpol" snapshot pull ecr --endpoint-url "$url" --out f.json 2> f.err && "$regpol" plan --policy policy.regpol --snapshot f.json --now $now --format json | cmp -s - want.json \
  && ok || bad "pull under faults: $(cat f.err)"
"$regpol" apply --policy policy.regpol --snapshot f.json --state f.db --target ecr --endpoint-url "$url" --now $now --yes > /dev/null 2> fa.err \
  && ok || bad "apply under faults: $(cat fa.err)"
state "$url" > f-state.json
python3 - want.json f-state.json f.db <<'EOF' && ok || bad "faults: the final state or the journal is wrong"
import json, sqlite3, sys
plan = json.load(open(sys.argv[1])); st = json.load(open(sys.argv[2])); db = sqlite3.connect(sys.argv[3])
assert st["throttled"] > 0 and st["failed"] > 0 and st["dropped"] > 0, (st["throttled"], st["failed"], st["dropped"])
assert len(st["deleted"]) == plan["summary"]["expire"] and len(set(map(tuple, st["deleted"]))) == len(st["deleted"])
statuses = [s for (s,) in db.execute("SELECT status FROM actions")]
assert all(s in ("done", "already-done") for s in statuses), set(statuses)
outcomes = db.execute("SELECT count(*) FROM audit WHERE seq > 0 AND event NOT IN ('sent')").fetchone()[0]
assert outcomes == len(statuses)
EOF
victim=$(python3 -c 'import json; print([i["digest"] for i in json.load(open("want.json"))["images"] if i["action"] == "expire"][0])')
start_endpoint partial fixture.json --fail-delete-digest "$victim"
"$regpol" apply --policy policy.regpol --snapshot fixture.json --state p.db --target ecr --endpoint-url "$url" --now $now --yes > p.out 2> p.err
rc=$?
[ $rc -eq 4 ] && grep -q "1 failed" p.out && ok || bad "a partial BatchDeleteImage failure: exit $rc $(cat p.out p.err)"
[ "$(sqlite3 p.db "SELECT status || ' ' || answer FROM actions WHERE digest = '$victim'")" = "failed BatchDeleteImage: KmsError: The KMS key is disabled" ] \
  && ok || bad "the failed image's answer is not recorded"
[ "$(state "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["deleted"]))')" = "$(( $(python3 -c 'import json; print(json.load(open("want.json"))["summary"]["expire"])') - 1 ))" ] \
  && ok || bad "a partial failure stopped the other deletions"

# ---- a transition ECR keeps throttling (a 400 ThrottlingException) past the retries: the run
# stops to be resumed, and no image is recorded as a final failure (the target once took any
# 4xx with an exception name as ECR's answer about that image) ----
# (AWS_MAX_ATTEMPTS, which every AWS SDK reads, shortens the retries here and below)
start_endpoint throttled fixture.json --throttle-op UpdateImageStorageClass
AWS_MAX_ATTEMPTS=3 "$regpol" apply --policy policy.regpol --snapshot fixture.json --state t.db --target ecr --endpoint-url "$url" --now $now --yes > t.out 2> t.err
rc=$?
[ $rc -eq 4 ] && [ "$(sqlite3 t.db "SELECT status FROM runs")" = running ] && grep -q "run the same command again to resume" t.out t.err \
  && [ "$(sqlite3 t.db "SELECT count(*) FROM actions WHERE kind = 'transition' AND status = 'failed'")" = 0 ] \
  && [ "$(sqlite3 t.db "SELECT count(*) FROM actions WHERE kind = 'transition' AND status = 'pending'")" -ge 1 ] \
  && ok || bad "throttling past the retries must stop the run for a resume: exit $rc, $(sqlite3 t.db "SELECT kind, status FROM actions" | sort | uniq -c | tr '\n' ' ') $(cat t.out t.err | tail -3)"

# ---- IAM refuses the deletions (AccessDeniedException): the run stops, no image is a final
# failure, and the message says to fix the permissions before resuming ----
start_endpoint denied fixture.json --deny-op BatchDeleteImage
"$regpol" apply --policy policy.regpol --snapshot fixture.json --state d.db --target ecr --endpoint-url "$url" --now $now --yes > d.out 2> d.err
rc=$?
[ $rc -eq 4 ] && [ "$(sqlite3 d.db "SELECT status FROM runs")" = running ] && \
  grep -q "fix the credentials or permissions the target refused, then run the same command again to resume" d.err && \
  [ "$(sqlite3 d.db "SELECT count(*) FROM actions WHERE status = 'failed'")" = 0 ] \
  && ok || bad "a denied deletion must stop the run for a resume after a fix: exit $rc $(cat d.out d.err | tail -3)"
! grep -q "fix the credentials" t.err && ok || bad "throttling is not a refusal of the credentials: $(tail -2 t.err)"

# ---- ECR that keeps throttling the pull past the retries: exit 4 (a scheduler retries it;
# exit 3 once, which the CronJob's podFailurePolicy fails for good), nothing written, and
# apply --pull neither plans nor deletes ----
start_endpoint pullthrottled fixture.json --throttle-op DescribeImages
AWS_MAX_ATTEMPTS=3 "$regpol" snapshot pull ecr --endpoint-url "$url" --out pt.json > pt.out 2>&1
rc=$?
[ $rc -eq 4 ] && grep -q "ThrottlingException.*(after 3 attempts)" pt.out && grep -q "a later run tries again" pt.out && [ ! -e pt.json ] \
  && ok || bad "a pull throttled past the retries: exit $rc (want 4): $(cat pt.out)"
# The attempts, from the profile's max_attempts when AWS_MAX_ATTEMPTS is unset; a value
# that is not a whole number from 1 to 100 is a usage error before any request.
printf '[default]\nmax_attempts = 2\n' > attempts-config
AWS_CONFIG_FILE=$tmp/attempts-config "$regpol" snapshot pull ecr --endpoint-url "$url" --out pt.json > pt3.out 2>&1
[ $? -eq 4 ] && grep -q "(after 2 attempts)" pt3.out && ok || bad "the profile's max_attempts: $(cat pt3.out)"
for n in 0 101 three " 3"; do
  AWS_MAX_ATTEMPTS=$n "$regpol" snapshot pull ecr --endpoint-url "$url" --out pt.json > pt4.out 2>&1
  [ $? -eq 2 ] && grep -q "AWS_MAX_ATTEMPTS: \`$n\` is not a whole number from 1 to 100" pt4.out && [ ! -e pt.json ] \
    && ok || bad "AWS_MAX_ATTEMPTS=$n: $(cat pt4.out)"
done
# (--deadline: the same kind of failure, sooner; on a slow build the retries may give up
# first, as the deadline nears, which is the same failure)
"$regpol" apply --pull --deadline 2s --policy policy.regpol --state pt.db --target ecr --endpoint-url "$url" --now $now --yes > pt2.out 2>&1
rc=$?
[ $rc -eq 4 ] && grep -q "a later run tries again" pt2.out && [ "$(state "$url" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["deleted"]))')" = 0 ] \
  && ok || bad "apply --pull throttled past the retries: exit $rc (want 4), nothing deleted: $(cat pt2.out)"

# ---- --events eventbridge[:BUS]: one "ECR Image Action"-shaped event per carried-out batch,
# put with PutEvents signed for `events` and checked against botocore's events model ----
start_endpoint events fixture.json
AWS_ENDPOINT_URL_EVENTBRIDGE=$url "$regpol" apply --pull --policy policy.regpol --state ev.db --target ecr --endpoint-url "$url" \
  --now $now --yes --batch-size 3 --events eventbridge:regpol-nightly > ev.out 2> ev.err && grep -q "events put on event bus regpol-nightly" ev.err \
  && ok || bad "apply --events: $(cat ev.out ev.err)"
state "$url" > ev-state.json
python3 - ev-state.json <<'EOF' && ok || bad "the events name what was carried out, batch by batch"
import json, sys
st = json.load(open(sys.argv[1]))
assert not st["problems"], st["problems"][:3]
ev = st["events"]
deleted = {tuple(x) for x in st["deleted"]}; archived = {tuple(x) for x in st["transitioned"]}
assert deleted and archived, (len(deleted), len(archived))
by_type = {"DELETE": set(), "ARCHIVE": set()}
for e in ev:
    d = e["Detail"]
    assert e["Source"] == "regpol" and e["DetailType"] == "ECR Image Action" and e["EventBusName"] == "regpol-nightly", e
    assert e["Resources"] == ["arn:aws:ecr:us-east-1:123456789012:repository/" + d["repository-name"]], e["Resources"]
    assert d["result"] == "SUCCESS" and d["run-id"] == 1 and d["target"] == "ecr" and 1 <= len(d["image-digests"]) <= 3, d
    by_type[d["action-type"]] |= {(d["repository-name"], x) for x in d["image-digests"]}
assert by_type["DELETE"] == deleted and by_type["ARCHIVE"] == archived, "events and carried-out actions differ"
deletes = [e for e in ev if e["Detail"]["action-type"] == "DELETE"]
assert len(deletes) == st["by_op"]["BatchDeleteImage"], (len(deletes), st["by_op"])  # one event per BatchDeleteImage
EOF
# The default bus: no EventBusName. EventBridge refusing every entry: a warning, the run unchanged.
start_endpoint events2 fixture.json --fail-events-every 1
AWS_ENDPOINT_URL_EVENTBRIDGE=$url "$regpol" apply --policy policy.regpol --snapshot fixture.json --state ev2.db --target ecr --endpoint-url "$url" \
  --now $now --yes --events eventbridge > ev2.out 2> ev2.err
rc=$?
[ $rc -eq 0 ] && grep -q "warning: --events: 0 events put on the default event bus; .* not delivered (InternalFailure" ev2.err \
  && python3 -c 'import json,sys; st=json.load(sys.stdin); assert st["events_failed"] > 0 and not st["events"] and not st["problems"] and st["deleted"]' < <(state "$url") \
  && ok || bad "undelivered events are a warning: exit $rc $(cat ev2.err)"
for bus in "eventbridge:" "eventbridge:bad bus" "sns"; do
  "$regpol" apply --policy policy.regpol --snapshot fixture.json --state ev3.db --target ecr --endpoint-url "$url" --yes --events "$bus" > /dev/null 2> ev3.err
  [ $? -eq 2 ] && grep -q -- "--events" ev3.err && [ ! -e ev3.db ] && ok || bad "--events $bus is a usage error: $(cat ev3.err)"
done

# ---- credentials that expire mid-run: each session lasts 10 calls; regpol resolves anew ----
start_endpoint sessions fixture.json --expire-session-after 10
cat > session-process.sh <<EOF
#!/bin/sh
n=\$(( \$(cat $tmp/sessions.count 2>/dev/null || echo 0) + 1 )); echo \$n > $tmp/sessions.count
exp=\$(date -u -d '+1 hour' +%Y-%m-%dT%H:%M:%SZ)
echo "{\"Version\": 1, \"AccessKeyId\": \"ASIAPROCESS\", \"SecretAccessKey\": \"secret-from-process\", \"SessionToken\": \"session-\$n\", \"Expiration\": \"\$exp\"}"
EOF
chmod +x session-process.sh
printf '[profile rotating]\nregion = us-east-1\ncredential_process = %s/session-process.sh\n' "$tmp" > rotating-config
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE=$tmp/rotating-config "$regpol" snapshot pull ecr --profile rotating \
  --endpoint-url "$url" --jobs 1 --out rot.json 2> rot.err
rc=$?
[ $rc -eq 0 ] && "$regpol" plan --policy policy.regpol --snapshot rot.json --now $now --format json | cmp -s - want.json && [ "$(cat sessions.count)" -ge 4 ] \
  && ok || bad "credentials expiring mid-run: exit $rc, $(cat sessions.count 2>/dev/null) sessions: $(cat rot.err)"

# ---- scale: 50 repositories, 20,000 images: pull -> plan -> apply, the endpoint ends as planned ----
"$regpol" snapshot gen --repos 50 --images-per-repo 400 --seed 8 --format regpol --out big.json 2>/dev/null
# Deletions only here (transitions, one call an image, are covered above).
grep -v 'archive older' policy.regpol > big-policy.regpol
start_endpoint big big.json
"$regpol" snapshot pull ecr --endpoint-url "$url" --out big-pulled.db 2> big.err && ok || bad "pull of 20,000 images: $(cat big.err)"
"$regpol" plan --policy big-policy.regpol --snapshot big-pulled.db --now $now --format json > big-plan.json
"$regpol" apply --policy big-policy.regpol --snapshot big-pulled.db --state big.db --target ecr --endpoint-url "$url" --now $now --yes > /dev/null 2> big-apply.err \
  && ok || bad "apply of the 20,000-image plan: $(cat big-apply.err)"
state "$url" > big-state.json
ends_as_planned big-plan.json big-state.json 'assert plan["summary"]["images"] >= 19000, plan["summary"]["images"]' \
  && ok || bad "20,000 images: the endpoint's final state is not the plan's"

# ---- bad credentials and transport: refused, and no secret in any output ----
AWS_SECRET_ACCESS_KEY=not-the-secret "$regpol" snapshot pull ecr --endpoint-url "$url" --out bad.json > bad.out 2> bad.err
rc=$?
[ $rc -eq 3 ] && grep -q "InvalidSignatureException" bad.err && [ ! -e bad.json ] && ok || bad "a wrong secret: exit $rc $(cat bad.err)"
"$regpol" snapshot pull ecr --endpoint-url http://192.0.2.1:5000 --out x.json > /dev/null 2> http.err
[ $? -eq 2 ] && grep -q "only loopback" http.err && ok || bad "plain http off loopback was not refused: $(cat http.err)"

# ---- every credential source ----
start_endpoint creds fixture.json
one=(--endpoint-url "$url" --repository "$repo" --replace --out c.json)
used() { state "$url" | python3 -c "import json,sys; print(json.load(sys.stdin)['by_key'].get('$1', 0))"; }
via() {  # via KEY LABEL ENV... : pull with only this source configured; KEY must have signed
  local key=$1 label=$2; shift 2
  local before; before=$(used "$key")
  env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$@" "$regpol" snapshot pull ecr "${one[@]}" > via.out 2> via.err
  local rc=$?
  [ $rc -eq 0 ] && [ "$(used "$key")" -gt "$before" ] && ok || bad "credentials from $label: exit $rc $(cat via.err)"
  cat via.out via.err >> all-output.txt
}
printf '[default]\nregion = us-east-1\n[profile ci]\ncredential_process = %s/cred-process.sh\n' "$tmp" > config
printf '[default]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = secret-from-profile\n' > credentials
printf '#!/bin/sh\necho "{\\"Version\\": 1, \\"AccessKeyId\\": \\"AKIDPROCESS\\", \\"SecretAccessKey\\": \\"secret-from-process\\"}"\n' > cred-process.sh
chmod +x cred-process.sh
via AKIDPROFILE "the shared credentials file" AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials
via AKIDPROCESS "credential_process (--profile ci)" AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials AWS_PROFILE=ci
echo web-identity-token > token
via ASIASTSWEBIDENTITY "web identity (STS)" AWS_ROLE_ARN=arn:aws:iam::123456789012:role/regpol AWS_WEB_IDENTITY_TOKEN_FILE=$tmp/token \
  AWS_ENDPOINT_URL_STS=$url/sts
echo container-auth-token > auth-token
via ASIACONTAINER "container credentials" AWS_CONTAINER_CREDENTIALS_FULL_URI=$url/creds AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=$tmp/auth-token
via ASIAIMDS "instance metadata (IMDSv2)" AWS_EC2_METADATA_DISABLED=false AWS_EC2_METADATA_SERVICE_ENDPOINT=$url
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY "$regpol" snapshot pull ecr "${one[@]}" > none.out 2> none.err
[ $? -eq 3 ] && grep -q "none found; tried" none.err && grep -q "instance metadata (disabled)" none.err && ok || bad "no credentials: $(cat none.err)"
env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_CONFIG_FILE=$tmp/config AWS_SHARED_CREDENTIALS_FILE=$tmp/credentials \
  "$regpol" snapshot pull ecr "${one[@]}" --profile nosuch > np.out 2> np.err
[ $? -eq 3 ] && grep -q "profile \`nosuch\` is not in the AWS config" np.err && ok || bad "a missing profile: $(cat np.err)"
cat rot.err big.err big-apply.err apply.out apply.err pull.err bad.out bad.err f.err fa.err p.out p.err none.err np.err >> all-output.txt
for secret in regpol-test-secret secret-from-profile secret-from-process secret-from-sts token-from-sts secret-from-container \
  token-from-container secret-from-imds token-from-imds container-auth-token web-identity-token session-1; do
  if grep -q -- "$secret" all-output.txt || grep -q -a -- "$secret" st.db f.db p.db big.db n.db n.db.snapshots/* pulled.json pulled.db rot.json big-pulled.db 2>/dev/null; then bad "a secret ($secret) was printed or stored"; else ok; fi
done
finish
