// An independent encoding of IAM's decision, in strings and regular expressions (Z3's
// string theory), for cross-checking the prover (engine/verify), whose encoding chooses
// among finitely many witness values. Random repository policies are generated as plain
// descriptions; each is written as an IAM document for the prover and encoded here straight
// from the description, with no code of engine/access or engine/verify: a request is a
// string per field (the caller built from its parts, the action, each condition key's
// value and presence), glob patterns are regular expressions, and the keys IAM derives from
// the caller (aws:PrincipalArn, aws:PrincipalAccount) are functions of the caller's parts.
// The two must say the same thing: "some request breaks the property" (sat / failed) or
// "none does" (unsat / proved). Z3's API builds the query; Debian's cvc5 binary solves it
// (a different solver, from its SMT-LIB text).
#include <doctest/doctest.h>
#include <z3++.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "access/request.h"
#include "access/request_json.h"
#include "interop/iam_json.h"
#include "test_util.h"
#include "verify/prover.h"

using namespace regpol;

namespace {

// A statement as the generator chose it.
struct PrincipalChoice {
  std::string kind;  // "*", "account", "arn" (role or :root), "service"
  std::string value;
};
struct ConditionChoice {
  std::string op;     // StringEquals, StringNotEquals, StringLike, StringNotLike, Null
  bool if_exists = false;
  std::string key;    // aws:PrincipalOrgID, aws:SourceVpc, aws:PrincipalArn, aws:PrincipalAccount
  std::vector<std::string> values;
};
struct StatementChoice {
  bool allow = true, not_principal = false, not_action = false;
  std::vector<PrincipalChoice> principals;
  std::vector<std::string> actions;
  std::vector<ConditionChoice> conditions;
};

std::string json_list(const std::vector<std::string>& v) {
  std::string s = "[";
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", \"" : "\"") + v[i] + "\"";
  return s + "]";
}

std::string document_of(const std::vector<StatementChoice>& statements) {
  std::string out = R"({"Version": "2012-10-17", "Statement": [)";
  for (std::size_t i = 0; i < statements.size(); ++i) {
    const auto& s = statements[i];
    out += std::string(i ? ", " : "") + R"({"Effect": ")" + (s.allow ? "Allow" : "Deny") + "\", ";
    out += s.not_principal ? R"("NotPrincipal": )" : R"("Principal": )";
    if (s.principals.size() == 1 && s.principals[0].kind == "*") {
      out += R"("*")";
    } else {
      std::vector<std::string> aws, service;
      for (const auto& p : s.principals) (p.kind == "service" ? service : aws).push_back(p.value);
      out += "{";
      if (!aws.empty()) out += R"("AWS": )" + json_list(aws);
      if (!service.empty()) out += std::string(aws.empty() ? "" : ", ") + R"("Service": )" + json_list(service);
      out += "}";
    }
    out += std::string(", ") + (s.not_action ? R"("NotAction": )" : R"("Action": )") + json_list(s.actions);
    if (!s.conditions.empty()) {
      out += R"(, "Condition": {)";
      for (std::size_t c = 0; c < s.conditions.size(); ++c) {
        const auto& k = s.conditions[c];
        out += std::string(c ? ", " : "") + "\"" + k.op + (k.if_exists ? "IfExists" : "") + "\": {\"" + k.key + "\": " + json_list(k.values) + "}";
      }
      out += "}";
    }
    out += "}";
  }
  return out + "]}";
}

// One request over strings: the caller is one of a few shapes (IAM's callers), built from
// an account, a name, a session and a service name; every other field is a free string.
struct StringRequest {
  z3::context& ctx;
  z3::expr any, account, root, role, user, session, federated, service;  // the caller's shape (one of)
  z3::expr acct, name, sess, svc, caller, action;
  z3::expr org_present, org, vpc_present, vpc;
  z3::sort str;

  explicit StringRequest(z3::context& c)
      : ctx(c), any(c.bool_const("any")), account(c.bool_const("account")), root(c.bool_const("root")), role(c.bool_const("role")),
        user(c.bool_const("user")), session(c.bool_const("session")), federated(c.bool_const("federated")), service(c.bool_const("service")), acct(c.string_const("acct")),
        name(c.string_const("name")), sess(c.string_const("sess")), svc(c.string_const("svc")), caller(c.string_const("caller")),
        action(c.string_const("action")), org_present(c.bool_const("org_present")), org(c.string_const("org")),
        vpc_present(c.bool_const("vpc_present")), vpc(c.string_const("vpc")), str(c.string_sort()) {}

