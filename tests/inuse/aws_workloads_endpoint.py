#!/usr/bin/python3
"""Test Amazon ECS and AWS Lambda endpoints on 127.0.0.1, one port, serving what runs in
several accounts and regions from a fixture. As AWS does, and independently of regpol:

- every request's SigV4 signature is recomputed with Debian's python3-botocore, for the
  service (`ecs`, `lambda`) and the region its credential scope names; the access key names
  the account (two accounts, each with its own key), the scope the region;
- every request is validated against botocore's own `ecs` and `lambda` service models
  (ECS: the JSON body; Lambda: the REST request's path and query, as botocore would have
  serialised them), plus what the services check beyond the model (DescribeServices takes
  at most 10 services, DescribeTasks 100);
- lists are paginated at --page-size (ECS nextToken, Lambda NextMarker), whatever the
  client asks for, so every page loop is exercised;
- --throttle-every N answers every Nth request with throttling (ECS ThrottlingException,
  Lambda 429 TooManyRequestsException); --latency-ms adds latency to every request.

GET /_state (unsigned, test only): calls by operation and account, and the problems seen
(a request that failed a check is refused and counted there).

usage: aws_workloads_endpoint.py FIXTURE.json PORT_FILE [--page-size N] [--throttle-every N] [--latency-ms MS]
FIXTURE: {"keys": {"AKID": {"secret": S, "account": ACCOUNT}},
          "ACCOUNT": {"REGION": {"ecs": {"clusters": [...], "taskDefinitions": {...}},
                                  "lambda": {"functions": [...]}}}}  (see tests/inuse/make_aws_fixture.py)"""
import argparse
import json
import os
import sys
import threading
import time
import urllib.parse

import botocore.session
from botocore.validate import ParamValidator

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from quiet_handler import QuietHandler  # noqa: E402
from sigv4_check import verify_sigv4  # noqa: E402
from loopback_server import serve_on_loopback  # noqa: E402

ap = argparse.ArgumentParser()
ap.add_argument("fixture")
ap.add_argument("port_file")
ap.add_argument("--page-size", type=int, default=3)
ap.add_argument("--throttle-every", type=int, default=0)
ap.add_argument("--latency-ms", type=int, default=0)
args = ap.parse_args()

with open(args.fixture) as f:
    FIXTURE = json.load(f)
KEYS = FIXTURE["keys"]
session = botocore.session.get_session()
MODELS = {"ecs": session.get_service_model("ecs"), "lambda": session.get_service_model("lambda")}
validator = ParamValidator()
ECS_TARGET = "AmazonEC2ContainerServiceV20141113."
lock = threading.Lock()
state = {"calls": 0, "by_op": {}, "by_account": {}, "problems": [], "throttled": 0}


class Problem(Exception):
    def __init__(self, status, type_, message):
        super().__init__(message)
        self.status, self.type, self.message = status, type_, message


def verify_signature(handler, body, service, required):
    """The account the request's key belongs to and the region its scope names."""
    key, region = verify_sigv4(handler, body, service, lambda k: KEYS[k]["secret"] if k in KEYS else None,
                               lambda k, r: r in FIXTURE.get(KEYS[k]["account"], {}), required, Problem)
    return KEYS[key]["account"], region


def validate(service, op, params):
    model = MODELS[service]
    if op not in model.operation_names:
        raise Problem(400, "UnknownOperationException", "unknown operation " + op)
    report = validator.validate(params, model.operation_model(op).input_shape)
    if report.has_errors():
        raise Problem(400, "ValidationException" if service == "ecs" else "InvalidParameterValueException", report.generate_report())


def page(items, start_text, asked):
    start = int(start_text or 0)
    n = min(asked or args.page_size, args.page_size)
    return items[start:start + n], (str(start + n) if start + n < len(items) else None)


def arn(account, region, kind, name):
    return "arn:aws:ecs:%s:%s:%s/%s" % (region, account, kind, name)


