// The peer side of regpol's access benchmark: the same IAM repository policy and the same
// requests, decided by Cedar (npm @cedar-policy/cedar-wasm) on Node.
//
//   node bench/cedar/authorize.mjs IAM_POLICY.json REQUESTS.jsonl [LIMIT]
//
// Each IAM statement of the benchmark's shape (one AWS principal, one action, one
// IpAddress condition on aws:SourceIp) becomes one Cedar policy:
//   permit|forbid (principal == Principal::"ARN", action == Action::"ecr:X", resource)
//   when { context.sourceIp.isInRange(ip("CIDR")) };
// Cedar's rule (any forbid wins, else any permit, else deny) is IAM's rule (explicit deny,
// else allow, else implicit deny), so both engines must reach the same decisions: the
// script prints how many requests were allowed, and bench/run compares it with regpol's.
// The policy set is parsed once (preparsePolicySet) and the requests are built before the
// clock starts, so the time is decisions only, as for regpol's in-process number.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);
const cedar = require("@cedar-policy/cedar-wasm/nodejs");

const [policyPath, requestsPath, limitArg] = process.argv.slice(2);
if (!policyPath || !requestsPath) {
  console.error("usage: node authorize.mjs IAM_POLICY.json REQUESTS.jsonl [LIMIT]");
  process.exit(2);
}

function one(value, what) {
  const list = Array.isArray(value) ? value : [value];
  if (list.length !== 1 || typeof list[0] !== "string") throw new Error(`${what}: the benchmark translates exactly one string`);
  return list[0];
}

function translate(statement) {
  const effect = statement.Effect === "Deny" ? "forbid" : "permit";
  const principal = one(statement.Principal.AWS, "Principal.AWS");
  const action = one(statement.Action, "Action");
  const conditions = statement.Condition || {};
  const keys = Object.keys(conditions);
  if (keys.length > 1 || (keys.length === 1 && keys[0] !== "IpAddress")) throw new Error("only IpAddress conditions are translated");
  const when = keys.length
    ? ` when { context.sourceIp.isInRange(ip(${JSON.stringify(one(conditions.IpAddress["aws:SourceIp"], "aws:SourceIp"))})) }`
    : "";
  return `@id(${JSON.stringify(statement.Sid || "")})\n${effect} (principal == Principal::${JSON.stringify(principal)}, ` +
    `action == Action::${JSON.stringify(action)}, resource)${when};`;
}

const document = JSON.parse(readFileSync(policyPath, "utf8"));
const statements = Array.isArray(document.Statement) ? document.Statement : [document.Statement];
const policyText = statements.map(translate).join("\n");
const parsed = cedar.preparsePolicySet("bench", { staticPolicies: policyText });
if (parsed.type !== "success") {
  console.error(JSON.stringify(parsed.errors, null, 2));
  process.exit(1);
}

const limit = limitArg ? Number(limitArg) : Infinity;
const calls = [];
for (const line of readFileSync(requestsPath, "utf8").split("\n")) {
  if (!line || calls.length >= limit) continue;
  const r = JSON.parse(line);
  calls.push({
    principal: { type: "Principal", id: r.principal },
    action: { type: "Action", id: r.action },
    resource: { type: "Repository", id: r.repository },
    context: { sourceIp: { __extn: { fn: "ip", arg: r.context["aws:SourceIp"] } } },
    preparsedPolicySetId: "bench",
    entities: [],
  });
}

let allowed = 0;
const start = process.hrtime.bigint();
for (const call of calls) {
  const answer = cedar.statefulIsAuthorized(call);
  if (answer.type !== "success") {
    console.error(JSON.stringify(answer.errors));
    process.exit(1);
  }
  if (answer.response.decision === "allow") ++allowed;
}
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
console.log(`engine=cedar-wasm-${cedar.getCedarVersion()} statements=${statements.length} requests=${calls.length} ` +
  `seconds=${seconds.toFixed(3)} decisions_per_s=${(calls.length / seconds).toFixed(0)} ` +
  `us_per_decision=${(seconds * 1e6 / calls.length).toFixed(3)} allowed=${allowed}`);
