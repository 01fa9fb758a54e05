#include "verify/prover.h"

#include <z3++.h>

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <unordered_set>

#include "util/text.h"
#include "verify/statement_parts.h"
#include "verify/table_search.h"

namespace regpol {

namespace {

// One request, as Boolean choices among the space's candidates.
struct Encoding {
  z3::context& ctx;
  const RequestSpace& space;
  z3::expr_vector principal, action, tag;
  std::vector<z3::expr_vector> keys;

  Encoding(z3::context& c, const RequestSpace& s) : ctx(c), space(s), principal(c), action(c), tag(c) {
    auto fresh = [&](z3::expr_vector& v, const std::string& name, std::size_t n) {
      for (std::size_t i = 0; i < n; ++i) v.push_back(ctx.bool_const((name + "_" + std::to_string(i)).c_str()));
    };
    fresh(principal, "principal", space.principals.size());
    fresh(action, "action", space.actions.size());
    fresh(tag, "tag", space.tags.size());
    for (std::size_t k = 0; k < space.keys.size(); ++k) {
      keys.emplace_back(ctx);
      fresh(keys.back(), "key" + std::to_string(k), space.keys[k].values.size());
    }
  }

  // The request is well formed: one caller, one action, one tag (or none), at most one
  // value of a single-valued key, a key IAM always sets present.
  void constrain(z3::solver& solver) const {
    for (const auto* v : {&principal, &action, &tag}) {
      solver.add(z3::atleast(*v, 1));
      solver.add(z3::atmost(*v, 1));
    }
    for (std::size_t k = 0; k < keys.size(); ++k) {
      if (!space.keys[k].multi) solver.add(z3::atmost(keys[k], 1));
      if (space.keys[k].always) solver.add(z3::atleast(keys[k], 1));
    }
  }

  // OR of the choices for which `holds(i)`.
  z3::expr any_of(const z3::expr_vector& choice, const std::function<bool(std::size_t)>& holds) const {
    z3::expr_vector hits(ctx);
    for (unsigned i = 0; i < choice.size(); ++i) {
      if (holds(i)) hits.push_back(choice[i]);
    }
    return hits.empty() ? ctx.bool_val(false) : z3::mk_or(hits);
  }

