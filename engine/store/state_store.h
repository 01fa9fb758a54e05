#pragma once
// The state database of `regpol apply` (SQLite, WAL): runs, the actions each run planned
// and what became of them, an append-only audit log, and when each image first became a
// deletion candidate (for `--grace`). docs/apply.md describes the tables.
//
// Exactly-once rests on two rules kept by apply/: an action is marked `sent` (durably)
// before the target is called, and its outcome is recorded after; on resume, `sent`
// actions are sent again to a target whose calls are idempotent (a delete of what is gone
// is "already gone", recorded as such).
#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_set>
#include <vector>

#include "util/error.h"
#include "util/time.h"

struct sqlite3;

namespace regpol {

// What StateStore's operations throw when the database fails them: the message and the
// kind of failure (util/error.h), from SQLite's result code, so that apply decides on the
// kind (a busy database or a full disk: resume later; a read-only file: fix the
// permissions; a file this version cannot read: bad input) and never on the wording.
class StoreFailure : public std::runtime_error {
 public:
  StoreFailure(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
  ErrorKind kind() const { return kind_; }
  Error error() const { return {kind_, what()}; }

 private:
  ErrorKind kind_;
};

// One apply per state file: an exclusive lock on STATE.db.lock (flock), released by the
// kernel when the holder exits, however it exits, so a killed apply leaves no stale lock
// to wait on. The file keeps the holder's pid and start for the message a second apply
// prints.
class StateLock {
 public:
  enum class Result { Acquired, Busy, Failed };
  static Result acquire(const std::string& state_path, std::unique_ptr<StateLock>& out, std::string& message);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;
  // Who held the lock before us and did not release it cleanly ("" when nobody did).
  const std::string& previous_holder() const { return previous_; }

