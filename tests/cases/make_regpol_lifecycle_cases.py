#!/usr/bin/env python3
"""Writes tests/cases/regpol-lifecycle/<case>/: regpol policies (policy.regpol) run with
`plan --policy` on a regpol snapshot (images.json), expected decisions worked out by hand
from docs/language.md and docs/lifecycle.md. Covers each extension beyond ECR (where,
by semver, per, protect, in_use, manifest lists, templates, scoping). Re-run after editing:
    python3 tests/cases/make_regpol_lifecycle_cases.py
"""
import hashlib, json, os, shutil

NOW = "2026-11-27T00:00:00Z"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "regpol-lifecycle")
CASES = {}

def img(letter, pushed, tags=(), repo="app", **extra):
    d = {"letter": letter, "repository": repo, "pushedAt": pushed, "tags": list(tags), "sizeBytes": 1000}
    d.update(extra)
    return d

def case(name, policy, images, expire="", transition="", error=False, in_use=None, untag=None, source=None):
    CASES[name] = dict(policy=policy, images=images, expire=expire, transition=transition, error=error, in_use=in_use,
                       untag=untag or {}, source=source)

def block(body, pattern="*"):
    return 'repository "%s" {\n  lifecycle {\n%s  }\n}\n' % (pattern, body)

def rule(n, select, action, desc=None):
    return '    rule %d%s {\n      select %s\n      %s\n    }\n' % (n, ' "%s"' % desc if desc else "", select, action)

D = lambda day: "2026-11-%02dT00:00:00Z" % day

case("where-size", block(rule(1, "any where size > 1500", "expire older than 1d")),
     [img("A", D(1), sizeBytes=1000), img("B", D(2), ["x"], sizeBytes=2000), img("C", D(26), sizeBytes=5000)], expire="B")
case("where-size-units", block(rule(1, "any where size >= 1MB and size < 1MiB", "expire older than 1d")),
     [img("A", D(1), sizeBytes=1000000), img("B", D(1), ["b"], sizeBytes=1048576), img("C", D(1), ["c"], sizeBytes=999999)], expire="A")
case("where-findings-guarded", block(rule(1, 'tagged prefix ["pr-"] where scanned and findings.critical > 0', "expire older than 1d")),
     [img("A", D(1), ["pr-1"], findings={"critical": 2}), img("B", D(1), ["pr-2"], findings={"high": 3}),
      img("C", D(1), ["pr-3"]), img("D", D(1), ["v1"], findings={"critical": 1})], expire="A")
case("where-unguarded-missing-field-is-an-error", block(rule(1, 'any where findings.critical > 0', "expire older than 1d")),
     [img("A", D(1), ["a"], findings={"critical": 2}), img("B", D(1), ["b"])], error=True)
case("where-matches-regex", block(rule(1, 'tagged pattern ["*"] where tags matches "^v[0-9]+$"', "expire older than 1d")),
     [img("A", D(1), ["v12"]), img("B", D(1), ["v12a"]), img("C", D(1), ["latest", "v3"])], expire="AC")
case("where-like-and-in", block(rule(1, 'any where tags like "feat-*" and not ("keep" in tags)', "expire older than 1d")),
     [img("A", D(1), ["feat-x"]), img("B", D(1), ["feat-y", "keep"]), img("C", D(1), ["fix-z"]), img("D", D(1))], expire="A")
case("where-age-and-pulled", block(rule(1, 'any where age > 20d and not (pulled and last_pulled_at > 2026-11-20T00:00:00Z)', "expire older than 1d")),
     [img("A", D(1), ["a"]), img("B", D(1), ["b"], lastPulledAt=D(25)), img("C", D(1), ["c"], lastPulledAt=D(10)), img("D", D(10), ["d"])],
     expire="AC")
# `where` takes part in counting: only the matched images count towards the 1 kept.
case("where-refines-count", block(rule(1, 'tagged pattern ["v*"] where size > 1500', "keep newest 1")),
     [img("A", D(1), ["v1"], sizeBytes=2000), img("B", D(2), ["v2"], sizeBytes=2000), img("C", D(3), ["v3"], sizeBytes=100)], expire="A")