  z3::expr s(const std::string& v) const { return ctx.string_val(v); }
  // Regular-expression union (z3++'s `|` is for Booleans and bit-vectors).
  static z3::expr either(const z3::expr& a, const z3::expr& b) {
    Z3_ast args[2] = {a, b};
    Z3_ast r = Z3_mk_re_union(a.ctx(), 2, args);
    a.check_error();
    return z3::expr(a.ctx(), r);
  }
  // Any one character, as SMT-LIB's re.allchar (Z3 4.8's API has no call that makes it, its
  // parser does). A range such as printable ASCII would be no truer to IAM, whose `?` takes
  // any character, and cvc5 reasons about re.allchar far faster: queries it gave up on
  // after a minute over ranges it decides in milliseconds.
  z3::expr any_char() const {
    const z3::expr_vector parsed = ctx.parse_string("(declare-const regpol_x String) (assert (str.in_re regpol_x re.allchar))");
    return parsed[0].arg(1);
  }
  z3::expr chars(const std::string& lo, const std::string& hi) const { return z3::range(s(lo), s(hi)); }
  // Any one of these characters.
  z3::expr one_of(const std::string& cs) const {
    z3::expr re = z3::to_re(s(cs.substr(0, 1)));
    for (std::size_t i = 1; i < cs.size(); ++i) re = either(re, z3::to_re(s(cs.substr(i, 1))));
    return re;
  }

  // The request's shape: exactly one kind of caller, its parts well formed.
  void constrain(z3::solver& solver) const {
    // Exactly one shape, in plain Booleans (the query is also written as SMT-LIB for cvc5).
    const std::vector<const z3::expr*> kinds = {&any, &account, &root, &role, &user, &session, &federated, &service};
    z3::expr_vector some(ctx);
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      some.push_back(*kinds[i]);
      for (std::size_t j = i + 1; j < kinds.size(); ++j) solver.add(!(*kinds[i] && *kinds[j]));
    }
    solver.add(z3::mk_or(some));
    z3::expr digit = chars("0", "9");
    z3::expr twelve = digit;
    for (int i = 1; i < 12; ++i) twelve = z3::concat(twelve, digit);
    solver.add(z3::in_re(acct, twelve));
    // IAM's user, role and session names: letters, digits and +=,.@_- (no paths).
    z3::expr word = z3::plus(either(either(either(chars("a", "z"), chars("A", "Z")), digit), one_of("+=,.@_-")));
    solver.add(z3::in_re(name, word) && z3::in_re(sess, word) && z3::in_re(svc, z3::plus(chars("a", "z"))));
    solver.add(z3::implies(any, caller == s("*")));
    solver.add(z3::implies(account, caller == acct));
    solver.add(z3::implies(root, caller == z3::concat(s("arn:aws:iam::"), acct) + s(":root")));
    solver.add(z3::implies(role, caller == z3::concat(s("arn:aws:iam::"), acct) + s(":role/") + name));
    solver.add(z3::implies(user, caller == z3::concat(s("arn:aws:iam::"), acct) + s(":user/") + name));
    solver.add(z3::implies(session, caller == z3::concat(s("arn:aws:sts::"), acct) + s(":assumed-role/") + name + s("/") + sess));
    solver.add(z3::implies(federated, caller == z3::concat(s("arn:aws:sts::"), acct) + s(":federated-user/") + name));
    solver.add(z3::implies(service, caller == svc + s(".amazonaws.com")));
    // The action as IAM compares it (lower case); the free values (org, vpc) are any strings.
    solver.add(z3::in_re(action, z3::star(either(either(chars("a", "z"), digit), z3::to_re(s(":"))))));
  }

  z3::expr is_arn() const { return root || role || user || session || federated; }
  // aws:PrincipalArn: the caller's ARN (a federated user's is its sts ARN), a session's role.
  z3::expr principal_arn() const {
    return z3::ite(session, z3::concat(s("arn:aws:iam::"), acct) + s(":role/") + name, caller);
  }

  // A glob (`*`, `?`) as a regular expression.
  z3::expr glob(const std::string& pattern) const {
    z3::expr re = z3::to_re(s(""));
    for (char c : pattern) {
      z3::expr part = c == '*' ? z3::star(any_char()) : c == '?' ? any_char() : z3::to_re(s(std::string(1, c)));
      re = z3::concat(re, part);
    }
    return re;
  }

  z3::expr principal_matches(const PrincipalChoice& p) const {
    if (p.kind == "*") return ctx.bool_val(true);
    if (p.kind == "service") return service && caller == s(p.value);
    if (p.kind == "account") return (is_arn() && acct == s(p.value)) || caller == s(p.value);
    const std::string root_suffix = ":root";
    if (p.value.size() > root_suffix.size() && p.value.compare(p.value.size() - 5, 5, root_suffix) == 0) {
      const std::string a = p.value.substr(13, 12);  // arn:aws:iam::ACCOUNT:root
      return (is_arn() && acct == s(a)) || caller == s(p.value);
    }
    return caller == s(p.value) || (session && principal_arn() == s(p.value));
  }

  z3::expr condition_holds(const ConditionChoice& c) const {
    z3::expr present = ctx.bool_val(false), value = s("");
    if (c.key == "aws:PrincipalOrgID") present = org_present, value = org;
    else if (c.key == "aws:SourceVpc") present = vpc_present, value = vpc;
    else if (c.key == "aws:PrincipalArn") present = is_arn(), value = principal_arn();
    else if (c.key == "aws:PrincipalAccount") present = is_arn(), value = acct;
    if (c.op == "Null") return c.values[0] == "true" ? !present : present;
    const bool negated = c.op == "StringNotEquals" || c.op == "StringNotLike";
    const bool like = c.op == "StringLike" || c.op == "StringNotLike";
    z3::expr_vector hits(ctx);
    for (const auto& v : c.values) hits.push_back(like ? z3::in_re(value, glob(v)) : value == s(v));
    z3::expr any_hit = z3::mk_or(hits);
    z3::expr when_present = negated ? !any_hit : any_hit;
    return z3::ite(present, when_present, ctx.bool_val(c.if_exists || negated));
  }

  z3::expr statement_matches(const StatementChoice& st) const {
    z3::expr_vector principals(ctx), actions(ctx), parts(ctx);
    for (const auto& p : st.principals) principals.push_back(principal_matches(p));
    for (const auto& a : st.actions) {
      std::string lower = a;
      for (auto& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      actions.push_back(z3::in_re(action, glob(lower)));
    }
    parts.push_back(st.not_principal ? !z3::mk_or(principals) : z3::mk_or(principals));
    parts.push_back(st.not_action ? !z3::mk_or(actions) : z3::mk_or(actions));
    for (const auto& c : st.conditions) parts.push_back(condition_holds(c));
    return z3::mk_and(parts);
  }

  z3::expr allowed(const std::vector<StatementChoice>& policy) const {
    z3::expr_vector allows(ctx), denies(ctx);
    for (const auto& st : policy) (st.allow ? allows : denies).push_back(statement_matches(st));
    z3::expr allow = allows.empty() ? ctx.bool_val(false) : z3::mk_or(allows);
    z3::expr deny = denies.empty() ? ctx.bool_val(false) : z3::mk_or(denies);
    return allow && !deny;
  }
};

