#!/usr/bin/env python3
"""deploy/ against the CLI: the regpol command lines of the Kubernetes CronJob, the Indexed
Job and the systemd service are parsed out of the manifests and run for real (their mount
paths mapped to a temporary folder); the Indexed Job's shards must cover the whole plan once;
the Dockerfile's run stage must install every shared library the binary links, its build
stage only what the build needs, and .dockerignore must keep a host build out of it.
usage: check_deploy.py REGPOL REPO_ROOT"""
import base64
import configparser
import datetime
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import yaml

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from model_lib import Checks, free_port  # noqa: E402

regpol, root = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
deploy = os.path.join(root, "deploy")
check = Checks()


def container(doc):
    spec = doc["spec"]
    if doc["kind"] == "CronJob":
        spec = spec["jobTemplate"]["spec"]
    return spec, spec["template"]["spec"]["containers"][0]


tmp_dir = tempfile.TemporaryDirectory()
tmp = tmp_dir.name
paths = {"/policy": "policy", "/data": "data", "/state": "state", "/etc/regpol": "policy", "/var/lib/regpol": "data", "/docker": "docker",
         "/etc/docker/registry": "registry-config", "/var/lib/registry": "registry-storage"}
hosts = {}  # a manifest's registry host -> the test registry's address on 127.0.0.1
for d in set(paths.values()):
    os.makedirs(os.path.join(tmp, d), exist_ok=True)
with open(os.path.join(tmp, "policy", "policy.regpol"), "w") as f:
    # Gentle enough for the manifests' --max-delete-percent 20 (the rails are tests/run_apply.sh's).
    f.write('defaults {\n  lifecycle {\n    rule 1 { select untagged expire older than 300d }\n  }\n}\n')
snap = os.path.join(tmp, "snap.json")
subprocess.run([regpol, "snapshot", "gen", "--repos", "16", "--images-per-repo", "30", "--format", "regpol", "--out", snap],
               check=True, capture_output=True)
with open(snap) as f:
    doc = json.load(f)
doc["capturedAt"] = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")  # fresh, for --max-snapshot-age
with open(snap, "w") as f:
    json.dump(doc, f)


def fresh_store():
    db = os.path.join(tmp, "data", "registry.db")
    if os.path.exists(db):
        os.remove(db)
    subprocess.run([regpol, "snapshot", "import", snap, "--db", db], check=True, capture_output=True)
    subprocess.run(["cp", db, os.path.join(tmp, "data", "pristine.db")], check=True)


def localize(argv):
    out = []
    for a in argv:
        for prefix, d in paths.items():
            a = re.sub("(^|=|:)" + re.escape(prefix) + "(/|$)", lambda m: m.group(1) + os.path.join(tmp, d) + m.group(2), a)
        for host, local in hosts.items():
            a = a.replace("oci://" + host, "oci://" + local)
        out.append(a)
    return out


def start_ecr_endpoint(region):
    """The test ECR endpoint (tests/ecr/ecr_endpoint.py on 127.0.0.1) holding the snapshot's
    images: (process, url); stopped by its PID."""
    port_file = os.path.join(tmp, "ecr-%s.port" % region)
    if os.path.exists(port_file):
        os.remove(port_file)
    proc = subprocess.Popen(["/usr/bin/python3", os.path.join(root, "tests", "ecr", "ecr_endpoint.py"), snap, port_file, "--region", region],
                            stderr=subprocess.DEVNULL)
    for _ in range(100):
        if os.path.exists(port_file) and open(port_file).read().strip():
            break
        time.sleep(0.1)
    return proc, "http://127.0.0.1:" + open(port_file).read().strip()


def endpoint_state(url):
    with urllib.request.urlopen(url + "/_state") as answer:
        return json.load(answer)