case("let-constants", 'let big = 1500\nlet tags_to_drop = ["tmp-a", "tmp-b"]\nlet grace = 3d\n\n' +
     block(rule(1, 'any where size > big or tags like "tmp-*"', "expire older than grace")),
     [img("A", D(1), ["tmp-a"]), img("B", D(1), ["z"], sizeBytes=2000), img("C", D(1), ["z2"]), img("D", D(26), ["tmp-b"])], expire="AB")
case("hours-and-weeks", block(rule(1, "untagged", "expire older than 36h") + rule(2, 'tagged pattern ["*"]', "expire older than 2w")),
     [img("A", "2026-11-25T11:00:00Z"), img("B", "2026-11-25T13:00:00Z"), img("C", D(12), ["c"]), img("D", D(14), ["d"])], expire="AC")
case("semver-order", block(rule(1, 'tagged pattern ["v*"]', "keep newest 1 by semver")),
     [img("A", D(1), ["v1.10.0"]), img("B", D(5), ["v1.9.0"]), img("C", D(9), ["v1.2.0"]), img("D", D(10), ["v1.10.0-rc.1"])],
     expire="BCD")
# "2.0" is not a semantic version (MAJOR.MINOR.PATCH is required): C sorts with the
# unversioned images, newest pushed first, so A and D are the two kept.
case("semver-unversioned-last", block(rule(1, 'tagged pattern ["*"]', "keep newest 2 by semver")),
     [img("A", D(1), ["v1.0.0"]), img("B", D(20), ["latest"]), img("C", D(2), ["2.0"]), img("D", D(21), ["nightly"])],
     expire="BC")
# Tags that look like versions but are not: the release is kept, not the date tag.
case("semver-date-tag-is-not-a-version", block(rule(1, "any", "keep newest 1 by semver")),
     [img("A", D(1), ["v1.3.0"]), img("B", D(2), ["20260101"]), img("C", D(3), ["v1.5"]), img("D", D(4), ["V2.0.0"]),
      img("E", D(5), ["v01.2.3"]), img("F", D(6), ["1.02.0"])],
     expire="BCDEF")
case("semver-long-numbers", block(rule(1, "any", "keep newest 1 by semver")),
     [img("A", D(1), ["v9999999999999999999.0.0"]), img("B", D(2), ["v10000000000000000000.0.0"]),
      img("C", D(3), ["1.0.0-10000000000000000000"])],
     expire="AC")
case("semver-prerelease-numeric", block(rule(1, 'tagged pattern ["*"]', "keep newest 1 by semver")),
     [img("A", D(5), ["1.0.0-rc.10"]), img("B", D(1), ["1.0.0-rc.9"]), img("C", D(2), ["1.0.0-rc.01"])],
     expire="BC")
case("has-semver-strict", block(rule(1, "any where not has_semver", "expire older than 1d")),
     [img("A", D(1), ["v1.2.3"]), img("B", D(1), ["v1.2"]), img("C", D(1), ["2024.10"]), img("D", D(1), ["1.0.0-beta.1"])],
     expire="BC")
case("per-semver-prerelease-groups-releases", block(rule(1, "any where has_semver", "keep newest 1 by semver per semver.prerelease")),
     [img("A", D(1), ["1.0.0"]), img("B", D(2), ["1.1.0"]), img("C", D(3), ["1.1.0-rc.1"]), img("D", D(4), ["1.2.0-rc.1"])],
     expire="AC")
# A scan summary with no severity counts is a clean scan: scanned, zero findings.
case("clean-scan-is-scanned", block(rule(1, "any where scanned and findings.critical == 0", "expire older than 1d")),
     [img("A", D(1), ["a"], findings={}), img("B", D(1), ["b"]), img("C", D(1), ["c"], findings={"critical": 1}),
      img("D", D(1), ["d"], findings={"high": 2})],
     expire="AD")
case("clean-scan-unguarded-read", block(rule(1, "any where findings.critical > 0", "expire older than 1d")),
     [img("A", D(1), ["a"], findings={}), img("B", D(1), ["b"], findings={"critical": 3})],
     expire="B")
# protect covers both storage classes unless narrowed with `in`.
case("protect-any-covers-archive", block(rule(1, "any", "expire older than 1d") + rule(2, "any in archive", "expire archived for 1d") +
                                         '    protect tagged pattern ["keep-*"]\n'),
     [img("A", D(1), ["keep-1"]), img("B", D(1), ["keep-2"], storageClass="archive", lastArchivedAt=D(2)),
      img("C", D(1), ["x"], storageClass="archive", lastArchivedAt=D(2)), img("D", D(1), ["y"])],
     expire="CD")