  long key_index(const std::string& name) const {
    for (std::size_t k = 0; k < space.keys.size(); ++k) {
      if (space.keys[k].name == name) return static_cast<long>(k);
    }
    return -1;
  }
};

z3::expr condition_expr(const Encoding& e, const Condition& c, std::string& unsupported) {
  if (is_principal_derived_key(c.key_lower)) {
    // A function of the caller: decided on each caller with the keys IAM derives from it.
    return e.any_of(e.principal, [&](std::size_t i) {
      AccessRequest r = neutral_request(e.space);
      r.principal = e.space.principals[i];
      derive_context(r, 0);
      return condition_matches(c, r);
    });
  }
  const long k = e.key_index(c.key_lower);
  if (k < 0) {
    unsupported = "condition key `" + c.key + "` has no candidates";
    return e.ctx.bool_val(false);
  }
  const auto& key = e.space.keys[static_cast<std::size_t>(k)];
  const z3::expr_vector& b = e.keys[static_cast<std::size_t>(k)];
  z3::expr present = b.empty() ? e.ctx.bool_val(false) : z3::mk_or(b);
  z3::expr result = e.ctx.bool_val(false);
  if (c.op == CondOp::Null) {
    // As the evaluator: true when some value says what the key's presence is.
    z3::expr_vector alts(e.ctx);
    for (const auto& v : c.values) alts.push_back(v.text == "true" ? !present : present);
    result = alts.empty() ? e.ctx.bool_val(false) : z3::mk_or(alts);
  } else {
    const bool negated = cond_op_negated(c.op);
    // Does value i match some policy value (the positive comparison)?
    const Condition positive = positive_form(c);
    std::vector<bool> m(key.values.size());
    for (std::size_t i = 0; i < key.values.size(); ++i) {
      AccessRequest r = neutral_request(e.space);
      r.context[key.name] = {{key.values[i]}, false};
      const bool got = condition_matches(positive, r);
      m[i] = negated ? !got : got;
    }
    z3::expr absent = e.ctx.bool_val(c.if_exists || c.qualifier == SetQualifier::ForAllValues ? true
                                     : c.qualifier == SetQualifier::ForAnyValue          ? false
                                                                                         : negated);
    z3::expr_vector parts(e.ctx);
    for (unsigned i = 0; i < b.size(); ++i) {
      const bool per_value = negated ? !m[i] : m[i];
      switch (c.qualifier) {
        case SetQualifier::ForAnyValue: if (per_value) parts.push_back(b[i]); break;
        case SetQualifier::ForAllValues: if (!per_value) parts.push_back(!b[i]); break;
        case SetQualifier::None:
          if (negated && m[i]) parts.push_back(!b[i]);
          if (!negated && m[i]) parts.push_back(b[i]);
          break;
      }
    }
    z3::expr when_present = e.ctx.bool_val(false);
    const bool conjunctive = c.qualifier == SetQualifier::ForAllValues || (c.qualifier == SetQualifier::None && negated);
    if (conjunctive) when_present = parts.empty() ? e.ctx.bool_val(true) : z3::mk_and(parts);
    else when_present = parts.empty() ? e.ctx.bool_val(false) : z3::mk_or(parts);
    result = z3::ite(present, when_present, absent);
  }
  return c.negate ? !result : result;
}

z3::expr statement_expr(const Encoding& e, const Statement& s, std::string& unsupported) {
  const RequestSpace& space = e.space;
  z3::expr_vector parts(e.ctx);
  {
    const Statement t = statement_part(s, false, true, false, false);
    parts.push_back(e.any_of(e.action, [&](std::size_t i) {
      AccessRequest r = neutral_request(space);
      r.action = space.actions[i];
      return statement_matches(t, r);
    }));
  }
  {
    // The principal part: the names, or (`org`) the caller's aws:PrincipalOrgID; then NotPrincipal.
    Statement t = statement_part(s, true, false, false, false);
    const bool any = s.principal.any;
    t.not_principal = false;
    z3::expr named = any ? e.ctx.bool_val(true) : e.any_of(e.principal, [&](std::size_t i) {
      AccessRequest r = neutral_request(space);
      r.principal = space.principals[i];
      return statement_matches(t, r);
    });
    if (!any && !s.principal.orgs.empty()) {
      const long k = e.key_index("aws:principalorgid");
      if (k < 0) unsupported = "aws:PrincipalOrgID has no candidates";
      else {
        const auto& key = space.keys[static_cast<std::size_t>(k)];
        named = named || e.any_of(e.keys[static_cast<std::size_t>(k)], [&](std::size_t i) {
          return std::find(s.principal.orgs.begin(), s.principal.orgs.end(), key.values[i]) != s.principal.orgs.end();
        });
      }
    }
    parts.push_back(s.not_principal ? !named : named);
  }
  {
    const Statement t = statement_part(s, false, false, true, false);
    parts.push_back(e.ctx.bool_val(statement_matches(t, neutral_request(space))));
  }
  {
    const Statement t = statement_part(s, false, false, false, true);
    parts.push_back(e.any_of(e.tag, [&](std::size_t i) {
      AccessRequest r = neutral_request(space);
      r.tag = space.tags[i];
      return statement_matches(t, r);
    }));
  }
  for (const auto& c : s.conditions) parts.push_back(condition_expr(e, c, unsupported));
  return z3::mk_and(parts);
}

// IAM's decision: some allow matches and no deny does.
z3::expr allowed_expr(const Encoding& e, const AccessPlan& plan, std::string& unsupported) {
  z3::expr_vector allows(e.ctx), denies(e.ctx);
  for (const auto& s : plan.statements) (s.allow ? allows : denies).push_back(statement_expr(e, s, unsupported));
  z3::expr allow = allows.empty() ? e.ctx.bool_val(false) : z3::mk_or(allows);
  z3::expr deny = denies.empty() ? e.ctx.bool_val(false) : z3::mk_or(denies);
  return allow && !deny;
}

SpaceChoice choice_of(const Encoding& e, const z3::model& model) {
  auto chosen = [&](const z3::expr_vector& v) {
    std::vector<std::size_t> out;
    for (unsigned i = 0; i < v.size(); ++i) {
      if (model.eval(v[i], true).is_true()) out.push_back(i);
    }
    return out;
  };
  SpaceChoice c;
  auto first = [&](const z3::expr_vector& v) {
    auto all = chosen(v);
    return all.empty() ? std::size_t{0} : all.front();
  };
  c.principal = first(e.principal);
  c.action = first(e.action);
  c.tag = first(e.tag);
  for (const auto& k : e.keys) c.key_values.push_back(chosen(k));
  return c;
}

// The candidates of one field that no statement, condition or property can tell apart are
// interchangeable: only the first of each signature stays. Exact, and it shrinks what the
// solver sees (ARN products of thousands of callers to a few dozen).
std::vector<std::size_t> distinct_by(std::size_t n, const std::function<std::vector<bool>(std::size_t)>& signature) {
  // Hashed: std::hash<std::vector<bool>> reads whole words, where a std::set compared
  // signatures bit by bit, a few times per insertion.
  std::unordered_set<std::vector<bool>> seen;
  std::vector<std::size_t> keep;
  for (std::size_t i = 0; i < n; ++i) {
    if (seen.insert(signature(i)).second) keep.push_back(i);
  }
  return keep;
}

template <typename T>
std::vector<T> pick(const std::vector<T>& all, const std::vector<std::size_t>& keep) {
  std::vector<T> out;
  out.reserve(keep.size());
  for (auto i : keep) out.push_back(all[i]);
  return out;
}

// Text that is the same for two parts exactly when they compare a field alike: the 50
// statements of a policy share a few principal, action and tag lists, and each distinct
// part is decided once per candidate.
void append_list(std::string& key, const std::vector<std::string>& list) {
  for (const auto& v : list) key.append(v).push_back('\x1f');
  key.push_back('\x1e');
}

std::string part_key(const Statement& part) {
  std::string key;
  key.push_back(part.not_principal ? '!' : '=');
  key.push_back(part.principal.any ? '*' : '-');
  append_list(key, part.principal.aws);
  append_list(key, part.principal.service);
  append_list(key, part.principal.other);
  key.push_back(part.not_action ? '!' : '=');
  append_list(key, part.actions);
  append_list(key, part.tag_patterns);
  return key;
}

std::string condition_key(const Condition& c) {
  std::string key = std::to_string(static_cast<int>(c.op)) + "/" + std::to_string(static_cast<int>(c.qualifier)) + (c.if_exists ? "?" : "") +
                    (c.negate ? "!" : "") + c.key_lower + "\x1e";
  for (const auto& v : c.values) key.append(v.text).push_back('\x1f');
  return key;
}

void keep_distinct(std::vector<Statement>& parts) {
  std::set<std::string> seen;
  std::vector<Statement> out;
  for (auto& p : parts) {
    if (seen.insert(part_key(p)).second) out.push_back(std::move(p));
  }
  parts = std::move(out);
}

RequestSpace reduced(const RequestSpace& space, const std::vector<const AccessPlan*>& plans, const ProofGoal& goal) {
  RequestSpace out = space;
  std::vector<const Statement*> statements;
  std::vector<const Condition*> conditions;
  std::set<std::string> seen_conditions;
  for (const AccessPlan* p : plans) {
    for (const auto& s : p->statements) {
      statements.push_back(&s);
      for (const auto& c : s.conditions) {
        if (seen_conditions.insert(condition_key(c)).second) conditions.push_back(&c);
      }
    }
  }
  // Each statement cut down to the part a field is compared with, once per distinct part.
  std::vector<Statement> principal_parts, action_parts, tag_parts;
  principal_parts.reserve(statements.size());
  action_parts.reserve(statements.size());
  tag_parts.reserve(statements.size());
  for (const Statement* s : statements) {
    principal_parts.push_back(statement_part(*s, true, false, false, false));
    action_parts.push_back(statement_part(*s, false, true, false, false));
    tag_parts.push_back(statement_part(*s, false, false, false, true));
  }
  keep_distinct(principal_parts);
  keep_distinct(action_parts);
  keep_distinct(tag_parts);
  // Conditions on keys IAM derives from the caller are part of the caller's signature.
  std::vector<const Condition*> caller_conditions;
  for (const Condition* c : conditions) {
    if (is_principal_derived_key(c->key_lower)) caller_conditions.push_back(c);
  }
  // One request reused for every caller (thousands of them when aws:PrincipalArn is
  // compared): the caller and the keys derived from it change, the rest stays.
  AccessRequest caller = neutral_request(space);
  derive_context(caller, 0);
  out.principals = pick(space.principals, distinct_by(space.principals.size(), [&](std::size_t i) {
    std::vector<bool> sig;
    sig.reserve(principal_parts.size() + caller_conditions.size() + 2);
    caller.principal = space.principals[i];
    for (const Statement& s : principal_parts) sig.push_back(principal_matches(s, caller));
    if (!caller_conditions.empty()) {
      set_caller(caller, space.principals[i]);
      for (const Condition* c : caller_conditions) sig.push_back(condition_matches(*c, caller));
    }
    sig.push_back(goal.principal && goal.principal(caller.principal));
    sig.push_back(principal_account(caller.principal).empty());  // the no-public check reads the account
    return sig;
  }));
  out.actions = pick(space.actions, distinct_by(space.actions.size(), [&](std::size_t i) {
    std::vector<bool> sig;
    sig.reserve(statements.size() + 1);
    AccessRequest r = neutral_request(space);
    r.action = space.actions[i];
    for (const Statement& s : action_parts) sig.push_back(action_matches(s, r));
    sig.push_back(goal.action && goal.action(r.action));
    return sig;
  }));
  out.tags = pick(space.tags, distinct_by(space.tags.size(), [&](std::size_t i) {
    std::vector<bool> sig;
    sig.reserve(statements.size() + 1);
    sig.push_back(space.tags[i].empty());
    AccessRequest r = neutral_request(space);
    r.tag = space.tags[i];
    for (const Statement& s : tag_parts) sig.push_back(tags_match(s, r));
    return sig;
  }));
  for (auto& key : out.keys) {
    const auto values = key.values;
    key.values = pick(values, distinct_by(values.size(), [&](std::size_t i) {
      std::vector<bool> sig;
      AccessRequest r = neutral_request(space);
      r.context[key.name] = {{values[i]}, false};
      for (const Condition* c : conditions) {
        if (c->key_lower != key.name || c->op == CondOp::Null) continue;
        sig.push_back(condition_matches(positive_form(*c), r));
      }
      // A principal's `org` names are compared with this key too.
      if (key.name == "aws:principalorgid") {
        for (const Statement* s : statements) {
          for (const auto& o : s->principal.orgs) sig.push_back(o == values[i]);
        }
      }
      sig.push_back(goal.excluded && goal.excluded(key.name, values[i]));
      return sig;
    }));
  }
  return out;
}

// How many requests the space holds: callers x actions x tags x each key's choices (absent
// or one value; any subset for a key a set qualifier uses), saturating at `cap` + 1.
std::size_t space_size(const RequestSpace& space, std::size_t cap) {
  std::size_t n = 1;
  auto times = [&](std::size_t k) { n = k == 0 || n > cap / k ? cap + 1 : n * k; };
  times(space.principals.size());
  times(space.actions.size());
  times(space.tags.size());
  for (const auto& key : space.keys) {
    if (key.multi) {
      if (key.values.size() >= 32) times(cap + 1);
      else times((std::size_t{1} << key.values.size()) - (key.always ? 1 : 0));
    } else {
      times(key.values.size() + (key.always ? 0 : 1));
    }
  }
  return n;
}

// Every request of the space through the evaluator, in order, until `holds` (the property
// broken): the exhaustive search, exact by construction.
// `choices` holds each key's choices (key_choices).
bool enumerate(const RequestSpace& space, const std::vector<std::vector<std::vector<std::size_t>>>& choices,
               const std::vector<const AccessPlan*>& plans,
               const std::function<bool(const AccessRequest&, const std::vector<AccessResult>&)>& holds, AccessRequest& found,
               std::vector<AccessResult>& decisions) {
  SpaceChoice at;
  at.key_values.resize(space.keys.size());
  std::vector<std::size_t> key_at(space.keys.size(), 0);
  decisions.resize(plans.size());
  for (at.principal = 0; at.principal < space.principals.size(); ++at.principal) {
    for (at.action = 0; at.action < space.actions.size(); ++at.action) {
      for (at.tag = 0; at.tag < space.tags.size(); ++at.tag) {
        std::fill(key_at.begin(), key_at.end(), 0);
        while (true) {
          for (std::size_t k = 0; k < choices.size(); ++k) at.key_values[k] = choices[k][key_at[k]];
          AccessRequest r = request_of(space, at);
          AccessRequest derived = r;
          derive_context(derived, 0);
          for (std::size_t p = 0; p < plans.size(); ++p) decisions[p] = evaluate_access(*plans[p], derived);
          if (holds(r, decisions)) {
            found = std::move(r);
            return true;
          }
          std::size_t k = 0;
          while (k < choices.size() && ++key_at[k] == choices[k].size()) key_at[k++] = 0;
          if (k == choices.size()) break;
        }
      }
    }
  }
  return false;
}

// The goal over the encoding: each policy decides as the goal wants, and the request
// passes the goal's own tests.
z3::expr goal_expr(const Encoding& e, const std::vector<z3::expr>& allowed, const ProofGoal& goal) {
  z3::expr out = e.ctx.bool_val(true);
  for (std::size_t p = 0; p < allowed.size() && p < goal.want.size(); ++p) {
    if (goal.want[p] > 0) out = out && allowed[p];
    if (goal.want[p] < 0) out = out && !allowed[p];
  }
  if (goal.principal) out = out && e.any_of(e.principal, [&](std::size_t i) { return goal.principal(e.space.principals[i]); });
  if (goal.action) out = out && e.any_of(e.action, [&](std::size_t i) { return goal.action(e.space.actions[i]); });
  if (goal.excluded) {
    for (std::size_t k = 0; k < e.space.keys.size(); ++k) {
      const auto& key = e.space.keys[k];
      for (unsigned i = 0; i < key.values.size(); ++i) {
        if (goal.excluded(key.name, key.values[i])) out = out && !e.keys[k][i];
      }
    }
  }
  return out;
}

// Does the evaluator's decision on `r` break the property as the goal says?
bool replay_holds(const ProofGoal& goal, const AccessRequest& r, const std::vector<AccessResult>& decisions) {
  for (std::size_t p = 0; p < decisions.size() && p < goal.want.size(); ++p) {
    if (goal.want[p] != 0 && (decisions[p].decision == AccessDecision::Allow) != (goal.want[p] > 0)) return false;
  }
  if (goal.principal && !goal.principal(r.principal)) return false;
  if (goal.action && !goal.action(r.action)) return false;
  if (goal.excluded) {
    for (const auto& [key, value] : r.context) {
      for (const auto& v : value.values) {
        if (goal.excluded(key, v)) return false;
      }
    }
  }
  return true;
}

// Each policy's deciding statement on the counterexample, by label and by place.
void record_deciding(ProofResult& out, const std::vector<AccessResult>& decisions) {
  for (const auto& d : decisions) {
    out.decided_by.push_back(d.statement ? d.statement->label() : std::string());
    out.decided_at.push_back(d.statement ? d.statement->source : std::string());
  }
}

// A request a search found, replayed through the evaluator before it is reported.
ProofResult replayed(const std::vector<const AccessPlan*>& plans, const ProofGoal& goal, AccessRequest r, const char* engine) {
  ProofResult out;
  std::vector<AccessResult> decisions;
  decisions.reserve(plans.size());
  AccessRequest derived = r;  // what IAM adds to the request (aws:PrincipalArn, …); printed without it
  derive_context(derived, 0);
  for (const AccessPlan* p : plans) decisions.push_back(evaluate_access(*p, derived));
  if (!replay_holds(goal, r, decisions)) {
    out.internal_error = true;
    out.why = std::string("internal error: the counterexample the ") + engine + " found does not replay through the evaluator (please report it)";
    return out;
  }
  out.outcome = ProofOutcome::Failed;
  out.counterexample = std::move(r);
  record_deciding(out, decisions);
  return out;
}

ProofResult solve(const RequestSpace& space, const std::vector<const AccessPlan*>& plans, const ProofGoal& goal, const ProofOptions& options) {
  ProofResult out;
  try {
    z3::context ctx;
    Encoding e(ctx, space);
    std::string unsupported;
    std::vector<z3::expr> allowed;
    allowed.reserve(plans.size());
    for (const AccessPlan* p : plans) allowed.push_back(allowed_expr(e, *p, unsupported));
    if (!unsupported.empty()) {
      out.why = unsupported;
      return out;
    }
    // Booleans and cardinality constraints only: the finite-domain solver (SAT with
    // cardinality), much lighter to start than the general SMT one.
    z3::solver solver(ctx, "QF_FD");
    z3::params params(ctx);
    params.set("timeout", options.timeout_ms);
    solver.set(params);
    e.constrain(solver);
    solver.add(goal_expr(e, allowed, goal));
    switch (solver.check()) {
      case z3::unsat:
        out.outcome = ProofOutcome::Proved;
        return out;
      case z3::unknown:
        out.why = "the solver gave up (" + solver.reason_unknown() + "; timeout " + std::to_string(options.timeout_ms) + " ms)";
        return out;
      case z3::sat: break;
    }
    return replayed(plans, goal, request_of(space, choice_of(e, solver.get_model())), "solver");
  } catch (const z3::exception& ex) {
    out.outcome = ProofOutcome::Unknown;
    out.why = std::string("the solver failed: ") + ex.msg();
  }
  return out;
}

// Looks for a request in the space that breaks the property as `goal` says: enumeration for
// small spaces, then the table search, then the solver. Whatever finds it, it is replayed
// through the evaluator before it is reported.
ProofResult search(const RequestSpace& full, const std::vector<const AccessPlan*>& plans, const ProofGoal& goal, const ProofOptions& options) {
  ProofResult out;
  if (!full.unsupported.empty()) {
    out.why = full.unsupported;
    return out;
  }
  const RequestSpace space = reduced(full, plans, goal);
  const bool small = space_size(space, options.enumeration_limit) <= options.enumeration_limit;
  if (options.engine == ProofEngine::Enumeration || (options.engine == ProofEngine::Auto && small)) {
    if (options.engine == ProofEngine::Enumeration && !small && space_size(space, 1u << 22) > (1u << 22)) {
      out.why = "the space is too large to enumerate";
      return out;
    }
    // space_size() bounded the product, so no key has more choices than that bound.
    std::vector<std::vector<std::vector<std::size_t>>> choices(space.keys.size());
    for (std::size_t k = 0; k < space.keys.size(); ++k) {
      if (!key_choices(space.keys[k], std::size_t{1} << 22, choices[k])) {
        out.why = "the space is too large to enumerate";
        return out;
      }
    }
    AccessRequest found;
    std::vector<AccessResult> decisions;
    auto holds = [&](const AccessRequest& r, const std::vector<AccessResult>& d) { return replay_holds(goal, r, d); };
    if (!enumerate(space, choices, plans, holds, found, decisions)) {
      out.outcome = ProofOutcome::Proved;
      return out;
    }
    out.outcome = ProofOutcome::Failed;
    out.counterexample = std::move(found);
    record_deciding(out, decisions);
    return out;
  }
  if (options.engine == ProofEngine::Auto || options.engine == ProofEngine::Tables) {
    const TableSearchResult t = table_search(space, plans, goal, options.engine == ProofEngine::Tables ? std::size_t{1} << 26 : options.table_nodes);
    switch (t.outcome) {
      case TableSearchOutcome::Found: return replayed(plans, goal, request_of(space, t.found), "table search");
      case TableSearchOutcome::NoneExists: out.outcome = ProofOutcome::Proved; return out;
      case TableSearchOutcome::Unsupported: out.why = t.why; return out;
      case TableSearchOutcome::TooLarge: break;
    }
    if (options.engine == ProofEngine::Tables) {
      out.why = "the table search ran past its budget";
      return out;
    }
  }
  if (options.engine == ProofEngine::Auto && !options.solver) {
    out.why = "more requests to tell apart than the search without the solver takes, and the solver is not used here";
    return out;
  }
  return solve(space, plans, goal, options);
}

}  // namespace

const char* proof_outcome_name(ProofOutcome o) {
  switch (o) {
    case ProofOutcome::Proved: return "proved";
    case ProofOutcome::Failed: return "failed";
    case ProofOutcome::Unknown: return "unknown";
  }
  return "unknown";
}

ProofResult prove_access_not_granted(const AccessPlan& plan, const std::string& repository, const std::vector<std::string>& actions,
                                     const ProofOptions& options) {
  SpaceConstants constants;
  constants.actions = actions;
  const RequestSpace space = build_request_space({&plan}, repository, constants);
  std::set<std::string> wanted;
  for (const auto& a : actions) wanted.insert(ascii_lower(a));
  ProofGoal goal;
  goal.want = {1};
  goal.action = [&](const std::string& a) { return wanted.count(ascii_lower(a)) > 0; };
  return search(space, {&plan}, goal, options);
}

ProofResult prove_no_public_access(const AccessPlan& plan, const std::string& repository, const std::vector<std::string>& own_accounts,
                                   const ProofOptions& options) {
  SpaceConstants constants;
  constants.accounts = own_accounts;
  const RequestSpace space = build_request_space({&plan}, repository, constants);
  // Inside: the accounts the policy names (or the caller says are its own), and a request
  // that shows a value the policy names of a key that says where it comes from: the
  // organization, the VPC or VPC endpoint, the source account (as Access Analyzer and S3
  // treat such fixed values as not public).
  std::set<std::string> accounts(own_accounts.begin(), own_accounts.end());
  std::map<std::string, std::set<std::string>> trusted = {
      {"aws:principalorgid", {}}, {"aws:sourcevpc", {}}, {"aws:sourcevpce", {}}, {"aws:sourceaccount", {}}};
  for (const auto& s : plan.statements) {
    for (const auto& a : s.principal.aws) {
      if (auto acct = principal_account(a); !acct.empty()) accounts.insert(acct);
    }
    trusted["aws:principalorgid"].insert(s.principal.orgs.begin(), s.principal.orgs.end());
    // Accounts and the trusted keys' values the conditions name are the policy's own too.
    for (const auto& c : s.conditions) {
      for (const auto& v : c.values) {
        // A pattern is no fixed value: a request matching it may come from anywhere.
        if (auto t = trusted.find(c.key_lower); t != trusted.end()) {
          if (v.text.find_first_of("*?") == std::string::npos) t->second.insert(v.text);
        }
        else if (c.key_lower == "aws:principalaccount" && is_account_id(v.text)) accounts.insert(v.text);
        // Lower-cased: a StringEqualsIgnoreCase value may spell `ARN:AWS:IAM::…`.
        else if (c.key_lower == "aws:principalarn") {
          if (std::string acct = arn_account(ascii_lower(v.text)); is_account_id(acct)) accounts.insert(std::move(acct));
        }
      }
    }
  }
  auto outside = [&](const std::string& principal) { return !accounts.count(principal_account(principal)); };
  auto named = [&](const std::string& key, const std::string& value) {
    auto t = trusted.find(key);
    return t != trusted.end() && t->second.count(value) > 0;
  };
  ProofGoal goal;
  goal.want = {1};
  goal.principal = outside;
  goal.excluded = named;
  return search(space, {&plan}, goal, options);
}

ProofResult prove_no_new_access(const AccessPlan& existing, const AccessPlan& candidate, const std::string& repository, const ProofOptions& options) {
  const RequestSpace space = build_request_space({&existing, &candidate}, repository, {});
  ProofGoal goal;
  goal.want = {-1, 1};
  return search(space, {&existing, &candidate}, goal, options);
}

namespace {

// The requests `about` matches, as a one-statement plan that allows exactly them.
AccessPlan requests_about(const Statement& about) {
  AccessPlan p;
  p.statements.push_back(about);
  p.statements.back().allow = true;
  return p;
}

ProofResult only_policy_decision(ProofResult r) {
  if (!r.decided_by.empty()) r.decided_by.resize(1);
  if (!r.decided_at.empty()) r.decided_at.resize(1);
  return r;
}

}  // namespace

ProofResult prove_never_allowed(const AccessPlan& plan, const Statement& about, const std::string& repository, const ProofOptions& options) {
  const AccessPlan property = requests_about(about);
  const RequestSpace space = build_request_space({&plan, &property}, repository, {});
  ProofGoal goal;
  goal.want = {1, 1};
  return only_policy_decision(search(space, {&plan, &property}, goal, options));
}

ProofResult prove_always_allowed(const AccessPlan& plan, const Statement& about, const std::string& repository, const ProofOptions& options) {
  const AccessPlan property = requests_about(about);
  const RequestSpace space = build_request_space({&plan, &property}, repository, {});
  ProofGoal goal;
  goal.want = {-1, 1};
  return only_policy_decision(search(space, {&plan, &property}, goal, options));
}

}  // namespace regpol
