#!/usr/bin/python3
"""A test Amazon ECR endpoint on 127.0.0.1, serving the JSON 1.1 protocol from a fixture
registry. Every request's SigV4 signature is recomputed with Debian's python3-botocore (an
implementation independent of regpol's) and every body is validated against the ECR
service model botocore ships, with botocore's own validator; a request that fails either
is refused as AWS would (InvalidSignatureException, ValidationException) and counted.

Also on the same port, for the credential-chain tests: an STS AssumeRoleWithWebIdentity
(POST /sts), a container credentials endpoint (GET /creds), and EC2 instance metadata
(PUT /latest/api/token, GET /latest/meta-data/iam/security-credentials/...). Each source
hands out its own access key; the ECR side accepts exactly the keys it knows.

POST /_retag {"repository", "digest", "tags"} (unsigned, test only): retags an image.
POST /_delete {"repository", "digest"} (unsigned, test only): someone else deletes an image
(not while an index lists it).
POST /_push {"repository", "digest", "tags", "sizeBytes", "pushedAt"} (unsigned, test only): someone
pushes an image (at pushedAt, epoch seconds, default now; its tags taken from any image of the
repository that had them).

Amazon EventBridge on the same port (X-Amz-Target AWSEvents.*, signed for the service
`events`, validated against botocore's `events` model): PutEvents records each entry, after
checking what EventBridge itself checks beyond the model (at most 10 entries, each under
256 KB, Detail a JSON object, no `aws.` source). --fail-events-every N answers every Nth
entry as a failed entry (FailedEntryCount).
GET /_state (unsigned, test only): the registry's images and settings now, the call counts,
the settings writes and the problems seen.

usage: ecr_endpoint.py FIXTURE.json PORT_FILE [--throttle-every N] [--throttle-op OP] [--fail-every N]
       [--drop-every N] [--latency-ms MS] [--fail-delete-digest DIGEST] [--expire-session-after N] [--region R]
FIXTURE is a regpol snapshot JSON (regpol snapshot gen --format regpol)."""
import argparse
import datetime
import json
import os
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler

import botocore.session
from botocore.model import ShapeResolver, StructureShape
from botocore.validate import ParamValidator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from sigv4_check import verify_sigv4  # noqa: E402
from loopback_server import serve_on_loopback  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("fixture")
ap.add_argument("port_file")
ap.add_argument("--throttle-every", type=int, default=0)
ap.add_argument("--throttle-op", default="", help="throttle every call of this operation")
ap.add_argument("--deny-op", default="", help="refuse every call of this operation as IAM does (AccessDeniedException)")
ap.add_argument("--fail-every", type=int, default=0)
ap.add_argument("--drop-every", type=int, default=0)
ap.add_argument("--latency-ms", type=int, default=0)
ap.add_argument("--fail-delete-digest", default="")
ap.add_argument("--expire-session-after", type=int, default=0)
ap.add_argument("--region", default="us-east-1", help="the region this endpoint serves (requests must be signed for it)")
ap.add_argument("--fail-events-every", type=int, default=0)
ap.add_argument("--caller-arn", default="arn:aws:sts::123456789012:assumed-role/regpol-apply/nightly",
                help="who sts:GetCallerIdentity says the credentials are")
args = ap.parse_args()

REGION = args.region
ACCOUNT = "123456789012"
KEYS = {  # access key -> (secret, session token or None)
    "AKIDREGPOLTEST": ("regpol-test-secret", None),
    "ASIASTSWEBIDENTITY": ("secret-from-sts", "token-from-sts"),
    "ASIACONTAINER": ("secret-from-container", "token-from-container"),
    "ASIAIMDS": ("secret-from-imds", "token-from-imds"),
    "AKIDPROCESS": ("secret-from-process", None),
    "AKIDPROFILE": ("secret-from-profile", None),
    # A credential_process that hands out a new session token each time it runs
    # ("session-N"); with --expire-session-after N a session lasts N calls.
    "ASIAPROCESS": ("secret-from-process", "session-*"),
}
sessions = {}
CONTAINER_AUTH = "container-auth-token"
IMDS_TOKEN = "imds-session-token"

model = botocore.session.get_session().get_service_model("ecr")
events_model = botocore.session.get_session().get_service_model("events")
validator = ParamValidator()
shapes = dict(model._shape_resolver._shape_map)
shapes.setdefault("TargetStorageClass", {"type": "string", "enum": ["STANDARD", "ARCHIVE"]})
UPDATE_SHAPE = StructureShape("UpdateImageStorageClassRequest", {
    "type": "structure", "required": ["repositoryName", "imageId", "targetStorageClass"],
    "members": {"registryId": {"shape": "RegistryId"}, "repositoryName": {"shape": "RepositoryName"},
                "imageId": {"shape": "ImageIdentifier"}, "targetStorageClass": {"shape": "TargetStorageClass"}}}, ShapeResolver(shapes))