def ecs_operate(op, body, account, region):
    data = FIXTURE[account][region].get("ecs", {"clusters": [], "taskDefinitions": {}})
    clusters = {c["name"]: c for c in data["clusters"]}

    def cluster_of(text):
        name = text.rsplit("/", 1)[-1]
        if name not in clusters:
            raise Problem(400, "ClusterNotFoundException", "Cluster not found.")
        return clusters[name]

    def td_of(text):
        family_rev = text.rsplit("/", 1)[-1]
        if family_rev not in data["taskDefinitions"]:
            raise Problem(400, "ClientException", "Unable to describe task definition.")
        return family_rev, data["taskDefinitions"][family_rev]

    if op == "ListClusters":
        out, token = page([arn(account, region, "cluster", c) for c in sorted(clusters)], body.get("nextToken"), body.get("maxResults"))
        return {"clusterArns": out, **({"nextToken": token} if token else {})}
    if op == "ListServices":
        c = cluster_of(body.get("cluster", "default"))
        names = [arn(account, region, "service", c["name"] + "/" + s["name"]) for s in c.get("services", [])]
        out, token = page(names, body.get("nextToken"), body.get("maxResults"))
        return {"serviceArns": out, **({"nextToken": token} if token else {})}
    if op == "DescribeServices":
        c = cluster_of(body.get("cluster", "default"))
        if len(body["services"]) > 10:
            raise Problem(400, "InvalidParameterException", "services can have at most 10 items.")
        found, failures = [], []
        by_name = {s["name"]: s for s in c.get("services", [])}
        for s in body["services"]:
            name = s.rsplit("/", 1)[-1]
            if name not in by_name:
                failures.append({"arn": s, "reason": "MISSING"})
                continue
            svc = by_name[name]
            deps = [{"id": "ecs-svc/%d" % i, "status": d["status"], "taskDefinition": arn(account, region, "task-definition", d["taskDefinition"]),
                     "desiredCount": 1, "runningCount": 1} for i, d in enumerate(svc["deployments"])]
            found.append({"serviceArn": arn(account, region, "service", c["name"] + "/" + name), "serviceName": name,
                          "clusterArn": arn(account, region, "cluster", c["name"]), "status": "ACTIVE",
                          "taskDefinition": deps[0]["taskDefinition"], "deployments": deps, "desiredCount": svc.get("desiredCount", 1)})
        return {"services": found, "failures": failures}
    if op == "ListTasks":
        c = cluster_of(body.get("cluster", "default"))
        if body.get("desiredStatus", "RUNNING") != "RUNNING":
            return {"taskArns": []}
        tasks = [arn(account, region, "task", c["name"] + "/" + t["id"]) for t in c.get("tasks", [])]
        out, token = page(tasks, body.get("nextToken"), body.get("maxResults"))
        return {"taskArns": out, **({"nextToken": token} if token else {})}
    if op == "DescribeTasks":
        c = cluster_of(body.get("cluster", "default"))
        if len(body["tasks"]) > 100:
            raise Problem(400, "InvalidParameterException", "tasks can have at most 100 items.")
        by_id = {t["id"]: t for t in c.get("tasks", [])}
        out = []
        for t in body["tasks"]:
            task = by_id.get(t.rsplit("/", 1)[-1])
            if task:
                out.append({"taskArn": arn(account, region, "task", c["name"] + "/" + task["id"]), "lastStatus": task.get("lastStatus", "RUNNING"),
                            "desiredStatus": "RUNNING", "taskDefinitionArn": arn(account, region, "task-definition", task["taskDefinition"]),
                            "containers": [dict({"name": x["name"], "image": x["image"]}, **({"imageDigest": x["imageDigest"]} if x.get("imageDigest") else {}))
                                           for x in task["containers"]]})
        return {"tasks": out, "failures": []}
    if op == "ListTaskDefinitionFamilies":
        status = body.get("status", "ACTIVE")
        fams = sorted({k.rsplit(":", 1)[0] for k, v in data["taskDefinitions"].items() if status == "ALL" or v.get("status", "ACTIVE") == status})
        fams = [f for f in fams if f.startswith(body.get("familyPrefix", ""))]
        out, token = page(fams, body.get("nextToken"), body.get("maxResults"))
        return {"families": out, **({"nextToken": token} if token else {})}
    if op == "ListTaskDefinitions":
        status = body.get("status", "ACTIVE")
        items = [(k.rsplit(":", 1)[0], int(k.rsplit(":", 1)[1])) for k, v in data["taskDefinitions"].items() if v.get("status", "ACTIVE") == status]
        items = [i for i in items if i[0].startswith(body.get("familyPrefix", ""))]
        items.sort(reverse=body.get("sort", "ASC") == "DESC")
        out, token = page([arn(account, region, "task-definition", "%s:%d" % i) for i in items], body.get("nextToken"), body.get("maxResults"))
        return {"taskDefinitionArns": out, **({"nextToken": token} if token else {})}
    if op == "DescribeTaskDefinition":
        family_rev, td = td_of(body["taskDefinition"])
        family, rev = family_rev.rsplit(":", 1)
        return {"taskDefinition": {"taskDefinitionArn": arn(account, region, "task-definition", family_rev), "family": family, "revision": int(rev),
                                   "status": td.get("status", "ACTIVE"),
                                   "containerDefinitions": [{"name": x["name"], "image": x["image"], "essential": True} for x in td["containers"]]}}
    raise Problem(400, "UnknownOperationException", "unknown operation " + op)