def run(name, argv, test_only=()):
    """Runs a manifest's regpol command line; `test_only` arguments (where the test's
    servers are) are added after its options were checked against `apply --help`."""
    check(os.path.basename(argv[0]) == "regpol" and argv[1] == "apply", name + ": runs regpol")
    help_text = subprocess.run([regpol, "apply", "--help"], capture_output=True, text=True).stdout
    for a in argv[2:]:
        if a.startswith("--"):
            opt = a.split("=")[0]
            check(re.search(r"\n\s+" + re.escape(opt) + r"\b", help_text), "%s: %s is an option of `regpol apply`" % (name, opt))
    r = subprocess.run([regpol] + localize(argv[1:]) + list(test_only), capture_output=True, text=True, stdin=subprocess.DEVNULL)
    check(r.returncode == 0, "%s: exit %d: %s" % (name, r.returncode, r.stderr.strip()))
    return r


# The CronJob for ECR (with its ServiceAccount): `apply --pull --target ecr`, run against the
# test ECR endpoint (tests/ecr/ecr_endpoint.py on 127.0.0.1, stopped by its PID) holding the
# snapshot's images; the only argument added is --endpoint-url, the only environment the
# test's credentials.
with open(os.path.join(deploy, "kubernetes", "cronjob.yaml")) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
cron = next(d for d in docs if d["kind"] == "CronJob")
account = next((d for d in docs if d["kind"] == "ServiceAccount"), None)
check(cron["spec"].get("concurrencyPolicy") == "Forbid", "cronjob forbids overlapping runs")
spec, c = container(cron)
pod = spec["template"]["spec"]
check(account is not None and pod.get("serviceAccountName") == account["metadata"]["name"]
      and account["metadata"].get("annotations", {}).get("eks.amazonaws.com/role-arn", "").startswith("arn:aws:iam::"),
      "cronjob runs as a ServiceAccount with an IRSA role annotation")
check(not c["image"].endswith(":latest") and ":" in c["image"].rsplit("/", 1)[-1], "cronjob pins the image's release tag: " + c["image"])
# Exit codes to the scheduler: 1, 2, 3 fail the job (a retry would do the same), 5 is
# ignored (another apply holds the state file), 4 is retried (it resumes).
rules = spec.get("podFailurePolicy", {}).get("rules", [])
by_action = {r["action"]: set(r["onExitCodes"]["values"]) for r in rules if r.get("onExitCodes", {}).get("operator") == "In"}
check(by_action.get("FailJob") == {1, 2, 3} and by_action.get("Ignore") == {5} and all(4 not in v for v in by_action.values()),
      "podFailurePolicy: 1/2/3 FailJob, 5 Ignore, 4 retried: %s" % by_action)
check(all(r["onExitCodes"].get("containerName") == c["name"] for r in rules), "podFailurePolicy names the container")
check(pod.get("restartPolicy") == "Never", "restartPolicy Never (podFailurePolicy needs it)")
check(c["args"][:2] == ["apply", "--pull"] and "--target=ecr" in c["args"], "cronjob pulls ECR and applies in one command")
ecr_env = {"AWS_ACCESS_KEY_ID": "AKIDREGPOLTEST", "AWS_SECRET_ACCESS_KEY": "regpol-test-secret", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": os.path.join(tmp, "no-config"), "AWS_SHARED_CREDENTIALS_FILE": os.path.join(tmp, "no-credentials"),
           "NO_PROXY": "*", "no_proxy": "*"}
for e in c.get("env", []):
    ecr_env[e["name"]] = e["value"]
endpoint, url = start_ecr_endpoint(ecr_env.get("AWS_REGION", "us-east-1"))
try:
    os.environ.update(ecr_env)
    r = run("cronjob", ["regpol"] + c["args"], ["--endpoint-url=" + url])
    check("deferred" in r.stdout, "cronjob: the grace period defers the first night's deletions: " + r.stdout.strip())
    kept = os.listdir(os.path.join(tmp, "state", "state.db.snapshots"))
    check(len(kept) == 1 and kept[0].startswith("sha256-"), "cronjob: the pulled snapshot is kept beside the state: %s" % kept)
    seen = endpoint_state(url)
    check(not seen["problems"] and seen["by_op"].get("DescribeImages", 0) > 0, "cronjob: the endpoint saw a valid, signed pull: %s" % seen["problems"][:3])
