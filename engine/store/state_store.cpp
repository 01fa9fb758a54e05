#include "store/state_store.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <stdexcept>
#include <map>
#include <unordered_map>
#include <unordered_set>

#include "store/sqlite.h"

#include "util/random_id.h"
#include "util/text.h"

namespace regpol {

namespace {

constexpr const char* kSchemaName = "regpol.state/v1";

constexpr const char* kStateTables = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE runs (
  id INTEGER PRIMARY KEY, status TEXT NOT NULL, source TEXT NOT NULL, policy_sha256 TEXT NOT NULL,
  snapshot_sha256 TEXT NOT NULL, plan_sha256 TEXT NOT NULL, target TEXT NOT NULL, shard TEXT NOT NULL,
  now INTEGER, started_at INTEGER NOT NULL, finished_at INTEGER, pid INTEGER NOT NULL, message TEXT NOT NULL DEFAULT '',
  uid TEXT NOT NULL DEFAULT '', blobs_known INTEGER NOT NULL DEFAULT 0);
CREATE TABLE actions (
  run INTEGER NOT NULL REFERENCES runs(id), seq INTEGER NOT NULL, registry_id TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL,
  tags TEXT NOT NULL, kind TEXT NOT NULL, storage_class TEXT NOT NULL, size_bytes INTEGER NOT NULL, pushed_at INTEGER,
  rule_priority INTEGER NOT NULL, rule_source TEXT NOT NULL, reason TEXT NOT NULL, status TEXT NOT NULL,
  answer TEXT NOT NULL DEFAULT '', allow_empty INTEGER NOT NULL DEFAULT 0, graph_rank INTEGER NOT NULL DEFAULT 2,
  untag TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run, seq)) WITHOUT ROWID;
-- runs.blobs_known: 1 when the run's snapshot knew blobs (run_freed_* hold what its deletions free)
CREATE TABLE audit (
  id INTEGER PRIMARY KEY, run INTEGER NOT NULL, seq INTEGER NOT NULL, at INTEGER NOT NULL,
  event TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, rule TEXT NOT NULL, detail TEXT NOT NULL);

CREATE INDEX audit_by_run ON audit(run, id);
CREATE TRIGGER audit_append_only_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER audit_append_only_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TABLE run_in_use (
  run INTEGER NOT NULL, position INTEGER NOT NULL, file TEXT NOT NULL, read_at INTEGER, refs INTEGER NOT NULL,
  images INTEGER NOT NULL, protected INTEGER NOT NULL, PRIMARY KEY (run, position)) WITHOUT ROWID;
CREATE TABLE run_freed_groups (
  run INTEGER NOT NULL, grp INTEGER NOT NULL, bytes INTEGER NOT NULL, PRIMARY KEY (run, grp)) WITHOUT ROWID;
CREATE TABLE run_freed_holders (
  run INTEGER NOT NULL, grp INTEGER NOT NULL, seq INTEGER NOT NULL, PRIMARY KEY (run, grp, seq)) WITHOUT ROWID;
CREATE TABLE candidates (
  repository TEXT NOT NULL, digest TEXT NOT NULL, first_seen INTEGER NOT NULL, PRIMARY KEY (repository, digest)) WITHOUT ROWID;
)sql";

// The journal's statements: the shared wrapper (store/sqlite.h), with this file's policy
// that any failure throws a StoreFailure of SQLite's kind (apply turns it into "the
// journal failed; resume").
class Stmt {
 public:
  Stmt(sqlite3* db, const char* sql) {
    std::string error;
    if (!s_.prepare(db, sql, "state database", error)) throw StoreFailure(sqlite::error_kind(sqlite3_errcode(db)), error);
  }
  Stmt& bind(int i, std::int64_t v) {
    s_.bind_int(i, v);
    return *this;
  }
  Stmt& bind(int i, const std::string& v) {
    s_.bind_text(i, v);
    return *this;
  }
  Stmt& bind_time(int i, Micros t) {
    s_.bind_time(i, t);
    return *this;
  }
  bool is_null(int c) const { return s_.is_null(c); }
  // True while there is a row.
  bool step() {
    switch (s_.step()) {
      case sqlite::Statement::Step::Row: return true;
      case sqlite::Statement::Step::Done: return false;
      case sqlite::Statement::Step::Error: break;
    }
    throw StoreFailure(sqlite::error_kind(s_.code()), "state database: " + s_.message());
  }
  void run() {
    while (step()) {
    }
    reset();
  }
  void reset() { s_.reset(); }
  std::int64_t i64(int c) const { return s_.i64(c); }
  Micros time(int c) const { return s_.time(c); }
  std::string str(int c) const { return s_.str(c); }

 private:
  sqlite::Statement s_;
};

std::string join_lines(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : "\n") + s;
  return out;
}

std::vector<std::string> split_lines(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    auto nl = s.find('\n', start);
    if (nl == std::string::npos) nl = s.size();
    out.push_back(s.substr(start, nl - start));
    start = nl + 1;
  }
  return out;
}