case("protect-in-archive-only", block(rule(1, "any", "expire older than 1d") + rule(2, "any in archive", "expire archived for 1d") +
                                      '    protect tagged pattern ["keep-*"] in archive\n'),
     [img("A", D(1), ["keep-1"]), img("B", D(1), ["keep-2"], storageClass="archive", lastArchivedAt=D(2))],
     expire="A")
case("protect-in-standard-only", block(rule(1, "any", "expire older than 1d") + rule(2, "any in archive", "expire archived for 1d") +
                                       '    protect tagged pattern ["keep-*"] in standard\n'),
     [img("A", D(1), ["keep-1"]), img("B", D(1), ["keep-2"], storageClass="archive", lastArchivedAt=D(2))],
     expire="B")
case("where-repository", 'repository "*" {\n  lifecycle {\n' + rule(1, 'any where repository like "backend/*"', "expire older than 1d") + '  }\n}\n',
     [img("A", D(1), ["a"], repo="backend/api"), img("B", D(1), ["b"], repo="frontend/web"), img("C", D(1), ["c"], repo="backend")],
     expire="A")
case("per-semver-major", block(rule(1, 'tagged pattern ["v*"]', "keep newest 1 by semver per semver.major")),
     [img("A", D(1), ["v1.0.0"]), img("B", D(2), ["v1.1.0"]), img("C", D(3), ["v2.0.0"]), img("D", D(4), ["v2.1.0"]), img("E", D(5), ["v2.0.1"])],
     expire="ACE")
case("per-push-order", block(rule(1, 'tagged pattern ["*"]', "keep newest 1 per semver.major")),
     [img("A", D(1), ["v1.5.0"]), img("B", D(2), ["v1.0.0"]), img("C", D(3), ["v2.0.0"]), img("D", D(4), ["x"]), img("E", D(5), ["y"])],
     expire="AD")
case("archive-all-but-newest", block(rule(1, 'tagged prefix ["nightly-"]', "archive all but newest 1")),
     [img("A", D(1), ["nightly-1"]), img("B", D(2), ["nightly-2"]), img("C", D(3), ["nightly-3"], storageClass="archive")],
     transition="A")
case("protect-pattern", block(rule(1, "any", "expire older than 1d") + '    protect tagged pattern ["prod-*"]\n'),
     [img("A", D(1), ["prod-1"]), img("B", D(1), ["dev-1"]), img("C", D(1), ["x", "prod-2"])], expire="B")
case("protect-where", block(rule(1, "any", "expire older than 1d") + '    protect any where "latest" in tags\n'),
     [img("A", D(1), ["latest"]), img("B", D(1), ["dev-1"])], expire="B")
case("protect-in-use-lines", block(rule(1, "any", "expire older than 1d") + "    protect in_use\n"),
     [img("A", D(1), ["v1"]), img("B", D(1), ["v2"]), img("C", D(1)), img("D", D(1), ["v4"])], expire="BD",
     in_use="# deployed\n123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1\napp@DIGEST_C\nother/repo:v2\n")
case("protect-in-use-kubectl", block(rule(1, "any", "expire older than 1d") + "    protect in_use\n"),
     [img("A", D(1), ["v1"]), img("B", D(1), ["v2"]), img("C", D(1))], expire="A",
     in_use=json.dumps({"items": [{"spec": {"containers": [{"image": "app:v2"}]},
                                   "status": {"containerStatuses": [{"imageID": "docker-pullable://app@DIGEST_C"}]}}]}))
# A protected image still counts and is still claimed: rule 2 cannot take it.
case("protected-image-still-claimed", block(rule(1, 'tagged pattern ["v*"]', "keep newest 1") + rule(2, "any", "expire older than 1d") +
                                            '    protect tagged pattern ["v1"]\n'),
     [img("A", D(1), ["v1"]), img("B", D(2), ["v2"]), img("C", D(3), ["v3"]), img("D", D(1), ["z"])], expire="BD")