# PutImageTagMutability with exclusion filters (newer than Debian's botocore model), as the
# ECR API reference gives it: the _WITH_EXCLUSION settings and at most 5 WILDCARD filters.
shapes["ImageTagMutabilityWithExclusion"] = {"type": "string", "enum": ["MUTABLE", "IMMUTABLE", "IMMUTABLE_WITH_EXCLUSION", "MUTABLE_WITH_EXCLUSION"]}
shapes.setdefault("ImageTagMutabilityExclusionFilterValue", {"type": "string", "min": 1, "max": 128, "pattern": "^[0-9a-zA-Z._*-]{1,128}$"})
shapes.setdefault("ImageTagMutabilityExclusionFilterType", {"type": "string", "enum": ["WILDCARD"]})
shapes.setdefault("ImageTagMutabilityExclusionFilter", {"type": "structure", "required": ["filterType", "filter"], "members": {
    "filterType": {"shape": "ImageTagMutabilityExclusionFilterType"}, "filter": {"shape": "ImageTagMutabilityExclusionFilterValue"}}})
shapes.setdefault("ImageTagMutabilityExclusionFilters", {"type": "list", "member": {"shape": "ImageTagMutabilityExclusionFilter"}, "min": 1, "max": 5})
MUTABILITY_SHAPE = StructureShape("PutImageTagMutabilityRequest", {
    "type": "structure", "required": ["repositoryName", "imageTagMutability"],
    "members": {"registryId": {"shape": "RegistryId"}, "repositoryName": {"shape": "RepositoryName"},
                "imageTagMutability": {"shape": "ImageTagMutabilityWithExclusion"},
                "imageTagMutabilityExclusionFilters": {"shape": "ImageTagMutabilityExclusionFilters"}}}, ShapeResolver(shapes))
# ListImageReferrers (newer than Debian's botocore model), as the ECR API reference gives it.
shapes.setdefault("ReferrersMaxResults", {"type": "integer", "min": 1, "max": 50})
shapes.setdefault("ArtifactStatusFilter", {"type": "string", "enum": ["ACTIVE", "ARCHIVED", "ACTIVATING", "ANY"]})
shapes.setdefault("ArtifactTypeList", {"type": "list", "member": {"shape": "ArtifactType"}, "max": 25})
shapes.setdefault("ArtifactType", {"type": "string", "min": 1, "max": 255})
shapes.setdefault("SubjectIdentifier", {"type": "structure", "required": ["imageDigest"], "members": {"imageDigest": {"shape": "ImageDigest"}}})
shapes.setdefault("ListImageReferrersFilter", {"type": "structure", "members": {
    "artifactTypes": {"shape": "ArtifactTypeList"}, "artifactStatus": {"shape": "ArtifactStatusFilter"}}})
REFERRERS_SHAPE = StructureShape("ListImageReferrersRequest", {
    "type": "structure", "required": ["repositoryName", "subjectId"],
    "members": {"registryId": {"shape": "RegistryId"}, "repositoryName": {"shape": "RepositoryName"},
                "subjectId": {"shape": "SubjectIdentifier"}, "filter": {"shape": "ListImageReferrersFilter"},
                "nextToken": {"shape": "NextToken"}, "maxResults": {"shape": "ReferrersMaxResults"}}}, ShapeResolver(shapes))


def epoch(text):
    if text is None:
        return None
    return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()


with open(args.fixture) as f:
    fixture = json.load(f)
repos = {}
for r in fixture.get("repositories", []):
    repos[r["name"]] = {"settings": r, "images": {}}
for img in fixture["images"]:
    repo = repos.setdefault(img["repository"], {"settings": {"name": img["repository"]}, "images": {}})
    d = {"registryId": ACCOUNT, "repositoryName": img["repository"], "imageDigest": img["digest"],
         "imagePushedAt": epoch(img["pushedAt"]), "imageStatus": "ARCHIVED" if img.get("storageClass") == "archive" else "ACTIVE"}
    if img.get("tags"):
        d["imageTags"] = list(img["tags"])
    if img.get("sizeBytes") is not None:
        d["imageSizeInBytes"] = img["sizeBytes"]
    for ours, theirs in (("lastPulledAt", "lastRecordedPullTime"), ("lastArchivedAt", "lastArchivedAt"), ("lastActivatedAt", "lastActivatedAt")):
        if img.get(ours):
            d[theirs] = epoch(img[ours])
    for ours, theirs in (("manifestMediaType", "imageManifestMediaType"), ("artifactMediaType", "artifactMediaType"), ("subject", "subjectManifestDigest")):
        if img.get(ours):
            d[theirs] = img[ours]
    if img.get("subject"):
        # Every referrer, for ListImageReferrers; `describeSubject: false` leaves it out of
        # DescribeImages (artifacts pushed before ECR reported subjects there).
        repo.setdefault("referrers", {})[img["digest"]] = img["subject"]
        if img.get("describeSubject") is False:
            del d["subjectManifestDigest"]
    if img.get("findings") is not None:
        d["imageScanFindingsSummary"] = {"findingSeverityCounts": {k.upper(): v for k, v in img["findings"].items() if v}}
        if img.get("scannedAt"):
            d["imageScanFindingsSummary"]["imageScanCompletedAt"] = epoch(img["scannedAt"])
    repo["images"][img["digest"]] = d
    if img.get("children"):
        repo.setdefault("children", {})[img["digest"]] = list(img["children"])