constexpr const char* kRunColumns =
    "id, status, source, policy_sha256, snapshot_sha256, plan_sha256, target, shard, now, started_at, finished_at, pid, message, uid";

RunRecord read_run(const Stmt& s) {
  RunRecord r;
  r.id = s.i64(0);
  r.status = s.str(1);
  r.source = s.str(2);
  r.policy_sha256 = s.str(3);
  r.snapshot_sha256 = s.str(4);
  r.plan_sha256 = s.str(5);
  r.target = s.str(6);
  r.shard = s.str(7);
  r.now = s.time(8);
  r.started_at = s.time(9);
  r.finished_at = s.time(10);
  r.pid = s.i64(11);
  r.message = s.str(12);
  r.uid = s.str(13);
  return r;
}

}  // namespace

const char* action_kind_name(ActionKind k) {
  switch (k) {
    case ActionKind::Delete: return "delete";
    case ActionKind::Transition: return "transition";
    case ActionKind::Untag: return "untag";
  }
  return "delete";
}

std::optional<ActionKind> action_kind_from(std::string_view s) {
  if (s == "delete") return ActionKind::Delete;
  if (s == "transition") return ActionKind::Transition;
  if (s == "untag") return ActionKind::Untag;
  return std::nullopt;
}

const char* action_status_name(ActionStatus s) {
  switch (s) {
    case ActionStatus::Pending: return "pending";
    case ActionStatus::Sent: return "sent";
    case ActionStatus::Done: return "done";
    case ActionStatus::AlreadyDone: return "already-done";
    case ActionStatus::Skipped: return "skipped";
    case ActionStatus::Failed: return "failed";
    case ActionStatus::Deferred: return "deferred";
  }
  return "?";
}

std::optional<ActionStatus> action_status_from(std::string_view s) {
  for (auto st : {ActionStatus::Pending, ActionStatus::Sent, ActionStatus::Done, ActionStatus::AlreadyDone, ActionStatus::Skipped,
                  ActionStatus::Failed, ActionStatus::Deferred}) {
    if (s == action_status_name(st)) return st;
  }
  return std::nullopt;
}

// ---- the lock ----

StateLock::Result StateLock::acquire(const std::string& state_path, std::unique_ptr<StateLock>& out, std::string& message) {
  // The lock, the journal (-wal) and its index (-shm) are all named after the path: a state
  // file reached by two names would get two locks and two journals, and be corrupted.
  if (state_path.empty()) {
    message = "the state database needs a file name (an empty name is SQLite's throwaway database: no resume, no history)";
    return Result::Failed;
  }
  struct stat sst {};
  if (::lstat(state_path.c_str(), &sst) == 0) {
    if (S_ISLNK(sst.st_mode)) {
      message = state_path + ": is a symbolic link; name the state database by its own path";
      return Result::Failed;
    }
    if (!S_ISREG(sst.st_mode)) {
      message = state_path + ": not a regular file";
      return Result::Failed;
    }
    if (sst.st_nlink > 1) {
      message = state_path + ": has " + std::to_string(sst.st_nlink) +
                " hard links; a state database must have one name (its lock and journal are named after it), so remove the others";
      return Result::Failed;
    }
  }
  std::string path = state_path + ".lock";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) {
    message = path + ": cannot open the lock file: " + errno_message(errno);
    return Result::Failed;
  }
  struct stat st {};
  if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    message = path + ": the lock file is not a regular file";
    return Result::Failed;
  }
  auto holder = [&] {
    char buf[256];
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    std::string text = n > 0 ? std::string(buf, static_cast<std::size_t>(n)) : std::string();
    while (!text.empty() && (text.back() == '\n' || text.back() == '\0')) text.pop_back();
    return text;
  };
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    std::string who = holder();
    ::close(fd);
    if (err == EWOULDBLOCK) {
      message = "another apply is using " + state_path + (who.empty() ? "" : " (" + who + ")") +
                "; one apply per state file at a time: wait for it to finish, or use another state file";
      return Result::Busy;
    }
    message = path + ": cannot lock: " + errno_message(err);
    return Result::Failed;
  }
  out.reset(new StateLock(fd, path));
  out->previous_ = holder();
  std::string me = "pid " + std::to_string(getpid()) + ", since " + format_timestamp(current_time());
  if (ftruncate(fd, 0) != 0 || pwrite(fd, me.data(), me.size(), 0) != static_cast<ssize_t>(me.size())) {
    // The lock holds without the note; only the message of a second apply is poorer.
  }
  return Result::Acquired;
}

StateLock::~StateLock() {
  // Clear the note first: a note left behind means the holder died while holding it.
  if (ftruncate(fd_, 0) != 0) {
  }
  ::close(fd_);
}

// ---- the store ----

