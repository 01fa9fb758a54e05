#!/usr/bin/env python3
"""Fills a Distribution registry on loopback with images whose blob sharing is known by
construction, and writes what it made to a JSON file the test checks regpol against.

Images are written as OCI image layouts (tests/oci/populate.py's own writer) and pushed
with `skopeo copy` (indexes with --all). Signature artifacts are pushed through the
registry API (PUT blob / PUT manifest), tagged cosign-style `sha256-<hex>.sig`, with an
OCI 1.1 `subject`. `--direct` pushes everything through the API (the benchmark's many
images). Credentials, when the registry needs them, come from REGPOL_REGISTRY_USERNAME /
REGPOL_REGISTRY_PASSWORD and are never printed.
"""
import argparse
import base64
import gzip
import hashlib
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request

OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_CONFIG = "application/vnd.oci.image.config.v1+json"
OCI_LAYER = "application/vnd.oci.image.layer.v1.tar+gzip"
COSIGN_CONFIG = "application/vnd.dev.cosign.simplesigning.v1+json"


def sha(data):
    return "sha256:" + hashlib.sha256(data).hexdigest()


class Blobs:
    """Content-addressed bytes: what an image is made of, by digest."""

    def __init__(self):
        self.data = {}

    def put(self, data):
        d = sha(data)
        self.data[d] = data
        return {"digest": d, "size": len(data)}


def layer_bytes(name, size):
    # Real gzip (of incompressible bytes, so the size is about `size`): skopeo passes a
    # compressed layer through as it is, and would recompress anything else.
    rnd = random.Random(name)
    return gzip.compress(bytes(rnd.getrandbits(8) for _ in range(size)), mtime=0)


class Maker:
    def __init__(self):
        self.blobs = Blobs()
        self.layers = {}

    def layer(self, name, size):
        if name not in self.layers:
            self.layers[name] = self.blobs.put(layer_bytes(name, size))
        return dict(self.layers[name], mediaType=OCI_LAYER)

    def image(self, created, layers, arch="amd64"):
        config = {"architecture": arch, "os": "linux", "rootfs": {"type": "layers", "diff_ids": [l["digest"] for l in layers]}}
        if created is not None:
            config["created"] = created
        c = self.blobs.put(json.dumps(config, sort_keys=True).encode())
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": dict(c, mediaType=OCI_CONFIG), "layers": layers}
        m = self.blobs.put(json.dumps(manifest, sort_keys=True).encode())
        blob_list = [m, c] + [{"digest": l["digest"], "size": l["size"]} for l in layers]
        return {"digest": m["digest"], "size": m["size"], "mediaType": OCI_MANIFEST, "blobs": blob_list}

    def index(self, children):
        manifest = {"schemaVersion": 2, "mediaType": OCI_INDEX,
                    "manifests": [{"mediaType": OCI_MANIFEST, "digest": ch["digest"], "size": ch["size"],
                                   "platform": {"architecture": arch, "os": "linux"}} for ch, arch in children]}
        m = self.blobs.put(json.dumps(manifest, sort_keys=True).encode())
        return {"digest": m["digest"], "size": m["size"], "mediaType": OCI_INDEX, "blobs": [m], "children": [ch for ch, _ in children]}

    def signature(self, subject, payload_name):
        c = self.blobs.put(json.dumps({"critical": {"image": {"docker-manifest-digest": subject["digest"]}}, "n": payload_name}).encode())
        l = self.blobs.put(("signature of " + subject["digest"] + payload_name).encode())
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST, "config": dict(c, mediaType=COSIGN_CONFIG),
                    "layers": [dict(l, mediaType="application/vnd.dev.cosign.simplesigning.v1+json")],
                    "subject": {"mediaType": OCI_MANIFEST, "digest": subject["digest"], "size": subject["size"]}}
        m = self.blobs.put(json.dumps(manifest, sort_keys=True).encode())
        return {"digest": m["digest"], "size": m["size"], "mediaType": OCI_MANIFEST, "blobs": [m, c, l], "subject": subject["digest"]}