LAMBDA_PREFIX = "/2015-03-31/functions"


def lambda_route(path):
    """(operation, function name) of a Lambda REST path."""
    rest = path[len(LAMBDA_PREFIX):].strip("/")
    if not rest:
        return "ListFunctions", None
    parts = rest.split("/")
    if len(parts) == 1:
        return "GetFunction", urllib.parse.unquote(parts[0])
    if len(parts) == 2 and parts[1] in ("versions", "aliases"):
        return ("ListVersionsByFunction" if parts[1] == "versions" else "ListAliases"), urllib.parse.unquote(parts[0])
    raise Problem(404, "UnknownOperationException", "no such path " + path)


def lambda_operate(op, params, account, region):
    functions = {f["name"]: f for f in FIXTURE[account][region].get("lambda", {"functions": []})["functions"]}

    def function_of(name):
        if name not in functions:
            raise Problem(404, "ResourceNotFoundException", "Function not found: " + name)
        return functions[name]

    def configuration(f, version):
        return {"FunctionName": f["name"], "FunctionArn": "arn:aws:lambda:%s:%s:function:%s" % (region, account, f["name"]),
                "Version": version, "PackageType": f.get("packageType", "Image")}

    if op == "ListFunctions":
        out, marker = page([configuration(functions[n], "$LATEST") for n in sorted(functions)], params.get("Marker"), params.get("MaxItems"))
        return {"Functions": out, **({"NextMarker": marker} if marker else {})}
    f = function_of(params["FunctionName"])
    if op == "ListVersionsByFunction":
        versions = sorted(f["versions"], key=lambda v: (v != "$LATEST", int(v) if v.isdigit() else 0))
        out, marker = page([configuration(f, v) for v in versions], params.get("Marker"), params.get("MaxItems"))
        return {"Versions": out, **({"NextMarker": marker} if marker else {})}
    if op == "ListAliases":
        aliases = [dict({"Name": a["name"], "FunctionVersion": a["version"],
                         "AliasArn": "arn:aws:lambda:%s:%s:function:%s:%s" % (region, account, f["name"], a["name"])},
                        **({"RoutingConfig": {"AdditionalVersionWeights": a["weights"]}} if a.get("weights") else {}))
                   for a in f.get("aliases", [])]
        out, marker = page(aliases, params.get("Marker"), params.get("MaxItems"))
        return {"Aliases": out, **({"NextMarker": marker} if marker else {})}
    if op == "GetFunction":
        version = params.get("Qualifier", "$LATEST")
        if version not in f["versions"]:
            raise Problem(404, "ResourceNotFoundException", "Function not found: %s:%s" % (f["name"], version))
        v = f["versions"][version]
        code = {"RepositoryType": "ECR", "ImageUri": v["imageUri"]}
        if v.get("resolved"):
            code["ResolvedImageUri"] = v["resolved"]
        return {"Configuration": configuration(f, version), "Code": code}
    raise Problem(404, "UnknownOperationException", "unknown operation " + op)


