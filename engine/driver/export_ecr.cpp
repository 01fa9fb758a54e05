#include "driver/export_ecr.h"

#include <iostream>

#include "diag/render.h"
#include "driver/compile.h"
#include "driver/exit_code.h"
#include "interop/ecr_export.h"

namespace regpol {

namespace {

// "file:LINE:COL" (a plan node's source) -> the span it names, for caret rendering.
std::optional<Span> span_of(const SourceMap& sources, const std::string& location) {
  auto c2 = location.rfind(':');
  auto c1 = c2 == std::string::npos || c2 == 0 ? std::string::npos : location.rfind(':', c2 - 1);
  if (c1 == std::string::npos) return std::nullopt;
  std::string file = location.substr(0, c1);
  std::uint32_t line = 0, col = 0;
  try {
    line = static_cast<std::uint32_t>(std::stoul(location.substr(c1 + 1, c2 - c1 - 1)));
    col = static_cast<std::uint32_t>(std::stoul(location.substr(c2 + 1)));
  } catch (...) {
    return std::nullopt;
  }
  for (FileId id = 0; id < sources.size(); ++id) {
    const SourceFile& f = sources.file(id);
    if (f.name() != file || line == 0 || line > f.line_count()) continue;
    std::string_view text = f.line_text(line);
    std::size_t at = 0;
    for (std::uint32_t k = 1; k < col && at < text.size(); ++k) at += utf8_sequence_length(static_cast<unsigned char>(text[at]));
    auto begin = static_cast<std::uint32_t>(text.data() - f.text().data() + at);
    return Span{id, begin, begin + 1};
  }
  return std::nullopt;
}

}  // namespace

int export_ecr(const ExportEcrRequest& request, nlohmann::json& out, std::string& usage_error) {
  SourceMap sources;
  DiagnosticSink sink;
  CompiledPolicy compiled = compile_policy_file(request.policy, sources, sink, request.compile);
  if (!compiled.ok) {
    std::cerr << render_human(sources, sink.sorted(), {request.color});
    return compiled.malformed ? kBadInput : kFindings;
  }
  const PolicyPlan& plan = compiled.plan;
  const LifecyclePlan* lifecycle = nullptr;
  const MutabilityPlan* mutability = nullptr;
  AccessPlan access;
  if (const auto& name = request.repository) {
    for (Concern c : {Concern::Lifecycle, Concern::Mutability}) {
      ScopeChoice ch = choose_scope(plan, *name, c);
      if (ch.tied_with >= 0) return fail(kFindings, "[E0401] `" + *name + "` matches two blocks equally well: " +
                                                        plan.scopes[static_cast<std::size_t>(ch.scope)].source + " and " +
                                                        plan.scopes[static_cast<std::size_t>(ch.tied_with)].source);
      if (ch.scope < 0) continue;
      const ScopePlan& s = plan.scopes[static_cast<std::size_t>(ch.scope)];
      if (c == Concern::Lifecycle) lifecycle = &s.lifecycle;
      else mutability = &*s.mutability;
    }
    access = access_for(plan, *name);
  } else {
    std::vector<const ScopePlan*> blocks;
    for (const auto& s : plan.scopes) {
      if (!s.is_defaults) blocks.push_back(&s);
    }
    if (blocks.size() != 1) {
      usage_error = "the policy has " + std::to_string(blocks.size()) + " repository blocks; pick one with --repository NAME";
      return kUsage;
    }
    if (blocks[0]->has_lifecycle) lifecycle = &blocks[0]->lifecycle;
    if (blocks[0]->mutability) mutability = &*blocks[0]->mutability;
    access = blocks[0]->access;
  }
  std::vector<ExportProblem> problems;
  out = {{"lifecyclePolicy", nullptr}, {"repositoryPolicy", nullptr}, {"imageTagMutability", nullptr}};
  if (lifecycle) out["lifecyclePolicy"] = lifecycle_to_ecr_json(*lifecycle, problems);
  if (!access.statements.empty()) out["repositoryPolicy"] = access_to_iam_json(access, problems);
  if (mutability) {
    auto m = mutability_to_ecr_json(*mutability, problems);
    for (auto it = m.begin(); it != m.end(); ++it) out[it.key()] = it.value();
  }
  if (!problems.empty()) {
    // The same rendering as lint: carets under the source, in source order.
    DiagnosticSink esink;
    for (const auto& p : problems) {
      if (auto sp = span_of(sources, p.source)) esink.error("E0403", *sp, p.message);
      else esink.error("E0403", {}, p.source + ": " + p.message).has_span = false;
    }
    std::cerr << render_human(sources, esink.sorted(), {request.color});
    return fail(kFindings, "the policy uses what ECR cannot express; nothing was exported");
  }
  return kOk;
}

}  // namespace regpol
