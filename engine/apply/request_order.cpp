#include "apply/request_order.h"

#include <algorithm>

namespace regpol {

std::int64_t request_rank(const ActionRecord& action) { return std::max<std::int64_t>(action.graph_rank, 0); }

std::vector<std::size_t> request_order(const std::vector<ActionRecord>& actions) {
  std::vector<std::size_t> order(actions.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  // Each run of one repository's actions stays where it is; within it, deletions before
  // transitions, then tag removals, each by rank, then in plan order (a stable sort keeps
  // plan order).
  for (std::size_t i = 0; i < actions.size();) {
    std::size_t end = i;
    while (end < actions.size() && actions[end].repository == actions[i].repository) ++end;
    std::stable_sort(order.begin() + static_cast<std::ptrdiff_t>(i), order.begin() + static_cast<std::ptrdiff_t>(end),
                     [&](std::size_t a, std::size_t b) {
                       const auto ka = static_cast<int>(actions[a].kind), kb = static_cast<int>(actions[b].kind);
                       if (ka != kb) return ka < kb;
                       return request_rank(actions[a]) < request_rank(actions[b]);
                     });
    i = end;
  }
  return order;
}

bool same_request_group(const ActionRecord& a, const ActionRecord& b) {
  return a.repository == b.repository && a.kind == b.kind && request_rank(a) == request_rank(b);
}

}  // namespace regpol