std::vector<StatementChoice> random_string_policy(std::mt19937& rng) {
  auto pick = [&](const auto& v) { return v[rng() % v.size()]; };
  const std::vector<std::vector<PrincipalChoice>> principals = {
      {{"*", ""}},
      {{"account", "111122223333"}},
      {{"arn", "arn:aws:iam::111122223333:role/ci"}},
      {{"account", "444455556666"}, {"arn", "arn:aws:iam::111122223333:root"}},
      {{"service", "lambda.amazonaws.com"}},
  };
  const std::vector<std::vector<std::string>> actions = {{"ecr:*"}, {"ecr:Batch*"}, {"ecr:BatchDeleteImage"}, {"ecr:PutImage", "ecr:Get*"}, {"*"}, {"ecr:?utImage"}};
  const std::vector<ConditionChoice> conditions = {
      {"StringEquals", false, "aws:PrincipalOrgID", {"o-abc"}},
      {"StringNotEquals", false, "aws:PrincipalOrgID", {"o-abc"}},
      {"StringNotLike", true, "aws:SourceVpc", {"vpc-1*"}},
      {"StringLike", false, "aws:SourceVpc", {"vpc-?", "vpc-1*"}},
      {"Null", false, "aws:SourceVpc", {"true"}},
      {"StringLike", false, "aws:PrincipalArn", {"arn:aws:iam::111122223333:role/ci-*", "arn:aws:iam::4444*"}},
      {"StringNotEquals", false, "aws:PrincipalArn", {"arn:aws:iam::111122223333:role/ci"}},
      {"StringLike", false, "aws:PrincipalArn", {"*:role/ci?*"}},
      {"StringEquals", false, "aws:PrincipalAccount", {"444455556666"}},
      {"StringNotLike", false, "aws:PrincipalAccount", {"1111*"}},
  };
  std::vector<StatementChoice> out;
  const int count = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < count; ++i) {
    StatementChoice s;
    s.allow = rng() % 3 != 0;
    s.principals = pick(principals);
    // NotPrincipal with "*" is not a document IAM takes.
    s.not_principal = rng() % 5 == 0 && s.principals[0].kind != "*";
    s.actions = pick(actions);
    s.not_action = rng() % 6 == 0;
    for (int c = static_cast<int>(rng() % 3); c > 0; --c) {
      ConditionChoice k = pick(conditions);
      // One operator per key in a statement's Condition block (a JSON object).
      bool clash = false;
      for (const auto& e : s.conditions) clash = clash || (e.op == k.op && e.if_exists == k.if_exists);
      if (!clash) s.conditions.push_back(k);
    }
    out.push_back(std::move(s));
  }
  return out;
}