finally:
    endpoint.kill()
    endpoint.wait()
    for k in ecr_env:
        os.environ.pop(k, None)

# The CronJob for a Distribution registry: Debian's docker-registry on 127.0.0.1 with
# htpasswd users (stopped by its PID), populated by tests/oci/populate.py; the Secret's
# Docker config (its host and credentials the test registry's) mounted where the manifest
# says; the command line run as written (its registry host mapped to the test registry).
# Two nights (the grace period defers the first), then the garbage collection CronJob's
# command on the registry's storage: it frees the deleted images' blobs and every kept image
# still reads whole.
with open(os.path.join(deploy, "kubernetes", "cronjob-distribution.yaml")) as f:
    docs = [d for d in yaml.safe_load_all(f) if d]
secret = next(d for d in docs if d["kind"] == "Secret")
cron, gc = [d for d in docs if d["kind"] == "CronJob"]
spec, c = container(cron)
pod = spec["template"]["spec"]
rules = spec.get("podFailurePolicy", {}).get("rules", [])
by_action = {r["action"]: set(r["onExitCodes"]["values"]) for r in rules if r.get("onExitCodes", {}).get("operator") == "In"}
check(by_action.get("FailJob") == {1, 2, 3} and by_action.get("Ignore") == {5} and pod.get("restartPolicy") == "Never",
      "distribution cronjob: podFailurePolicy 1/2/3 FailJob, 5 Ignore, 4 retried: %s" % by_action)
check(not c["image"].endswith(":latest") and c["args"][:2] == ["apply", "--pull"], "distribution cronjob: pinned image, apply --pull")
target = next(a.split("=", 1)[1] for a in c["args"] if a.startswith("--target="))
check(target.startswith("oci://"), "distribution cronjob targets a registry: " + target)
check(secret["type"] == "kubernetes.io/dockerconfigjson", "the registry credentials are a Secret in Docker config form")
mounts = {m["name"]: m["mountPath"] for m in c["volumeMounts"]}
secret_volume = next(v for v in pod["volumes"] if v.get("secret", {}).get("secretName") == secret["metadata"]["name"])
env = {e["name"]: e["value"] for e in c.get("env", [])}
check(env.get("DOCKER_CONFIG") == mounts.get(secret_volume["name"]) and
      secret_volume["secret"].get("items") == [{"key": ".dockerconfigjson", "path": "config.json"}],
      "the Secret is mounted as $DOCKER_CONFIG/config.json")
check("--delete-untagged" not in " ".join(container(gc)[1]["command"]), "garbage collection keeps untagged manifests (index children, signatures)")

registry_password = "deploy-%d-pw" % os.getpid()
htpasswd = os.path.join(tmp, "htpasswd")
import bcrypt  # noqa: E402  (python3-bcrypt, as tests/run_oci.sh)
with open(htpasswd, "w") as f:
    f.write("regpol:" + bcrypt.hashpw(registry_password.encode(), bcrypt.gensalt(5)).decode() + "\n")
registry_port = free_port()
config_dir = os.path.join(tmp, "registry-config")
os.makedirs(config_dir, exist_ok=True)
registry_config = os.path.join(config_dir, "config.yml")
with open(registry_config, "w") as f:
    subprocess.run(["bash", os.path.join(root, "tests", "oci", "registry_config.sh"), os.path.join(tmp, "registry-storage"), str(registry_port),
                    "auth:\n  htpasswd:\n    realm: regpol-deploy\n    path: " + htpasswd], stdout=f, check=True)
registry_log = open(os.path.join(tmp, "registry.log"), "w")


def start_registry():
    proc = subprocess.Popen(["docker-registry", "serve", registry_config], stdout=registry_log, stderr=registry_log)
    for _ in range(100):
        try:
            urllib.request.urlopen("http://127.0.0.1:%d/v2/" % registry_port)
        except urllib.error.HTTPError:
            return proc  # 401: up, and asking for credentials
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the registry did not start: " + open(os.path.join(tmp, "registry.log")).read())


