#!/usr/bin/env python3
"""Writes a regpol snapshot of REPOS repositories whose images form graphs, for the ECR
test endpoint: releases with build tags (sha-*), a tagged multi-arch index with untagged
children, an old untagged index with its children, cosign signatures and SBOMs with an
OCI subject (every other repository's without subjectManifestDigest in DescribeImages, so
the pull must ask ListImageReferrers), a cosign tag signature (sha256-<hex>.sig) and an
image tagged only by its build. usage: graph_fixture.py REPOS OUT.json"""
import hashlib
import json
import sys

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
IMAGE_CONFIG = "application/vnd.oci.image.config.v1+json"
COSIGN_SIG = "application/vnd.dev.cosign.artifact.sig.v1+json"
SPDX = "application/spdx+json"


def digest(*parts):
    return "sha256:" + hashlib.sha256("/".join(map(str, parts)).encode()).hexdigest()


def main():
    repos, out = int(sys.argv[1]), sys.argv[2]
    images = []
    for r in range(repos):
        name = "graph/svc-%02d" % r
        hide = r % 2 == 0  # DescribeImages leaves out subjectManifestDigest here

        def add(key, pushed, tags=(), media=OCI_MANIFEST, artifact=IMAGE_CONFIG, **extra):
            img = {"repository": name, "digest": digest(name, key), "pushedAt": pushed, "tags": list(tags), "sizeBytes": 1000 + len(images),
                   "manifestMediaType": media, "artifactMediaType": artifact}
            img.update(extra)
            images.append(img)
            return img["digest"]

        rel = {}
        for k, (day, v) in enumerate([("2026-06-01", "v1"), ("2026-08-01", "v2"), ("2026-10-01", "v3"), ("2026-11-20", "v4")]):
            rel[v] = add(v, day + "T00:00:00Z", [v, "sha-%s%02d" % ("abcd"[k], r)])
        add("build-only", "2026-09-01T00:00:00Z", ["sha-e%02d" % r])
        kids_new = [add("new-amd64", "2026-11-01T00:00:00Z"), add("new-arm64", "2026-11-01T00:00:00Z")]
        add("multi-new", "2026-11-01T00:00:00Z", ["multi-1"], media=OCI_INDEX, artifact=None, children=kids_new)
        kids_old = [add("old-amd64", "2026-05-01T00:00:00Z"), add("old-arm64", "2026-05-01T00:00:00Z")]
        add("multi-old", "2026-05-01T00:00:00Z", media=OCI_INDEX, artifact=None, children=kids_old)
        add("sig-v3", "2026-10-02T00:00:00Z", artifact=COSIGN_SIG, subject=rel["v3"], **({"describeSubject": False} if hide else {}))
        add("sbom-v1", "2026-06-02T00:00:00Z", artifact=SPDX, subject=rel["v1"], **({"describeSubject": False} if hide else {}))
        add("sbom-v4", "2026-11-21T00:00:00Z", artifact=SPDX, subject=rel["v4"], **({"describeSubject": False} if hide else {}))
        add("cosign-tag-v4", "2026-11-21T00:00:00Z", ["sha256-%s.sig" % rel["v4"][7:]], artifact=COSIGN_SIG)
    for img in images:
        if img.get("artifactMediaType") is None:
            del img["artifactMediaType"]
    with open(out, "w") as f:
        json.dump({"schema": "regpol.snapshot/v1", "capturedAt": "2026-11-27T00:00:00Z", "images": images}, f, indent=1)


if __name__ == "__main__":
    main()