case("manifest-list-children-kept", block(rule(1, "untagged", "expire older than 1d")),
     [img("L", D(1), ["v1"], children=["CHILD_A", "CHILD_B"]), img("A", D(1)), img("B", D(1)), img("C", D(1))], expire="C")
case("manifest-list-expired-children-go", block(rule(1, "any", "expire older than 1d") + '    protect tagged pattern ["keep"]\n'),
     [img("L", D(1), ["v1"], children=["CHILD_A"]), img("A", D(1)), img("M", D(1), ["keep"], children=["CHILD_B"]), img("B", D(1))],
     expire="LA")
case("manifest-list-archived-parent", block(rule(1, 'tagged pattern ["v*"]', "archive older than 1d") + rule(2, "untagged", "expire older than 1d")),
     [img("L", D(1), ["v1"], children=["CHILD_A"]), img("A", D(1)), img("B", D(1))], expire="B", transition="LA")
# An artifact (a signature, an SBOM: a manifest with a subject) never goes further than its
# subject: the signature of a kept image stays even where a rule would expire it.
case("artifact-of-kept-image-stays", block(rule(1, "untagged", "expire older than 1d")),
     [img("A", D(1), ["v1"]), img("S", D(1), subject="SUBJECT_A", artifactMediaType="application/vnd.dev.cosign.artifact.sig.v1+json"),
      img("U", D(1))], expire="U")
case("artifact-of-expired-image-goes", block(rule(1, 'tagged pattern ["v*"]', "keep newest 1") + rule(2, "untagged", "expire older than 1d")),
     [img("A", D(1), ["v1"]), img("B", D(2), ["v2"]), img("X", D(1), subject="SUBJECT_A"), img("Y", D(2), subject="SUBJECT_B")], expire="AX")
case("artifact-of-artifact-stays", block(rule(1, "untagged", "expire older than 1d")),
     [img("A", D(1), ["v1"]), img("S", D(1), subject="SUBJECT_A"), img("T", D(1), subject="SUBJECT_S"), img("U", D(1))], expire="U")
case("artifact-of-archived-image-is-archived", block(rule(1, 'tagged pattern ["v*"]', "archive older than 1d") + rule(2, "untagged", "expire older than 1d")),
     [img("L", D(1), ["v1"]), img("S", D(1), subject="SUBJECT_L"), img("B", D(1))], expire="B", transition="LS")
# A subject that is not in the snapshot: the rules alone decide.
case("artifact-without-subject-in-snapshot", block(rule(1, "untagged", "expire older than 1d")),
     [img("A", D(1), ["v1"]), img("S", D(1), subject="SUBJECT_Z")], expire="S")
case("stdlib-template", 'import "std/retention" as retention\n\n' +
     block("    use retention.untagged(after: 7d) priority 1\n    use retention.keep_releases(n: 1) priority 2\n"),
     [img("A", D(1)), img("B", D(25)), img("C", D(1), ["v1"]), img("D", D(2), ["v2"])], expire="AC")
case("local-template-defaults", 'template drop(prefix, after = 10d) {\n  select tagged prefix [prefix]\n  expire older than after\n}\n\n' +
     block('    use drop("pr-") priority 1\n    use drop(prefix: "tmp-", after: 1d) priority 2\n'),
     [img("A", D(1), ["pr-1"]), img("B", D(20), ["pr-2"]), img("C", D(20), ["tmp-1"]), img("D", D(20), ["x"])], expire="AC")
case("scoping-most-specific-wins",
     block(rule(1, "any", "expire older than 1d"), "team/*") + "\n" + block(rule(1, 'tagged pattern ["*"]', "keep newest 10"), "team/api") +
     "\ndefaults {\n  lifecycle {\n" + rule(1, "untagged", "expire older than 1d") + "  }\n}\n",
     [img("A", D(1), ["a"], repo="team/api"), img("B", D(1), repo="team/api"), img("C", D(1), ["c"], repo="team/web"),
      img("D", D(1), ["d"], repo="other"), img("E", D(1), repo="other")], expire="CE")
case("scoping-except", block(rule(1, "any", "expire older than 1d"), "*").replace('repository "*"', 'repository "*" except "legacy/*"'),
     [img("A", D(1), ["a"], repo="svc"), img("B", D(1), ["b"], repo="legacy/old")], expire="A")
