#include "lifecycle/evaluate.h"

#include <algorithm>
#include <charconv>
#include <iterator>
#include <unordered_map>

#include "match/semver.h"
#include "snapshot/graph.h"
#include "util/huge_pages.h"
#include "util/parallel.h"

namespace regpol {

namespace {

// How far a verdict goes; an untag keeps the image (a child or artifact is capped at keep).
int severity(Verdict v) { return v == Verdict::Expire ? 2 : v == Verdict::Transition ? 1 : 0; }

Micros reference_time(const LifecycleRule& rule, const Image& img) {
  switch (rule.count_type) {
    case CountType::SinceImagePushed: return img.pushed_at;
    case CountType::SinceImagePulled:
      // ECR: the last recorded pull, else the last restore from archive, else the push.
      if (img.last_pulled_at != kNoTime) return img.last_pulled_at;
      if (img.last_activated_at != kNoTime) return img.last_activated_at;
      return img.pushed_at;
    case CountType::SinceImageTransitioned: return img.last_archived_at;
    case CountType::ImageCountMoreThan: return kNoTime;
  }
  return kNoTime;
}

// The highest semver among an image's tags, if any.
std::optional<Semver> best_semver(const Registry& reg, const Image& img) {
  std::optional<Semver> best;
  for (std::uint32_t t = 0; t < img.tag_count; ++t) {
    auto v = parse_semver(reg.str(reg.tags_of(img)[t]));
    if (v && (!best || compare_semver(*v, *best) > 0)) best = std::move(v);
  }
  return best;
}

// A repository's images by digest, built the first time a pass asks for it (most
// repositories have neither manifest lists nor artifacts, and never build it).
class DigestIndex {
 public:
  DigestIndex(const Registry& reg, const std::vector<std::uint32_t>& imgs) : reg_(reg), imgs_(imgs) {}
  const std::unordered_map<std::string_view, std::uint32_t>& get() {
    if (!built_) {
      for (std::uint32_t idx : imgs_) map_.emplace(reg_.str(reg_.images[idx].digest), idx);
      built_ = true;
    }
    return map_;
  }

 private:
  const Registry& reg_;
  const std::vector<std::uint32_t>& imgs_;
  std::unordered_map<std::string_view, std::uint32_t> map_;
  bool built_ = false;
};

struct RepoEvaluator {
  const Registry& reg;
  const LifecyclePlan& plan;
  const LifecycleOptions& opt;
  std::vector<ImageDecision>& out;
  std::vector<EvaluationError>& errors;
  std::size_t& counted_artifacts;  // places among a count rule's newest N taken by artifacts
  std::vector<TagRemoval>& removals;
  std::string scratch_ = {};       // the digest a cosign tag spells (subject_of)

  bool selected(const Selection& sel, std::uint32_t idx, std::int32_t rule) {
    const Image& img = reg.images[idx];
    if (!sel.any_storage && img.storage_class() != sel.storage) return false;
    if (!tags_match(sel, reg, img)) return false;
    if (sel.where) {
      PredicateResult r = sel.where->eval(reg, img, opt.now);
      if (!r.ok) {
        errors.push_back({idx, rule, r.error});
        out[idx].reason = Reason::PredicateError;
        return false;
      }
      return r.value;
    }
    return true;
  }

  // The order a count rule ranks its selection in: newest first, or by semver (highest
  // version first; images without a version tag after all versioned ones, in push order:
  // stable_sort keeps the newest-first order among equals); `beyond[i]` says whether
  // order[i] is past the rule's N (in its `per` group, if any).
  void count_order(const LifecycleRule& rule, const std::vector<std::uint32_t>& imgs, const std::vector<std::size_t>& matched,
                   std::vector<std::size_t>& order, std::vector<bool>& beyond) {
    order = matched;
    if (rule.order == OrderBy::Semver) {
      std::vector<std::optional<Semver>> versions(imgs.size());
      for (std::size_t k : order) versions[k] = best_semver(reg, reg.images[imgs[k]]);
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        const auto& va = versions[a];
        const auto& vb = versions[b];
        if (va && vb) return compare_semver(*va, *vb) > 0;
        return va.has_value() && !vb.has_value();
      });
    }
    beyond.assign(order.size(), false);
    std::unordered_map<std::string, std::int64_t> seen_per_group;
    std::int64_t seen = 0;
    for (std::size_t i = 0; i < order.size(); ++i) {
      std::int64_t* counter = &seen;
      if (rule.per) {
        auto key = rule.per->key(reg, reg.images[imgs[order[i]]], opt.now);
        counter = &seen_per_group[key ? "=" + *key : std::string()];
      }
      beyond[i] = ++*counter > rule.count_number;
    }
  }