AccessPlan strings_plan_of(const std::vector<StatementChoice>& policy) {
  AccessPlan plan;
  std::vector<DocumentProblem> problems;
  const std::string doc = document_of(policy);
  INFO(doc);
  REQUIRE(access_plan_from_iam_json("p.json", doc, plan, problems));
  return plan;
}

// Runs Debian's cvc5 on an SMT-LIB query: "sat", "unsat", or what else it said.
std::string run_cvc5(const testing::TempDir& dir, const std::string& query, int n, const std::string& limit_ms) {
  const std::string path = dir.file(("strings-" + std::to_string(n) + ".smt2").c_str());
  std::ofstream(path) << "(set-logic QF_SLIA)\n" << query;
  FILE* p = popen(("cvc5 --lang smt2 --strings-exp --tlimit=" + limit_ms + " " + path + " 2>&1").c_str(), "r");
  REQUIRE_MESSAGE(p != nullptr, "cannot run cvc5 (scripts/bootstrap test installs it)");
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, p)) out += buf;
  pclose(p);
  std::remove(path.c_str());
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) out.pop_back();
  return out.substr(0, out.find('\n'));
}

// Fixes a query's request to one concrete request (the prover's counterexample): the caller,
// the action as IAM compares it, and the two free keys' presence and value. The caller's
// shape and parts and the keys derived from it stay for this encoding to work out, so the
// pinned query holds only if this encoding, on its own terms, finds that request breaking
// the property: a model to check, where the unpinned query was one to find.
void pin_request(const StringRequest& r, z3::solver& query, const AccessRequest& request) {
  std::string action = request.action;
  for (auto& ch : action) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  query.add(r.caller == r.s(request.principal) && r.action == r.s(action));
  const auto pin_key = [&](const char* key, const z3::expr& present, const z3::expr& value) {
    const auto it = request.context.find(key);
    const bool has = it != request.context.end() && !it->second.values.empty();
    query.add(has ? present : !present);
    if (has) query.add(value == r.s(it->second.values.front()));
  };
  pin_key("aws:principalorgid", r.org_present, r.org);
  pin_key("aws:sourcevpc", r.vpc_present, r.vpc);
}

}  // namespace

