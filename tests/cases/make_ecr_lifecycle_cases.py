#!/usr/bin/env python3
"""Writes tests/cases/ecr-lifecycle/<case>/ from the specs below.

Each spec lists images by letter and the letters expected to be expired or
transitioned; the expectations are worked out by hand from ECR's documented
algorithm (docs/lifecycle.md), never produced by regpol. Re-run after editing:
    python3 tests/cases/make_ecr_lifecycle_cases.py
"""
import hashlib, json, os, shutil

NOW = "2026-11-27T12:00:00Z"
REPO = "cases/app"
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "ecr-lifecycle")

def digest(case, letter):
    return "sha256:" + hashlib.sha256(f"{case}/{letter}".encode()).hexdigest()

def rule(priority, status, count_type, number, action="expire", prefix=None, pattern=None, storage=None, target=None, desc=None):
    sel = {"tagStatus": status}
    if prefix is not None: sel["tagPrefixList"] = prefix
    if pattern is not None: sel["tagPatternList"] = pattern
    sel["countType"] = count_type
    if count_type != "imageCountMoreThan": sel["countUnit"] = "days"
    sel["countNumber"] = number
    if storage: sel["storageClass"] = storage
    act = {"type": action}
    if action == "transition": act["targetStorageClass"] = target or "archive"
    return {"rulePriority": priority, "description": desc or f"rule {priority}", "selection": sel, "action": act}

CASES = {}
def case(name, rules, images, expire=(), transition=(), error=False, raw_policy=None, via_import=None):
    """via_import: (expire, why) where a regpol lifecycle imported from the document decides
    otherwise (docs/lifecycle.md: artifacts)."""
    CASES[name] = dict(rules=rules, images=images, expire=expire, transition=transition, error=error, raw_policy=raw_policy,
                       via_import=via_import)

def img(letter, pushed, tags=None, **extra):
    d = {"letter": letter, "imagePushedAt": pushed}
    if tags is not None: d["imageTags"] = tags
    d.update(extra)
    return d

# --- artifacts (a manifest with subjectManifestDigest): images like any other to ECR ----
SIG = "application/vnd.dev.cosign.artifact.sig.v1+json"
case("artifact-expired-by-age", [rule(1, "untagged", "sinceImagePushed", 1)],
     [img("A", "2026-11-01T00:00:00Z", ["v1"]), img("S", "2026-11-01T00:00:00Z", subjectManifestDigest="SUBJECT_A", artifactMediaType=SIG)],
     expire="S", via_import=("", "a regpol lifecycle keeps the signature of a kept image"))
# ECR counts the signature among the images: it is the newest, so the image it signs goes
# (and ECR itself removes the signature within a day). Imported, the same: the rule keeps
# the signature, and a cap only ever lowers an artifact's action (#25 leaves "goes with its
# subject" on ECR to ECR).
case("artifact-counted", [rule(1, "any", "imageCountMoreThan", 1)],
     [img("A", "2026-11-01T00:00:00Z", ["v1"]), img("S", "2026-11-02T00:00:00Z", subjectManifestDigest="SUBJECT_A", artifactMediaType=SIG)],
     expire="A")

# --- count rules -----------------------------------------------------------------
case("count-keep-newest-two", [rule(1, "tagged", "imageCountMoreThan", 2, prefix=["v"])],
     [img("A", "2026-11-01T00:00:00Z", ["v1"]), img("B", "2026-11-02T00:00:00Z", ["v2"]),
      img("C", "2026-11-03T00:00:00Z", ["v3"]), img("D", "2026-11-04T00:00:00Z", ["v4"]),
      img("E", "2026-11-05T00:00:00Z", ["latest"])],
     expire="AB")
# Equal push times: the tie is broken by digest, the smaller digest counting as newer.
# digest(...,"A") < digest(...,"B") is checked below when the case is written.
case("count-tie-broken-by-digest", [rule(1, "untagged", "imageCountMoreThan", 1)],
     [img("A", "2026-11-10T00:00:00Z"), img("B", "2026-11-10T00:00:00Z")], expire="TIE_LARGER")