  void run(const Repository& repo) {
    const auto& imgs = repo.images;  // newest first, equal push times by digest
    const std::size_t n = imgs.size();
    std::vector<std::uint8_t> claimed(n, 0);
    std::vector<std::size_t> matched, order;
    for (std::size_t k = 0; k < n; ++k) out[imgs[k]] = ImageDecision{};
    std::size_t traced = n;
    if (opt.trace) {
      for (std::size_t k = 0; k < n; ++k) {
        if (imgs[k] == opt.trace_image) traced = k;
      }
    }
    for (std::size_t r = 0; r < plan.rules.size(); ++r) {
      const LifecycleRule& rule = plan.rules[r];
      if (rule.action == LifecycleAction::Untag) continue;  // untag_pass, once every other rule has decided
      const auto ri = static_cast<std::int32_t>(r);
      RuleTrace t;
      t.rule = ri;
      if (traced < n) t.claimed_before = claimed[traced] != 0;
      matched.clear();
      for (std::size_t k = 0; k < n; ++k) {
        const Image& img = reg.images[imgs[k]];
        if (img.status == ImageStatus::Activating) continue;
        if (selected(rule.selection, imgs[k], ri)) matched.push_back(k);
      }
      auto action = [&](std::size_t k, Reason why, Micros ref) {
        if (k == traced) t.candidate = true, t.reason = why, t.reference_time = ref;
        ImageDecision& d = out[imgs[k]];
        if (claimed[k]) return;
        d.verdict = rule.action == LifecycleAction::Expire ? Verdict::Expire : Verdict::Transition;
        d.reason = why;
        d.rule = ri;
        d.reference_time = ref;
      };
      auto keep_reason = [&](std::size_t k, Reason why, Micros ref) {
        if (k == traced) t.reason = why, t.reference_time = ref;
        ImageDecision& d = out[imgs[k]];
        if (claimed[k]) return;
        d.reason = why;
        d.rule = ri;
        d.reference_time = ref;
      };
      if (rule.count_type == CountType::ImageCountMoreThan) {
        std::vector<bool> beyond;
        count_order(rule, imgs, matched, order, beyond);
        for (std::size_t i = 0; i < order.size(); ++i) {
          const std::size_t k = order[i];
          if (beyond[i]) {
            action(k, Reason::BeyondNewest, kNoTime);
          } else {
            keep_reason(k, Reason::WithinNewest, kNoTime);
            // (Not under an ECR lifecycle document, which has no way to leave them out.)
            if (!plan.ecr_exact && rule.selection.status != TagStatus::Artifacts && !subject_of(reg.images[imgs[k]]).empty()) ++counted_artifacts;
          }
        }
      } else {
        const Micros threshold = opt.now - rule.duration;
        for (std::size_t k : matched) {
          Micros ref = reference_time(rule, reg.images[imgs[k]]);
          if (ref == kNoTime) keep_reason(k, Reason::NoTimestamp, ref);
          else if (ref < threshold) action(k, Reason::OlderThan, ref);  // strictly older
          else keep_reason(k, Reason::NotOldEnough, ref);
        }
      }
      // Matching a rule's selection claims an image, even when that rule keeps it.
      for (std::size_t k : matched) claimed[k] = 1;
      if (traced < n) {
        t.matched = claimed[traced] && std::find(matched.begin(), matched.end(), traced) != matched.end();
        opt.trace->push_back(t);
      }
    }
    // Per image: the tags untag rules remove (only allocated for lifecycles that have some).
    const bool untags = std::any_of(plan.rules.begin(), plan.rules.end(), [](const LifecycleRule& r) { return r.action == LifecycleAction::Untag; });
    std::vector<std::vector<StrId>> removing(untags ? n : 0);
    if (untags) untag_pass(imgs, removing, traced);
    apply_protects(imgs);
    DigestIndex by_digest(reg, imgs);
    // A child goes no further than its lists, an artifact no further than its subject
    // (regpol lifecycles): together, to a fixed point (a signature of a child, an index
    // that is an artifact).
    for (std::size_t pass = 0; pass <= imgs.size(); ++pass) {
      const bool lists = apply_manifest_lists(imgs, by_digest);
      const bool artifacts = !plan.ecr_exact && cap_artifacts(imgs, by_digest);
      if (!lists && !artifacts) break;
    }
    if (reg.referrers_follow_subject) apply_subjects(imgs, by_digest);
    for (std::size_t k = 0; k < removing.size(); ++k) {
      if (out[imgs[k]].verdict != Verdict::Untag) continue;  // expired, archived or saved since
      auto& tags = removing[k];
      std::sort(tags.begin(), tags.end(), [&](StrId a, StrId b) { return reg.str(a) < reg.str(b); });
      const bool all = tags.size() == reg.images[imgs[k]].tag_count;
      removals.push_back({imgs[k], std::move(tags), all});
    }
  }