def blob_bytes():
    total = 0
    for folder, _, files in os.walk(os.path.join(tmp, "registry-storage", "docker", "registry", "v2", "blobs")):
        total += sum(os.path.getsize(os.path.join(folder, f)) for f in files if f == "data")
    return total


registry = start_registry()
try:
    creds = {"REGPOL_REGISTRY_USERNAME": "regpol", "REGPOL_REGISTRY_PASSWORD": registry_password, "NO_PROXY": "*", "no_proxy": "*"}
    subprocess.run(["/usr/bin/python3", os.path.join(root, "tests", "oci", "populate.py"), "--registry", "127.0.0.1:%d" % registry_port,
                    "--out", os.path.join(tmp, "populated.json")], check=True, capture_output=True, env=dict(os.environ, **creds))
    host = target[len("oci://"):].split("/")[0]
    hosts[host] = "127.0.0.1:%d" % registry_port
    docker_config = json.loads(secret["stringData"][".dockerconfigjson"])
    check(list(docker_config["auths"]) == [host], "the Secret holds credentials for the registry the job targets")
    docker_config["auths"] = {hosts[host]: {"auth": base64.b64encode(("regpol:" + registry_password).encode()).decode()}}
    os.makedirs(os.path.join(tmp, "docker"), exist_ok=True)
    with open(os.path.join(tmp, "docker", "config.json"), "w") as f:
        json.dump(docker_config, f)
    with open(os.path.join(tmp, "policy", "policy.regpol")) as f:
        ecr_policy = f.read()
    with open(os.path.join(tmp, "policy", "policy.regpol"), "w") as f:
        # One image of team/app's nine: under the manifest's --max-delete-percent 20.
        f.write('repository "team/app" {\n  lifecycle {\n    rule 1 { select tagged prefix ["pr-1"] expire older than 30d }\n  }\n}\n')
    job_env = {k: localize([v])[0] for k, v in env.items()}
    saved = {k: os.environ.get(k) for k in list(job_env) + ["NO_PROXY", "no_proxy"]}
    os.environ.update(job_env, NO_PROXY="*", no_proxy="*")
    try:
        first = run("distribution cronjob", ["regpol"] + c["args"])
        check("deferred" in first.stdout, "distribution cronjob: the first night defers: " + first.stdout.strip())
        before = blob_bytes()
        later = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
        second = run("distribution cronjob, three nights later", ["regpol"] + c["args"], ["--now=" + later])
        check(re.search(r"\b1 deleted\b", second.stdout), "distribution cronjob: the second night deletes the image: " + second.stdout.strip())
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v
    with open(os.path.join(tmp, "policy", "policy.regpol"), "w") as f:
        f.write(ecr_policy)
    # The collection runs with the registry stopped (the manifest's comment says why).
    registry.terminate()
    registry.wait()
    gc_command = container(gc)[1]["command"]
    check(gc_command[0] == "registry" and gc_command[1] == "garbage-collect", "the collection runs the registry's garbage-collect")
    r = subprocess.run(["docker-registry"] + localize(gc_command[1:]), capture_output=True, text=True)
    check(r.returncode == 0, "garbage-collect: exit %d: %s" % (r.returncode, r.stderr[-300:]))
    check(blob_bytes() < before, "garbage collection frees the deleted images' blobs: %d -> %d bytes" % (before, blob_bytes()))
    registry = start_registry()
    after = subprocess.run([regpol, "snapshot", "pull", "oci://" + hosts[host], "--out", os.path.join(tmp, "after-gc.json")],
                           capture_output=True, text=True, env=dict(os.environ, **creds))
    check(after.returncode == 0, "every kept image reads whole after the collection: " + after.stderr[-300:])
finally:
    registry.terminate()
    registry.wait()

# The Indexed Job: every shard, then the shards' runs together are the whole plan.
with open(os.path.join(deploy, "kubernetes", "indexed-job.yaml")) as f:
    job = yaml.safe_load(f)