def write_layout(maker, top, tag, folder):
    os.makedirs(os.path.join(folder, "blobs", "sha256"), exist_ok=True)
    with open(os.path.join(folder, "oci-layout"), "w") as f:
        json.dump({"imageLayoutVersion": "1.0.0"}, f)
    needed = [b["digest"] for b in top["blobs"]]
    for ch in top.get("children", []):
        needed += [b["digest"] for b in ch["blobs"]]
    for d in needed:
        with open(os.path.join(folder, "blobs", "sha256", d[7:]), "wb") as f:
            f.write(maker.blobs.data[d])
    with open(os.path.join(folder, "index.json"), "w") as f:
        json.dump({"schemaVersion": 2, "manifests": [{"mediaType": top["mediaType"], "digest": top["digest"], "size": top["size"],
                                                     "annotations": {"org.opencontainers.image.ref.name": tag}}]}, f)


class Api:
    """The registry's push API, for artifacts skopeo does not push and for --direct."""

    def __init__(self, base):
        self.base = base
        self.token = None
        user = os.environ.get("REGPOL_REGISTRY_USERNAME")
        self.basic = None
        if user:
            self.basic = "Basic " + base64.b64encode((user + ":" + os.environ.get("REGPOL_REGISTRY_PASSWORD", "")).encode()).decode()

    def call(self, method, path, data=None, headers=None, auth=None):
        req = urllib.request.Request(self.base + path, data=data, method=method, headers=dict(headers or {}))
        if auth:
            req.add_header("Authorization", auth)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, dict(r.headers), r.read()
        except urllib.error.HTTPError as e:
            return e.code, dict(e.headers), e.read()

    def request(self, method, path, data=None, headers=None):
        status, h, body = self.call(method, path, data, headers, self.token)
        if status == 401:
            challenge = h.get("Www-Authenticate", h.get("WWW-Authenticate", ""))
            if challenge.lower().startswith("bearer"):
                params = dict(re.findall(r'(\w+)="([^"]*)"', challenge))
                url = params["realm"] + "?service=" + urllib.request.quote(params.get("service", "")) + "&scope=" + \
                    urllib.request.quote(params.get("scope", ""))
                req = urllib.request.Request(url)
                if self.basic:
                    req.add_header("Authorization", self.basic)
                with urllib.request.urlopen(req) as r:
                    self.token = "Bearer " + json.loads(r.read())["token"]
            else:
                self.token = self.basic
            status, h, body = self.call(method, path, data, headers, self.token)
        return status, h, body

    def put_blob(self, repo, digest, data):
        status, _, _ = self.request("HEAD", "/v2/%s/blobs/%s" % (repo, digest))
        if status == 200:
            return
        status, h, body = self.request("POST", "/v2/%s/blobs/uploads/" % repo, b"")
        if status != 202:
            sys.exit("upload start failed: %d %s" % (status, body[:200]))
        loc = h["Location"]
        if loc.startswith("http"):
            loc = loc[len(self.base):]
        sep = "&" if "?" in loc else "?"
        status, _, body = self.request("PUT", loc + sep + "digest=" + digest, data, {"Content-Type": "application/octet-stream"})
        if status != 201:
            sys.exit("blob upload failed: %d %s" % (status, body[:200]))

    def put_manifest(self, repo, ref, media_type, data):
        status, _, body = self.request("PUT", "/v2/%s/manifests/%s" % (repo, ref), data, {"Content-Type": media_type})
        if status != 201:
            sys.exit("manifest push failed: %d %s" % (status, body[:300]))


def push_direct(api, maker, repo, tag, top):
    for ch in top.get("children", []):
        push_direct(api, maker, repo, None, ch)
    for b in top["blobs"][1:]:
        api.put_blob(repo, b["digest"], maker.blobs.data[b["digest"]])
    api.put_manifest(repo, tag or top["digest"], top["mediaType"], maker.blobs.data[top["digest"]])


def push_skopeo(registry, maker, repo, tag, top, workdir):
    folder = os.path.join(workdir, "%s-%s" % (repo.replace("/", "_"), tag))
    write_layout(maker, top, tag, folder)
    cmd = ["skopeo", "--insecure-policy", "copy", "--quiet", "--dest-tls-verify=false"]
    if top["mediaType"] == OCI_INDEX:
        cmd.append("--all")
    user = os.environ.get("REGPOL_REGISTRY_USERNAME")
    if user:
        cmd += ["--dest-creds", user + ":" + os.environ.get("REGPOL_REGISTRY_PASSWORD", "")]
    cmd += ["oci:%s:%s" % (folder, tag), "docker://%s/%s:%s" % (registry, repo, tag)]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit("skopeo copy %s/%s:%s failed: %s" % (repo, tag, r.stderr.replace(os.environ.get("REGPOL_REGISTRY_PASSWORD", "\0"), "***")))


