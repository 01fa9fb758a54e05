#!/usr/bin/env python3
"""A front for a Distribution registry on 127.0.0.1 that answers blob downloads the way a
registry on object storage does: 307 to a signed URL on another host (here another path
of this server, standing for the bucket). The bucket path refuses a request that carries
an Authorization header (a client must not send registry credentials to storage) and
any without the signature. Everything else is passed through to the registry.
usage: redirecting_proxy.py REGISTRY-PORT PORTFILE"""
import http.server
import os
import sys
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from quiet_handler import QuietHandler  # noqa: E402

upstream = "http://127.0.0.1:" + sys.argv[1]
port_file = sys.argv[2]


class Handler(QuietHandler):
    def forward(self, path, headers):
        req = urllib.request.Request(upstream + path, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, r.read(), [(k, v) for k, v in r.headers.items() if k.lower() not in ("content-length", "connection", "transfer-encoding")]
        except urllib.error.HTTPError as e:
            return e.code, e.read(), [(k, v) for k, v in e.headers.items() if k.lower() not in ("content-length", "connection", "transfer-encoding")]

    def handle_any(self):
        if self.path.startswith("/_bucket/"):
            if "Authorization" in self.headers or "sig=ok" not in self.path:
                self.reply(403, b"bucket: no credentials, signed URLs only", [("Content-Type", "text/plain")])
                return
            self.reply(*self.forward("/v2/" + self.path[len("/_bucket/"):].split("?")[0], {}))
            return
        if self.command == "GET" and "/blobs/sha256:" in self.path:
            self.reply(307, headers=[("Location", "http://127.0.0.1:%d/_bucket/%s?sig=ok" % (self.server.server_address[1], self.path[len("/v2/"):]))])
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "authorization")}
        self.reply(*self.forward(self.path, headers))

    do_GET = do_HEAD = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