names = sorted(repos)
for n in names:
    repos[n]["settings"].setdefault("mutability", "MUTABLE")
repos[names[0]]["lifecycle"] = '{"rules":[{"rulePriority":1,"selection":{"tagStatus":"untagged","countType":"sinceImagePushed","countUnit":"days","countNumber":14},"action":{"type":"expire"}}]}'
repos[names[0]]["policy"] = '{"Version":"2012-10-17","Statement":[{"Sid":"pull","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::222233334444:root"},"Action":["ecr:BatchGetImage"]}]}'
repos[names[0]]["tags"] = [{"Key": "team", "Value": "platform"}]
# Repository settings a fixture gives beyond mutability and scan on push: `encryption`,
# `kmsKey`, `mutabilityExclusions`, `lifecyclePolicy`, `repositoryPolicy` (texts), and the
# registry's configurations (`registryScanningConfiguration`, `registryReplicationConfiguration`,
# JSON texts as regpol snapshots hold them).
for n in names:
    s = repos[n]["settings"]
    if "lifecyclePolicy" in s:
        repos[n]["lifecycle"] = s["lifecyclePolicy"]
    if "repositoryPolicy" in s:
        repos[n]["policy"] = s["repositoryPolicy"]
registry_settings = {
    "scanning": json.loads(fixture["registryScanningConfiguration"]) if "registryScanningConfiguration" in fixture
    else {"scanType": "BASIC", "rules": []},
    "replication": json.loads(fixture["registryReplicationConfiguration"]) if "registryReplicationConfiguration" in fixture
    else {"rules": []},
}

lock = threading.Lock()
counters = {"settings_writes": [], "calls": 0, "by_op": {}, "by_key": {}, "problems": [], "deleted": [], "transitioned": [], "throttled": 0, "failed": 0, "dropped": 0,
            "events": [], "events_failed": 0}


def put_events(doc):
    entries = doc["Entries"]
    if len(entries) > 10:
        raise Problem(400, "ValidationException", "1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length less than or equal to 10")
    results, failed = [], 0
    for e in entries:
        size = len(e.get("Source", "").encode()) + len(e.get("DetailType", "").encode()) + len(e.get("Detail", "").encode()) + \
            sum(len(r.encode()) for r in e.get("Resources", [])) + (14 if "Time" in e else 0)
        if size > 256 * 1024:
            raise Problem(400, "ValidationException", "Total size of the entries in the request is over the limit.")
        if e.get("Source", "").startswith("aws."):
            counters["problems"].append("PutEvents: a source in the aws. namespace: %r" % e["Source"])
            results.append({"ErrorCode": "NotAuthorizedForSourceException", "ErrorMessage": "Not authorized for the source."})
            failed += 1
            continue
        try:
            detail = json.loads(e.get("Detail", ""))
            assert isinstance(detail, dict)
        except (ValueError, AssertionError):
            counters["problems"].append("PutEvents: Detail is not a JSON object: %r" % e.get("Detail", "")[:200])
            results.append({"ErrorCode": "MalformedDetail", "ErrorMessage": "Detail is malformed."})
            failed += 1
            continue
        counters["events_seen"] = counters.get("events_seen", 0) + 1
        if args.fail_events_every and counters["events_seen"] % args.fail_events_every == 0:
            counters["events_failed"] += 1
            results.append({"ErrorCode": "InternalFailure", "ErrorMessage": "Internal failure."})
            failed += 1
            continue
        counters["events"].append(dict(e, Detail=detail))
        results.append({"EventId": "%08x-0000-0000-0000-%012x" % (len(counters["events"]), len(counters["events"]))})
    return {"FailedEntryCount": failed, "Entries": results}


class Problem(Exception):
    def __init__(self, status, type_, message):
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


def page(items, body, default_max):
    start = int(body.get("nextToken", "0") or 0)
    n = body.get("maxResults", default_max)
    out = items[start:start + n]
    token = str(start + n) if start + n < len(items) else None
    return out, token


def repo_of(body):
    name = body["repositoryName"]
    if body.get("registryId", ACCOUNT) != ACCOUNT or name not in repos:
        raise Problem(400, "RepositoryNotFoundException", "The repository with name '%s' does not exist in the registry with id '%s'" % (name, body.get("registryId", ACCOUNT)))
    return repos[name]


