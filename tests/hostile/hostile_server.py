#!/usr/bin/env python3
"""A registry (OCI Distribution API) or ECR endpoint on 127.0.0.1 that misbehaves in one
way, chosen by MODE, for tests/run_hostile.py. Every request line is appended to LOGFILE.
usage: hostile_server.py MODE PORTFILE LOGFILE

OCI modes (catalog: one repository `app`):
  endless-tags   tag list pages of 10,000 new tags, each with a Link to one more page, forever
  looping-link   a tag list page whose Link names the same page again
  huge-manifest  tags [v1]; the manifest of v1 is 256 MiB of JSON whitespace, sent as it goes
  slow           the tag list answers one byte a second
  hostile-names  tags ["v1", "../../other/manifests/latest", "a\\r\\nX-Injected: 1", "v2?x=1"]
  echo           a working registry with two images (basic auth: any credentials) whose
                 DELETE answers 400 and echoes the Authorization header it got
  busy           the same two images, anonymous, whose DELETE always answers 503
ECR modes (POST / with X-Amz-Target):
  ecr-repeat-token  DescribeRepositories pages that always carry the same nextToken
  ecr-huge          DescribeRepositories answers 64 MiB
"""
import hashlib
import http.server
import json
import os
import socketserver
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from quiet_handler import QuietHandler  # noqa: E402

mode, port_file, log_file = sys.argv[1], sys.argv[2], sys.argv[3]
log = open(log_file, "a", buffering=1)


def digest(b):
    return "sha256:" + hashlib.sha256(b).hexdigest()


def image(created):
    config = json.dumps({"created": created, "architecture": "amd64", "os": "linux",
                         "rootfs": {"type": "layers", "diff_ids": []}}).encode()
    manifest = json.dumps({"schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
                           "config": {"mediaType": "application/vnd.oci.image.config.v1+json", "digest": digest(config),
                                      "size": len(config)}, "layers": []}).encode()
    return config, manifest


ECHO_IMAGES = {"v1": image("2025-01-01T00:00:00Z"), "v2": image("2026-11-01T00:00:00Z")}


class Handler(QuietHandler):
    def reply_json(self, doc, headers=()):
        self.reply(200, json.dumps(doc).encode(), [("Content-Type", "application/json")] + list(headers))

    def handle_one(self):
        log.write(self.command + " " + self.path + "\n")
        path = self.path
        if mode == "echo" and not self.headers.get("Authorization"):
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
                              [("WWW-Authenticate", 'Basic realm="hostile"')])
        if path.startswith("/v2/_catalog"):
            return self.reply_json({"repositories": ["app"]})
        if path.startswith("/v2/app/tags/list"):
            if mode == "endless-tags":
                page = int(path.split("last=p")[1]) if "last=p" in path else 0
                tags = ["p%d-t%d" % (page, i) for i in range(10000)]
                return self.reply_json({"name": "app", "tags": tags},
                                       [("Link", '</v2/app/tags/list?n=1000&last=p%d>; rel="next"' % (page + 1))])
            if mode == "looping-link":
                return self.reply_json({"name": "app", "tags": ["v1"]}, [("Link", '<%s>; rel="next"' % path)])
            if mode == "slow":
                body = json.dumps({"name": "app", "tags": ["v1"]}).encode() + b" " * 100
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                try:
                    for i in range(len(body)):
                        self.wfile.write(body[i:i + 1])
                        self.wfile.flush()
                        time.sleep(1)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if mode == "hostile-names":
                return self.reply_json({"name": "app", "tags": ["v1", "../../other/manifests/latest", "a\r\nX-Injected: 1", "v2?x=1"]})
            return self.reply_json({"name": "app", "tags": sorted(ECHO_IMAGES) if mode in ("echo", "busy") else ["v1"]})
        if path.startswith("/v2/app/manifests/"):
            ref = path.rsplit("/", 1)[1]
            if mode == "huge-manifest":
                size = 256 << 20
                self.send_response(200)
                self.send_header("Content-Type", "application/vnd.oci.image.manifest.v1+json")
                self.send_header("Content-Length", str(size))
                self.end_headers()
                chunk = b" " * (1 << 20)
                try:
                    for _ in range(size >> 20):
                        self.wfile.write(chunk)
                except (BrokenPipeError, ConnectionResetError):
                    pass
                return
            if mode in ("echo", "busy"):
                by_ref = {tag: m for tag, (c, m) in ECHO_IMAGES.items()}
                by_ref.update({digest(m): m for c, m in ECHO_IMAGES.values()})
                if self.command == "DELETE" and mode == "busy":
                    return self.reply(503, b'{"errors":[{"code":"UNAVAILABLE","message":"try again later"}]}', [("Content-Type", "application/json")])
                if self.command == "DELETE":
                    echoed = self.headers.get("Authorization", "")
                    return self.reply(400, json.dumps({"errors": [{"code": "DENIED", "message": "refused; you sent Authorization: " + echoed}]}).encode(),
                                      [("Content-Type", "application/json")])
                m = by_ref.get(ref)
                if m is None:
                    return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
                return self.reply(200, m, [("Content-Type", "application/vnd.oci.image.manifest.v1+json"), ("Docker-Content-Digest", digest(m))])
            return self.reply(404, b'{"errors":[{"code":"MANIFEST_UNKNOWN","message":"manifest unknown"}]}')
        if path.startswith("/v2/app/blobs/") and mode in ("echo", "busy"):
            ref = path.rsplit("/", 1)[1]
            for c, m in ECHO_IMAGES.values():
                if digest(c) == ref:
                    return self.reply(200, c)
        if path.startswith("/v2/app/referrers/"):
            return self.reply(404, b"")
        if path == "/v2/" or path == "/v2":
            return self.reply_json({})
        return self.reply(404, b'{"errors":[{"code":"NAME_UNKNOWN","message":"unknown"}]}')

    def ecr(self):
        length = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(length)
        target = self.headers.get("X-Amz-Target", "")
        log.write("POST " + target + "\n")
        if target.endswith("DescribeRepositories"):
            if mode == "ecr-repeat-token":
                repos = [{"repositoryName": "r%d" % i, "registryId": "123456789012",
                          "repositoryArn": "arn:aws:ecr:us-east-1:123456789012:repository/r%d" % i} for i in range(3)]
                return self.reply(200, json.dumps({"repositories": repos, "nextToken": "again"}).encode(),
                                  [("Content-Type", "application/x-amz-json-1.1")])
            if mode == "ecr-huge":
                body = b'{"repositories": [' + b" " * (64 << 20) + b"]}"
                return self.reply(200, body, [("Content-Type", "application/x-amz-json-1.1")])
        return self.reply(400, b'{"__type": "InvalidParameterException", "message": "not here"}')

    def do_GET(self):
        self.handle_one()

    def do_HEAD(self):
        self.handle_one()

    def do_DELETE(self):
        self.handle_one()

    def do_POST(self):
        self.ecr()


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
