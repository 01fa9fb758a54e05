"""SigV4 checked as AWS checks it, for the test endpoints (tests/ecr/ecr_endpoint.py,
tests/inuse/aws_workloads_endpoint.py): the Authorization header taken apart, the key, scope,
date and signed headers checked, and the signature recomputed with Debian's python3-botocore,
an implementation independent of regpol's."""
import datetime

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials


def verify_sigv4(handler, body, service, secret_of, region_ok, required, problem, token_of=lambda key, signed: None):
    """The access key and region of a request `handler` received, or raises what `problem`
    (status, error type, message) makes. `secret_of(key)`: the key's secret, or None for an
    unknown key; `region_ok(key, region)`; `token_of(key, signed headers)`: the session token
    the request must carry (and may raise itself)."""
    auth = handler.headers.get("Authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        raise problem(403, "MissingAuthenticationTokenException", "Missing Authentication Token")
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    key, date, region, scoped, term = parts["Credential"].split("/")
    secret = secret_of(key)
    if secret is None:
        raise problem(403, "UnrecognizedClientException", "The security token included in the request is invalid.")
    if scoped != service or term != "aws4_request" or not region_ok(key, region):
        raise problem(403, "InvalidSignatureException", "Credential should be scoped to a valid region and service " + service)
    amz_date = handler.headers.get("X-Amz-Date", "")
    stamp = datetime.datetime.strptime(amz_date, "%Y%m%dT%H%M%SZ").replace(tzinfo=datetime.timezone.utc)
    if abs((datetime.datetime.now(datetime.timezone.utc) - stamp).total_seconds()) > 300 or date != amz_date[:8]:
        raise problem(403, "InvalidSignatureException", "Signature expired or the date is wrong")
    signed = parts["SignedHeaders"].split(";")
    for header in required:
        if header not in signed:
            raise problem(403, "InvalidSignatureException", "the header %s must be signed" % header)
    token = token_of(key, signed)
    headers = {h: handler.headers.get(h) for h in signed if h != "host"}
    req = AWSRequest(method=handler.command, url="http://%s%s" % (handler.headers.get("Host"), handler.path), data=body, headers=headers)
    req.context["timestamp"] = amz_date
    signer = SigV4Auth(Credentials(key, secret, token), service, region)
    expected = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
    if expected != parts["Signature"]:
        raise problem(403, "InvalidSignatureException", "The request signature we calculated does not match the signature you provided.")
    return key, region
