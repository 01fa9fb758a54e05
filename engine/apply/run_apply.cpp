#include "apply/run_apply.h"

#include <algorithm>
#include <csignal>
#include <cstdlib>
#include <map>
#include <stdexcept>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "apply/request_order.h"

namespace regpol {

namespace {

// Fault injection for the crash tests: REGPOL_TEST_KILL_AT=POINT:N kills the process with
// SIGKILL the N-th time it reaches POINT (before-sent, after-sent, after-target,
// after-record): the moments between the journal's writes and the target's call.
class KillPoint {
 public:
  KillPoint() {
    const char* spec = std::getenv("REGPOL_TEST_KILL_AT");  // NOLINT(concurrency-mt-unsafe): regpol never sets the environment
    if (!spec) return;
    std::string s = spec;
    auto colon = s.find(':');
    if (colon == std::string::npos) return;
    point_ = s.substr(0, colon);
    try {
      remaining_ = std::stol(s.substr(colon + 1));
    } catch (...) {
      point_.clear();
    }
  }
  void reach(const char* point) {
    if (point_.empty() || point_ != point) return;
    if (--remaining_ <= 0) std::raise(SIGKILL);
  }

 private:
  std::string point_;
  long remaining_ = 0;
};

bool is_final(ActionStatus s) { return s != ActionStatus::Pending && s != ActionStatus::Sent; }

// An action this run sent before it stopped (killed between the call and its journal
// entry), which the target now finds already so, was carried out by this run: it is
// credited as done, so the run's counts and the storage it freed say what the run did.
void credit_sent_before_stop(const ActionRecord& a, const std::unordered_set<std::int64_t>& sent_before, ActionStatus& status,
                             std::string& event, std::string& answer) {
  if (status != ActionStatus::AlreadyDone || !sent_before.count(a.seq)) return;
  status = ActionStatus::Done;
  event = a.kind == ActionKind::Delete ? "deleted" : a.kind == ActionKind::Transition ? "transitioned" : "untagged";
  answer = "sent before the run stopped, found done on resuming (" + answer + ")";
}

}  // namespace

bool supersede_run(StateStore& store, Target* target, std::int64_t run, const std::string& why, std::string& error) {
  try {
    std::vector<ActionRecord> actions = store.actions(run);
    std::map<std::string, std::vector<std::size_t>> by_repo;
    for (std::size_t i = 0; i < actions.size(); ++i) {
      if (!is_final(actions[i].status)) by_repo[actions[i].repository].push_back(i);
    }
    std::vector<StateStore::Outcome> outcomes;
    const std::string superseded = "superseded before it was carried out: " + why;
    for (const auto& [repo, list] : by_repo) {
      std::map<std::string, std::string> class_of;  // digest -> storage class now
      const bool readable = target && target->can_list();
      if (readable) {
        Registry now;
        if (Error e; !target->read(repo, now, e)) {
          error = "cannot read `" + repo + "` to settle run " + std::to_string(run) + ": " + e.message;
          return false;
        }
        for (const auto& t : target_images(now, repo)) class_of.emplace(t.digest, t.storage_class);
      }
      for (std::size_t i : list) {
        const ActionRecord& a = actions[i];
        auto it = class_of.find(a.digest);
        if (readable && a.kind == ActionKind::Delete && it == class_of.end()) {
          outcomes.push_back({&a, ActionStatus::AlreadyDone, "already-gone", "gone when run " + std::to_string(run) + " was settled (" + why + ")"});
        } else if (readable && a.kind == ActionKind::Transition && it != class_of.end() && it->second == "archive") {
          outcomes.push_back({&a, ActionStatus::AlreadyDone, "already-archived", "archived when run " + std::to_string(run) + " was settled (" + why + ")"});
        } else {
          outcomes.push_back({&a, ActionStatus::Skipped, "superseded", superseded});
        }
      }
    }
    if (!outcomes.empty()) store.record_outcomes(run, outcomes);
    store.finish_run(run, "superseded", why);  // audits `run-superseded`
    return true;
  } catch (const std::exception& e) {
    error = e.what();
    return false;
  }
}

ExecuteResult execute_run(StateStore& store, Target& target, std::int64_t run, const ExecuteOptions& options) {
  ExecuteResult result;
  static KillPoint kill;
  try {
    std::vector<ActionRecord> actions = store.actions(run);
    const std::unordered_set<std::int64_t> sent_before = store.sent_actions(run);
    // Batches: request_order cut where the repository, kind or graph rank changes and at the
    // batch size. They are cut from the whole list (finished actions included), so a
    // resumed run cuts the same batches as the first attempt: a batch's request is the same
    // request. Actions decided before any call (deferred, skipped) are in none.
    std::vector<std::size_t> order;         // action indices, batch after batch
    std::vector<std::size_t> batch_starts;  // where each batch begins in `order`
    {
      const ActionRecord* previous = nullptr;
      std::size_t in_batch = 0, limit = 0;
      for (std::size_t k : request_order(actions)) {
        const ActionRecord& a = actions[k];
        if (a.status == ActionStatus::Deferred || a.status == ActionStatus::Skipped) continue;
        const bool same = previous && same_request_group(*previous, a);
        if (!same) {
          limit = target.batch_size(a.kind);
          if (options.batch_size) limit = std::min(limit, options.batch_size);
        }
        if (!same || in_batch == limit) {
          batch_starts.push_back(order.size());
          in_batch = 0;
        }
        order.push_back(k);
        ++in_batch;
        previous = &a;
      }
    }
    std::size_t total = 0, finished = 0;
    for (const auto& a : actions) total += (a.status == ActionStatus::Pending || a.status == ActionStatus::Sent) ? 1 : 0;
    bool any_failed = std::any_of(actions.begin(), actions.end(), [](const ActionRecord& a) { return a.status == ActionStatus::Failed; });
    batch_starts.push_back(order.size());
    const RunRecord record = *store.run(run);
    const Micros run_now = record.now;
    const RunKey key{run, record.uid};
    // Each repository's actions, for its recheck: one pass here, not one pass over every
    // action per repository (100,000 actions in 1,000 repositories made that most of a run).
    std::unordered_map<std::string_view, std::vector<std::size_t>> actions_of;
    for (std::size_t i = 0; i < actions.size(); ++i) actions_of[actions[i].repository].push_back(i);
    std::string rechecked;  // the repository read again last
    for (std::size_t b = 0; b + 1 < batch_starts.size(); ++b) {
      const std::string& repository = actions[order[batch_starts[b]]].repository;
      if (target.can_list() && repository != rechecked) {
        // The repository as it is now decides what still goes (recheck.h): read right
        // before its first batch, on a first run and on every resume alike.
        std::vector<std::size_t> unfinished;
        for (std::size_t i : actions_of[repository]) {
          if (!is_final(actions[i].status)) unfinished.push_back(i);
        }
        Registry now;
        if (!target.read(repository, now, result.error)) {
          result.error.message = "the target failed: cannot read `" + repository + "` again: " + result.error.message;
          store.audit_run_event(run, "run-stopped", result.error.message);
          return result;
        }
        std::vector<Recheck> dropped = recheck_repository(now, actions, unfinished, run_now, options.fresh);
        for (auto& d : dropped) credit_sent_before_stop(actions[d.action], sent_before, d.status, d.event, d.answer);
        if (!dropped.empty()) {
          std::vector<StateStore::Outcome> outcomes;
          outcomes.reserve(dropped.size());
          for (const auto& d : dropped) outcomes.push_back({&actions[d.action], d.status, d.event, d.answer});
          store.record_outcomes(run, outcomes);
          for (const auto& d : dropped) {
            actions[d.action].status = d.status;
            actions[d.action].answer = d.answer;
          }
          finished += dropped.size();
        }
        rechecked = repository;
      }
      std::vector<std::size_t> mine;  // indices into `actions`
      std::vector<const ActionRecord*> todo;
      for (std::size_t o = batch_starts[b]; o < batch_starts[b + 1]; ++o) {
        std::size_t k = order[o];
        if (actions[k].status != ActionStatus::Pending && actions[k].status != ActionStatus::Sent) continue;
        mine.push_back(k);
        todo.push_back(&actions[k]);
      }
      if (todo.empty()) continue;
      kill.reach("before-sent");
      store.mark_sent(run, todo);
      kill.reach("after-sent");
      std::vector<TargetAnswer> answers;
      if (!target.apply(key, todo.front()->kind, todo.front()->repository, todo, answers, result.error)) {
        result.error.message = "the target failed: " + result.error.message;
        store.audit_run_event(run, "run-stopped", result.error.message);
        return result;
      }
      if (answers.size() != todo.size()) throw std::logic_error("the target answered " + std::to_string(answers.size()) + " of " + std::to_string(todo.size()));
      kill.reach("after-target");
      std::vector<StateStore::Outcome> outcomes;
      for (std::size_t k = 0; k < todo.size(); ++k) {
        credit_sent_before_stop(*todo[k], sent_before, answers[k].status, answers[k].event, answers[k].answer);
        outcomes.push_back({todo[k], answers[k].status, answers[k].event, answers[k].answer});
        any_failed = any_failed || answers[k].status == ActionStatus::Failed;
      }
      store.record_outcomes(run, outcomes);
      for (std::size_t k = 0; k < mine.size(); ++k) {
        actions[mine[k]].status = answers[k].status;
        actions[mine[k]].answer = answers[k].answer;
      }
      kill.reach("after-record");
      if (options.on_batch) options.on_batch(run, todo, answers);
      finished += todo.size();
      if (options.progress) options.progress(finished, total);
    }
    if (Error err; !target.finish(key, actions, err)) {
      result.error = {err.kind, "the target failed to finish the run: " + err.message};
      store.audit_run_event(run, "run-stopped", result.error.message);
      return result;
    }
    store.finish_run(run, any_failed ? "failed" : "finished", any_failed ? "the target refused some actions" : "");
    result.completed = true;
  } catch (const StoreFailure& e) {
    result.error = e.error();  // the journal failed; its kind says whether a later run can resume
    result.journal_failed = true;
  } catch (const std::exception& e) {
    result.error = {ErrorKind::Internal, e.what()};
  }
  return result;
}

}  // namespace regpol