TEST_CASE("prover: an independent encoding in strings and regular expressions agrees (cvc5)") {
  std::mt19937 rng(4262026);
  // The full run (500 policies) is `REGPOL_STRINGS_ROUNDS=500`; the suite runs fewer, as each
  // query takes cvc5 a few hundred milliseconds.
#ifdef REGPOL_SANITIZED_TESTS
  int rounds = 8;
#else
  int rounds = 30;
#endif
  if (const char* r = std::getenv("REGPOL_STRINGS_ROUNDS")) rounds = std::atoi(r);  // NOLINT(concurrency-mt-unsafe): single-threaded here
  // An offline run may give cvc5 longer (REGPOL_CVC5_TLIMIT, milliseconds) and decide only
  // the queries a run left undecided (REGPOL_STRINGS_ONLY="23/1,77/0,…": round/property).
  const char* tlimit = std::getenv("REGPOL_CVC5_TLIMIT");  // NOLINT(concurrency-mt-unsafe): single-threaded here
  const std::string limit_ms = tlimit ? tlimit : "5000";
  const char* only_env = std::getenv("REGPOL_STRINGS_ONLY");  // NOLINT(concurrency-mt-unsafe): single-threaded here
  const std::string only = only_env ? "," + std::string(only_env) + "," : "";
  // REGPOL_Z3_STRINGS_MS: where cvc5 gives up, ask Z3's string solver for that long.
  const char* z3_env = std::getenv("REGPOL_Z3_STRINGS_MS");  // NOLINT(concurrency-mt-unsafe): single-threaded here
  const unsigned z3_fallback_ms = z3_env ? static_cast<unsigned>(std::atoi(z3_env)) : 0U;
  const testing::TempDir dir;
  int agreed = 0, undecided = 0, failed = 0, proved = 0;
  for (int n = 0; n < rounds; ++n) {
    const auto old_policy = random_string_policy(rng), new_policy = random_string_policy(rng);
    const AccessPlan old_plan = strings_plan_of(old_policy), new_plan = strings_plan_of(new_policy);
    INFO("old: " << document_of(old_policy));
    INFO("new: " << document_of(new_policy));
    for (int property = 0; property < 2; ++property) {
      if (!only.empty() && only.find("," + std::to_string(n) + "/" + std::to_string(property) + ",") == std::string::npos) continue;
      z3::context ctx;  // builds the query only: cvc5 solves it
      StringRequest r(ctx);
      z3::solver query(ctx);
      r.constrain(query);
      ProofResult by_prover;
      if (property == 0) {
        // access-not-granted ecr:BatchDeleteImage on the new policy.
        query.add(r.allowed(new_policy) && r.action == r.s("ecr:batchdeleteimage"));
        by_prover = prove_access_not_granted(new_plan, "app", {"ecr:BatchDeleteImage"}, ProofOptions{});
      } else {
        // no-new-access: the new policy allows something the old one does not.
        query.add(r.allowed(new_policy) && !r.allowed(old_policy));
        by_prover = prove_no_new_access(old_plan, new_plan, "app", ProofOptions{});
      }
      REQUIRE(by_prover.outcome != ProofOutcome::Unknown);
      if (const char* dump = std::getenv("REGPOL_STRINGS_DUMP")) {  // NOLINT(concurrency-mt-unsafe): single-threaded here
        // An offline aid: the query as cvc5 gets it, to try solvers and options on.
        std::ofstream(std::string(dump) + "/strings-" + std::to_string(n) + "-" + std::to_string(property) + ".smt2") << "(set-logic QF_SLIA)\n" << query.to_smt2();
      }
      std::string by_strings = run_cvc5(dir, query.to_smt2(), n * 2 + property, limit_ms);
      if (z3_fallback_ms > 0 && by_strings != "sat" && by_strings != "unsat") {
        // The same query, to Z3's own string solver: also independent of the prover's
        // encoding (it sees only this text), and it decides some that cvc5 does not.
        z3::solver z3_strings(ctx);
        z3::params params(ctx);
        params.set("timeout", z3_fallback_ms);
        z3_strings.set(params);
        z3_strings.from_string(query.to_smt2().c_str());
        const z3::check_result got = z3_strings.check();
        if (got != z3::unknown) {
          by_strings = got == z3::sat ? "sat" : "unsat";
          MESSAGE("query " << n << "/" << property << ": cvc5 undecided, Z3's string solver says " << by_strings);
        }
      }
      if (by_strings != "sat" && by_strings != "unsat" && by_prover.outcome == ProofOutcome::Failed) {
        // Neither string solver found a request in time. Where the prover found one, this
        // encoding can still decide the query by checking that request, which takes no
        // search: "sat" if the counterexample breaks the property here too, "unsat" (a
        // disagreement, failed below) if this encoding says it does not.
        z3::solver pinned(ctx);
        pinned.add(query.assertions());
        pin_request(r, pinned, by_prover.counterexample);
        const std::string at_counterexample = run_cvc5(dir, pinned.to_smt2(), n * 2 + property, limit_ms);
        MESSAGE("query " << n << "/" << property << ": no solver decided it; the prover's counterexample " << request_to_json(by_prover.counterexample).dump()
                          << " pinned: " << at_counterexample);
        if (at_counterexample == "sat" || at_counterexample == "unsat") by_strings = at_counterexample;
      }
      if (by_strings != "sat" && by_strings != "unsat") {
        MESSAGE("cvc5 did not decide query " << n << "/" << property << ": " << by_strings);
        ++undecided;
        continue;
      }
      INFO("property " << property << ": the prover says " << std::string(proof_outcome_name(by_prover.outcome)) << ", cvc5 says " << by_strings);
      CHECK((by_strings == "sat") == (by_prover.outcome == ProofOutcome::Failed));
      ++agreed;
      (by_prover.outcome == ProofOutcome::Failed ? failed : proved) += 1;
    }
  }
  MESSAGE("strings (cvc5) vs witnesses: " << agreed << " decided by both (" << failed << " failed, " << proved << " proved), " << undecided
                                          << " undecided by cvc5");
  if (!only.empty()) return;  // a chosen few: the proportions below are the whole run's
  CHECK(undecided * 10 <= agreed);  // the cross-check must decide nearly all
  CHECK(failed * 5 >= agreed);      // both answers well represented
  CHECK(proved * 5 >= agreed);
}