  // Untag rules, in priority order, over the images every other rule keeps (artifacts
  // excepted: a cosign tag is what links a signature to its image). Each removes the tags
  // its list names from the images it selects that are beyond its newest N, or older than
  // its threshold; it claims nothing. On ECR, removing an image's last tag deletes it
  // (BatchDeleteImage), so there that image expires, and the plan says why.
  void untag_pass(const std::vector<std::uint32_t>& imgs, std::vector<std::vector<StrId>>& removing, std::size_t traced) {
    const std::size_t n = imgs.size();
    std::vector<std::size_t> matched;
    for (std::size_t r = 0; r < plan.rules.size(); ++r) {
      const LifecycleRule& rule = plan.rules[r];
      if (rule.action != LifecycleAction::Untag) continue;
      const auto ri = static_cast<std::int32_t>(r);
      RuleTrace t;
      t.rule = ri;
      matched.clear();
      for (std::size_t k = 0; k < n; ++k) {
        const Image& img = reg.images[imgs[k]];
        if (img.status == ImageStatus::Activating || out[imgs[k]].verdict == Verdict::Expire ||
            out[imgs[k]].verdict == Verdict::Transition || !subject_of(img).empty())
          continue;
        if (selected(rule.selection, imgs[k], ri)) matched.push_back(k);
      }
      auto remove = [&](std::size_t k, Reason why, Micros ref) {
        if (k == traced) t.candidate = true, t.reason = why, t.reference_time = ref;
        const Image& img = reg.images[imgs[k]];
        auto& tags = removing[k];
        for (std::uint32_t i = 0; i < img.tag_count; ++i) {
          StrId tag = reg.tags_of(img)[i];
          if (tag_named(rule.selection, reg.str(tag)) && std::find(tags.begin(), tags.end(), tag) == tags.end()) tags.push_back(tag);
        }
        ImageDecision& d = out[imgs[k]];
        if (d.verdict == Verdict::Untag) return;  // a higher untag rule decided it first
        d.verdict = Verdict::Untag;
        d.reason = why;
        d.rule = ri;
        d.reference_time = ref;
      };
      if (rule.count_type == CountType::ImageCountMoreThan) {
        std::vector<std::size_t> order;
        std::vector<bool> beyond;
        count_order(rule, imgs, matched, order, beyond);
        for (std::size_t i = 0; i < order.size(); ++i) {
          if (beyond[i]) remove(order[i], Reason::BeyondNewest, kNoTime);
          else if (order[i] == traced) t.reason = Reason::WithinNewest;
        }
      } else {
        const Micros threshold = opt.now - rule.duration;
        for (std::size_t k : matched) {
          Micros ref = reference_time(rule, reg.images[imgs[k]]);
          if (ref != kNoTime && ref < threshold) remove(k, Reason::OlderThan, ref);
          else if (k == traced) t.reason = ref == kNoTime ? Reason::NoTimestamp : Reason::NotOldEnough, t.reference_time = ref;
        }
      }
      if (traced < n) {
        t.matched = std::find(matched.begin(), matched.end(), traced) != matched.end();
        opt.trace->push_back(t);
      }
    }
    if (reg.source.rfind("ecr:", 0) != 0) return;
    for (std::size_t k = 0; k < n; ++k) {
      ImageDecision& d = out[imgs[k]];
      if (d.verdict == Verdict::Untag && removing[k].size() == reg.images[imgs[k]].tag_count) {
        d.verdict = Verdict::Expire;
        d.reason = Reason::UntagLastTag;
      }
    }
  }

