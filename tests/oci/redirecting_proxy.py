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

upstream = "http://127.0.0.1:" + sys.argv[1]
port_file = sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, status, headers, body=b""):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def forward(self, path, headers):
        req = urllib.request.Request(upstream + path, method=self.command, headers=headers)
        try:
            with urllib.request.urlopen(req) as r:
                return r.status, [(k, v) for k, v in r.headers.items() if k.lower() not in ("content-length", "connection", "transfer-encoding")], r.read()
        except urllib.error.HTTPError as e:
            return e.code, [(k, v) for k, v in e.headers.items() if k.lower() not in ("content-length", "connection", "transfer-encoding")], e.read()

    def handle_any(self):
        if self.path.startswith("/_bucket/"):
            if "Authorization" in self.headers or "sig=ok" not in self.path:
                self.reply(403, [("Content-Type", "text/plain")], b"bucket: no credentials, signed URLs only")
                return
            self.reply(*self.forward("/v2/" + self.path[len("/_bucket/"):].split("?")[0], {}))
            return
        if self.command == "GET" and "/blobs/sha256:" in self.path:
            self.reply(307, [("Location", "http://127.0.0.1:%d/_bucket/%s?sig=ok" % (self.server.server_address[1], self.path[len("/v2/"):]))])
            return
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("accept", "authorization")}
        self.reply(*self.forward(self.path, headers))

    do_GET = do_HEAD = do_DELETE = handle_any


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