case("count-any-all-but-one", [rule(1, "any", "imageCountMoreThan", 1)],
     [img("A", "2026-11-01T00:00:00Z", ["a"]), img("B", "2026-11-02T00:00:00Z"), img("C", "2026-11-03T00:00:00Z", ["c"])],
     expire="AB")
case("count-more-than-selection-size", [rule(1, "tagged", "imageCountMoreThan", 10, pattern=["*"])],
     [img("A", "2026-11-01T00:00:00Z", ["a"]), img("B", "2026-11-02T00:00:00Z", ["b"])])
# Counting includes images claimed by a higher rule: rule 1 keeps both prod images (claimed),
# rule 2 counts them among its two newest, so only the oldest non-claimed image beyond them goes.
case("count-includes-claimed", [rule(1, "tagged", "sinceImagePushed", 100, prefix=["prod"]),
                                rule(2, "tagged", "imageCountMoreThan", 2, pattern=["*"])],
     [img("A", "2026-11-20T00:00:00Z", ["prod-2"]), img("B", "2026-11-19T00:00:00Z", ["prod-1"]),
      img("C", "2026-11-25T00:00:00Z", ["dev-3"]), img("D", "2026-11-10T00:00:00Z", ["dev-2"]),
      img("E", "2026-11-05T00:00:00Z", ["dev-1"])],
     expire="DE")
# A higher rule's selection protects an image even when that rule keeps it.
case("claimed-by-higher-rule", [rule(1, "tagged", "imageCountMoreThan", 5, prefix=["release"]),
                                rule(2, "any", "sinceImagePushed", 1)],
     [img("A", "2026-10-01T00:00:00Z", ["release-1"]), img("B", "2026-10-02T00:00:00Z", ["feature-x"]),
      img("C", "2026-10-03T00:00:00Z")],
     expire="BC")
case("count-transition-all-but-newest", [rule(1, "tagged", "imageCountMoreThan", 1, action="transition", prefix=["nightly-"])],
     [img("A", "2026-11-01T00:00:00Z", ["nightly-1"]), img("B", "2026-11-02T00:00:00Z", ["nightly-2"]),
      img("C", "2026-11-03T00:00:00Z", ["nightly-3"])],
     transition="AB")

# --- age rules --------------------------------------------------------------------
# Exactly five days old is not "older than" five days (strict); one microsecond more is.
case("since-pushed-strict", [rule(1, "untagged", "sinceImagePushed", 5)],
     [img("A", "2026-11-22T12:00:00Z"), img("B", "2026-11-22T11:59:59.999999Z"), img("C", "2026-11-22T12:00:00.5Z")],
     expire="B")
case("since-pushed-time-zones", [rule(1, "untagged", "sinceImagePushed", 5)],
     [img("A", "2026-11-22T13:00:00+01:00"), img("B", "2026-11-22T06:59:59-05:00"), img("C", "2026-11-22T07:00:00-05:00"),
      img("D", "2026-11-22T17:29:59+0530")],
     expire="BD")
case("since-pushed-epoch-numbers", [rule(1, "untagged", "sinceImagePushed", 1)],
     [img("A", 1795694400.0), img("B", 1795694399.5), img("C", 1795780799)],
     expire="B")
case("untagged-rule-skips-tagged", [rule(1, "untagged", "sinceImagePushed", 1)],
     [img("A", "2026-01-01T00:00:00Z", ["v1"]), img("B", "2026-01-01T00:00:00Z", []), img("C", "2026-01-02T00:00:00Z")],
     expire="BC")
case("pulled-fallbacks", [rule(1, "any", "sinceImagePulled", 30, action="transition")],
     [img("A", "2026-01-01T00:00:00Z", ["a"], lastRecordedPullTime="2026-11-20T00:00:00Z"),
      img("B", "2026-01-01T00:00:00Z", ["b"], lastRecordedPullTime="2026-09-01T00:00:00Z"),
      img("C", "2026-01-01T00:00:00Z", ["c"], lastActivatedAt="2026-11-01T00:00:00Z"),
      img("D", "2026-01-01T00:00:00Z", ["d"]),
      img("E", "2026-11-20T00:00:00Z", ["e"])],
     transition="BD")
