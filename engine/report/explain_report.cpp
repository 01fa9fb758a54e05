#include "report/explain_report.h"

namespace regpol {

std::string render_explanation(const ImageExplanation& e) {
  const Registry& registry = *e.registry;
  const Image& img = registry.images[e.image];
  std::string out = std::string(registry.repo_name(img)) + "@" + std::string(registry.str(img.digest)) + "\n  tags: ";
  for (std::uint32_t t = 0; t < img.tag_count; ++t) out += (t ? ", " : "") + std::string(registry.str(registry.tags_of(img)[t]));
  out += std::string(img.tag_count ? "" : "(untagged)") + "\n  pushed: " + format_timestamp(img.pushed_at) +
         "  storage: " + (img.storage_class() == StorageClass::Archive ? "archive" : "standard") + "\n";
  if (e.users) {
    out += "  in use by:";
    for (const auto& user : *e.users) out += "\n    " + user;
    out += "\n";
  }
  if (!e.plan || !e.scope) return out + "no lifecycle block applies to `" + std::string(registry.repo_name(img)) + "`: kept\n";
  out += "lifecycle from " + std::string(e.scope->is_defaults ? "defaults" : "repository block") + " at " + e.scope->source + "\n\n";
  const LifecycleRule* claimer = nullptr;  // the first rule whose selection matched the image
  for (const auto& t : *e.trace) {
    const LifecycleRule& r = e.plan->rules[static_cast<std::size_t>(t.rule)];
    out += "rule " + std::to_string(r.priority) + (r.description.empty() ? "" : " \"" + r.description + "\"") + " (" + r.source + "): ";
    if (!t.matched) {
      out += "not in its selection\n";
      continue;
    }
    ImageDecision d;
    d.rule = t.rule;
    d.reason = t.reason;
    d.reference_time = t.reference_time;
    d.verdict = t.candidate ? Verdict::Expire : Verdict::Keep;
    const std::string why = describe_decision(registry, *e.plan, d, e.now);
    // One decision per line: a claimed image is decided by the claiming rule; what this rule
    // would have done alone is said as that, never as this rule's verdict.
    if (r.action == LifecycleAction::Untag) {
      // Untag rules run after every other rule, over the images those keep, and claim none.
      out += (t.candidate ? "removes the tags it names: " : "in its selection, removes no tag: ") + why + "\n";
      continue;
    }
    if (t.claimed_before) {
      out += "in its selection, but rule " + (claimer ? std::to_string(claimer->priority) : std::string("?")) +
             " matched it first, so this rule does not decide it (alone it would " + (t.candidate ? "act on it: " : "keep it: ") + why + ")\n";
    } else {
      out += (t.candidate ? "acts on it: " : "in its selection, keeps it: ") + why + "\n";
    }
    if (!claimer) claimer = &r;
  }
  const ImageDecision& final_decision = e.result->decisions[e.image];
  const char* verdict = final_decision.verdict == Verdict::Expire       ? "expire"
                        : final_decision.verdict == Verdict::Transition ? "transition"
                        : final_decision.verdict == Verdict::Untag      ? "untag"
                                                                        : "keep";
  out += std::string("\ndecision: ") + verdict + " — " + describe_decision(registry, *e.plan, final_decision, e.now) + "\n";
  if (const TagRemoval* removal = removal_of(*e.result, e.image)) {
    out += "  removes:";
    for (StrId tag : removal->tags) out += " " + std::string(registry.str(tag));
    out += std::string(removal->all ? " (every tag it has: it stays, untagged)" : "") + "\n";
  }
  return out;
}

}  // namespace regpol
