#!/usr/bin/env python3
"""Writes tests/cases/iam-access.json: IAM repository-policy cases whose expected
decisions are worked out by hand from IAM's documented evaluation logic (explicit deny >
allow > implicit deny; condition operators, missing keys, set qualifiers). Never produced
by regpol. Re-run after editing: python3 tests/cases/make_iam_cases.py
"""
import json, os

ROLE = "arn:aws:iam::111122223333:role/ci"
cases = []

def allow_all(cond=None, action="ecr:*", effect="Allow", principal="*", sid="s"):
    st = {"Sid": sid, "Effect": effect, "Principal": principal, "Action": action}
    if cond is not None: st["Condition"] = cond
    return st

def case(name, statements, expect, context=None, action="ecr:PutImage", principal=ROLE, repo="team/app", **req):
    request = {"principal": principal, "action": action, "repository": "team/app", "context": context or {}}
    request.update(req)
    cases.append({"name": name, "policy": {"Version": "2012-10-17", "Statement": statements},
                  "repository": repo, "request": request, "expect": expect})

def cond_case(name, op, key, values, context, expect):
    case(name, [allow_all({op: {key: values}})], expect, context=context)

# --- decision logic ---
case("empty-policy-implicit-deny", [], "deny")
case("allow-matches", [allow_all()], "allow")
case("deny-beats-allow", [allow_all(), allow_all(effect="Deny")], "deny")
case("deny-first-listed-still-wins", [allow_all(effect="Deny", action="ecr:PutImage"), allow_all()], "deny")
case("deny-other-action-no-effect", [allow_all(), allow_all(effect="Deny", action="ecr:BatchDeleteImage")], "allow")
case("action-case-insensitive", [allow_all(action="ECR:putimage")], "allow")
case("action-wildcard-question", [allow_all(action="ecr:Put?mage")], "allow")
case("action-wildcard-prefix", [allow_all(action="ecr:Batch*")], "deny")
case("action-list", [allow_all(action=["ecr:BatchGetImage", "ecr:PutImage"])], "allow")
case("not-action-excludes", [allow_all(action=None) | {"NotAction": "ecr:PutImage"}], "deny")
case("not-action-includes-others", [{"Sid": "s", "Effect": "Allow", "Principal": "*", "NotAction": "ecr:BatchDeleteImage"}], "allow")
case("star-action", [allow_all(action="*")], "allow")
case("other-repository-not-covered", [allow_all()], "deny", repo="team/other")

# --- principals ---
case("principal-account-id", [allow_all(principal={"AWS": "111122223333"})], "allow")
case("principal-account-root", [allow_all(principal={"AWS": "arn:aws:iam::111122223333:root"})], "allow")
case("principal-other-account", [allow_all(principal={"AWS": "arn:aws:iam::999988887777:root"})], "deny")
case("principal-exact-role", [allow_all(principal={"AWS": ROLE})], "allow")
case("principal-other-role", [allow_all(principal={"AWS": "arn:aws:iam::111122223333:role/deploy"})], "deny")
case("principal-assumed-role-session", [allow_all(principal={"AWS": ROLE})], "allow",
     principal="arn:aws:sts::111122223333:assumed-role/ci/build-42")