  // On a Distribution registry an artifact (signature, SBOM, attestation) and a child of
  // an index are manifests of their own that nothing deletes with their subject or index:
  // left behind they would be orphans no rule ever reaches (untagged manifests are not
  // listed). One that no rule and no protect clause decided follows its subject out, or
  // its indexes when every index that lists it expires; one a rule kept or a protect clause
  // saved stays. Repeated to a fixed point (artifacts of artifacts, nested indexes).
  void apply_subjects(const std::vector<std::uint32_t>& imgs, DigestIndex& index) {
    bool any = std::any_of(imgs.begin(), imgs.end(), [&](std::uint32_t i) {
      return !subject_of(reg.images[i]).empty() || reg.images[i].child_count > 0;
    });
    if (!any) return;
    const auto& by_digest = index.get();
    std::unordered_map<std::uint32_t, std::vector<std::uint32_t>> parents;  // child -> indexes listing it
    for (std::uint32_t idx : imgs) {
      const Image& p = reg.images[idx];
      for (std::uint32_t c = 0; c < p.child_count; ++c) {
        auto it = by_digest.find(reg.str(reg.children_of(p)[c]));
        if (it != by_digest.end()) parents[it->second].push_back(idx);
      }
    }
    for (std::size_t pass = 0; pass <= imgs.size(); ++pass) {
      bool changed = false;
      for (std::uint32_t idx : imgs) {
        const Image& img = reg.images[idx];
        ImageDecision& d = out[idx];
        if (d.verdict != Verdict::Keep || d.reason != Reason::NoRuleMatched) continue;
        // It goes only when everything that anchors it goes: its subject (when in the
        // snapshot) and every index that lists it. A signature that an index also lists
        // stays while that index stays, and a child that is also an artifact of a kept image
        // stays with that image.
        std::uint32_t gone_with = UINT32_MAX;
        bool anchored = false;
        if (std::string_view subject = subject_of(img); !subject.empty()) {
          auto it = by_digest.find(subject);
          if (it != by_digest.end() && it->second != idx) {
            if (out[it->second].verdict != Verdict::Expire) anchored = true;
            else gone_with = it->second;
          }
        }
        if (auto pit = parents.find(idx); pit != parents.end()) {
          if (std::all_of(pit->second.begin(), pit->second.end(), [&](std::uint32_t p) { return out[p].verdict == Verdict::Expire; })) {
            if (gone_with == UINT32_MAX) gone_with = pit->second.front();
          } else {
            anchored = true;
          }
        }
        if (anchored || gone_with == UINT32_MAX || protect_if_named(idx)) continue;
        d.verdict = Verdict::Expire;
        d.reason = Reason::SubjectDeleted;
        d.parent = gone_with;
        changed = true;
      }
      if (!changed) break;
    }
  }

  void apply_protects(const std::vector<std::uint32_t>& imgs) {
    if (plan.protects.empty()) return;
    for (std::uint32_t idx : imgs) {
      ImageDecision& d = out[idx];
      if (d.verdict == Verdict::Keep) continue;
      protect_if_named(idx);
    }
  }