case("archive-expire-since-transitioned", [rule(1, "any", "sinceImageTransitioned", 30, storage="archive")],
     [img("A", "2025-01-01T00:00:00Z", ["a"], imageStatus="ARCHIVED", lastArchivedAt="2026-09-01T00:00:00Z"),
      img("B", "2025-01-01T00:00:00Z", ["b"], imageStatus="ARCHIVED", lastArchivedAt="2026-11-20T00:00:00Z"),
      img("C", "2025-01-01T00:00:00Z", ["c"], imageStatus="ACTIVE")],
     expire="A")
# Storage classes are kept apart: archived images are neither counted nor actioned by a
# standard-class rule.
case("storage-classes-apart", [rule(1, "any", "imageCountMoreThan", 1)],
     [img("A", "2026-11-01T00:00:00Z", ["a"], imageStatus="ARCHIVED"), img("B", "2026-11-02T00:00:00Z", ["b"]),
      img("C", "2026-11-03T00:00:00Z", ["c"]), img("D", "2026-11-04T00:00:00Z", ["d"], imageStatus="ARCHIVED")],
     expire="B")
case("activating-ignored", [rule(1, "any", "imageCountMoreThan", 1)],
     [img("A", "2026-11-01T00:00:00Z", ["a"], imageStatus="ACTIVATING"), img("B", "2026-11-02T00:00:00Z", ["b"]),
      img("C", "2026-11-03T00:00:00Z", ["c"])],
     expire="B")

# --- tag matching -----------------------------------------------------------------
case("pattern-middle-wildcard", [rule(1, "tagged", "sinceImagePushed", 1, pattern=["v*-rc*"])],
     [img("A", "2026-01-01T00:00:00Z", ["v1.0-rc1"]), img("B", "2026-01-01T00:00:01Z", ["v1.0"]),
      img("C", "2026-01-01T00:00:02Z", ["xv1-rc1"]), img("D", "2026-01-01T00:00:03Z", ["v-rc"])],
     expire="AD")
case("pattern-exact-without-wildcard", [rule(1, "tagged", "sinceImagePushed", 1, pattern=["latest"])],
     [img("A", "2026-01-01T00:00:00Z", ["latest"]), img("B", "2026-01-01T00:00:01Z", ["latest-2"]),
      img("C", "2026-01-01T00:00:02Z", ["Latest"])],
     expire="A")
case("prefix-list-all-must-match", [rule(1, "tagged", "sinceImagePushed", 1, prefix=["prod", "v"])],
     [img("A", "2026-01-01T00:00:00Z", ["prod-1", "v1"]), img("B", "2026-01-01T00:00:01Z", ["prod-2"]),
      img("C", "2026-01-01T00:00:02Z", ["v3"]), img("D", "2026-01-01T00:00:03Z", ["prodv"])],
     expire="A")
# `?` is no wildcard in ECR patterns; no tag can contain it, so `v?` matches nothing.
case("pattern-question-mark-is-literal", [rule(1, "tagged", "sinceImagePushed", 1, pattern=["v?"])],
     [img("A", "2026-01-01T00:00:00Z", ["v1"]), img("B", "2026-01-01T00:00:01Z", ["v2"])],
     expire="")
case("multiple-rules-mixed", [rule(1, "tagged", "imageCountMoreThan", 1, prefix=["prod"]),
                              rule(2, "untagged", "sinceImagePushed", 7),
                              rule(3, "any", "imageCountMoreThan", 2)],
     [img("A", "2026-11-26T00:00:00Z", ["prod-3"]), img("B", "2026-11-25T00:00:00Z", ["prod-2"]),
      img("C", "2026-11-24T00:00:00Z"), img("D", "2026-11-01T00:00:00Z"),
      img("E", "2026-11-23T00:00:00Z", ["dev"]), img("F", "2026-11-22T00:00:00Z", ["dev-old"]),
      img("G", "2026-11-21T00:00:00Z", ["dev-older"])],
     # rule 1 expires B; rule 2 expires D and claims C; rule 3 keeps the two newest (A, B)
     # and the rest not yet claimed (E, F, G) go.
     expire="BDEFG")

