#include "apply/drain.h"

#include <algorithm>
#include <map>
#include <string>

namespace regpol {

std::size_t drain_deletions(std::vector<ActionRecord>& actions, const DrainCaps& caps) {
  std::vector<ActionRecord*> pending;
  for (auto& a : actions) {
    if (a.kind == ActionKind::Delete && a.status == ActionStatus::Pending) pending.push_back(&a);
  }
  auto pushed = [](const ActionRecord* a) { return a->pushed_at == kNoTime ? INT64_MAX : a->pushed_at; };
  std::stable_sort(pending.begin(), pending.end(), [&](const ActionRecord* x, const ActionRecord* y) {
    if (x->graph_rank != y->graph_rank) return x->graph_rank < y->graph_rank;
    if (pushed(x) != pushed(y)) return pushed(x) < pushed(y);
    return x->seq < y->seq;
  });
  std::int64_t taken = 0;
  std::map<std::string, std::int64_t> taken_in;
  std::size_t deferred = 0;
  for (ActionRecord* a : pending) {
    std::int64_t& in_repository = taken_in[a->repository];
    const bool run_full = caps.per_run && taken >= *caps.per_run;
    const bool repository_full = caps.per_repository && in_repository >= *caps.per_repository;
    if (!run_full && !repository_full) {
      ++taken;
      ++in_repository;
      continue;
    }
    a->status = ActionStatus::Deferred;
    a->answer = run_full ? "--drain: past --max-delete " + std::to_string(*caps.per_run) + " this run; a later run takes it"
                         : "--drain: past --max-delete-per-repository " + std::to_string(*caps.per_repository) + " in `" + a->repository +
                               "` this run; a later run takes it";
    ++deferred;
  }
  return deferred;
}

}  // namespace regpol