case("scoping-tie-is-an-error", block(rule(1, "any", "expire older than 1d"), "a*") + "\n" + block(rule(1, "any", "keep newest 1"), "*b"),
     [img("A", D(1), ["a"], repo="ab")], error=True)
case("blocks-without-lifecycle-fall-through", 'repository "team/api" {\n  mutability immutable\n}\n\n' + block(rule(1, "any", "expire older than 1d"), "team/*"),
     [img("A", D(1), ["a"], repo="team/api")], expire="A")
case("duplicate-priority-is-an-error", block(rule(1, "any", "expire older than 1d") + rule(1, "untagged", "expire older than 2d")),
     [img("A", D(1))], error=True)

def write():
    # Only this script's cases are rewritten: the folder also holds cases written by hand
    # (where-signed, where-graph-fields, artifact-cosign-tag-of-kept-image-stays, ...).
    for name, c in CASES.items():
        d = os.path.join(OUT, name)
        if os.path.isdir(d): shutil.rmtree(d)
        os.makedirs(d)
        letters = {}
        for i in c["images"]:
            # A real digest (64 hex digits), derived from the case and the letter.
            letters[i["letter"]] = "sha256:" + hashlib.sha256(("%s-%s" % (name[:20], i["letter"].lower() * 8)).encode()).hexdigest()
        images = []
        for i in c["images"]:
            i = dict(i)
            letter = i.pop("letter")
            i["digest"] = letters[letter]
            if "children" in i:
                i["children"] = [letters[x.replace("CHILD_", "")] for x in i["children"]]
            if "subject" in i:  # SUBJECT_Z: a subject the snapshot does not hold
                l = i["subject"].replace("SUBJECT_", "")
                i["subject"] = letters.get(l) or "sha256:" + hashlib.sha256(("absent-" + l).encode()).hexdigest()
            images.append(i)
        with open(os.path.join(d, "images.json"), "w") as f:
            snap = {"schema": "regpol.snapshot/v1", "capturedAt": NOW, "images": images}
            if c["source"]: snap["source"] = c["source"]
            json.dump(snap, f, indent=1)
        with open(os.path.join(d, "policy.regpol"), "w") as f:
            f.write(c["policy"])
        if c["in_use"] is not None:
            text = c["in_use"]
            for l, dg in letters.items(): text = text.replace("DIGEST_" + l, dg)
            with open(os.path.join(d, "in-use.txt"), "w") as f: f.write(text)
        expected = {"now": NOW, "error": c["error"], "expire": [letters[l] for l in c["expire"]],
                    "transition": [letters[l] for l in c["transition"]], "letters": letters}
        if c["untag"]: expected["untag"] = {letters[l]: tags for l, tags in c["untag"].items()}
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(expected, f, indent=1)

# Untag rules (docs/lifecycle.md "Untag rules"): they run after every other rule, over the
# images those keep, claim nothing, and remove the tags their list names ("!": the image
# ends untagged).
OCT = lambda day: "2026-10-%02dT00:00:00Z" % day  # more than 30 days before NOW
UNTAG_SHA = rule(5, 'tagged pattern ["sha-*"]', "untag older than 30d")
case("untag-older-than", block(rule(1, 'tagged pattern ["v*"]', "keep newest 10") + UNTAG_SHA),
     [img("A", OCT(1), ["v1.0.0", "sha-1", "sha-1b"]), img("B", OCT(2), ["sha-2"]), img("C", D(26), ["sha-3", "v1.1.0"]),
      img("D", OCT(3), ["latest"])],
     untag={"A": ["sha-1", "sha-1b"], "B": ["sha-2", "!"]})
# Images other rules expire lose nothing to untag (they go); the untag count ranks only
# the images that stay: B is expired by rule 1, so C and D are the newest two that stay.
case("untag-after-expiry-counts-what-stays",
     block(rule(1, 'tagged pattern ["old-*"]', "expire older than 1d") + rule(5, 'tagged prefix ["sha-"]', "untag all but newest 1")),
     [img("A", D(20), ["sha-a", "v1"]), img("B", D(19), ["old-b", "sha-b"]), img("C", D(18), ["sha-c", "v2"]), img("D", D(17), ["sha-d", "v3"])],
     expire="B", untag={"C": ["sha-c"], "D": ["sha-d"]})