# --- documents ECR rejects (exit code 3) ---------------------------------------------
def bad(name, rules=None, raw=None):
    case(name, rules or [], [img("A", "2026-01-01T00:00:00Z")], error=True, raw_policy=raw)

bad("reject-tagged-without-list", [{"rulePriority": 1, "selection": {"tagStatus": "tagged", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "expire"}}])
bad("reject-both-lists", [rule(1, "tagged", "imageCountMoreThan", 1, prefix=["a"], pattern=["b*"])])
bad("reject-count-unit-with-count", [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countUnit": "days", "countNumber": 1}, "action": {"type": "expire"}}])
bad("reject-since-without-unit", [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "sinceImagePushed", "countNumber": 1}, "action": {"type": "expire"}}])
bad("reject-count-zero", [rule(1, "any", "imageCountMoreThan", 0)])
bad("reject-duplicate-priority", [rule(1, "untagged", "imageCountMoreThan", 1), rule(1, "tagged", "imageCountMoreThan", 1, prefix=["v"])])
bad("reject-any-not-last", [rule(1, "any", "imageCountMoreThan", 1), rule(2, "untagged", "imageCountMoreThan", 1)])
bad("reject-two-untagged", [rule(1, "untagged", "imageCountMoreThan", 1), rule(2, "untagged", "sinceImagePushed", 1)])
bad("reject-five-wildcards", [rule(1, "tagged", "imageCountMoreThan", 1, pattern=["a*b*c*d*e*"])])
bad("reject-pulled-with-expire", [rule(1, "any", "sinceImagePulled", 1)])
bad("reject-transitioned-on-standard", [rule(1, "any", "sinceImageTransitioned", 1)])
bad("reject-transition-without-target", [{"rulePriority": 1, "selection": {"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 1}, "action": {"type": "transition"}}])
bad("reject-51-rules", [rule(i, "tagged", "imageCountMoreThan", 1, prefix=[f"p{i}"]) for i in range(1, 52)])
bad("reject-unknown-tag-status", [rule(1, "some", "imageCountMoreThan", 1)])
bad("reject-prefix-with-untagged", [rule(1, "untagged", "imageCountMoreThan", 1, prefix=["v"])])
bad("reject-malformed-json", raw='{"rules": [ {"rulePriority": 1, ')
bad("reject-rules-not-a-list", raw='{"rules": {"rulePriority": 1}}')

def write():
    if os.path.isdir(OUT): shutil.rmtree(OUT)
    for name, c in CASES.items():
        d = os.path.join(OUT, name)
        os.makedirs(d)
        letters = {}
        details = []
        for i in c["images"]:
            i = dict(i)
            letter = i.pop("letter")
            letters[letter] = digest(name, letter)
            entry = {"registryId": "123456789012", "repositoryName": REPO, "imageDigest": letters[letter],
                     "imageSizeInBytes": 1000000 + len(details)}
            if str(i.get("subjectManifestDigest", "")).startswith("SUBJECT_"):
                i["subjectManifestDigest"] = letters[i["subjectManifestDigest"][len("SUBJECT_"):]]
            entry.update(i)
            details.append(entry)
        expire = c["expire"]
        if expire == "TIE_LARGER":
            expire = max(letters, key=lambda l: letters[l])
        with open(os.path.join(d, "images.json"), "w") as f:
            json.dump({"imageDetails": details}, f, indent=1)
        with open(os.path.join(d, "policy.json"), "w") as f:
            f.write(c["raw_policy"] if c["raw_policy"] is not None else json.dumps({"rules": c["rules"]}, indent=1))
        doc = {"now": NOW, "repository": REPO, "error": c["error"],
               "expire": [letters[l] for l in expire], "transition": [letters[l] for l in c["transition"]], "letters": letters}
        if c["via_import"]:
            doc["viaImport"] = {"expire": [letters[l] for l in c["via_import"][0]], "why": c["via_import"][1]}
        with open(os.path.join(d, "case.json"), "w") as f:
            json.dump(doc, f, indent=1)

if __name__ == "__main__":
    write()
    print(f"wrote {len(CASES)} cases to {OUT}")