spec, c = container(job)
check(spec.get("completionMode") == "Indexed", "indexed job is Indexed")
n = spec["completions"]
check(spec.get("parallelism") == n, "completions == parallelism")
script = c["args"][0]
check(c["command"][:2] == ["/bin/sh", "-c"], "the Indexed Job runs through a shell (for ${JOB_COMPLETION_INDEX})")
fresh_store()
actions = []
for i in range(n):
    argv = shlex.split(script.replace("${JOB_COMPLETION_INDEX}", str(i)))
    check(argv[0] == "exec", "exec")
    argv = argv[1:]
    shard = argv[argv.index("--shard") + 1]
    check(shard == "%d/%d" % (i, n), "shard %d: --shard %s matches completions %d" % (i, shard, n))
    run("indexed job %d" % i, argv)
    state = os.path.join(tmp, "state", "state-%d.db" % i)
    shown = json.loads(subprocess.run([regpol, "runs", "show", "1", "--state", state, "--format", "json"],
                                      capture_output=True, text=True, check=True).stdout)
    actions += [(a["repository"], a["digest"]) for a in shown["actions"]]
plan = json.loads(subprocess.run([regpol, "plan", "--policy", os.path.join(tmp, "policy", "policy.regpol"), "--snapshot",
                                  os.path.join(tmp, "data", "pristine.db"), "--format", "json"], capture_output=True, text=True,
                                 check=True).stdout)
whole = [(i["repository"], i["digest"]) for i in plan["images"] if i["action"] != "keep"]
check(sorted(actions) == sorted(whole) and len(whole) > 0, "the shards together are the whole plan, each action once (%d vs %d)" % (len(actions), len(whole)))

# The systemd service and timer: `apply --pull --target ecr` with the AWS credentials file
# handed over by systemd (LoadCredential=, read through %d, the credentials directory) and
# the region from its EnvironmentFile=; run against the test ECR endpoint with nothing else
# in the environment (no AWS_ACCESS_KEY_ID: the key comes from the credential file).
unit = configparser.ConfigParser(interpolation=None, strict=False)
unit.optionxform = str
unit.read(os.path.join(deploy, "systemd", "regpol-apply.service"))
service = unit["Service"]
check(service["Type"] == "oneshot", "service is oneshot")
check("5" in service.get("SuccessExitStatus", "").split(), "exit 5 (state file busy) is not a failure")
shutil.rmtree(os.path.join(tmp, "state"))
os.makedirs(os.path.join(tmp, "state"))
exec_start = shlex.split(service["ExecStart"])
check(exec_start[1:3] == ["apply", "--pull"] and "ecr" in exec_start, "the service pulls ECR and applies in one command")
check(any("/var/lib/" + service["StateDirectory"] in a for a in exec_start), "the service's state lives in its StateDirectory")
credentials_dir = os.path.join(tmp, "credentials")
os.makedirs(credentials_dir, exist_ok=True)
loaded = service.get("LoadCredential", "")
check(":" in loaded, "the service loads its credentials with LoadCredential=ID:PATH")
cred_id, cred_path = loaded.split(":", 1)
with open(localize([cred_path])[0], "w") as f:  # what the operator puts there
    f.write("[default]\naws_access_key_id = AKIDREGPOLTEST\naws_secret_access_key = regpol-test-secret\n")
shutil.copy(localize([cred_path])[0], os.path.join(credentials_dir, cred_id))  # what systemd does
service_env = {"PATH": os.environ["PATH"], "NO_PROXY": "*", "no_proxy": "*", "AWS_EC2_METADATA_DISABLED": "true", "HOME": "/nonexistent"}
for assignment in shlex.split(service.get("Environment", "")):
    k, v = assignment.split("=", 1)
    service_env[k] = localize([v.replace("%d", credentials_dir)])[0]
env_file = service.get("EnvironmentFile", "").lstrip("-")
check(env_file and service_env.get("AWS_SHARED_CREDENTIALS_FILE", "").startswith(credentials_dir + "/"),
      "the AWS credentials file is the one systemd loaded (%d), the rest from an EnvironmentFile")