  // Keeps image `idx` when a protect clause names it; true if one did.
  bool protect_if_named(std::uint32_t idx) {
    ImageDecision& d = out[idx];
    for (std::size_t p = 0; p < plan.protects.size(); ++p) {
      const ProtectClause& pc = plan.protects[p];
      bool hit = pc.in_use ? !opt.in_use.empty() && opt.in_use.count(in_use_key(reg.repo_name(reg.images[idx]), reg.str(reg.images[idx].digest))) > 0
                           : selected(pc.selection, idx, -1 - static_cast<std::int32_t>(p));
      if (hit) {
        d.verdict = Verdict::Keep;
        d.reason = Reason::Protected;
        d.protect = static_cast<std::int32_t>(p);
        return true;
      }
    }
    return false;
  }

  // Decided by a rule that selects artifacts explicitly (`select artifacts`): what the
  // policy says of the artifact itself, which its subject does not cap.
  bool decided_as_artifact(const ImageDecision& d) const {
    return d.rule >= 0 && d.verdict != Verdict::Keep && plan.rules[static_cast<std::size_t>(d.rule)].selection.status == TagStatus::Artifacts;
  }

  // Lowers image `idx` to `bound`'s verdict when it goes further; true if it did.
  bool cap(std::uint32_t idx, std::uint32_t bound, Reason why) {
    ImageDecision& d = out[idx];
    const Verdict limit = out[bound].verdict == Verdict::Untag ? Verdict::Keep : out[bound].verdict;
    if (severity(d.verdict) <= severity(limit)) return false;
    d.verdict = limit;
    d.reason = why;
    d.parent = bound;
    return true;
  }

  // One pass (the caller repeats to a fixed point, for nested indexes): a child of a
  // manifest list never goes further than its list: a child of a kept list is kept, of an
  // archived list at most archived. True if it changed a decision.
  bool apply_manifest_lists(const std::vector<std::uint32_t>& imgs, DigestIndex& index) {
    bool any_list = std::any_of(imgs.begin(), imgs.end(), [&](std::uint32_t i) { return reg.images[i].child_count > 0; });
    if (!any_list) return false;
    const auto& by_digest = index.get();
    bool changed = false;
    for (std::uint32_t parent : imgs) {
      const Image& p = reg.images[parent];
      for (std::uint32_t c = 0; c < p.child_count; ++c) {
        auto it = by_digest.find(reg.str(reg.children_of(p)[c]));
        if (it != by_digest.end()) changed = cap(it->second, parent, Reason::ReferencedByList) || changed;
      }
    }
    return changed;
  }

  // artifact_subject (snapshot/graph.h) with this evaluator's scratch: the view is valid
  // until the next call.
  std::string_view subject_of(const Image& img) { return artifact_subject(reg, img, scratch_); }

  // One pass (the caller repeats to a fixed point, for artifacts of artifacts): an artifact
  // (a signature, an SBOM, an attestation: a manifest with a subject, or an image under
  // cosign's `sha256-<hex>.sig` tag) never goes further than its subject while the subject
  // is in the repository: the signature of a kept image stays, so that admission control
  // still finds it. True if it changed a decision.
  // (Artifacts whose subject is not in the snapshot are decided by the rules alone.)
  bool cap_artifacts(const std::vector<std::uint32_t>& imgs, DigestIndex& index) {
    bool any = std::any_of(imgs.begin(), imgs.end(), [&](std::uint32_t i) { return !subject_of(reg.images[i]).empty(); });
    if (!any) return false;
    const auto& by_digest = index.get();
    bool changed = false;
    for (std::uint32_t idx : imgs) {
      std::string_view subject = subject_of(reg.images[idx]);
      if (subject.empty() || decided_as_artifact(out[idx])) continue;
      auto it = by_digest.find(subject);
      if (it != by_digest.end() && it->second != idx) changed = cap(idx, it->second, Reason::SubjectKept) || changed;
    }
    return changed;
  }
};

}  // namespace