# A protect clause keeps every tag of the image it names; an in-use image too.
case("untag-protected-keeps-tags",
     block(UNTAG_SHA + '    protect tagged pattern ["prod-*"]\n    protect in_use\n'),
     [img("A", OCT(1), ["prod-1", "sha-1"]), img("B", OCT(2), ["sha-2", "v2"]), img("C", OCT(3), ["sha-3", "v3"])],
     untag={"B": ["sha-2"]}, in_use="app@DIGEST_C\n")
# A cosign signature's tag (sha256-<hex>.sig) is its link to its image: artifacts keep tags.
case("untag-leaves-artifacts-alone",
     block(rule(5, 'tagged pattern ["sha*"]', "untag older than 30d")),
     [img("A", OCT(1), ["sha-1", "v1"]), img("S", OCT(1), ["sha256-0000000000000000000000000000000000000000000000000000000000000000.sig"]),
      img("R", OCT(1), ["sha-r"], subject="SUBJECT_A")],
     untag={"A": ["sha-1"]})
# On ECR, BatchDeleteImage deletes an image with its last tag: there the image expires,
# and the plan says so, instead of ending untagged.
case("untag-last-tag-on-ecr-expires", block(UNTAG_SHA),
     [img("A", OCT(1), ["sha-1"]), img("B", OCT(1), ["sha-2", "v2"])], expire="A", untag={"B": ["sha-2"]}, source="ecr:us-east-1")
# Two untag rules add up; the higher one decides the reason.
case("untag-rules-add-up",
     block(UNTAG_SHA + rule(6, 'tagged prefix ["build-"]', "untag older than 10d")),
     [img("A", OCT(1), ["build-1", "sha-1", "v1"]), img("B", D(10), ["build-2", "sha-2", "v2"]), img("C", D(20), ["build-3", "sha-3"])],
     untag={"A": ["build-1", "sha-1"], "B": ["build-2"]})
case("untag-without-a-list-is-an-error", block(rule(5, "tagged", "untag older than 30d")), [img("A", D(1), ["a"])], error=True)
case("untag-in-archive-is-an-error", block(rule(5, 'tagged pattern ["a"] in archive', "untag older than 30d")),
     [img("A", D(1), ["a"])], error=True)

# `select artifacts [of type [...]]` decides artifacts themselves: old signatures of a
# kept image can go (A stays, its old signature S1 goes, the new one S2 and the SBOM stay);
# other rules still never take an artifact further than its subject.
SIG = "application/vnd.dev.cosign.artifact.sig.v1+json"
case("artifacts-of-type-rule-decides-artifacts",
     block(rule(1, 'tagged pattern ["v*"]', "keep newest 5") +
           rule(2, 'artifacts of type ["application/vnd.dev.cosign*"]', "expire older than 30d") +
           rule(3, "untagged", "expire older than 1d")),
     [img("A", OCT(1), ["v1"]), img("S", OCT(2), subject="SUBJECT_A", artifactMediaType=SIG),
      img("R", D(26), subject="SUBJECT_A", artifactMediaType=SIG), img("B", OCT(3), subject="SUBJECT_A", artifactMediaType="application/spdx+json")],
     expire="S")
# Count rules over artifacts: keep the newest signature of each subject.
case("artifacts-keep-newest-per-subject",
     block(rule(2, 'artifacts of type ["*cosign*"]', "keep newest 1 per subject")),
     [img("A", OCT(1), ["v1"]), img("S", OCT(2), subject="SUBJECT_A", artifactMediaType=SIG),
      img("R", OCT(3), subject="SUBJECT_A", artifactMediaType=SIG), img("C", OCT(1), ["v2"]),
      img("T", OCT(4), subject="SUBJECT_C", artifactMediaType=SIG),
      img("Q", OCT(5), ["sha256-0000000000000000000000000000000000000000000000000000000000000001.sig"], artifactMediaType=SIG)],
     expire="S")
case("protect-artifacts", block(rule(1, "untagged", "expire older than 1d") + '    protect artifacts\n'),
     [img("S", OCT(2), subject="SUBJECT_Z", artifactMediaType=SIG), img("U", OCT(2))], expire="U")

if __name__ == "__main__":
    write()
    print("wrote %d cases to %s" % (len(CASES), OUT))
