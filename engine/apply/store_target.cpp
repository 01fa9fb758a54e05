#include "apply/store_target.h"

#include <filesystem>

#include "snapshot/reader.h"
#include "store/snapshot_store.h"

namespace regpol {

std::unique_ptr<StoreTarget> StoreTarget::open(const std::string& path, std::string& error) {
  auto editor = SnapshotStoreEditor::open(path, error);
  if (!editor) return nullptr;
  std::error_code ec;
  auto abs = std::filesystem::absolute(path, ec);
  return std::unique_ptr<StoreTarget>(new StoreTarget(ec ? path : abs.lexically_normal().string(), std::move(editor)));
}

std::string StoreTarget::mismatch(const SnapshotOrigin& origin) const {
  // A copy of a store keeps its id, so `--snapshot snap.db --target copy.db` is one store;
  // two imports are two stores, even of the same file.
  if (!origin.store_id.empty() && !store_id_.empty() && origin.store_id != store_id_) {
    return "the snapshot was read from store " + origin.store_id + ", but the target " + path_ + " is store " + store_id_;
  }
  if (!origin.source.empty() && !source_.empty() && origin.source != source_) {
    return "the snapshot is of " + origin.source + ", but the target " + path_ + " holds a snapshot of " + source_;
  }
  return "";
}

bool StoreTarget::read(const std::string& repository, Registry& out, Error& error) {
  // The store's failures (a locked or damaged database) stop the run like any target's.
  std::string message;
  if (!editor_->read(repository, out, message)) {
    error = {ErrorKind::Retryable, path_ + ": " + message};
    return false;
  }
  LoadError e;
  if (!finish_registry(out, e, 1)) {
    error = {ErrorKind::BadInput, e.to_string()};
    return false;
  }
  return true;
}

bool StoreTarget::apply(const RunKey&, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
                        std::vector<TargetAnswer>& answers, Error& error) {
  std::string message;
  std::vector<std::string> digests;
  digests.reserve(batch.size());
  for (const auto* a : batch) digests.push_back(a->digest);
  std::vector<SnapshotStoreEditor::Change> changes;
  bool ok = false;
  if (kind == ActionKind::Untag) {
    answers.clear();
    for (const auto* a : batch) {
      SnapshotStoreEditor::Change c{};
      if (!editor_->untag(repository, a->digest, a->untag, c, message)) {
        error = {ErrorKind::Retryable, path_ + ": " + message};
        return false;
      }
      using C = SnapshotStoreEditor::Change;
      answers.push_back(c == C::Changed       ? TargetAnswer{ActionStatus::Done, "untagged", "removed its tags in the store"}
                        : c == C::AlreadyDone ? TargetAnswer{ActionStatus::AlreadyDone, "already-untagged", "none of those tags in the store"}
                                              : TargetAnswer{ActionStatus::Skipped, "skipped", "not in the store: nothing to untag"});
    }
    return true;
  }
  if (kind == ActionKind::Delete) {
    ok = editor_->remove(repository, digests, changes, message);
  } else {
    ok = editor_->archive(repository, digests, current_time(), changes, message);
  }
  if (!ok) {
    error = {ErrorKind::Retryable, path_ + ": " + message};
    return false;
  }
  answers.clear();
  for (auto c : changes) {
    using C = SnapshotStoreEditor::Change;
    if (kind == ActionKind::Delete) {
      answers.push_back(c == C::Changed ? TargetAnswer{ActionStatus::Done, "deleted", "removed from the store"}
                                        : TargetAnswer{ActionStatus::AlreadyDone, "already-gone", "not in the store"});
    } else {
      answers.push_back(c == C::Changed       ? TargetAnswer{ActionStatus::Done, "transitioned", "moved to the archive class"}
                        : c == C::AlreadyDone ? TargetAnswer{ActionStatus::AlreadyDone, "already-archived", "already in the archive class"}
                                              : TargetAnswer{ActionStatus::Skipped, "skipped", "not in the store: nothing to move"});
    }
  }
  return true;
}

}  // namespace regpol