std::unique_ptr<StateStore> StateStore::open(const std::string& path, std::string& error) {
  struct stat st {};
  bool exists = ::stat(path.c_str(), &st) == 0;
  if (exists && !S_ISREG(st.st_mode)) {
    error = path + ": not a regular file";
    return nullptr;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOFOLLOW | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    error = path + ": cannot open the state database: " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<StateStore> store(new StateStore(db));
  try {
    sqlite3_busy_timeout(db, 5000);
    store->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA wal_autocheckpoint=16384;");
    bool empty = true;
    {
      Stmt s(db, "SELECT count(*) FROM sqlite_master");
      if (s.step()) empty = s.i64(0) == 0;
    }
    if (empty) {
      store->transaction([&] {
        store->exec(kStateTables);
        Stmt m(db, "INSERT INTO meta VALUES ('schema', ?)");
        m.bind(1, std::string(kSchemaName)).run();
      });
    }
    std::string schema;
    {
      Stmt s(db, "SELECT value FROM meta WHERE key = 'schema'");
      if (s.step()) schema = s.str(0);
    }
    if (schema != kSchemaName) throw StoreFailure(ErrorKind::BadInput, "schema");
    // Added after the first release of the schema: databases written before have no such
    // table yet, and get it here.
    store->exec("CREATE TABLE IF NOT EXISTS first_seen (registry TEXT NOT NULL, repository TEXT NOT NULL, digest TEXT NOT NULL, "
                "seen_at INTEGER NOT NULL, PRIMARY KEY (registry, repository, digest)) WITHOUT ROWID;");
    auto has_column = [&](const char* table, const char* column) {
      Stmt s(db, "SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
      s.bind(1, std::string(table)).bind(2, std::string(column));
      return s.step();
    };
    if (!has_column("actions", "allow_empty")) store->exec("ALTER TABLE actions ADD COLUMN allow_empty INTEGER NOT NULL DEFAULT 0;");
    if (!has_column("actions", "graph_rank")) store->exec("ALTER TABLE actions ADD COLUMN graph_rank INTEGER NOT NULL DEFAULT 2;");
    if (!has_column("actions", "untag")) store->exec("ALTER TABLE actions ADD COLUMN untag TEXT NOT NULL DEFAULT '';");
    if (!has_column("runs", "uid")) store->exec("ALTER TABLE runs ADD COLUMN uid TEXT NOT NULL DEFAULT '';");
    store->exec("CREATE TABLE IF NOT EXISTS run_in_use (run INTEGER NOT NULL, position INTEGER NOT NULL, file TEXT NOT NULL, "
                "read_at INTEGER, refs INTEGER NOT NULL, images INTEGER NOT NULL, protected INTEGER NOT NULL, "
                "PRIMARY KEY (run, position)) WITHOUT ROWID;");
    if (!has_column("runs", "blobs_known")) store->exec("ALTER TABLE runs ADD COLUMN blobs_known INTEGER NOT NULL DEFAULT 0;");
    store->exec("CREATE TABLE IF NOT EXISTS run_freed_groups (run INTEGER NOT NULL, grp INTEGER NOT NULL, bytes INTEGER NOT NULL, "
                "PRIMARY KEY (run, grp)) WITHOUT ROWID;");
    store->exec("CREATE TABLE IF NOT EXISTS run_freed_holders (run INTEGER NOT NULL, grp INTEGER NOT NULL, seq INTEGER NOT NULL, "
                "PRIMARY KEY (run, grp, seq)) WITHOUT ROWID;");
    store->exec("CREATE TABLE IF NOT EXISTS oci_manifests (digest TEXT PRIMARY KEY, content_type TEXT NOT NULL, body BLOB NOT NULL, "
                "config_created TEXT NOT NULL) WITHOUT ROWID;");
  } catch (const std::exception&) {
    error = path + ": not a regpol state database (expected schema " + kSchemaName + ")";
    return nullptr;
  }
  return store;
}

std::unique_ptr<StateStore> StateStore::open_read_only(const std::string& path, std::string& error) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
    error = path + ": no such state database";
    return nullptr;
  }
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    error = path + ": cannot open the state database";
    sqlite3_close(db);
    return nullptr;
  }
  std::unique_ptr<StateStore> store(new StateStore(db));
  try {
    Stmt s(db, "SELECT value FROM meta WHERE key = 'schema'");
    if (!s.step() || s.str(0) != kSchemaName) throw StoreFailure(ErrorKind::BadInput, "schema");
  } catch (const std::exception&) {
    error = path + ": not a regpol state database (expected schema " + kSchemaName + ")";
    return nullptr;
  }
  return store;
}

StateStore::~StateStore() { sqlite3_close(db_); }

void StateStore::exec(const char* sql) {
  char* msg = nullptr;
  if (int rc = sqlite3_exec(db_, sql, nullptr, nullptr, &msg); rc != SQLITE_OK) {
    std::string text = msg ? msg : "error";
    sqlite3_free(msg);
    throw StoreFailure(sqlite::error_kind(rc), "state database: " + text);
  }
}