LifecycleResult evaluate_lifecycle(const Registry& registry, const std::vector<ScopedPlan>& scopes,
                                   const LifecycleOptions& options) {
  LifecycleResult result;
  result.decisions.reserve(registry.images.size());
  advise_huge_pages(result.decisions.data(), registry.images.size() * sizeof(ImageDecision));
  result.decisions.assign(registry.images.size(), ImageDecision{});
  struct Task {
    const LifecyclePlan* plan;
    std::uint32_t repo;
  };
  std::vector<Task> tasks;
  for (const auto& s : scopes) {
    for (auto r : s.repositories) tasks.push_back({s.plan, r});
  }
  std::sort(tasks.begin(), tasks.end(), [](const Task& a, const Task& b) { return a.repo < b.repo; });
  for (const auto& t : tasks) result.repositories.push_back(t.repo);

  // One error list per worker: no locking, and sorted below so the order is fixed.
  std::vector<std::vector<EvaluationError>> errors(parallel_workers(tasks.size(), options.threads));
  std::vector<std::size_t> counted(errors.size(), 0);
  std::vector<std::vector<TagRemoval>> removals(errors.size());
  parallel_for(tasks.size(), options.threads, [&](std::size_t i, unsigned worker) {
    RepoEvaluator ev{registry, *tasks[i].plan, options, result.decisions, errors[worker], counted[worker], removals[worker]};
    ev.run(registry.repositories[tasks[i].repo]);
  });
  for (const auto& e : errors) result.errors.insert(result.errors.end(), e.begin(), e.end());
  for (auto& r : removals) std::move(r.begin(), r.end(), std::back_inserter(result.removals));
  std::sort(result.removals.begin(), result.removals.end(), [](const TagRemoval& a, const TagRemoval& b) { return a.image < b.image; });
  for (std::size_t c : counted) result.counted_artifacts += c;
  std::sort(result.errors.begin(), result.errors.end(), [](const EvaluationError& a, const EvaluationError& b) {
    return std::tie(a.image, a.rule) < std::tie(b.image, b.rule);
  });
  for (const auto& t : tasks) {
    for (auto idx : registry.repositories[t.repo].images) {
      if (registry.images[idx].status == ImageStatus::Activating) result.decisions[idx].reason = Reason::Activating;
    }
  }
  return result;
}

const TagRemoval* removal_of(const LifecycleResult& result, std::uint32_t image) {
  auto it = std::lower_bound(result.removals.begin(), result.removals.end(), image,
                             [](const TagRemoval& r, std::uint32_t i) { return r.image < i; });
  return it != result.removals.end() && it->image == image ? &*it : nullptr;
}

void append_age_text(std::string& out, Micros now, Micros reference) {
  Micros d = now - reference;
  if (d < 0) {
    out += "in the future";
    return;
  }
  char buf[48];
  char* end = buf;
  // Tenths of a day in integers where that is certainly what printf's "%.1f" of the double
  // days gives: the exact value is over 1 ms away from a rounding tie, and for ages under
  // 2^50 us (13,000 days) the double is within 2e-12 days of it. A report writes one of
  // these for most images; to_chars of a double costs several times more.
  constexpr Micros kTenth = kMicrosPerDay / 10, kHalf = kTenth / 2, kMargin = 1000;
  const Micros rest = d % kTenth;
  if (d < (Micros{1} << 50) && (rest < kHalf - kMargin || rest > kHalf + kMargin)) {
    const Micros tenths = d / kTenth + (rest > kHalf ? 1 : 0);
    end = std::to_chars(buf, buf + sizeof buf, tenths / 10).ptr;
    *end++ = '.';
    *end++ = static_cast<char>('0' + tenths % 10);
  } else {
    double days = static_cast<double>(d) / static_cast<double>(kMicrosPerDay);
    end = std::to_chars(buf, buf + sizeof buf, days, std::chars_format::fixed, 1).ptr;
  }
  out.append(buf, end);
  out += "d ago";
}

std::string age_text(Micros now, Micros reference) {
  std::string out;
  append_age_text(out, now, reference);
  return out;
}

static std::string threshold_text(const LifecycleRule& r) {
  Micros d = r.duration;
  if (d % kMicrosPerDay == 0) return std::to_string(d / kMicrosPerDay) + "d";
  if (d % (3600 * kMicrosPerSecond) == 0) return std::to_string(d / (3600 * kMicrosPerSecond)) + "h";
  return std::to_string(d / kMicrosPerSecond) + "s";
}