def scenario_basic(m):
    """(repository, tag, object) triples, in push order."""
    out = []
    base = m.layer("base-os", 200_000)
    runtime = m.layer("runtime", 50_000)
    for i in range(1, 6):
        img = m.image("2026-0%d-01T00:00:00Z" % i, [base, runtime, m.layer("app-v%d" % i, 10_000 + i)])
        out.append(("team/app", "v%d" % i, img))
    for i in range(1, 4):
        img = m.image("2026-0%d-15T00:00:00Z" % i, [base, m.layer("pr-%d" % i, 20_000 + i)])
        out.append(("team/app", "pr-%d" % i, img))
    # An old pull-request image that also carries a release tag: the release tag keeps it.
    both = m.image("2026-01-20T00:00:00Z", [base, m.layer("pr-9", 7_000)])
    out.append(("team/app", "pr-9", both))
    out.append(("team/app", "v0-hotfix", both))
    # Multi-arch: two indexes, each with two children; the old one shares the amd64 child.
    amd_old = m.image("2026-02-01T00:00:00Z", [base, m.layer("multi-amd64-old", 30_000)], "amd64")
    arm_old = m.image("2026-02-01T00:00:00Z", [m.layer("multi-arm64-old", 31_000)], "arm64")
    amd_new = m.image("2026-06-01T00:00:00Z", [base, m.layer("multi-amd64-new", 32_000)], "amd64")
    arm_new = m.image("2026-06-01T00:00:00Z", [m.layer("multi-arm64-new", 33_000)], "arm64")
    out.append(("team/multi", "1.0", m.index([(amd_old, "amd64"), (arm_old, "arm64")])))
    out.append(("team/multi", "2.0", m.index([(amd_new, "amd64"), (arm_new, "arm64")])))
    # Signed images: a signature artifact for each; one image is a reproducible build (1970).
    s1 = m.image("2026-03-01T00:00:00Z", [base, m.layer("signed-1", 12_000)])
    s2 = m.image("2026-09-01T00:00:00Z", [base, m.layer("signed-2", 13_000)])
    repro = m.image("1970-01-01T00:00:00Z", [m.layer("repro", 14_000)])
    out.append(("team/signed", "rel-1", s1))
    out.append(("team/signed", "rel-2", s2))
    out.append(("team/signed", "rel-repro", repro))
    for s in (s1, s2):
        out.append(("team/signed", "sha256-%s.sig" % s["digest"][7:], m.signature(s, "sig")))
    return out


def scenario_bench(m, repos, per_repo):
    out = []
    base = m.layer("base", 4096)
    for r in range(repos):
        for i in range(per_repo):
            img = m.image("2026-%02d-%02dT00:00:00Z" % (1 + i % 12, 1 + i % 28), [base, m.layer("r%d-i%d" % (r, i), 256)])
            out.append(("bench/repo-%02d" % r, "t%d" % i, img))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--registry", required=True, help="HOST:PORT on loopback")
    ap.add_argument("--scenario", default="basic", choices=["basic", "bench"])
    ap.add_argument("--repos", type=int, default=20)
    ap.add_argument("--per-repo", type=int, default=100)
    ap.add_argument("--direct", action="store_true")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    m = Maker()
    items = scenario_basic(m) if a.scenario == "basic" else scenario_bench(m, a.repos, a.per_repo)
    api = Api("http://" + a.registry)
    with tempfile.TemporaryDirectory() as work:
        for repo, tag, obj in items:
            if a.direct or obj.get("subject"):
                push_direct(api, m, repo, tag, obj)
            else:
                push_skopeo(a.registry, m, repo, tag, obj, work)
    made = {"images": [{"repository": r, "tag": t, "digest": o["digest"], "mediaType": o["mediaType"],
                        "blobs": o["blobs"], "children": [c["digest"] for c in o.get("children", [])],
                        "childBlobs": {c["digest"]: c["blobs"] for c in o.get("children", [])},
                        "subject": o.get("subject")} for r, t, o in items]}
    with open(a.out, "w") as f:
        json.dump(made, f, indent=1)


if __name__ == "__main__":
    main()
