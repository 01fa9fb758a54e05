#pragma once
// Where apply's actions go. Each target declares its batch sizes and whether it can read a
// repository as it is now (apply acts only on what is still true then: run_apply.h).
// Calls must be idempotent: an action already carried out answers AlreadyDone, so a batch
// sent twice (a crash between the call and the journal's record of it) acts once.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "snapshot/model.h"
#include "store/state_store.h"
#include "util/error.h"

namespace regpol {

struct TargetImage {
  std::string digest;
  std::vector<std::string> tags;      // sorted
  std::string storage_class;          // "standard" or "archive"
  std::vector<std::string> children;  // an index's manifests
  std::string subject;                // a referrer's subject digest, or ""
  Micros pushed_at = kNoTime;
};

// What a plan's snapshot says of where it came from (Registry::source and store_id, or a
// plan artifact's copy of them) and the registry ids its repositories name.
struct SnapshotOrigin {
  std::string source, store_id;
  std::vector<std::string> registry_ids;  // distinct, as the snapshot's repositories name them
};

// The images of one repository of `registry` (as Target::read filled it), tags sorted.
std::vector<TargetImage> target_images(const Registry& registry, const std::string& repository);

// A run as a target sees it: the state file's id, and an id unique across state files
// (folders and event ids a target writes are named by it, so two state files writing to one
// place never overwrite each other). `uid` is "" for runs recorded before it existed.
struct RunKey {
  std::int64_t id = 0;
  std::string uid;
};

struct TargetAnswer {
  ActionStatus status = ActionStatus::Failed;  // Done, AlreadyDone, Skipped or Failed
  std::string event;   // the audit log's word: deleted, transitioned, already-gone, written, …
  std::string answer;  // the target's own words, for the audit log
};

class Target {
 public:
  virtual ~Target() = default;
  // How runs.target records it ("store:/path/snap.db", "actions:/path/dir").
  virtual std::string name() const = 0;
  virtual std::size_t batch_size(ActionKind kind) const = 0;
  // "" when a snapshot of this origin may describe the target; otherwise why not, naming
  // both (apply refuses the run). An origin that says nothing is not refused here.
  virtual std::string mismatch(const SnapshotOrigin& origin) const {
    (void)origin;
    return "";
  }
  // Whether the target's address covers `repository` (an oci:// prefix bounds every action).
  virtual bool in_scope(const std::string& repository) const {
    (void)repository;
    return true;
  }
  virtual bool can_list() const = 0;
  // The repository as the target holds it now, as a snapshot of that one repository (no
  // images when the repository does not exist), with finish_registry() done: what a fresh
  // plan is made from. False with `error` (its kind says why: util/error.h) when the target
  // cannot be read.
  virtual bool read(const std::string& repository, Registry& out, Error& error) = 0;
  // One batch: the same repository and kind, at most batch_size(kind) actions. Fills one
  // answer per action, in order. False with `error` when the batch could not be tried at
  // all (the run stops and resumes later).
  virtual bool apply(const RunKey& run, ActionKind kind, const std::string& repository, const std::vector<const ActionRecord*>& batch,
                     std::vector<TargetAnswer>& answers, Error& error) = 0;
  // After the run's last batch.
  virtual bool finish(const RunKey& run, const std::vector<ActionRecord>& actions, Error& error) {
    (void)run;
    (void)actions;
    (void)error;
    return true;
  }
};

}  // namespace regpol
