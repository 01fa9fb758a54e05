#include "apply/request_order.h"

#include <algorithm>

namespace regpol {

std::int64_t request_rank(const ActionRecord& action) { return std::clamp<std::int64_t>(action.graph_rank, 0, 2); }

std::vector<std::size_t> request_order(const std::vector<ActionRecord>& actions) {
  std::vector<std::size_t> order;
  order.reserve(actions.size());
  for (std::size_t i = 0; i < actions.size();) {
    std::size_t end = i;
    while (end < actions.size() && actions[end].repository == actions[i].repository) ++end;
    for (ActionKind kind : {ActionKind::Delete, ActionKind::Transition}) {
      for (std::int64_t rank = 0; rank <= 2; ++rank) {
        for (std::size_t k = i; k < end; ++k) {
          if (actions[k].kind == kind && request_rank(actions[k]) == rank) order.push_back(k);
        }
      }
    }
    i = end;
  }
  return order;
}

bool same_request_group(const ActionRecord& a, const ActionRecord& b) {
  return a.repository == b.repository && a.kind == b.kind && request_rank(a) == request_rank(b);
}

}  // namespace regpol