 private:
  StateLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}
  int fd_;
  std::string path_;
  std::string previous_;
};

// Untag removes ActionRecord::untag from an image that stays (an untag rule).
enum class ActionKind : std::uint8_t { Delete, Transition, Untag };
const char* action_kind_name(ActionKind k);  // "delete", "transition", "untag"
std::optional<ActionKind> action_kind_from(std::string_view s);

// What became of an action. Pending: not yet sent. Sent: the target may or may not have
// acted (a crash in between): sent again on resume. The rest are final.
enum class ActionStatus : std::uint8_t { Pending, Sent, Done, AlreadyDone, Skipped, Failed, Deferred };
const char* action_status_name(ActionStatus s);
std::optional<ActionStatus> action_status_from(std::string_view s);

struct ActionRecord {
  std::int64_t seq = 0;  // 1 … n within the run, in plan order
  std::string registry_id;  // the AWS account of an ECR repository, when the snapshot says
  std::string repository, digest;
  std::vector<std::string> tags;  // every tag the image had when planned, sorted
  ActionKind kind = ActionKind::Delete;
  std::vector<std::string> untag;  // ActionKind::Untag: the tags it removes, sorted
  std::string storage_class;  // as the plan saw it: "standard" or "archive"
  std::int64_t size_bytes = 0;
  Micros pushed_at = kNoTime;
  std::int64_t rule_priority = 0;
  std::string rule_source, reason;
  bool allow_empty = false;  // the repository's lifecycle says `allow_empty`
  // The order of deletion within a repository: what references others goes first, so that
  // a run cut short never leaves an index without its children or a signature without its
  // image: 0 a referrer (has a subject), 1 an index (has children), 2 the rest.
  std::int64_t graph_rank = 2;
  ActionStatus status = ActionStatus::Pending;
  std::string answer;  // the target's answer for the final status
};

// One --in-use source of a run: the file, when it was read, and what it named and kept.
struct InUseSourceRecord {
  std::string file;
  Micros read_at = kNoTime;
  std::int64_t references = 0;  // references the file holds
  std::int64_t images = 0;      // images of the snapshot they name
  std::int64_t protected_images = 0;  // of those, the ones a rule would have removed, kept by `protect in_use`
};

// Storage the run's deletions free, from a snapshot with blobs (an OCI pull): the blobs
// (manifests, configs, layers) no image that stays references, grouped by the delete
// actions (seq) that reference them. A group is freed once all of its actions are done or
// found already done, by this run if it did at least one of them.
struct FreedBlobGroup {
  std::int64_t bytes = 0;
  std::vector<std::int64_t> seqs;  // ascending
};

struct RunRecord {
  std::int64_t id = 0;
  std::string status;       // running, finished, refused, failed, abandoned
  std::string source;       // "policy FILE" or "plan FILE"
  std::string policy_sha256, snapshot_sha256, plan_sha256;
  std::string target, shard;
  Micros now = kNoTime;     // the instant the plan was evaluated at
  Micros started_at = kNoTime, finished_at = kNoTime;
  std::int64_t pid = 0;
  std::string message;      // why it was refused or failed
  std::string uid;          // unique across state files (16 hex digits); "" for runs from before it
  // Counts by status (filled by list_runs / run).
  std::int64_t planned = 0, done = 0, already = 0, skipped = 0, failed = 0, deferred = 0, pending = 0;
  std::int64_t deleted = 0, transitioned = 0, untagged = 0, bytes_deleted = 0;  // by this run (Done), not what was already so
  // What the plan held, whatever became of it (a refused run carried none of it out).
  std::int64_t planned_deletions = 0, planned_transitions = 0, planned_untags = 0, planned_bytes = 0;
  // The --in-use sources the plan was made with, in the order given (written by begin_run
  // and record_refused_run, read by runs / run).
  std::vector<InUseSourceRecord> in_use;
  // Written by begin_run: whether the snapshot knew blobs, and the groups of blobs the
  // deletions free (FreedBlobGroup).
  bool blobs_known = false;
  std::vector<FreedBlobGroup> freed_groups;
  // Read by runs / run: the bytes this run's deletions freed in storage (blobs no
  // remaining image references, each once); -1 when the run's snapshot knew no blobs.
  std::int64_t bytes_freed = -1;
};

struct AuditEntry {
  std::int64_t id = 0, run = 0, seq = 0;  // seq 0: about the run, not one action
  Micros at = kNoTime;
  std::string event;  // planned, sent, deleted, transitioned, already-gone, already-archived, skipped, failed, deferred, run-*
  std::string repository, digest, rule, detail;
};

class StateStore {
 public:
  // Opens (creating when missing) the state database. False with `error` when the file is
  // not a regpol state database or cannot be opened.
  static std::unique_ptr<StateStore> open(const std::string& path, std::string& error);
  // Read-only access for `regpol runs` (no lock needed; WAL readers do not block).
  static std::unique_ptr<StateStore> open_read_only(const std::string& path, std::string& error);
  ~StateStore();
  StateStore(const StateStore&) = delete;
  StateStore& operator=(const StateStore&) = delete;

  // The newest run still `running` (a killed or failed apply), if any.
  std::optional<RunRecord> unfinished_run();
  // The newest `finished` run with these inputs that deferred nothing, if any (a run that
  // deferred deletions under --grace is not "done": a later run may let them go).
  std::optional<RunRecord> finished_run(const std::string& policy_sha256, const std::string& snapshot_sha256,
                                        const std::string& plan_sha256, const std::string& target, const std::string& shard);

  // Records a new run with its actions and an audit entry per action, in one transaction:
  // Pending (`planned`), or decided before any call: Deferred by --grace, Skipped (changed
  // since the snapshot), AlreadyDone (already gone). Returns the id.
  std::int64_t begin_run(const RunRecord& run, const std::vector<ActionRecord>& actions);
  // Records a run that a rail refused, the reason in `message`, with the actions it had
  // planned as they stood (none was carried out), so `regpol runs` shows what was refused.
  std::int64_t record_refused_run(const RunRecord& run, const std::vector<ActionRecord>& planned);

  std::vector<ActionRecord> actions(std::int64_t run);

  // `runs show`: the actions of a run that match (a status, a repository glob with * and ?),
  // in plan order, at most `limit` (negative: all); `matching` gets how many match in all.
  struct ActionFilter {
    std::optional<ActionStatus> status;
    std::string repository_glob;  // "" for every repository
    std::int64_t limit = -1;
  };
  std::vector<ActionRecord> actions(std::int64_t run, const ActionFilter& filter, std::int64_t& matching);