INDEX_TYPES = ("application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json")


def index_manifest(d, children):
    """The manifest ECR hands back for an index image: its children, as pushed."""
    media = d.get("imageManifestMediaType", INDEX_TYPES[0])
    child = "application/vnd.oci.image.manifest.v1+json" if media == INDEX_TYPES[0] else "application/vnd.docker.distribution.manifest.v2+json"
    return json.dumps({"schemaVersion": 2, "mediaType": media, "manifests": [
        {"mediaType": child, "digest": c, "size": 1000 + i, "platform": {"architecture": ("amd64", "arm64", "s390x")[i % 3], "os": "linux"}}
        for i, c in enumerate(children)]})


def referencing_indexes(repo, digest):
    """The indexes present in the repository that list `digest` as a child."""
    return [i for i, kids in repo.get("children", {}).items() if digest in kids and i in repo["images"]]


def put_mutability(body):
    s = repo_of(body)["settings"]
    setting, filters = body["imageTagMutability"], [f["filter"] for f in body.get("imageTagMutabilityExclusionFilters", [])]
    if setting.endswith("_WITH_EXCLUSION") != bool(filters):
        raise Problem(400, "InvalidParameterException", "exclusion filters go with, and only with, a _WITH_EXCLUSION setting")
    s["mutability"] = setting
    s["mutabilityExclusions"] = filters
    out = {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "imageTagMutability": setting}
    if filters:
        out["imageTagMutabilityExclusionFilters"] = body["imageTagMutabilityExclusionFilters"]
    return out


def put_scanning(body):
    repo_of(body)["settings"]["scanOnPush"] = body["imageScanningConfiguration"].get("scanOnPush", False)
    return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "imageScanningConfiguration": body["imageScanningConfiguration"]}


def checked_policy_text(text):
    """What ECR checks of a repository policy before it takes it: JSON, a version, statements."""
    try:
        doc = json.loads(text)
        assert isinstance(doc, dict) and isinstance(doc.get("Statement"), (list, dict)) and doc.get("Version") in ("2012-10-17", "2008-10-17")
    except (ValueError, AssertionError):
        raise Problem(400, "InvalidParameterException", "Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'")
    return text


def set_policy(body):
    repo_of(body)["policy"] = checked_policy_text(body["policyText"])
    return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "policyText": body["policyText"]}


def delete_policy(body):
    repo = repo_of(body)
    if "policy" not in repo:
        raise Problem(400, "RepositoryPolicyNotFoundException", "Repository policy does not exist")
    text = repo.pop("policy")
    return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "policyText": text}


def put_lifecycle(body):
    try:
        json.loads(body["lifecyclePolicyText"])
    except ValueError:
        raise Problem(400, "InvalidParameterException", "Invalid parameter at 'LifecyclePolicyText'")
    repo_of(body)["lifecycle"] = body["lifecyclePolicyText"]
    return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "lifecyclePolicyText": body["lifecyclePolicyText"]}


def delete_lifecycle(body):
    repo = repo_of(body)
    if "lifecycle" not in repo:
        raise Problem(400, "LifecyclePolicyNotFoundException", "Lifecycle policy does not exist")
    text = repo.pop("lifecycle")
    return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "lifecyclePolicyText": text}


def put_registry_scanning(body):
    rules = body.get("rules", [])
    if body["scanType"] == "BASIC" and any(r["scanFrequency"] == "CONTINUOUS_SCAN" for r in rules):
        raise Problem(400, "ValidationException", "CONTINUOUS_SCAN is not supported for the BASIC scan type")
    registry_settings["scanning"] = {"scanType": body["scanType"], "rules": rules}
    return {"registryScanningConfiguration": registry_settings["scanning"]}


def put_replication(body):
    conf = body["replicationConfiguration"]
    for rule in conf["rules"]:
        for d in rule["destinations"]:
            if d["region"] == REGION and d["registryId"] == ACCOUNT:
                raise Problem(400, "InvalidParameterException", "a registry cannot replicate to itself")
    registry_settings["replication"] = conf
    return {"replicationConfiguration": conf}


SETTINGS_WRITES = {"PutImageTagMutability": put_mutability, "PutImageScanningConfiguration": put_scanning,
                   "SetRepositoryPolicy": set_policy, "DeleteRepositoryPolicy": delete_policy,
                   "PutLifecyclePolicy": put_lifecycle, "DeleteLifecyclePolicy": delete_lifecycle,
                   "PutRegistryScanningConfiguration": put_registry_scanning, "PutReplicationConfiguration": put_replication}


