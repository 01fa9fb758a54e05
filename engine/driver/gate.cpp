#include "driver/gate.h"

#include <nlohmann/json.hpp>

#include "audit/gate.h"
#include "driver/exit_code.h"
#include "driver/snapshots.h"
#include "inuse/reference.h"
#include "inuse/registry_match.h"
#include "registry/aws/ecr_pull.h"
#include "snapshot/reader.h"

namespace regpol {

namespace {

// The reference as written, pinned to the digest the gate decided on.
std::string pinned(const ImageReference& ref, std::string_view digest) {
  return (ref.host_written ? ref.host + "/" : std::string()) + ref.written_path + "@" + std::string(digest);
}

int answer(const GateRequest& request, const std::string& repository, const std::string& digest, const std::string& deploy,
           const GateResult& result, const std::string& unknown, std::ostream& out) {
  const bool allowed = unknown.empty() && result.allowed();
  if (request.json) {
    nlohmann::ordered_json denials = nlohmann::ordered_json::array();
    for (const auto& d : result.denials) {
      denials.push_back({{"name", d.name}, {"source", d.source}, {"error", d.error.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(d.error)}});
    }
    nlohmann::ordered_json doc = {{"schema", "regpol.gate/v1"},
                                  {"image", request.image},
                                  {"repository", repository},
                                  {"digest", digest.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(digest)},
                                  {"decision", allowed ? "allow" : "deny"},
                                  {"deploy", allowed ? nlohmann::ordered_json(deploy) : nlohmann::ordered_json(nullptr)},
                                  {"rules", result.rules},
                                  {"denials", denials},
                                  {"notInSnapshot", unknown.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(unknown)}};
    out << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
    return allowed ? kOk : kFindings;
  }
  if (!unknown.empty()) {
    out << "refused " << request.image << ": " << unknown << "\n";
    return kFindings;
  }
  if (allowed) {
    out << deploy << "\n";
    return kOk;
  }
  out << "refused " << request.image << " (" << digest << "):\n";
  for (const auto& d : result.denials) {
    out << "  " << d.name << "  (" << d.source << ")";
    if (!d.error.empty()) out << ": cannot be decided for this image (" << d.error << "), so it refuses";
    out << "\n";
  }
  return kFindings;
}

}  // namespace

int run_gate(const GateRequest& request, std::ostream& out) {
  SourceMap sources;
  CompiledPolicy compiled;
  if (int code = compile_policy_or_fail(request.policy, sources, request.compile, kBadInput, "decided", compiled); code != kOk) return code;
  ImageReference ref;
  std::string why;
  if (!parse_image_reference(request.image, ref, why)) return fail(kBadInput, "`" + request.image + "` is not an image reference: " + why);
  Registry registry;
  LoadError lerr;
  if (request.pull) {
    EcrConnection ecr;
    std::string err;
    if (!open_ecr(request.ecr, ecr, err)) return fail(kUsage, err);
    aws::PullOptions options;
    options.repository_globs = {ref.path};
    options.index_manifests = false;
    options.jobs = 1;
    std::string document;
    aws::PullStats stats;
    Error e;
    if (!aws::pull_ecr_snapshot(*ecr.client, options, document, stats, e))
      return fail(e.retryable() ? kInternal : kBadInput, "gate --pull: " + e.message + "; the image is not decided");
    if (!load_json_snapshot_text("the registry now", document, registry, lerr) || !finish_registry(registry, lerr))
      return fail(kBadInput, "[E0501] " + lerr.to_string());
  } else if (!load_snapshots(request.snapshots, registry, lerr, 0, &ref.path)) {
    return fail(kBadInput, "[E0501] " + lerr.to_string());
  }
  const ReferenceMatch match = match_reference(registry, registry_identity(registry), ref, /*hostless_here=*/true);
  if (match.outcome != ReferenceMatch::Outcome::Matched) {
    // Not in the snapshot: nothing vouches for the image, so it is not deployed.
    return answer(request, ref.path, ref.digest, "", GateResult{}, match.why.empty() ? "not in the snapshot" : match.why, out);
  }
  const GateResult result = evaluate_gate(compiled.plan, registry, match.image, request.now);
  const std::string digest(registry.str(registry.images[match.image].digest));
  return answer(request, std::string(registry.repo_name(registry.images[match.image])), digest, pinned(ref, digest), result, "", out);
}

}  // namespace regpol