class Handler(QuietHandler):
    def send_json(self, status, doc, extra=()):
        self.reply(status, json.dumps(doc).encode(), [("Content-Type", "application/json"), *extra])

    def count(self, op, account):
        with lock:
            state["by_op"][op] = state["by_op"].get(op, 0) + 1
            state["by_account"][account] = state["by_account"].get(account, 0) + 1

    def before(self):
        if args.latency_ms:
            time.sleep(args.latency_ms / 1000.0)
        with lock:
            state["calls"] += 1
            return bool(args.throttle_every and state["calls"] % args.throttle_every == 0)

    def problem(self, service, op, p):
        if p.type not in ("ThrottlingException", "TooManyRequestsException"):
            with lock:
                state["problems"].append("%s %s: %s: %s" % (service, op, p.type, p.message))
        if service == "ecs":
            self.reply(p.status, json.dumps({"__type": p.type, "message": p.message}).encode(), [("Content-Type", "application/x-amz-json-1.1")])
        else:
            self.send_json(p.status, {"Type": "User", "message": p.message}, [("x-amzn-ErrorType", p.type + ":http://internal.amazon.com/coral/")])

    def do_GET(self):
        if self.path == "/_state":
            with lock:
                return self.send_json(200, state)
        url = urllib.parse.urlsplit(self.path)
        op = "?"
        try:
            if not url.path.startswith(LAMBDA_PREFIX):
                raise Problem(404, "UnknownOperationException", "no such path " + url.path)
            op, name = lambda_route(url.path)
            throttle = self.before()
            account, region = verify_signature(self, b"", "lambda", ("host", "x-amz-date"))
            params = {}
            for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True):
                params[k] = int(v) if k == "MaxItems" and v.isdigit() else v
            if name is not None:
                params["FunctionName"] = name
            validate("lambda", op, params)
            if throttle:
                with lock:
                    state["throttled"] += 1
                raise Problem(429, "TooManyRequestsException", "Rate exceeded")
            self.count(op, account)
            with lock:
                out = lambda_operate(op, params, account, region)
            self.send_json(200, out)
        except Problem as p:
            self.problem("lambda", op, p)

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0") or 0))
        target = self.headers.get("X-Amz-Target", "")
        op = target[len(ECS_TARGET):] if target.startswith(ECS_TARGET) else "?"
        try:
            throttle = self.before()
            account, region = verify_signature(self, body, "ecs", ("host", "x-amz-date", "x-amz-target", "content-type"))
            if self.headers.get("Content-Type") != "application/x-amz-json-1.1":
                raise Problem(400, "SerializationException", "Content-Type must be application/x-amz-json-1.1")
            try:
                doc = json.loads(body or b"{}")
            except ValueError:
                raise Problem(400, "SerializationException", "malformed JSON")
            validate("ecs", op, doc)
            if throttle:
                with lock:
                    state["throttled"] += 1
                raise Problem(400, "ThrottlingException", "Rate exceeded")
            self.count(op, account)
            with lock:
                out = ecs_operate(op, doc, account, region)
            self.reply(200, json.dumps(out).encode(), [("Content-Type", "application/x-amz-json-1.1")])
        except Problem as p:
            self.problem("ecs", op, p)


serve_on_loopback(Handler, args.port_file)