with open(localize([env_file])[0], "w") as f:
    f.write("AWS_REGION=eu-west-1\n")
for line in open(localize([env_file])[0]):
    k, v = line.strip().split("=", 1)
    service_env[k] = v
endpoint, url = start_ecr_endpoint("eu-west-1")
try:
    r = subprocess.run([regpol] + localize(exec_start[1:]) + ["--endpoint-url=" + url], capture_output=True, text=True, env=service_env,
                       stdin=subprocess.DEVNULL)
    check(r.returncode == 0, "systemd service: exit %d: %s" % (r.returncode, r.stderr.strip()[-300:]))
    seen = endpoint_state(url)
    check(not seen["problems"] and seen["by_key"].get("AKIDREGPOLTEST", 0) > 0, "systemd service: signed with the loaded credentials: %s" % seen["problems"][:3])
finally:
    endpoint.kill()
    endpoint.wait()
timer = configparser.ConfigParser(interpolation=None, strict=False)
timer.optionxform = str
timer.read(os.path.join(deploy, "systemd", "regpol-apply.timer"))
check(timer["Timer"].get("Persistent") == "true", "timer is persistent")
check(bool(timer["Timer"].get("OnCalendar")), "timer has a calendar")

# The Dockerfile's run stage installs the package of every shared library regpol links
# directly (NEEDED; apt brings what those need).
with open(os.path.join(deploy, "Dockerfile")) as f:
    dockerfile = f.read()
run_stage = dockerfile.split("FROM debian:bookworm-slim", 1)[-1]
ldd = subprocess.run(["ldd", regpol], capture_output=True, text=True).stdout
paths = dict(re.findall(r"^\s*(\S+) => (/\S+)", ldd, re.M))
needed = re.findall(r"\(NEEDED\).*\[(.+)\]", subprocess.run(["readelf", "-d", regpol], capture_output=True, text=True).stdout)
# A sanitizer build links the sanitizer runtimes; the image ships a release build.
sanitized = any(n.startswith(("libasan", "libubsan")) for n in needed)
for name in ([] if sanitized else needed):
    lib = paths.get(name, "")
    owner = subprocess.run(["dpkg", "-S", "/usr" + lib if lib.startswith("/lib/") else lib], capture_output=True, text=True).stdout if lib else ""
    pkg = owner.split(":")[0] if owner else ""
    if pkg in ("libc6", "libgcc-s1", "libstdc++6", ""):
        continue  # in every Debian image
    check(re.search(r"\b" + re.escape(pkg) + r"\b", run_stage), "Dockerfile installs %s (for %s)" % (pkg, name))
# libcurl is loaded at run time, when a command first talks to a registry
# (engine/registry/http/curl_library.h), so it is not among the NEEDED libraries above.
check(re.search(r"\blibcurl4\b", run_stage), "Dockerfile installs libcurl4 (libcurl.so.4, loaded when first used)")
check("scripts/bootstrap build" in dockerfile, "Dockerfile builds with the project's bootstrap, its build set")
# The build set is the test set without the test-only tools (`scripts/bootstrap MODE --list`).
listed = {mode: subprocess.run([os.path.join(root, "scripts", "bootstrap"), mode, "--list"], capture_output=True, text=True, check=True).stdout.split()
          for mode in ("build", "test")}
test_only = {"docker-registry", "skopeo", "awscli", "clang-tidy", "python3-botocore"}
check(set(listed["build"]) < set(listed["test"]) and "g++" in listed["build"] and "antlr4" in listed["build"] and not test_only & set(listed["build"])
      and test_only <= set(listed["test"]), "bootstrap build installs the build's packages only: %s" % (test_only & set(listed["build"])))
# The build context is the repository root: a host build folder must stay out of it.
ignored = open(os.path.join(root, ".dockerignore")).read().split() if os.path.exists(os.path.join(root, ".dockerignore")) else []
check("build" in ignored and "build-*" in ignored and ".git" in ignored, ".dockerignore keeps build/, build-*/ and .git out of the image's context")

check.finish()