  // A run's actions counted per repository, the repositories with most bytes deleted first
  // (then most planned, then by name).
  struct RepositoryCounts {
    std::string repository;
    std::int64_t planned = 0, deleted = 0, bytes_deleted = 0, transitioned = 0, untagged = 0, already = 0, skipped = 0, deferred = 0,
                 failed = 0, pending = 0;
  };
  std::vector<RepositoryCounts> repository_counts(std::int64_t run);
  // The newest run's id, if any (`runs show last`).
  std::optional<std::int64_t> last_run_id();
  // When the newest finished run finished, kNoTime when none has.
  Micros last_finished_at();
  // Records that this batch (one repository, one kind) goes to the target now: one `sent`
  // audit entry naming its actions ("delete 100: seq 1-100"), before the call.
  void mark_sent(std::int64_t run, const std::vector<const ActionRecord*>& batch);
  // The seqs of run `run`'s actions that mark_sent recorded as sent (the audit log's `sent`
  // entries): on a resume, the ones sent before the stop whose outcome was never recorded.
  std::unordered_set<std::int64_t> sent_actions(std::int64_t run);
  // Records final outcomes (status, answer) with one audit entry each, in one transaction.
  struct Outcome {
    const ActionRecord* action;
    ActionStatus status;
    std::string event, answer;
  };
  void record_outcomes(std::int64_t run, const std::vector<Outcome>& outcomes);
  void finish_run(std::int64_t run, const std::string& status, const std::string& message);
  void audit_run_event(std::int64_t run, const std::string& event, const std::string& detail);

  std::vector<RunRecord> runs();
  std::optional<RunRecord> run(std::int64_t id);
  std::vector<AuditEntry> audit(std::int64_t run);

  // --grace, read only: each candidate's first time as recorded by note_candidates (`now`
  // for one never recorded). apply decides the deferrals with it before the rails, and
  // records the candidates only when the rails pass: a refused run starts no clock.
  std::vector<Micros> candidates_first_seen(const std::vector<std::pair<std::string, std::string>>& candidates, Micros now);
  // --grace: `candidates` are (repository, digest) pairs that the plan would delete now;
  // `repositories` the repositories it evaluated. Pairs seen before keep their first time;
  // new ones get `now`; pairs of those repositories that are no longer candidates are
  // forgotten (a candidate must stay one to ripen). Records only: candidates_first_seen
  // reads the times.
  void note_candidates(const std::vector<std::string>& repositories,
                                      const std::vector<std::pair<std::string, std::string>>& candidates, Micros now);

  // `snapshot pull oci:// --state`: the first time an earlier pull saw each (repository,
  // digest) of `registry`, or kNoTime when none did (those are recorded at `now`). Kept
  // across runs: it dates images whose config time is missing or a placeholder.
  std::vector<Micros> note_first_seen(const std::string& registry, const std::vector<std::pair<std::string, std::string>>& images,
                                      Micros now);

  // Manifests a `snapshot pull oci://` read, by digest (content-addressed: never stale),
  // with their image config's `created`: a later pull reads only what is new.
  struct CachedManifestRow {
    std::string digest, content_type, body, created;
  };
  bool cached_manifest(const std::string& digest, std::string& body, std::string& content_type, std::string& created);
  void cache_manifests(const std::vector<CachedManifestRow>& rows);
  bool manifest_cache_empty();

 private:
  explicit StateStore(sqlite3* db) : db_(db) {}
  void exec(const char* sql);
  // Runs `body` between BEGIN IMMEDIATE and COMMIT. Whatever `body` or the COMMIT throws
  // rolls the transaction back and propagates; a rollback that fails adds its reason.
  template <class Body>
  auto transaction(Body&& body) -> decltype(body());
  // Undoes the open transaction, if any; throws (naming `cause`) when SQLite refuses.
  void roll_back(const std::string& cause);
  sqlite3* db_;
};

template <class Body>
auto StateStore::transaction(Body&& body) -> decltype(body()) {
  exec("BEGIN IMMEDIATE;");
  try {
    if constexpr (std::is_void_v<decltype(body())>) {
      body();
      exec("COMMIT;");
    } else {
      auto result = body();
      exec("COMMIT;");
      return result;
    }
  } catch (const std::exception& e) {
    roll_back(e.what());
    throw;
  } catch (...) {
    roll_back("");
    throw;
  }
}

}  // namespace regpol