static const char* time_name(CountType c) {
  switch (c) {
    case CountType::SinceImagePulled: return "last pulled";
    case CountType::SinceImageTransitioned: return "archived";
    default: return "pushed";
  }
}

bool age_reason_parts(const LifecyclePlan& plan, const ImageDecision& d, AgeReasonParts& parts) {
  if ((d.reason != Reason::OlderThan && d.reason != Reason::NotOldEnough) || d.rule < 0) return false;
  const LifecycleRule& rule = plan.rules[static_cast<std::size_t>(d.rule)];
  const std::string rule_name = "rule " + std::to_string(rule.priority);
  if (d.reason == Reason::OlderThan) {
    parts.prefix = std::string(time_name(rule.count_type)) + " ";
    parts.suffix = ", older than " + threshold_text(rule) + " (" + rule_name + ")";
  } else {
    parts.prefix = "matched " + rule_name + "'s selection: " + time_name(rule.count_type) + " ";
    parts.suffix = ", not older than " + threshold_text(rule);
  }
  return true;
}

bool reason_names_another_image(Reason reason) {
  return reason == Reason::ReferencedByList || reason == Reason::SubjectDeleted || reason == Reason::SubjectKept;
}

std::string describe_decision(const Registry& registry, const LifecyclePlan& plan, const ImageDecision& d, Micros now) {
  if (AgeReasonParts parts; age_reason_parts(plan, d, parts)) return parts.prefix + age_text(now, d.reference_time) + parts.suffix;
  auto rule_name = [&](std::int32_t r) { return "rule " + std::to_string(plan.rules[static_cast<std::size_t>(r)].priority); };
  const LifecycleRule* rule = d.rule >= 0 ? &plan.rules[static_cast<std::size_t>(d.rule)] : nullptr;
  std::string order = rule && rule->order == OrderBy::Semver ? " by semver" : "";
  std::string per = rule && rule->per ? " per " + rule->per->describe() : "";
  switch (d.reason) {
    case Reason::NoRuleMatched: return "no rule's selection matched";
    case Reason::Activating: return "being restored from archive (ACTIVATING): no rule applies";
    case Reason::PredicateError: return "a `where` expression could not be evaluated";
    case Reason::WithinNewest:
      return "matched " + rule_name(d.rule) + "'s selection: among the " + std::to_string(rule->count_number) + " newest" + order + per;
    case Reason::BeyondNewest:
      return "not among the " + std::to_string(rule->count_number) + " newest" + order + per + " of " + rule_name(d.rule) + "'s selection";
    case Reason::NotOldEnough:
    case Reason::OlderThan: break;  // age_reason_parts, above
    case Reason::NoTimestamp:
      return "matched " + rule_name(d.rule) + "'s selection: no " + time_name(rule->count_type) +
             " time recorded (or only a placeholder): never an age candidate";
    case Reason::SubjectDeleted:
      return "goes with " + std::string(registry.str(registry.images[d.parent].digest)) +
             ", which expires (its subject, or every index that lists it; no rule decided it)";
    case Reason::Protected:
      return (rule ? rule_name(d.rule) + " would act on it; " : std::string()) + "protected by " +
             plan.protects[static_cast<std::size_t>(d.protect)].label;
    case Reason::ReferencedByList:
      return (rule ? rule_name(d.rule) + " would act on it; " : std::string()) + "referenced by manifest list " +
             std::string(registry.str(registry.images[d.parent].digest));
    case Reason::UntagLastTag:
      return rule_name(d.rule) + " removes every tag it has, and ECR deletes an image with its last tag";
    case Reason::SubjectKept:
      return (rule ? rule_name(d.rule) + " would act on it; " : std::string()) + "an artifact of " +
             std::string(registry.str(registry.images[d.parent].digest)) +
             (d.verdict == Verdict::Keep ? ", which stays" : ", which is archived, not deleted");
  }
  return "";
}

}  // namespace regpol