case("principal-service", [allow_all(principal={"Service": "lambda.amazonaws.com"})], "allow", principal="lambda.amazonaws.com")
case("principal-aws-star", [allow_all(principal={"AWS": "*"})], "allow")
case("not-principal-excludes", [{"Sid": "d", "Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "ecr:*"}, allow_all()], "allow")
case("not-principal-denies-others", [{"Sid": "d", "Effect": "Deny", "NotPrincipal": {"AWS": ROLE}, "Action": "ecr:*"}, allow_all()], "deny",
     principal="arn:aws:iam::111122223333:role/other")

# --- string operators ---
cond_case("string-equals-match", "StringEquals", "aws:PrincipalOrgID", "o-abc", {"aws:PrincipalOrgID": "o-abc"}, "allow")
cond_case("string-equals-case-sensitive", "StringEquals", "aws:PrincipalOrgID", "o-ABC", {"aws:PrincipalOrgID": "o-abc"}, "deny")
cond_case("string-equals-missing-key", "StringEquals", "aws:PrincipalOrgID", "o-abc", {}, "deny")
cond_case("string-equals-values-ored", "StringEquals", "aws:PrincipalOrgID", ["o-x", "o-abc"], {"aws:PrincipalOrgID": "o-abc"}, "allow")
cond_case("key-name-case-insensitive", "StringEquals", "AWS:principalorgid", "o-abc", {"aws:PrincipalOrgID": "o-abc"}, "allow")
cond_case("string-not-equals-nor", "StringNotEquals", "aws:PrincipalOrgID", ["o-x", "o-abc"], {"aws:PrincipalOrgID": "o-abc"}, "deny")
cond_case("string-not-equals-none-match", "StringNotEquals", "aws:PrincipalOrgID", ["o-x", "o-y"], {"aws:PrincipalOrgID": "o-abc"}, "allow")
cond_case("string-not-equals-missing-key-true", "StringNotEquals", "aws:PrincipalOrgID", "o-x", {}, "allow")
cond_case("string-equals-ignore-case", "StringEqualsIgnoreCase", "aws:PrincipalTag/team", "Platform", {"aws:PrincipalTag/team": "PLATFORM"}, "allow")
cond_case("string-not-equals-ignore-case", "StringNotEqualsIgnoreCase", "aws:PrincipalTag/team", "Platform", {"aws:PrincipalTag/team": "platform"}, "deny")
cond_case("string-like-star", "StringLike", "aws:PrincipalTag/team", "plat*", {"aws:PrincipalTag/team": "platform"}, "allow")
cond_case("string-like-question", "StringLike", "aws:PrincipalTag/team", "pl?t", {"aws:PrincipalTag/team": "plat"}, "allow")
cond_case("string-like-case-sensitive", "StringLike", "aws:PrincipalTag/team", "Plat*", {"aws:PrincipalTag/team": "platform"}, "deny")
cond_case("string-not-like", "StringNotLike", "aws:PrincipalTag/team", ["a*", "p*"], {"aws:PrincipalTag/team": "platform"}, "deny")
cond_case("string-equals-if-exists-missing", "StringEqualsIfExists", "aws:PrincipalOrgID", "o-abc", {}, "allow")
cond_case("string-equals-if-exists-present-mismatch", "StringEqualsIfExists", "aws:PrincipalOrgID", "o-abc", {"aws:PrincipalOrgID": "o-x"}, "deny")
cond_case("string-not-like-missing-key-true", "StringNotLike", "aws:PrincipalTag/team", "p*", {}, "allow")

# --- numeric, date, bool ---
cond_case("numeric-less-than", "NumericLessThan", "ecr:count", "10", {"ecr:count": "9"}, "allow")
cond_case("numeric-less-than-equal-edge", "NumericLessThan", "ecr:count", "10", {"ecr:count": "10"}, "deny")
cond_case("numeric-le-edge", "NumericLessThanEquals", "ecr:count", "10", {"ecr:count": "10"}, "allow")
cond_case("numeric-gt", "NumericGreaterThan", "ecr:count", 3, {"ecr:count": 4}, "allow")
cond_case("numeric-ge-false", "NumericGreaterThanEquals", "ecr:count", "3.5", {"ecr:count": "3"}, "deny")
cond_case("numeric-equals-float", "NumericEquals", "ecr:count", "2.0", {"ecr:count": "2"}, "allow")
cond_case("numeric-not-equals-missing", "NumericNotEquals", "ecr:count", "2", {}, "allow")
cond_case("numeric-missing-key", "NumericGreaterThan", "ecr:count", "2", {}, "deny")
cond_case("date-less-than-current-time", "DateLessThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", {}, "allow")
cond_case("date-greater-than-current-time", "DateGreaterThan", "aws:CurrentTime", "2027-01-01T00:00:00Z", {}, "deny")
cond_case("date-offset-equal", "DateEquals", "aws:CurrentTime", "2026-11-27T01:00:00+01:00", {}, "allow")
cond_case("date-epoch-value", "DateGreaterThanEquals", "aws:CurrentTime", "1795737600", {}, "allow")
cond_case("date-from-context", "DateLessThanEquals", "aws:TokenIssueTime", "2026-01-01T00:00:00Z", {"aws:TokenIssueTime": "2025-12-31T23:59:59Z"}, "allow")
cond_case("bool-true", "Bool", "aws:SecureTransport", "true", {"aws:SecureTransport": "true"}, "allow")
cond_case("bool-json-boolean", "Bool", "aws:SecureTransport", True, {"aws:SecureTransport": True}, "allow")
cond_case("bool-false-mismatch", "Bool", "aws:SecureTransport", "false", {"aws:SecureTransport": "true"}, "deny")
cond_case("bool-missing", "Bool", "aws:SecureTransport", "true", {}, "deny")
cond_case("bool-if-exists-missing", "BoolIfExists", "aws:SecureTransport", "true", {}, "allow")

# --- IP addresses ---
cond_case("ip-v4-in", "IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "10.1.2.3"}, "allow")
cond_case("ip-v4-out", "IpAddress", "aws:SourceIp", "10.0.0.0/8", {"aws:SourceIp": "11.1.2.3"}, "deny")
cond_case("ip-single-address", "IpAddress", "aws:SourceIp", "192.0.2.7", {"aws:SourceIp": "192.0.2.7"}, "allow")
cond_case("ip-v6-in", "IpAddress", "aws:SourceIp", "2001:db8::/32", {"aws:SourceIp": "2001:db8:1::5"}, "allow")
cond_case("ip-v6-out", "IpAddress", "aws:SourceIp", "2001:db8::/32", {"aws:SourceIp": "2001:db9::5"}, "deny")
cond_case("ip-v4-not-in-v6-block", "IpAddress", "aws:SourceIp", "::/0", {"aws:SourceIp": "10.0.0.1"}, "deny")
cond_case("not-ip-several-blocks-nor", "NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.168.0.0/16"], {"aws:SourceIp": "192.168.1.1"}, "deny")
cond_case("not-ip-outside-all", "NotIpAddress", "aws:SourceIp", ["10.0.0.0/8", "192.168.0.0/16"], {"aws:SourceIp": "8.8.8.8"}, "allow")
cond_case("not-ip-missing-key", "NotIpAddress", "aws:SourceIp", "10.0.0.0/8", {}, "allow")

# --- ARNs ---
cond_case("arn-like-role-any-account", "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/ci", {}, "allow")
cond_case("arn-like-per-segment", "ArnLike", "aws:PrincipalArn", "arn:aws:iam::*:role/c?", {}, "allow")
cond_case("arn-like-star-does-not-cross-colon", "ArnLike", "aws:PrincipalArn", "arn:aws:*:role/ci", {}, "deny")
cond_case("arn-equals-wildcards-too", "ArnEquals", "aws:PrincipalArn", "arn:aws:iam::111122223333:role/*", {}, "allow")
cond_case("arn-not-like", "ArnNotLike", "aws:PrincipalArn", "arn:aws:iam::*:role/release", {}, "allow")
cond_case("arn-derived-from-session", "ArnEquals", "aws:PrincipalArn", ROLE, {}, "allow")
cond_case("principal-account-derived", "StringEquals", "aws:PrincipalAccount", "111122223333", {}, "allow")
cond_case("principal-arn-context-wins", "StringEquals", "aws:PrincipalArn", "arn:aws:iam::1:role/given", {"aws:PrincipalArn": "arn:aws:iam::1:role/given"}, "allow")

# --- Null and set qualifiers ---
cond_case("null-true-absent", "Null", "aws:PrincipalOrgID", "true", {}, "allow")
cond_case("null-true-present", "Null", "aws:PrincipalOrgID", "true", {"aws:PrincipalOrgID": "o-1"}, "deny")
cond_case("null-false-present", "Null", "aws:PrincipalOrgID", "false", {"aws:PrincipalOrgID": "o-1"}, "allow")
cond_case("for-any-value-hit", "ForAnyValue:StringEquals", "aws:TagKeys", ["team", "env"], {"aws:TagKeys": ["cost", "env"]}, "allow")
cond_case("for-any-value-miss", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], {"aws:TagKeys": ["cost", "env"]}, "deny")
cond_case("for-any-value-missing-key", "ForAnyValue:StringEquals", "aws:TagKeys", ["team"], {}, "deny")
cond_case("for-all-values-subset", "ForAllValues:StringEquals", "aws:TagKeys", ["team", "env"], {"aws:TagKeys": ["env"]}, "allow")
cond_case("for-all-values-extra", "ForAllValues:StringEquals", "aws:TagKeys", ["team", "env"], {"aws:TagKeys": ["env", "cost"]}, "deny")
cond_case("for-all-values-missing-key", "ForAllValues:StringEquals", "aws:TagKeys", ["team"], {}, "allow")
cond_case("for-all-values-empty-list", "ForAllValues:StringEquals", "aws:TagKeys", ["team"], {"aws:TagKeys": []}, "allow")
cond_case("for-any-value-string-like", "ForAnyValue:StringLike", "aws:TagKeys", ["te*"], {"aws:TagKeys": ["cost", "team"]}, "allow")
cond_case("for-all-values-not-equals", "ForAllValues:StringNotEquals", "aws:TagKeys", ["secret"], {"aws:TagKeys": ["a", "b"]}, "allow")

# --- several keys and operators are AND-ed ---
case("keys-anded-both", [allow_all({"StringEquals": {"aws:PrincipalOrgID": "o-1", "aws:PrincipalTag/team": "x"}})], "allow",
     context={"aws:PrincipalOrgID": "o-1", "aws:PrincipalTag/team": "x"})
case("keys-anded-one-fails", [allow_all({"StringEquals": {"aws:PrincipalOrgID": "o-1", "aws:PrincipalTag/team": "x"}})], "deny",
     context={"aws:PrincipalOrgID": "o-1", "aws:PrincipalTag/team": "y"})
case("operators-anded", [allow_all({"StringEquals": {"aws:PrincipalOrgID": "o-1"}, "IpAddress": {"aws:SourceIp": "10.0.0.0/8"}})], "deny",
     context={"aws:PrincipalOrgID": "o-1", "aws:SourceIp": "11.0.0.1"})
case("deny-unless-org", [allow_all(), allow_all({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}, effect="Deny", action="ecr:BatchDeleteImage")],
     "deny", action="ecr:BatchDeleteImage", context={"aws:PrincipalOrgID": "o-other"})
case("deny-unless-org-inside", [allow_all(), allow_all({"StringNotEquals": {"aws:PrincipalOrgID": "o-abc"}}, effect="Deny", action="ecr:BatchDeleteImage")],
     "allow", action="ecr:BatchDeleteImage", context={"aws:PrincipalOrgID": "o-abc"})
case("resource-star", [allow_all() | {"Resource": "*"}], "allow")
case("resource-this-repository", [allow_all() | {"Resource": "arn:aws:ecr:us-east-1:111122223333:repository/team/*"}], "allow")
case("resource-other-repository", [allow_all() | {"Resource": "arn:aws:ecr:us-east-1:111122223333:repository/other"}], "deny")

# --- documents and requests regpol must reject (exit 3) ---
def bad(name, statements=None, policy=None, request=None):
    c = {"name": name, "policy": policy if policy is not None else {"Version": "2012-10-17", "Statement": statements},
         "repository": "team/app", "request": request or {"principal": ROLE, "action": "ecr:PutImage", "repository": "team/app"},
         "expect": "error"}
    cases.append(c)

bad("reject-unknown-operator", [allow_all({"StringEqualz": {"aws:PrincipalOrgID": "o"}})])
bad("reject-cidr-33", [allow_all({"IpAddress": {"aws:SourceIp": "10.0.0.0/33"}})])
bad("reject-date-without-zone", [allow_all({"DateLessThan": {"aws:CurrentTime": "2026-01-01T00:00:00"}})])
bad("reject-statement-object", policy={"Version": "2012-10-17", "Statement": allow_all()})
bad("reject-bad-number", [allow_all({"NumericLessThan": {"ecr:count": "ten"}})])
bad("reject-bad-effect", [allow_all(effect="Permit")])
bad("reject-no-principal", [{"Effect": "Allow", "Action": "ecr:*"}])
bad("reject-action-and-not-action", [allow_all() | {"NotAction": "ecr:PutImage"}])
bad("reject-null-if-exists", [allow_all({"NullIfExists": {"aws:SourceIp": "true"}})])
bad("reject-bool-value", [allow_all({"Bool": {"aws:SecureTransport": "yes"}})])
bad("reject-request-without-action", [allow_all()], request={"principal": ROLE, "repository": "team/app"})
bad("reject-request-context-not-object", [allow_all()], request={"principal": ROLE, "action": "ecr:PutImage", "repository": "team/app", "context": "x"})

out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "iam-access.json")
for c in cases:
    for st in c["policy"].get("Statement", []) if isinstance(c["policy"].get("Statement"), list) else []:
        if st.get("Action") is None and "NotAction" in st: st.pop("Action", None)
with open(out, "w") as f:
    json.dump(cases, f, indent=1)
print(f"wrote {len(cases)} cases to {out}")
