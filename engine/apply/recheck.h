#pragma once
// The act-time invariant: an action goes ahead only while it is still true. Right before a
// repository's batches are sent (on a first run and on every resume), apply reads the
// repository again from the target and drops each unfinished action that a plan made at
// that moment would not take: the image is gone, its tags or storage class changed, a plan
// of the repository as it is now keeps it, an index that stays lists it, a referrer pushed
// since the plan names it, or the deletions would empty a repository whose lifecycle does
// not say `allow_empty`. docs/apply.md states the rule.
#include <cstdint>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "apply/target.h"

namespace regpol {

// What a fresh plan of one repository, as the target holds it now, would do: each
// (digest, kind) it acts on. False with `error` when it cannot be made (then nothing of
// that repository goes ahead).
using FreshPlan = std::function<bool(const Registry& now, std::set<std::pair<std::string, ActionKind>>& would, std::string& error)>;

// One action that must not go ahead, and what to record for it.
struct Recheck {
  std::size_t action;   // index into the actions checked
  ActionStatus status;  // AlreadyDone or Skipped
  std::string event;    // the audit log's word: already-gone, already-archived, skipped
  std::string answer;   // why
  // Dropped only because the deletions would empty the repository: before a run starts
  // this is the never-empty rail's to refuse (the whole run), not a quiet skip.
  bool would_empty = false;
};

// The tags an untag action leaves on its image (sorted, as `tags` and `untag` are).
std::vector<std::string> tags_after_untag(const ActionRecord& a);

// Checks `unfinished` (indices into `actions`, all of one repository) against `now`, the
// repository as the target holds it (Target::read). `run_now` is the instant the run was
// planned at; `fresh`, when not null, re-plans the repository.
std::vector<Recheck> recheck_repository(const Registry& now, const std::vector<ActionRecord>& actions, const std::vector<std::size_t>& unfinished,
                                        Micros run_now, const FreshPlan* fresh);

// ActionRecord::graph_rank of each image of one repository (by digest): 3 x its depth
// (0 when no index of the repository lists it, else one more than the deepest index that
// does) plus 0 for a referrer, 1 for an index, 2 for the rest. Deleting in rank order
// removes every index before anything it lists (nested indexes and signatures an index
// lists included), and referrers before their subjects; without nesting the ranks are the
// 0 / 1 / 2 of journals written before depth counted.
std::unordered_map<std::string, std::int64_t> graph_ranks(const std::vector<TargetImage>& images);
// Sets each action's graph_rank from `registry` (a snapshot, or the target read now) where
// it holds the action's image.
void rank_actions(const Registry& registry, std::vector<ActionRecord>& actions);

// Reads every repository that has unfinished actions and rechecks them, and ranks them by
// the target's graph (rank_actions). `images` gets each such repository's image count in
// the target now (for the rails). Targets that cannot be read give no decisions and no
// counts. False with `error` (with its kind) when a read fails.
bool recheck_against_target(Target& target, std::vector<ActionRecord>& actions, Micros run_now, const FreshPlan* fresh,
                            std::vector<Recheck>& decisions, std::map<std::string, std::int64_t>& images, Error& error);

}  // namespace regpol
