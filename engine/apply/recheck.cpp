#include "apply/recheck.h"

#include <unordered_map>
#include <unordered_set>

namespace regpol {

namespace {

std::string describe_tags(const std::vector<std::string>& tags) {
  if (tags.empty()) return "untagged";
  std::string out = "[";
  for (std::size_t i = 0; i < tags.size(); ++i) out += (i ? ", " : "") + tags[i];
  return out + "]";
}

bool is_unfinished(ActionStatus s) { return s == ActionStatus::Pending || s == ActionStatus::Sent; }

}  // namespace

std::vector<std::string> tags_after_untag(const ActionRecord& a) {
  std::vector<std::string> out;
  for (const auto& t : a.tags)
    if (!std::binary_search(a.untag.begin(), a.untag.end(), t)) out.push_back(t);
  return out;
}

std::vector<Recheck> recheck_repository(const Registry& now, const std::vector<ActionRecord>& actions, const std::vector<std::size_t>& unfinished,
                                        Micros run_now, const FreshPlan* fresh) {
  std::vector<Recheck> out;
  if (unfinished.empty()) return out;
  const std::string& repository = actions[unfinished.front()].repository;
  std::vector<TargetImage> images = target_images(now, repository);
  std::unordered_map<std::string, const TargetImage*> by_digest;
  for (const auto& t : images) by_digest.emplace(t.digest, &t);

  std::set<std::pair<std::string, ActionKind>> would;
  std::string fresh_error;
  const bool fresh_failed = fresh && !(*fresh)(now, would, fresh_error);

  // First each action on its own: is its image still there, as the plan saw it, and would a
  // plan made now still take it?
  std::vector<std::size_t> deleting;  // actions still going ahead that delete
  for (std::size_t k : unfinished) {
    const ActionRecord& a = actions[k];
    auto it = by_digest.find(a.digest);
    if (it == by_digest.end()) {
      if (a.kind == ActionKind::Delete) out.push_back({k, ActionStatus::AlreadyDone, "already-gone", "not in the target when apply read `" + repository + "` again"});
      else out.push_back({k, ActionStatus::Skipped, "skipped", "not in the target when apply read `" + repository + "` again: nothing to " +
                                                               (a.kind == ActionKind::Untag ? "untag" : "move")});
      continue;
    }
    const TargetImage& t = *it->second;
    if (a.kind == ActionKind::Transition && t.storage_class == "archive") {
      out.push_back({k, ActionStatus::AlreadyDone, "already-archived", "already in the archive class"});
      continue;
    }
    if (a.kind == ActionKind::Untag && t.tags == tags_after_untag(a)) {
      out.push_back({k, ActionStatus::AlreadyDone, "already-untagged", "the tags it removes are gone already"});
      continue;
    }
    std::string changed;
    if (t.tags != a.tags) changed = "tags were " + describe_tags(a.tags) + ", now " + describe_tags(t.tags);
    if (t.storage_class != a.storage_class) {
      changed += (changed.empty() ? "" : "; ") + std::string("was in the ") + a.storage_class + " class, now in the " + t.storage_class + " class";
    }
    if (!changed.empty()) {
      out.push_back({k, ActionStatus::Skipped, "skipped", "changed since the plan: " + changed});
      continue;
    }
    if (fresh_failed) {
      out.push_back({k, ActionStatus::Skipped, "skipped", "`" + repository + "` could not be planned again as it is now: " + fresh_error});
      continue;
    }
    if (fresh && !would.count({a.digest, a.kind})) {
      out.push_back({k, ActionStatus::Skipped, "skipped",
                     std::string("a plan of `") + repository + "` as the target holds it now would not " +
                         (a.kind == ActionKind::Delete ? "delete" : a.kind == ActionKind::Untag ? "untag" : "archive") + " it"});
      continue;
    }
    if (a.kind == ActionKind::Delete) deleting.push_back(k);
  }

  // Then what references an image: an index that stays lists its children, and a referrer
  // pushed since the plan names its subject; deleting those would break what stays. Each
  // image kept this way stays too, so this runs until nothing changes.
  std::unordered_map<std::string, std::size_t> going;  // digest -> action
  for (std::size_t k : deleting) going.emplace(actions[k].digest, k);
  for (bool changed = true; changed;) {
    changed = false;
    for (const auto& t : images) {
      if (going.count(t.digest)) continue;  // goes too: references nothing that stays
      auto keep = [&](const std::string& digest, const std::string& why) {
        auto g = going.find(digest);
        if (g == going.end()) return;
        out.push_back({g->second, ActionStatus::Skipped, "skipped", why});
        going.erase(g);
        changed = true;
      };
      for (const auto& c : t.children) keep(c, "the index " + t.digest + ", which stays, lists it");
      if (!t.subject.empty() && t.pushed_at != kNoTime && t.pushed_at > run_now) {
        keep(t.subject, "the referrer " + t.digest + ", pushed since the plan, names it as its subject");
      }
    }
  }

  // Never empty a repository whose lifecycle does not say so, counting what it holds now.
  if (!going.empty() && images.size() == going.size()) {
    const ActionRecord& any = actions[going.begin()->second];
    if (!any.allow_empty) {
      for (std::size_t k : deleting) {
        if (!going.count(actions[k].digest)) continue;
        out.push_back({k, ActionStatus::Skipped, "skipped",
                       "deleting it would leave `" + repository + "` empty (it holds " + std::to_string(images.size()) +
                           " images now), and its lifecycle does not say `allow_empty`",
                       true});
      }
    }
  }
  return out;
}

std::unordered_map<std::string, std::int64_t> graph_ranks(const std::vector<TargetImage>& images) {
  std::unordered_map<std::string, std::size_t> at;
  for (std::size_t i = 0; i < images.size(); ++i) at.emplace(images[i].digest, i);
  // Depth by relaxation along "lists": at most one pass per image, so a cycle (which no
  // registry holds, since a digest names its content) cannot loop forever.
  std::vector<std::int64_t> depth(images.size(), 0);
  for (std::size_t pass = 0; pass < images.size(); ++pass) {
    bool changed = false;
    for (std::size_t i = 0; i < images.size(); ++i) {
      for (const auto& c : images[i].children) {
        auto it = at.find(c);
        if (it != at.end() && it->second != i && depth[it->second] < depth[i] + 1) {
          depth[it->second] = depth[i] + 1;
          changed = true;
        }
      }
    }
    if (!changed) break;
  }
  std::unordered_map<std::string, std::int64_t> rank;
  for (std::size_t i = 0; i < images.size(); ++i) {
    const std::int64_t base = !images[i].subject.empty() ? 0 : !images[i].children.empty() ? 1 : 2;
    rank.emplace(images[i].digest, 3 * depth[i] + base);
  }
  return rank;
}

void rank_actions(const Registry& registry, std::vector<ActionRecord>& actions) {
  std::map<std::string, std::unordered_map<std::string, std::int64_t>> ranks;  // repository -> digest -> rank
  for (auto& a : actions) {
    auto it = ranks.find(a.repository);
    if (it == ranks.end()) {
      it = ranks.emplace(a.repository, std::unordered_map<std::string, std::int64_t>{}).first;
      it->second = graph_ranks(target_images(registry, a.repository));
    }
    if (auto r = it->second.find(a.digest); r != it->second.end()) a.graph_rank = r->second;
  }
}

bool recheck_against_target(Target& target, std::vector<ActionRecord>& actions, Micros run_now, const FreshPlan* fresh,
                            std::vector<Recheck>& decisions, std::map<std::string, std::int64_t>& images, Error& error) {
  decisions.clear();
  images.clear();
  if (!target.can_list()) return true;
  std::map<std::string, std::vector<std::size_t>> by_repo;
  for (std::size_t i = 0; i < actions.size(); ++i) {
    if (is_unfinished(actions[i].status)) by_repo[actions[i].repository].push_back(i);
  }
  for (const auto& [repo, list] : by_repo) {
    Registry now;
    if (!target.read(repo, now, error)) return false;
    std::vector<TargetImage> held = target_images(now, repo);
    images[repo] = static_cast<std::int64_t>(held.size());
    const std::unordered_map<std::string, std::int64_t> rank = graph_ranks(held);
    for (std::size_t i : list) {
      if (auto r = rank.find(actions[i].digest); r != rank.end()) actions[i].graph_rank = r->second;
    }
    auto found = recheck_repository(now, actions, list, run_now, fresh);
    decisions.insert(decisions.end(), found.begin(), found.end());
  }
  return true;
}

}  // namespace regpol