void StateStore::roll_back(const std::string& cause) {
  // A failed COMMIT or a failed statement can leave SQLite with the transaction already
  // rolled back (autocommit again): then there is nothing to undo.
  if (sqlite3_get_autocommit(db_) != 0) return;
  char* msg = nullptr;
  int rc = sqlite3_exec(db_, "ROLLBACK;", nullptr, nullptr, &msg);
  if (rc == SQLITE_OK) return;
  std::string text = msg ? msg : "error";
  sqlite3_free(msg);
  // The transaction is still open: nothing more may be written through this connection,
  // and the caller must hear both why the write failed and why it could not be undone.
  throw StoreFailure(sqlite::error_kind(rc), (cause.empty() ? std::string("state database: a write failed") : cause) +
                                                 "; and undoing it failed too: " + text);
}

std::optional<RunRecord> StateStore::unfinished_run() {
  Stmt s(db_, (std::string("SELECT ") + kRunColumns + " FROM runs WHERE status = 'running' ORDER BY id DESC LIMIT 1").c_str());
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

std::optional<RunRecord> StateStore::finished_run(const std::string& policy_sha256, const std::string& snapshot_sha256,
                                                  const std::string& plan_sha256, const std::string& target, const std::string& shard) {
  Stmt s(db_, (std::string("SELECT ") + kRunColumns +
               " FROM runs WHERE status = 'finished' AND policy_sha256 = ? AND snapshot_sha256 = ? AND plan_sha256 = ? AND target = ? "
               "AND shard = ? AND NOT EXISTS (SELECT 1 FROM actions WHERE actions.run = runs.id AND actions.status = 'deferred') "
               "ORDER BY id DESC LIMIT 1")
                  .c_str());
  s.bind(1, policy_sha256).bind(2, snapshot_sha256).bind(3, plan_sha256).bind(4, target).bind(5, shard);
  if (!s.step()) return std::nullopt;
  return read_run(s);
}

namespace {

void insert_audit(Stmt& s, std::int64_t run, std::int64_t seq, Micros at, const std::string& event, const std::string& repo,
                  const std::string& digest, const std::string& rule, const std::string& detail) {
  s.bind(1, run).bind(2, seq).bind(3, at).bind(4, event).bind(5, repo).bind(6, digest).bind(7, rule).bind(8, detail).run();
}

constexpr const char* kInsertAudit = "INSERT INTO audit (run, seq, at, event, repository, digest, rule, detail) VALUES (?,?,?,?,?,?,?,?)";

std::int64_t insert_run(sqlite3* db, const RunRecord& r, const char* status) {
  Stmt s(db,
         "INSERT INTO runs (status, source, policy_sha256, snapshot_sha256, plan_sha256, target, shard, now, started_at, pid, message, uid) "
         "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)");
  s.bind(1, std::string(status)).bind(2, r.source).bind(3, r.policy_sha256).bind(4, r.snapshot_sha256).bind(5, r.plan_sha256);
  s.bind(6, r.target).bind(7, r.shard).bind_time(8, r.now).bind(9, current_time()).bind(10, static_cast<std::int64_t>(getpid()));
  s.bind(11, r.message).bind(12, random_hex(8)).run();
  std::int64_t id = sqlite3_last_insert_rowid(db);
  Stmt u(db, "INSERT INTO run_in_use (run, position, file, read_at, refs, images, protected) VALUES (?,?,?,?,?,?,?)");
  for (std::size_t i = 0; i < r.in_use.size(); ++i) {
    const InUseSourceRecord& f = r.in_use[i];
    u.bind(1, id).bind(2, static_cast<std::int64_t>(i)).bind(3, f.file).bind_time(4, f.read_at).bind(5, f.references);
    u.bind(6, f.images).bind(7, f.protected_images).run();
  }
  return id;
}

void insert_freed_groups(sqlite3* db, std::int64_t id, const RunRecord& r) {
  if (!r.blobs_known) return;
  Stmt known(db, "UPDATE runs SET blobs_known = 1 WHERE id = ?");
  known.bind(1, id).run();
  Stmt g(db, "INSERT INTO run_freed_groups (run, grp, bytes) VALUES (?,?,?)");
  Stmt h(db, "INSERT INTO run_freed_holders (run, grp, seq) VALUES (?,?,?)");
  for (std::size_t i = 0; i < r.freed_groups.size(); ++i) {
    const auto grp = static_cast<std::int64_t>(i);
    g.bind(1, id).bind(2, grp).bind(3, r.freed_groups[i].bytes).run();
    for (auto seq : r.freed_groups[i].seqs) h.bind(1, id).bind(2, grp).bind(3, seq).run();
  }
}

// The plan's actions of run `id`; with `audit`, an entry for each action decided already.
void insert_actions(sqlite3* db, std::int64_t id, const std::vector<ActionRecord>& actions, Stmt* audit, Micros at) {
  Stmt a(db,
         "INSERT INTO actions (run, seq, repository, digest, tags, kind, storage_class, size_bytes, pushed_at, rule_priority, "
         "rule_source, reason, status, registry_id, answer, allow_empty, graph_rank, untag) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
  for (const auto& x : actions) {
    a.bind(1, id).bind(2, x.seq).bind(3, x.repository).bind(4, x.digest).bind(5, join_lines(x.tags)).bind(6, std::string(action_kind_name(x.kind)));
    a.bind(7, x.storage_class).bind(8, x.size_bytes).bind_time(9, x.pushed_at).bind(10, x.rule_priority).bind(11, x.rule_source);
    a.bind(12, x.reason).bind(13, std::string(action_status_name(x.status))).bind(14, x.registry_id).bind(15, x.answer);
    a.bind(16, static_cast<std::int64_t>(x.allow_empty ? 1 : 0)).bind(17, x.graph_rank).bind(18, join_lines(x.untag)).run();
    // The plan itself is the `actions` table; the log gets the actions decided now.
    if (!audit || x.status == ActionStatus::Pending) continue;
    const char* event = x.status == ActionStatus::Deferred ? "deferred" : x.status == ActionStatus::Skipped ? "skipped" : "already-gone";
    insert_audit(*audit, id, x.seq, at, event, x.repository, x.digest, x.rule_source,
                 std::string(action_kind_name(x.kind)) + ": " + x.reason + (x.answer.empty() ? "" : " — " + x.answer));
  }
}

}  // namespace

std::int64_t StateStore::begin_run(const RunRecord& run, const std::vector<ActionRecord>& actions) {
  return transaction([&] {
    std::int64_t id = insert_run(db_, run, "running");
    insert_freed_groups(db_, id, run);
    Stmt audit(db_, kInsertAudit);
    Micros at = current_time();
    insert_audit(audit, id, 0, at, "run-started", "", "", "",
                 run.source + " → " + run.target + ": " + std::to_string(actions.size()) + " actions planned");
    insert_actions(db_, id, actions, &audit, at);
    return id;
  });
}

std::int64_t StateStore::record_refused_run(const RunRecord& run, const std::vector<ActionRecord>& planned) {
  return transaction([&] {
    std::int64_t id = insert_run(db_, run, "refused");
    insert_actions(db_, id, planned, nullptr, 0);
    Stmt f(db_, "UPDATE runs SET finished_at = ? WHERE id = ?");
    f.bind(1, current_time()).bind(2, id).run();
    Stmt audit(db_, kInsertAudit);
    insert_audit(audit, id, 0, current_time(), "run-refused", "", "", "", run.message);
    return id;
  });
}

std::vector<ActionRecord> StateStore::actions(std::int64_t run) {
  Stmt s(db_,
         "SELECT seq, repository, digest, tags, kind, storage_class, size_bytes, pushed_at, rule_priority, rule_source, reason, status, "
         "answer, registry_id, allow_empty, graph_rank, untag FROM actions WHERE run = ? ORDER BY seq");
  s.bind(1, run);
  std::vector<ActionRecord> out;
  while (s.step()) {
    ActionRecord a;
    a.seq = s.i64(0);
    a.repository = s.str(1);
    a.digest = s.str(2);
    a.tags = split_lines(s.str(3));
    auto kind = action_kind_from(s.str(4));
    if (!kind) throw StoreFailure(ErrorKind::BadInput, "state database: action " + std::to_string(a.seq) + " has an unknown kind");
    a.kind = *kind;
    a.storage_class = s.str(5);
    a.size_bytes = s.i64(6);
    a.pushed_at = s.time(7);
    a.rule_priority = s.i64(8);
    a.rule_source = s.str(9);
    a.reason = s.str(10);
    auto st = action_status_from(s.str(11));
    if (!st) throw StoreFailure(ErrorKind::BadInput, "state database: action " + std::to_string(a.seq) + " has an unknown status");
    a.status = *st;
    a.answer = s.str(12);
    a.registry_id = s.str(13);
    a.allow_empty = s.i64(14) != 0;
    a.graph_rank = s.i64(15);
    a.untag = split_lines(s.str(16));
    out.push_back(std::move(a));
  }
  return out;
}

void StateStore::mark_sent(std::int64_t run, const std::vector<const ActionRecord*>& batch) {
  // Only the audit log, one entry per batch: a sent action is resumed exactly as a pending
  // one (sent again), so its row in `actions` changes once, when its outcome is known.
  if (batch.empty()) return;
  transaction([&] {
    Stmt audit(db_, kInsertAudit);
    std::string seqs;  // "1-100" or "4,7-9": the batch's actions
    for (std::size_t i = 0; i < batch.size();) {
      std::size_t j = i;
      while (j + 1 < batch.size() && batch[j + 1]->seq == batch[j]->seq + 1) ++j;
      seqs += (seqs.empty() ? "" : ",") + std::to_string(batch[i]->seq) + (j > i ? "-" + std::to_string(batch[j]->seq) : "");
      i = j + 1;
    }
    insert_audit(audit, run, batch.front()->seq, current_time(), "sent", batch.front()->repository, "", "",
                 std::string(action_kind_name(batch.front()->kind)) + " " + std::to_string(batch.size()) + ": seq " + seqs);
  });
}

std::unordered_set<std::int64_t> StateStore::sent_actions(std::int64_t run) {
  // Reads back what mark_sent wrote: "KIND N: seq 1-100" or "… seq 4,7-9".
  std::unordered_set<std::int64_t> out;
  Stmt s(db_, "SELECT detail FROM audit WHERE run = ? AND event = 'sent' ORDER BY id");
  s.bind(1, run);
  while (s.step()) {
    const std::string detail = s.str(0);
    const auto at = detail.find(": seq ");
    if (at == std::string::npos) continue;
    std::string_view rest = std::string_view(detail).substr(at + 6);
    while (!rest.empty()) {
      const auto comma = rest.find(',');
      const std::string_view part = rest.substr(0, comma);
      rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
      const auto dash = part.find('-');
      std::int64_t lo = 0, hi = 0;
      const std::string_view first = part.substr(0, dash), last = dash == std::string_view::npos ? first : part.substr(dash + 1);
      if (std::from_chars(first.data(), first.data() + first.size(), lo).ec != std::errc() ||
          std::from_chars(last.data(), last.data() + last.size(), hi).ec != std::errc() || hi < lo || hi - lo > 1000000)
        throw StoreFailure(ErrorKind::BadInput, "state database: a `sent` entry of run " + std::to_string(run) + " names no actions: " + detail);
      for (std::int64_t q = lo; q <= hi; ++q) out.insert(q);
    }
  }
  return out;
}

void StateStore::record_outcomes(std::int64_t run, const std::vector<Outcome>& outcomes) {
  transaction([&] {
    // One UPDATE per run of consecutive actions with the same outcome (usually the whole
    // batch): the journal's cost per action is then mostly its audit entry.
    Stmt u(db_, "UPDATE actions SET status = ?, answer = ? WHERE run = ? AND seq BETWEEN ? AND ?");
    Stmt audit(db_, kInsertAudit);
    Micros at = current_time();
    for (std::size_t i = 0; i < outcomes.size();) {
      std::size_t j = i;
      while (j + 1 < outcomes.size() && outcomes[j + 1].action->seq == outcomes[j].action->seq + 1 &&
             outcomes[j + 1].status == outcomes[i].status && outcomes[j + 1].answer == outcomes[i].answer)
        ++j;
      u.bind(1, std::string(action_status_name(outcomes[i].status))).bind(2, outcomes[i].answer).bind(3, run);
      u.bind(4, outcomes[i].action->seq).bind(5, outcomes[j].action->seq).run();
      i = j + 1;
    }
    for (const auto& o : outcomes) {
      insert_audit(audit, run, o.action->seq, at, o.event, o.action->repository, o.action->digest, o.action->rule_source, o.answer);
    }
  });
}

void StateStore::finish_run(std::int64_t run, const std::string& status, const std::string& message) {
  transaction([&] {
    Stmt u(db_, "UPDATE runs SET status = ?, finished_at = ?, message = ? WHERE id = ?");
    u.bind(1, status).bind(2, current_time()).bind(3, message).bind(4, run).run();
    Stmt audit(db_, kInsertAudit);
    insert_audit(audit, run, 0, current_time(), "run-" + status, "", "", "", message);
  });
}

void StateStore::audit_run_event(std::int64_t run, const std::string& event, const std::string& detail) {
  Stmt audit(db_, kInsertAudit);
  insert_audit(audit, run, 0, current_time(), event, "", "", "", detail);
}

namespace {

// The run's --in-use sources; a database written before the table existed, opened read
// only, has none.
void add_in_use(sqlite3* db, RunRecord& r) {
  Stmt exists(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_in_use'");
  if (!exists.step()) return;
  Stmt s(db, "SELECT file, read_at, refs, images, protected FROM run_in_use WHERE run = ? ORDER BY position");
  s.bind(1, r.id);
  while (s.step()) r.in_use.push_back({s.str(0), s.time(1), s.i64(2), s.i64(3), s.i64(4)});
}

// The bytes the run freed: groups whose every action is done or was already so, at least
// one of them by this run. Runs from before blobs were journaled, or whose snapshot had
// none, stay at -1 (unknown).
void add_freed(sqlite3* db, RunRecord& r) {
  {
    Stmt exists(db, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'run_freed_groups'");
    if (!exists.step()) return;
    Stmt known(db, "SELECT blobs_known FROM runs WHERE id = ?");
    known.bind(1, r.id);
    if (!known.step() || known.i64(0) == 0) return;
  }
  Stmt s(db,
         "SELECT coalesce(sum(g.bytes), 0) FROM run_freed_groups g WHERE g.run = ?1 "
         "AND NOT EXISTS (SELECT 1 FROM run_freed_holders h JOIN actions a ON a.run = h.run AND a.seq = h.seq "
         "                WHERE h.run = g.run AND h.grp = g.grp AND a.status NOT IN ('done', 'already-done')) "
         "AND EXISTS (SELECT 1 FROM run_freed_holders h JOIN actions a ON a.run = h.run AND a.seq = h.seq "
         "            WHERE h.run = g.run AND h.grp = g.grp AND a.status = 'done')");
  s.bind(1, r.id);
  r.bytes_freed = s.step() ? s.i64(0) : 0;
}

void add_counts(sqlite3* db, RunRecord& r) {
  Stmt s(db,
         "SELECT status, kind, count(*), sum(size_bytes) FROM actions WHERE run = ? GROUP BY status, kind");
  s.bind(1, r.id);
  while (s.step()) {
    auto st = action_status_from(s.str(0));
    const std::string kind = s.str(1);
    const bool del = kind == "delete", untag = kind == "untag";
    std::int64_t n = s.i64(2);
    r.planned += n;
    (del ? r.planned_deletions : untag ? r.planned_untags : r.planned_transitions) += n;
    if (del) r.planned_bytes += s.i64(3);
    if (!st) continue;
    switch (*st) {
      case ActionStatus::Pending:
      case ActionStatus::Sent: r.pending += n; break;
      case ActionStatus::Done: r.done += n; break;
      case ActionStatus::AlreadyDone: r.already += n; break;
      case ActionStatus::Skipped: r.skipped += n; break;
      case ActionStatus::Failed: r.failed += n; break;
      case ActionStatus::Deferred: r.deferred += n; break;
    }
    // Only what this run did: an image found already gone (or archived) is counted apart.
    if (*st == ActionStatus::Done) {
      (del ? r.deleted : untag ? r.untagged : r.transitioned) += n;
      if (del) r.bytes_deleted += s.i64(3);
    }
  }
}

}  // namespace

std::vector<RunRecord> StateStore::runs() {
  Stmt s(db_, (std::string("SELECT ") + kRunColumns + " FROM runs ORDER BY id").c_str());
  std::vector<RunRecord> out;
  while (s.step()) out.push_back(read_run(s));
  for (auto& r : out) {
    add_counts(db_, r);
    add_in_use(db_, r);
    add_freed(db_, r);
  }
  return out;
}

std::optional<RunRecord> StateStore::run(std::int64_t id) {
  Stmt s(db_, (std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?").c_str());
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  RunRecord r = read_run(s);
  add_counts(db_, r);
  add_in_use(db_, r);
  add_freed(db_, r);
  return r;
}

std::vector<ActionRecord> StateStore::actions(std::int64_t run, const ActionFilter& filter, std::int64_t& matching) {
  // The glob is SQLite's GLOB (case-sensitive, * and ?); repository names hold no `[`.
  const std::string where = " WHERE run = ?1 AND (?2 = '' OR status = ?2) AND (?3 = '' OR repository GLOB ?3)";
  const std::string status = filter.status ? action_status_name(*filter.status) : "";
  {
    Stmt count(db_, ("SELECT count(*) FROM actions" + where).c_str());
    count.bind(1, run).bind(2, status).bind(3, filter.repository_glob);
    matching = count.step() ? count.i64(0) : 0;
  }
  std::vector<ActionRecord> out;
  if (filter.limit == 0) return out;
  Stmt seqs(db_, ("SELECT seq FROM actions" + where + " ORDER BY seq LIMIT ?4").c_str());
  seqs.bind(1, run).bind(2, status).bind(3, filter.repository_glob).bind(4, filter.limit);
  std::vector<std::int64_t> wanted;
  while (seqs.step()) wanted.push_back(seqs.i64(0));
  if (wanted.empty()) return out;
  // One read of the run's rows, kept where wanted (the plan order is the seq order).
  std::size_t next = 0;
  for (auto& a : actions(run)) {
    if (next < wanted.size() && a.seq == wanted[next]) {
      out.push_back(std::move(a));
      ++next;
    }
  }
  return out;
}

std::vector<StateStore::RepositoryCounts> StateStore::repository_counts(std::int64_t run) {
  Stmt s(db_, "SELECT repository, status, kind, count(*), sum(size_bytes) FROM actions WHERE run = ? GROUP BY repository, status, kind");
  s.bind(1, run);
  std::map<std::string, RepositoryCounts> by_name;
  while (s.step()) {
    RepositoryCounts& c = by_name[s.str(0)];
    c.repository = s.str(0);
    auto st = action_status_from(s.str(1));
    const std::string kind = s.str(2);
    const bool del = kind == "delete", untag = kind == "untag";
    const std::int64_t n = s.i64(3);
    c.planned += n;
    if (!st) continue;
    switch (*st) {
      case ActionStatus::Pending:
      case ActionStatus::Sent: c.pending += n; break;
      case ActionStatus::Done:
        (del ? c.deleted : untag ? c.untagged : c.transitioned) += n;
        if (del) c.bytes_deleted += s.i64(4);
        break;
      case ActionStatus::AlreadyDone: c.already += n; break;
      case ActionStatus::Skipped: c.skipped += n; break;
      case ActionStatus::Failed: c.failed += n; break;
      case ActionStatus::Deferred: c.deferred += n; break;
    }
  }
  std::vector<RepositoryCounts> out;
  out.reserve(by_name.size());
  for (auto& [name, c] : by_name) out.push_back(std::move(c));
  std::stable_sort(out.begin(), out.end(), [](const RepositoryCounts& x, const RepositoryCounts& y) {
    if (x.bytes_deleted != y.bytes_deleted) return x.bytes_deleted > y.bytes_deleted;
    return x.planned > y.planned;
  });
  return out;
}

std::optional<std::int64_t> StateStore::last_run_id() {
  Stmt s(db_, "SELECT max(id) FROM runs");
  if (!s.step() || s.is_null(0)) return std::nullopt;
  return s.i64(0);
}

Micros StateStore::last_finished_at() {
  Stmt s(db_, "SELECT max(finished_at) FROM runs WHERE status = 'finished'");
  return s.step() && !s.is_null(0) ? s.i64(0) : kNoTime;
}

std::vector<AuditEntry> StateStore::audit(std::int64_t run) {
  Stmt s(db_, "SELECT id, run, seq, at, event, repository, digest, rule, detail FROM audit WHERE run = ? ORDER BY id");
  s.bind(1, run);
  std::vector<AuditEntry> out;
  while (s.step()) {
    out.push_back({s.i64(0), s.i64(1), s.i64(2), s.time(3), s.str(4), s.str(5), s.str(6), s.str(7), s.str(8)});
  }
  return out;
}

std::vector<Micros> StateStore::candidates_first_seen(const std::vector<std::pair<std::string, std::string>>& candidates, Micros now) {
  std::vector<Micros> first(candidates.size(), now);
  Stmt sel(db_, "SELECT first_seen FROM candidates WHERE repository = ? AND digest = ?");
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    sel.bind(1, candidates[i].first).bind(2, candidates[i].second);
    if (sel.step()) first[i] = sel.i64(0);
    sel.reset();
  }
  return first;
}

void StateStore::note_candidates(const std::vector<std::string>& repositories, const std::vector<std::pair<std::string, std::string>>& candidates,
                                 Micros now) {
  transaction([&] {
    std::unordered_map<std::string, std::vector<std::size_t>> by_repo;
    for (std::size_t i = 0; i < candidates.size(); ++i) by_repo[candidates[i].first].push_back(i);
    Stmt sel(db_, "SELECT digest FROM candidates WHERE repository = ?");
    Stmt del(db_, "DELETE FROM candidates WHERE repository = ? AND digest = ?");
    Stmt ins(db_, "INSERT INTO candidates VALUES (?,?,?)");
    for (const auto& repo : repositories) {
      std::unordered_set<std::string> known;
      sel.bind(1, repo);
      while (sel.step()) known.insert(sel.str(0));
      sel.reset();
      auto it = by_repo.find(repo);
      std::unordered_set<std::string> now_candidates;
      if (it != by_repo.end()) {
        for (auto i : it->second) now_candidates.insert(candidates[i].second);
      }
      for (const auto& digest : known)
        if (!now_candidates.count(digest)) del.bind(1, repo).bind(2, digest).run();
      for (const auto& digest : now_candidates)
        if (!known.count(digest)) ins.bind(1, repo).bind(2, digest).bind(3, now).run();
    }
  });
}

std::vector<Micros> StateStore::note_first_seen(const std::string& registry, const std::vector<std::pair<std::string, std::string>>& images,
                                                Micros now) {
  std::vector<Micros> earlier(images.size(), kNoTime);
  transaction([&] {
    Stmt sel(db_, "SELECT seen_at FROM first_seen WHERE registry = ? AND repository = ? AND digest = ?");
    Stmt ins(db_, "INSERT INTO first_seen VALUES (?,?,?,?)");
    for (std::size_t i = 0; i < images.size(); ++i) {
      sel.bind(1, registry).bind(2, images[i].first).bind(3, images[i].second);
      if (sel.step()) earlier[i] = sel.i64(0);
      sel.reset();
      if (earlier[i] == kNoTime) ins.bind(1, registry).bind(2, images[i].first).bind(3, images[i].second).bind(4, now).run();
    }
  });
  return earlier;
}

bool StateStore::cached_manifest(const std::string& digest, std::string& body, std::string& content_type, std::string& created) {
  Stmt sel(db_, "SELECT content_type, body, config_created FROM oci_manifests WHERE digest = ?");
  sel.bind(1, digest);
  if (!sel.step()) return false;
  content_type = sel.str(0);
  body = sel.str(1);
  created = sel.str(2);
  return true;
}

bool StateStore::manifest_cache_empty() {
  Stmt sel(db_, "SELECT 1 FROM oci_manifests LIMIT 1");
  return !sel.step();
}

void StateStore::cache_manifests(const std::vector<CachedManifestRow>& rows) {
  if (rows.empty()) return;
  transaction([&] {
    Stmt ins(db_, "INSERT OR IGNORE INTO oci_manifests VALUES (?,?,?,?)");
    for (const auto& r : rows) ins.bind(1, r.digest).bind(2, r.content_type).bind(3, r.body).bind(4, r.created).run();
  });
}

}  // namespace regpol
