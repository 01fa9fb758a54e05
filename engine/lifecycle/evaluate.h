#pragma once
// The lifecycle evaluator: ECR's documented algorithm (matched, candidates, claimed) and
// regpol's extensions (`where`, `by semver`, `per`, `protect`, manifest lists).
// docs/lifecycle.md states the algorithm and the tie-breaking rule.
#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "plan/lifecycle_plan.h"

namespace regpol {

// Untag: the image stays, without the tags an untag rule removes (LifecycleResult::removals).
enum class Verdict : std::uint8_t { Keep, Expire, Transition, Untag };

enum class Reason : std::uint8_t {
  NoRuleMatched,        // no rule's selection matched
  WithinNewest,         // matched `rule`, among the N it keeps
  NotOldEnough,         // matched `rule`, not older than its threshold
  NoTimestamp,          // matched `rule`, which needs a time the image lacks (lastArchivedAt)
  BeyondNewest,         // actioned by `rule`: beyond the N newest
  OlderThan,            // actioned by `rule`: older than its threshold
  Protected,            // `rule` would have actioned it; protect clause `protect` saved it
  ReferencedByList,     // `rule` would have actioned it; a surviving manifest list references it
  Activating,           // being restored from archive: no rule applies
  PredicateError,       // a `where`/`per` expression could not be evaluated (see errors)
  SubjectDeleted,       // an artifact no rule decided whose subject (`parent`) expires (Distribution snapshots)
  SubjectKept,          // `rule` would have actioned it; an artifact whose subject (`parent`) stays (regpol lifecycles)
  UntagLastTag,         // untag rule `rule` removes every tag of an image on ECR, which deletes an image with its last tag
};

struct ImageDecision {
  Verdict verdict = Verdict::Keep;
  Reason reason = Reason::NoRuleMatched;
  std::int32_t rule = -1;     // index into plan.rules: the deciding (or first matching) rule
  std::int32_t protect = -1;  // index into plan.protects
  std::uint32_t parent = 0;   // ReferencedByList: the manifest list's image index
  Micros reference_time = kNoTime;  // the time compared with the threshold (since* rules)
};

struct EvaluationError {
  std::uint32_t image;
  std::int32_t rule;
  std::string message;
};

// What each rule made of one image (regpol explain).
struct RuleTrace {
  std::int32_t rule = -1;
  bool matched = false;         // in the rule's selection
  bool candidate = false;       // beyond the count, or older than the threshold
  bool claimed_before = false;  // a higher rule's selection had matched it already
  Reason reason = Reason::NoRuleMatched;
  Micros reference_time = kNoTime;
};

struct LifecycleOptions {
  Micros now = 0;
  // Images that are deployed (protect in_use), as in_use_key(repository, digest): by name,
  // not by index, because apply's act-time recheck evaluates the same options on the
  // registry as it is then.
  std::unordered_set<std::string> in_use;
  unsigned threads = 0;              // 0: all cores
  std::uint32_t trace_image = UINT32_MAX;  // record RuleTrace for this image index
  std::vector<RuleTrace>* trace = nullptr;
};


// The tags an untag rule removes from one image (Verdict::Untag), sorted by name.
struct TagRemoval {
  std::uint32_t image = 0;
  std::vector<StrId> tags;
  bool all = false;  // every tag the image has: it stays untagged
};

struct LifecycleResult {
  std::vector<ImageDecision> decisions;  // indexed like registry.images
  std::vector<TagRemoval> removals;      // one per Verdict::Untag decision, by image index
  std::vector<std::uint32_t> repositories;  // evaluated repositories (indices), in order
  std::vector<EvaluationError> errors;
  // Places among count rules' newest N that artifacts (signatures, SBOMs: images with a
  // subject or a cosign tag) took: each is an image of the kind the rule meant that goes
  // instead. Reports warn; `where not is_artifact` counts images only.
  std::size_t counted_artifacts = 0;
};

// The removal of image `image`, or null when it loses no tag.
const TagRemoval* removal_of(const LifecycleResult& result, std::uint32_t image);

// Evaluates `plans[k]` against the repositories `scopes[k]`; a repository appears in one
// scope at most. Output is identical at any thread count.
struct ScopedPlan {
  const LifecyclePlan* plan;
  std::vector<std::uint32_t> repositories;
};
LifecycleResult evaluate_lifecycle(const Registry& registry, const std::vector<ScopedPlan>& scopes,
                                   const LifecycleOptions& options);

// Human-readable reason for one decision ("matched rule 1's selection: among the 10 newest").
// An age decision (Reason::OlderThan or NotOldEnough) is the one text that differs per image
// only by the image's age: describe_decision returns prefix + age_text(now, reference) +
// suffix. Reports cache the two halves per rule (tens of thousands of images share them).
struct AgeReasonParts {
  std::string prefix, suffix;
};
// False (parts untouched) unless `d` is an age decision.
bool age_reason_parts(const LifecyclePlan& plan, const ImageDecision& d, AgeReasonParts& parts);
// "49.1d ago" (or "in the future"): digits, '.', letters and spaces only.
std::string age_text(Micros now, Micros reference);
void append_age_text(std::string& out, Micros now, Micros reference);

std::string describe_decision(const Registry& registry, const LifecyclePlan& plan, const ImageDecision& d,
                              Micros now);

// True when the reason's text names another image (the index that lists it, its subject):
// the one kind besides an age that reports cannot render once per rule and reuse.
bool reason_names_another_image(Reason reason);

}  // namespace regpol
