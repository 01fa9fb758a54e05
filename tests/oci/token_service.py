#!/usr/bin/env python3
"""A token service for the Distribution registry's token auth, on 127.0.0.1 only, for the
tests: GET /token?service=…&scope=… with Basic credentials answers a JWT (RS256, the
signing certificate in the `x5c` header) granting the requested actions; without valid
credentials it grants nothing (the registry then refuses). At start it writes the
certificate the registry must trust (rootcertbundle) and its port.

usage: token_service.py CERT.pem PORTFILE ISSUER SERVICE USER PASSWORD-FILE
"""
import base64
import datetime
import hashlib
import http.server
import json
import sys
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

cert_path, port_file, issuer, service, user, password_file = sys.argv[1:7]
password = open(password_file).read().strip()
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "regpol test token signer")])
now = datetime.datetime.now(datetime.timezone.utc)
cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=2))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256()))
with open(cert_path, "wb") as f:
    f.write(cert.public_bytes(serialization.Encoding.PEM))
cert_der = cert.public_bytes(serialization.Encoding.DER)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def token(access):
    header = {"typ": "JWT", "alg": "RS256", "x5c": [base64.b64encode(cert_der).decode()]}
    t = int(time.time())
    claims = {"iss": issuer, "sub": user, "aud": service, "exp": t + 300, "nbf": t - 10, "iat": t,
              "jti": hashlib.sha256(str(time.time_ns()).encode()).hexdigest(), "access": access}
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    sig = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return signing_input + "." + b64url(sig)


class Handler(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        q = urllib.parse.parse_qs(url.query)
        if url.path != "/token" or q.get("service", [""])[0] != service:
            self.send_response(400)
            self.end_headers()
            return
        auth = self.headers.get("Authorization", "")
        good = auth == "Basic " + base64.b64encode((user + ":" + password).encode()).decode()
        if auth and not good:
            self.send_response(401)
            self.end_headers()
            return
        access = []
        for scope in q.get("scope", []):
            for one in scope.split(" "):
                parts = one.split(":")
                if len(parts) >= 3 and good:
                    access.append({"type": parts[0], "name": ":".join(parts[1:-1]), "actions": parts[-1].split(",")})
        body = json.dumps({"token": token(access), "expires_in": 300}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
