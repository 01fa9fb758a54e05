// `regpol prove` below the command line (driver/prove.h).
#include "driver/prove.h"

#include <deque>
#include <iostream>
#include <map>
#include <memory>

#include "access/request_json.h"
#include "diag/render.h"
#include "driver/access_source.h"
#include "driver/exit_code.h"

namespace regpol {

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& x : v) s += (s.empty() ? "" : ", ") + x;
  return s;
}

}  // namespace

int prove_policy_properties(const std::string& path, const CompiledPolicy& compiled, const CompileOptions& compile, const ProofOptions& options,
                            std::vector<PropertyOutcome>& out) {
  const std::string root = effective_import_root(path, compile);
  // The policies `no new access than` names, loaded once each.
  std::map<std::string, std::unique_ptr<LoadedAccess>> compared;
  for (const auto& p : compiled.plan.properties) {
    if (p.kind != PropertyPlan::Kind::NoNewAccess || compared.count(p.than)) continue;
    // Confined like imports: a property must not read (and echo) files outside the root.
    std::string resolved, refused = confine_path(root, path, p.than, resolved);
    if (!refused.empty()) return fail(kBadInput, p.source + ": [E0206] `no new access than \"" + p.than + "\"` is not allowed: " + refused);
    auto loaded = std::make_unique<LoadedAccess>();
    CompileOptions inner = compile;
    inner.import_root = root;
    if (int code = load_access_source(resolved, inner, "proved", *loaded); code != kOk) return code;
    compared[p.than] = std::move(loaded);
  }
  for (const auto& p : compiled.plan.properties) {
    PropertyOutcome o;
    o.property = &p;
    o.repositories = joined(p.repositories) + (p.excepts.empty() ? "" : " except " + joined(p.excepts));
    const AccessSource* than = p.kind == PropertyPlan::Kind::NoNewAccess ? &compared.at(p.than)->source : nullptr;
    o.result = prove_property(compiled.plan, p, than, options);
    out.push_back(std::move(o));
  }
  return kOk;
}

std::string property_outcome_text(const PropertyOutcome& o) {
  const ProofResult& r = o.result.proof;
  std::string s = proof_outcome_name(r.outcome);
  switch (r.outcome) {
    case ProofOutcome::Proved:
      s += " for every request";
      if (o.result.repositories_checked > 1) s += " (" + std::to_string(o.result.repositories_checked) + " classes of repository names)";
      break;
    case ProofOutcome::Unknown: s += (o.result.repository.empty() ? "" : " on " + o.result.repository) + ": " + r.why; break;
    case ProofOutcome::Failed: {
      const std::string by = r.decided_by.empty() || r.decided_by.front().empty() ? "" : r.decided_by.front();
      s += "\n    counterexample (replays through `regpol authorize --request`): " + request_to_json(r.counterexample).dump();
      if (o.property->kind == PropertyPlan::Kind::Always) s += "\n    denied " + (by.empty() ? std::string("(no statement allows it)") : "by " + by);
      else s += "\n    allowed by " + by;
      if (o.property->kind == PropertyPlan::Kind::NoNewAccess) s += "; " + o.property->than + " does not allow it";
      break;
    }
  }
  return s;
}

nlohmann::json property_outcome_json(const PropertyOutcome& o) {
  const ProofResult& r = o.result.proof;
  const bool failed = r.outcome == ProofOutcome::Failed;
  nlohmann::json j = {{"name", o.property->name},
                      {"repository", o.repositories},
                      {"result", proof_outcome_name(r.outcome)},
                      {"counterexample", failed ? request_to_json(r.counterexample) : nlohmann::json(nullptr)},
                      {"decidedBy", nullptr},
                      {"source", o.property->source},
                      {"kind", o.property->kind == PropertyPlan::Kind::Never    ? "never"
                               : o.property->kind == PropertyPlan::Kind::Always ? "always"
                                                                                 : "no-new-access"}};
  // The policy's statement that decided the counterexample; null for the implicit deny.
  if (failed && !r.decided_by.empty() && !r.decided_by.front().empty()) j["decidedBy"] = r.decided_by.front();
  if (r.outcome == ProofOutcome::Unknown) j["why"] = r.why;
  return j;
}

int run_prove(const ProveRequest& request) {
  ProofOptions options;
  options.timeout_ms = request.timeout_ms;
  // Every file is compiled and proved before anything is printed: a later file with an
  // error exits 3 with no report, never after a partial one. A deque keeps each file's
  // compiled policy in place, as its outcomes point into it.
  struct ProvedFile {
    SourceMap sources;
    CompiledPolicy compiled;
    std::vector<PropertyOutcome> outcomes;
  };
  std::deque<ProvedFile> files;
  for (const auto& path : request.files) {
    ProvedFile& f = files.emplace_back();
    if (int code = compile_policy_or_fail(path, f.sources, request.compile, kBadInput, "proved", f.compiled); code != kOk) return code;
    if (int code = prove_policy_properties(path, f.compiled, request.compile, options, f.outcomes); code != kOk) return code;
  }
  nlohmann::json all = nlohmann::json::array();
  bool all_proved = true, internal = false;
  for (std::size_t i = 0; i < files.size(); ++i) {
    const std::string& path = request.files[i];
    if (!request.json && files[i].outcomes.empty()) std::cout << path << ": no properties (`prove \"NAME\" { … }`)\n";
    for (const auto& o : files[i].outcomes) {
      all_proved = all_proved && o.result.proof.outcome == ProofOutcome::Proved;
      internal = internal || o.result.proof.internal_error;
      if (request.json) {
        nlohmann::json j = property_outcome_json(o);
        j["file"] = path;
        all.push_back(std::move(j));
      } else {
        std::cout << o.property->source << ": prove \"" << o.property->name << "\" (" << o.repositories << "): " << property_outcome_text(o) << "\n";
      }
    }
  }
  if (request.json) std::cout << nlohmann::json{{"properties", std::move(all)}}.dump(2) << "\n";
  if (internal) return kInternal;
  return all_proved ? kOk : kFindings;
}

}  // namespace regpol
