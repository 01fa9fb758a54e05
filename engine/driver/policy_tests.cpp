// `regpol test` below the command line (driver/policy_tests.h).
#include "driver/policy_tests.h"

#include <algorithm>
#include <iostream>

#include "access/decider.h"
#include "access/request.h"
#include "diag/render.h"
#include "driver/exit_code.h"
#include "driver/prove.h"
#include "driver/run_lifecycle.h"
#include "driver/snapshots.h"
#include "inuse/load.h"
#include "util/text.h"

namespace regpol {

namespace {

// An access expectation's request, or a problem naming the field.
bool request_of(const ast::TestItem& item, AccessRequest& r, std::string& problem) {
  for (const auto& f : item.fields) {
    const std::string& v = f.values.front();
    if (f.name == "context") {
      if (f.values.size() != 2) return (problem = "`context` takes a key and a value"), false;
      r.context[ascii_lower(f.values[0])] = AccessRequest::Value{{f.values[1]}, false};
      continue;
    }
    if (f.values.size() != 1) return (problem = "`" + f.name + "` takes one value"), false;
    if (f.name == "principal") r.principal = v;
    else if (f.name == "action") r.action = v == "pull" ? "ecr:BatchGetImage" : v == "push" ? "ecr:PutImage" : v == "delete" ? "ecr:BatchDeleteImage" : v;
    else if (f.name == "repository") r.repository = v;
    else if (f.name == "tag") r.tag = v;
    else if (f.name == "digest") r.digest = v;
    else return (problem = "unknown request field `" + f.name + "` (principal, action, repository, tag, digest, context)"), false;
  }
  if (r.principal.empty() || r.action.empty() || r.repository.empty())
    return (problem = "an access expectation needs principal, action and repository"), false;
  return true;
}

std::string describe_request(const AccessRequest& r) {
  return r.principal + " " + r.action + " on " + r.repository + (r.tag.empty() ? "" : ":" + r.tag);
}

}  // namespace

int run_policy_tests(const std::string& path, const CompileOptions& compile, const std::function<void(const PolicyTestOutcome&)>& on_test,
                     std::size_t& expectations) {
  SourceMap sources;
  CompiledPolicy compiled;
  if (int code = compile_policy_or_fail(path, sources, compile, kBadInput, "tested", compiled); code != kOk) return code;
  const std::string root = effective_import_root(path, compile);
  for (const auto& test : compiled.checked->tests) {
    std::vector<std::string> problems;
    Registry reg;
    std::optional<Micros> at;
    std::vector<std::string> snapshots;
    std::vector<std::string> in_use_files;
    for (const auto* item : test.items) {
      if (item->in_use) {
        std::string resolved, refused = confine_path(root, path, item->text, resolved);
        if (!refused.empty()) problems.push_back(location_string(sources, item->span) + ": [E0206] in_use `" + item->text + "` is not allowed: " + refused);
        else in_use_files.push_back(resolved);
      }
      if (!item->snapshot) continue;
      // Confined like imports: a test block must not read (and echo) files outside the root.
      std::string resolved, refused = confine_path(root, path, item->text, resolved);
      if (!refused.empty()) problems.push_back(location_string(sources, item->span) + ": [E0206] snapshot `" + item->text + "` is not allowed: " + refused);
      else snapshots.push_back(resolved);
      if (!item->at.empty()) at = parse_timestamp(item->at);
    }
    LoadError lerr;
    const bool only_access = std::all_of(test.items.begin(), test.items.end(), [](const ast::TestItem* i) { return i->access || i->in_use; });
    // A test of access alone needs no snapshot; one that checks images does.
    if (problems.empty() && snapshots.empty() && !only_access) problems.emplace_back("no `snapshot` line");
    else if (problems.empty() && !snapshots.empty() && !load_snapshots(snapshots, reg, lerr)) problems.push_back("[E0501] " + lerr.to_string());
    PolicyRun run;
    if (problems.empty()) {
      LifecycleOptions opt;
      opt.now = at ? *at : reg.captured_at != kNoTime ? reg.captured_at : current_time();
      std::string err;
      const RegistryIdentity identity = registry_identity(reg);
      InUseSet in_use;
      for (const auto& f : in_use_files) {
        // A test is strict: a reference to this registry that names nothing is a failure,
        // not a warning (references to other registries name nothing here by design).
        if (!load_in_use_file(f, reg, identity, in_use, err)) problems.push_back(err);
      }
      for (const auto& u : in_use.unmatched) problems.push_back(u.where + ": in-use reference `" + u.reference + "` matches no image (" + u.why + ")");
      opt.in_use.merge(in_use.keys(reg));
      if (!snapshots.empty() && !run_policy_lifecycle(compiled.plan, reg, opt, "", run, err)) problems.push_back(err);
      for (const auto& e : run.result.errors) problems.push_back("[E0601] " + e.message);
    }
    if (problems.empty()) {
      AccessDecider decider(&compiled.plan, nullptr, "");
      decider.load_snapshot_state(reg);
      const Micros now = at ? *at : reg.captured_at != kNoTime ? reg.captured_at : current_time();
      for (const auto* item : test.items) {
        if (item->snapshot || item->in_use) continue;
        std::string where = location_string(sources, item->span);
        ++expectations;
        if (item->access) {
          AccessRequest r;
          std::string problem;
          if (!request_of(*item, r, problem)) {
            problems.push_back(where + ": " + problem);
            continue;
          }
          derive_context(r, now);
          Decided d = decider.decide(r);
          const std::string got = d.decision == AccessDecision::Allow ? "allow" : "deny";
          bool ok = got == item->decision;
          if (ok && !item->by.empty()) ok = d.statement == item->by || access_reason_name(d.reason) == item->by;
          if (!ok)
            problems.push_back(where + ": expected " + item->decision + (item->by.empty() ? "" : " by \"" + item->by + "\"") + " for " +
                               describe_request(r) + ", but it is " + got + " (" + access_reason_name(d.reason) +
                               (d.statement.empty() ? "" : ", by \"" + d.statement + "\"") + ")");
          continue;
        }
        std::uint32_t idx = find_image(reg, parse_image_ref(item->text), true);
        if (idx == UINT32_MAX) {
          problems.push_back(where + ": no image `" + item->text + "` in the snapshot");
          continue;
        }
        const ImageDecision& d = run.result.decisions[idx];
        std::string got = d.verdict == Verdict::Expire ? "expired" : d.verdict == Verdict::Transition ? "archived"
                          : d.verdict == Verdict::Untag ? "untagged" : d.reason == Reason::Protected ? "protected" : "kept";
        std::string want = item->outcome;
        if (want == "expire") want = "expired";
        if (want == "keep") want = "kept";
        if (want == "untag") want = "untagged";
        if (want == "transitioned" || want == "archive" || want == "transition") want = "archived";
        bool ok = got == want || (want == "kept" && (got == "protected" || got == "untagged"));  // an untagged image stays
        if (ok && !item->rule.empty()) {
          const LifecyclePlan* plan = run.plan_of_repo[reg.images[idx].repo];
          ok = plan && d.rule >= 0 && std::to_string(plan->rules[static_cast<std::size_t>(d.rule)].priority) == item->rule;
        }
        if (!ok) {
          std::string by = d.rule >= 0 && run.plan_of_repo[reg.images[idx].repo]
                               ? " by rule " + std::to_string(run.plan_of_repo[reg.images[idx].repo]->rules[static_cast<std::size_t>(d.rule)].priority)
                               : "";
          problems.push_back(where + ": expected `" + item->text + "` " + item->outcome + (item->rule.empty() ? "" : " by rule " + item->rule) +
                             ", but it is " + got + by);
        }
      }
    }
    on_test({location_string(sources, test.span) + " test \"" + test.name + "\"", std::move(problems)});
  }
  // The file's properties are tests too: one that fails, or that the prover cannot decide,
  // fails as `regpol prove` reports it.
  std::vector<PropertyOutcome> proofs;
  if (int code = prove_policy_properties(path, compiled, compile, ProofOptions{}, proofs); code != kOk) return code;
  for (const auto& o : proofs) {
    ++expectations;
    std::vector<std::string> problems;
    if (o.result.proof.outcome != ProofOutcome::Proved) {
      // Its lines under the test's problem indentation.
      std::string text = property_outcome_text(o);
      for (std::size_t at = text.find('\n'); at != std::string::npos; at = text.find('\n', at + 1)) text.insert(at + 1, "  ");
      problems.push_back(std::move(text));
    }
    on_test({o.property->source + " prove \"" + o.property->name + "\"", std::move(problems)});
  }
  return kOk;
}

}  // namespace regpol