def operate(op, body):
    if op == "DescribeRepositories":
        items = []
        for n in names:
            s = repos[n]["settings"]
            r = {"repositoryArn": "arn:aws:ecr:%s:%s:repository/%s" % (REGION, ACCOUNT, n), "registryId": ACCOUNT, "repositoryName": n,
                 "repositoryUri": "%s.dkr.ecr.%s.amazonaws.com/%s" % (ACCOUNT, REGION, n), "createdAt": 1700000000.0,
                 "imageTagMutability": s.get("mutability", "MUTABLE"),
                 "imageScanningConfiguration": {"scanOnPush": bool(s.get("scanOnPush", False))},
                 "encryptionConfiguration": {"encryptionType": s.get("encryption", "AES256")}}
            if s.get("kmsKey"):
                r["encryptionConfiguration"]["kmsKey"] = s["kmsKey"]
            if s.get("mutabilityExclusions"):
                r["imageTagMutabilityExclusionFilters"] = [{"filterType": "WILDCARD", "filter": f} for f in s["mutabilityExclusions"]]
            items.append(r)
        out, token = page(items, body, 100)
        return {"repositories": out, **({"nextToken": token} if token else {})}
    if op == "DescribeImages":
        repo = repo_of(body)
        out, token = page(sorted(repo["images"].values(), key=lambda d: d["imageDigest"]), body, 100)
        return {"imageDetails": out, **({"nextToken": token} if token else {})}
    if op == "GetRegistryScanningConfiguration":
        return {"registryId": ACCOUNT, "scanningConfiguration": registry_settings["scanning"]}
    if op == "DescribeRegistry":
        return {"registryId": ACCOUNT, "replicationConfiguration": registry_settings["replication"]}
    if op in SETTINGS_WRITES:
        counters["settings_writes"].append({"op": op, "request": body})
        return SETTINGS_WRITES[op](body)
    if op == "GetLifecyclePolicy":
        repo = repo_of(body)
        if "lifecycle" not in repo:
            raise Problem(400, "LifecyclePolicyNotFoundException", "Lifecycle policy does not exist")
        return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "lifecyclePolicyText": repo["lifecycle"]}
    if op == "GetRepositoryPolicy":
        repo = repo_of(body)
        if "policy" not in repo:
            raise Problem(400, "RepositoryPolicyNotFoundException", "Repository policy does not exist")
        return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "policyText": repo["policy"]}
    if op == "ListTagsForResource":
        name = body["resourceArn"].split(":repository/")[-1]
        if name not in repos:
            raise Problem(400, "RepositoryNotFoundException", "no such repository")
        return {"tags": repos[name].get("tags", [])}
    if op == "BatchGetImage":
        # Index manifests only (what regpol asks for); reading a manifest is a pull, which
        # ECR records as lastRecordedPullTime.
        repo = repo_of(body)
        if len(body["imageIds"]) > 100:
            raise Problem(400, "InvalidParameterException", "imageIds: at most 100")
        images, failures = [], []
        for image_id in body["imageIds"]:
            digest = image_id.get("imageDigest")
            d = repo["images"].get(digest)
            if d is None:
                failures.append({"imageId": image_id, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"})
            elif d.get("imageStatus") == "ARCHIVED":
                failures.append({"imageId": image_id, "failureCode": "ImageInaccessible", "failureReason": "The image is archived"})
            elif d.get("imageManifestMediaType") not in INDEX_TYPES or d.get("imageManifestMediaType") not in body.get("acceptedMediaTypes", []):
                counters["problems"].append("BatchGetImage of %s (%s) with acceptedMediaTypes %s" % (digest, d.get("imageManifestMediaType"), body.get("acceptedMediaTypes")))
                failures.append({"imageId": image_id, "failureCode": "UnsupportedImageType", "failureReason": "not an index"})
            else:
                d["lastRecordedPullTime"] = time.time()
                images.append({"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "imageId": {"imageDigest": digest},
                               "imageManifest": index_manifest(d, repo.get("children", {}).get(digest, [])),
                               "imageManifestMediaType": d["imageManifestMediaType"]})
        counters["index_manifests_read"] = counters.get("index_manifests_read", 0) + len(images)
        return {"images": images, "failures": failures}
    if op == "BatchDeleteImage":
        repo = repo_of(body)
        if len(body["imageIds"]) > 100:
            raise Problem(400, "InvalidParameterException", "imageIds: at most 100")
        deleted, failures = [], []
        # ECR refuses to delete an image an index lists while the index is there; the
        # indexes are those present when the request arrives (one request that deletes an
        # index and its child does not count on an order within it).
        listed = {c for i, kids in repo.get("children", {}).items() if i in repo["images"] for c in kids}
        for image_id in body["imageIds"]:
            digest = image_id.get("imageDigest")
            tag = image_id.get("imageTag")
            if tag and not digest:
                # By tag: the tag goes; ECR deletes the image with its last tag.
                holder = next((dg for dg, d in repo["images"].items() if tag in d.get("imageTags", [])), None)
                if holder is None:
                    failures.append({"imageId": {"imageTag": tag}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"})
                    continue
                d = repo["images"][holder]
                if d["imageTags"] == [tag] and holder in listed:
                    failures.append({"imageId": {"imageTag": tag}, "failureCode": "ImageReferencedByManifestList",
                                     "failureReason": "Requested image referenced by manifest list: %s" % referencing_indexes(repo, holder)})
                    continue
                d["imageTags"] = [t for t in d["imageTags"] if t != tag]
                counters.setdefault("untagged", []).append([body["repositoryName"], holder, tag])
                if not d["imageTags"]:
                    del d["imageTags"]
                    repo["images"].pop(holder)
                    counters["deleted"].append([body["repositoryName"], holder])
                deleted.append({"imageDigest": holder, "imageTag": tag})
                continue
            if digest and digest == args.fail_delete_digest:
                failures.append({"imageId": {"imageDigest": digest}, "failureCode": "KmsError", "failureReason": "The KMS key is disabled"})
            elif digest in listed:
                failures.append({"imageId": {"imageDigest": digest}, "failureCode": "ImageReferencedByManifestList",
                                 "failureReason": "Requested image referenced by manifest list: %s" % referencing_indexes(repo, digest)})
                counters["refused_children"] = counters.get("refused_children", 0) + 1
            elif digest in repo["images"]:
                d = repo["images"].pop(digest)
                deleted.append({"imageDigest": digest, **({"imageTag": d["imageTags"][0]} if d.get("imageTags") else {})})
                counters["deleted"].append([body["repositoryName"], digest])
            else:
                failures.append({"imageId": {"imageDigest": digest}, "failureCode": "ImageNotFound", "failureReason": "Requested image not found"})
        return {"imageIds": deleted, "failures": failures}
    if op == "ListImageReferrers":
        repo = repo_of(body)
        subject = body["subjectId"]["imageDigest"]
        if subject not in repo["images"]:
            raise Problem(400, "ImageNotFoundException", "The image requested does not exist")
        status = body.get("filter", {}).get("artifactStatus", "ACTIVE")
        types = body.get("filter", {}).get("artifactTypes")
        found = []
        for digest, subj in sorted(repo.get("referrers", {}).items()):
            d = repo["images"].get(digest)
            if subj != subject or d is None or (status != "ANY" and d["imageStatus"] != status):
                continue
            if types and d.get("artifactMediaType") not in types:
                continue
            r = {"digest": digest, "mediaType": d.get("imageManifestMediaType", "application/vnd.oci.image.manifest.v1+json"),
                 "size": d.get("imageSizeInBytes", 0), "artifactStatus": d["imageStatus"]}
            if d.get("artifactMediaType"):
                r["artifactType"] = d["artifactMediaType"]
            found.append(r)
        counters["referrer_lists"] = counters.get("referrer_lists", 0) + 1
        out, token = page(found, body, 50)
        return {"referrers": out, **({"nextToken": token} if token else {})}
    if op == "UpdateImageStorageClass":
        repo = repo_of(body)
        digest = body["imageId"].get("imageDigest")
        if digest not in repo["images"]:
            raise Problem(400, "ImageNotFoundException", "The image requested does not exist")
        repo["images"][digest]["imageStatus"] = body["targetStorageClass"] == "ARCHIVE" and "ARCHIVED" or "ACTIVE"
        repo["images"][digest]["lastArchivedAt"] = time.time()
        counters["transitioned"].append([body["repositoryName"], digest])
        return {"registryId": ACCOUNT, "repositoryName": body["repositoryName"], "imageId": {"imageDigest": digest},
                "imageStatus": repo["images"][digest]["imageStatus"]}
    raise Problem(400, "UnknownOperationException", "unknown operation " + op)


def session_token(key, signed):
    """The session token a request with `key` must carry (checked here), or None."""
    token = KEYS[key][1]
    if token == "session-*":
        token = handler_token.value or ""
        if not token.startswith("session-") or "x-amz-security-token" not in signed:
            raise Problem(403, "UnrecognizedClientException", "The security token included in the request is invalid")
        with lock:
            sessions[token] = sessions.get(token, 0) + 1
            expired = args.expire_session_after and sessions[token] > args.expire_session_after
        if expired:
            raise Problem(400, "ExpiredTokenException", "The security token included in the request is expired")
    elif token is not None:
        if handler_token.value != token or "x-amz-security-token" not in signed:
            raise Problem(403, "UnrecognizedClientException", "The security token included in the request is invalid")
    return token


handler_token = threading.local()


def verify_signature(handler, body, service):
    handler_token.value = handler.headers.get("X-Amz-Security-Token")
    key, _ = verify_sigv4(handler, body, service, lambda k: KEYS[k][0] if k in KEYS else None, lambda k, region: region == REGION,
                          ("host", "x-amz-date", "x-amz-target", "content-type"), Problem, session_token)
    return key


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body leave in two writes on a kept-alive connection: with Nagle's
    # algorithm the body waits for the client's delayed ACK, 40 ms a request.
    disable_nagle_algorithm = True

    def log_message(self, *a):
        pass

    def reply(self, status, doc, content_type="application/x-amz-json-1.1"):
        data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.end_headers()
        self.wfile.write(data)

    def creds_doc(self, key, code=True):
        secret, token = KEYS[key]
        exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
        doc = {"AccessKeyId": key, "SecretAccessKey": secret, "Token": token, "Expiration": exp}
        if code:
            doc["Code"] = "Success"
        return doc

    def do_GET(self):
        if self.path.startswith("/?") and "Action=GetCallerIdentity" in self.path:
            return self.caller_identity()
        if self.path == "/_state":
            with lock:
                images = {n: sorted(repos[n]["images"].values(), key=lambda d: d["imageDigest"]) for n in names}
                children = {n: {i: kids for i, kids in repos[n].get("children", {}).items() if i in repos[n]["images"]} for n in names}
                settings = {n: dict(repos[n]["settings"], lifecyclePolicy=repos[n].get("lifecycle"), repositoryPolicy=repos[n].get("policy"))
                            for n in names}
                return self.reply(200, {"images": images, "children": children, "sessions": sessions, "settings": settings,
                                        "registrySettings": registry_settings, **counters}, "application/json")
        if self.path == "/creds":
            if self.headers.get("Authorization") != CONTAINER_AUTH:
                return self.reply(401, {"message": "bad authorization"}, "application/json")
            return self.reply(200, self.creds_doc("ASIACONTAINER", code=False), "application/json")
        if self.path.startswith("/latest/meta-data/iam/security-credentials/"):
            if self.headers.get("X-aws-ec2-metadata-token") != IMDS_TOKEN:
                return self.reply(401, b"", "text/plain")
            role = self.path.rsplit("/", 1)[1]
            if not role:
                return self.reply(200, b"regpol-node-role", "text/plain")
            return self.reply(200, self.creds_doc("ASIAIMDS"), "application/json")
        self.reply(404, {"message": "not found"}, "application/json")

    def caller_identity(self):
        """STS GetCallerIdentity over the query API's GET, answered in JSON (Accept: application/json)."""
        try:
            handler_token.value = self.headers.get("X-Amz-Security-Token")
            verify_sigv4(self, b"", "sts", lambda k: KEYS[k][0] if k in KEYS else None, lambda k, region: region == REGION,
                         ("host", "x-amz-date"), Problem, session_token)
            query = urllib.parse.parse_qs(self.path[2:])
            if query != {"Action": ["GetCallerIdentity"], "Version": ["2011-06-15"]}:
                raise Problem(400, "InvalidAction", "unexpected query %r" % query)
            if self.headers.get("Accept") != "application/json":
                raise Problem(400, "InvalidAction", "this test endpoint answers STS in JSON only (Accept: application/json)")
        except Problem as p:
            with lock:
                counters["problems"].append("GetCallerIdentity: %s: %s" % (p.type, p.message))
            return self.reply(p.status, {"Error": {"Code": p.type, "Message": p.message}}, "application/json")
        with lock:
            counters["by_op"]["GetCallerIdentity"] = counters["by_op"].get("GetCallerIdentity", 0) + 1
        self.reply(200, {"GetCallerIdentityResponse": {"GetCallerIdentityResult": {"Arn": args.caller_arn, "Account": args.caller_arn.split(":")[4],
                                                                                   "UserId": "AROAREGPOLTEST:nightly"},
                                                       "ResponseMetadata": {"RequestId": "00000000-0000-0000-0000-000000000000"}}}, "application/json")

    def do_PUT(self):
        if self.path == "/latest/api/token" and self.headers.get("X-aws-ec2-metadata-token-ttl-seconds"):
            self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
            return self.reply(200, IMDS_TOKEN.encode(), "text/plain")
        self.reply(404, {"message": "not found"}, "application/json")

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        if self.path == "/_retag":  # test only: someone pushes a tag between the snapshot and apply
            doc = json.loads(body)
            with lock:
                repos[doc["repository"]]["images"][doc["digest"]]["imageTags"] = doc["tags"]
            return self.reply(200, {}, "application/json")
        if self.path == "/_delete":  # test only: someone else deletes an image
            doc = json.loads(body)
            with lock:  # refused, as by ECR, while an index lists it
                if not referencing_indexes(repos[doc["repository"]], doc["digest"]):
                    repos[doc["repository"]]["images"].pop(doc["digest"], None)
            return self.reply(200, {}, "application/json")
        if self.path == "/_push":  # test only: someone pushes an image (its tags move to it)
            doc = json.loads(body)
            with lock:
                if doc["repository"] not in repos:
                    names.append(doc["repository"])
                    names.sort()
                images = repos.setdefault(doc["repository"], {"settings": {"name": doc["repository"], "mutability": "MUTABLE"}, "images": {}})["images"]
                for other in images.values():
                    if other.get("imageTags"):
                        other["imageTags"] = [t for t in other["imageTags"] if t not in doc.get("tags", [])]
                        if not other["imageTags"]:
                            del other["imageTags"]
                d = {"registryId": ACCOUNT, "repositoryName": doc["repository"], "imageDigest": doc["digest"], "imagePushedAt": doc.get("pushedAt", time.time()),
                     "imageStatus": "ACTIVE", "imageSizeInBytes": doc.get("sizeBytes", 1000)}
                if doc.get("tags"):
                    d["imageTags"] = list(doc["tags"])
                images[doc["digest"]] = d
            return self.reply(200, {}, "application/json")
        if self.path == "/sts":
            form = urllib.parse.parse_qs(body.decode())
            ok = form.get("Action") == ["AssumeRoleWithWebIdentity"] and form.get("WebIdentityToken") == ["web-identity-token"] \
                and form.get("RoleArn", [""])[0].startswith("arn:aws:iam::")
            if not ok:
                return self.reply(400, b"<ErrorResponse><Error><Code>InvalidIdentityToken</Code></Error></ErrorResponse>", "text/xml")
            secret, token = KEYS["ASIASTSWEBIDENTITY"]
            exp = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%SZ")
            xml = ("<AssumeRoleWithWebIdentityResponse><AssumeRoleWithWebIdentityResult><Credentials>"
                   "<AccessKeyId>ASIASTSWEBIDENTITY</AccessKeyId><SecretAccessKey>%s</SecretAccessKey><SessionToken>%s</SessionToken>"
                   "<Expiration>%s</Expiration></Credentials></AssumeRoleWithWebIdentityResult></AssumeRoleWithWebIdentityResponse>") % (secret, token, exp)
            return self.reply(200, xml.encode(), "text/xml")
        if args.latency_ms:
            time.sleep(args.latency_ms / 1000.0)
        target = self.headers.get("X-Amz-Target", "")
        events = target.startswith("AWSEvents.")
        op = target.split(".", 1)[1] if target.startswith("AmazonEC2ContainerRegistry_V20150921.") or events else ""
        with lock:
            counters["calls"] += 1
            n = counters["calls"]
        try:
            key = verify_signature(self, body, "events" if events else "ecr")
            if self.headers.get("Content-Type") != "application/x-amz-json-1.1":
                raise Problem(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1")
            if args.drop_every and n % args.drop_every == 0:
                with lock:
                    counters["dropped"] += 1
                self.close_connection = True
                self.connection.shutdown(2)
                return
            if (args.throttle_every and n % args.throttle_every == 0) or (args.throttle_op and op == args.throttle_op):
                with lock:
                    counters["throttled"] += 1
                raise Problem(400, "ThrottlingException", "Rate exceeded")
            if args.deny_op and op == args.deny_op:
                raise Problem(400, "AccessDeniedException", "User: arn:aws:iam::111122223333:user/ci is not authorized to perform: ecr:" + op)
            if args.fail_every and n % args.fail_every == 0:
                with lock:
                    counters["failed"] += 1
                raise Problem(500, "ServerException", "Internal error")
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                raise Problem(400, "SerializationException", "malformed JSON")
            if events and op in events_model.operation_names:
                shape = events_model.operation_model(op).input_shape
            elif events:
                raise Problem(400, "UnknownOperationException", "unknown operation %r" % target)
            elif op == "UpdateImageStorageClass":
                shape = UPDATE_SHAPE
            elif op == "ListImageReferrers":
                shape = REFERRERS_SHAPE
            elif op == "PutImageTagMutability":
                shape = MUTABILITY_SHAPE
            elif op in model.operation_names:
                shape = model.operation_model(op).input_shape
            else:
                raise Problem(400, "UnknownOperationException", "unknown operation %r" % target)
            report = validator.validate(doc, shape)
            if report.has_errors():
                raise Problem(400, "ValidationException", report.generate_report())
            with lock:
                counters["by_op"][op] = counters["by_op"].get(op, 0) + 1
                counters["by_key"][key] = counters["by_key"].get(key, 0) + 1
                out = put_events(doc) if events and op == "PutEvents" else operate(op, doc)
            self.reply(200, out)
        except Problem as p:
            if p.type not in ("ThrottlingException", "ServerException", "RepositoryNotFoundException", "LifecyclePolicyNotFoundException",
                              "RepositoryPolicyNotFoundException", "ImageNotFoundException", "ExpiredTokenException",
                              "AccessDeniedException"):
                with lock:
                    counters["problems"].append("%s: %s: %s" % (op, p.type, p.message))
            self.reply(p.status, {"__type": p.type, "message": p.message})


serve_on_loopback(Handler, args.port_file)
