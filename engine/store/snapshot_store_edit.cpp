#include "store/snapshot_store_edit.h"

#include <sqlite3.h>

#include <algorithm>
#include <functional>


namespace regpol {

namespace {

struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() { sqlite3_finalize(s); }
};

std::string text(sqlite3_stmt* s, int c) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, c));
  return p ? std::string(p, static_cast<std::size_t>(sqlite3_column_bytes(s, c))) : std::string();
}

// Image status codes of the store (snapshot/model.h ImageStatus).
constexpr int kActive = 0, kArchived = 1;

}  // namespace

std::unique_ptr<SnapshotStoreEditor> SnapshotStoreEditor::open(const std::string& path, std::string& error) {
  // Opened for writing before anything reads it: a batch cut short by a kill left a hot
  // journal, which only a writer rolls back (a read-only open would fail on it).
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
    error = path + ": cannot open the snapshot store for writing: " + (db ? sqlite3_errmsg(db) : "out of memory");
    sqlite3_close(db);
    return nullptr;
  }
  sqlite3_busy_timeout(db, 10000);
  bool is_store = false;
  {
    Stmt s;
    if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = 'schema'", -1, &s.s, nullptr) == SQLITE_OK && sqlite3_step(s.s) == SQLITE_ROW) {
      is_store = text(s.s, 0) == "regpol.snapshot-store/v1";
    }
  }
  if (!is_store) {
    sqlite3_close(db);
    error = path + ": not a regpol snapshot store (write one with `regpol snapshot import`)";
    return nullptr;
  }
  // A rollback journal, synchronous: each batch is durable before apply records it done.
  sqlite3_exec(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;", nullptr, nullptr, nullptr);
  return std::unique_ptr<SnapshotStoreEditor>(new SnapshotStoreEditor(db));
}

SnapshotStoreEditor::~SnapshotStoreEditor() { sqlite3_close(db_); }

bool SnapshotStoreEditor::repository_id(const std::string& repository, long long& id, bool& found, std::string& error) {
  Stmt s;
  if (sqlite3_prepare_v2(db_, "SELECT id FROM repositories WHERE name = ?", -1, &s.s, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db_);
    return false;
  }
  sqlite3_bind_text(s.s, 1, repository.data(), static_cast<int>(repository.size()), SQLITE_TRANSIENT);
  int rc = sqlite3_step(s.s);
  found = rc == SQLITE_ROW;
  if (found) id = sqlite3_column_int64(s.s, 0);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    error = sqlite3_errmsg(db_);
    return false;
  }
  return true;
}

std::string SnapshotStoreEditor::meta(const std::string& key) {
  Stmt s;
  if (sqlite3_prepare_v2(db_, "SELECT value FROM meta WHERE key = ?", -1, &s.s, nullptr) != SQLITE_OK) return "";
  sqlite3_bind_text(s.s, 1, key.data(), static_cast<int>(key.size()), SQLITE_TRANSIENT);
  return sqlite3_step(s.s) == SQLITE_ROW ? text(s.s, 0) : std::string();
}

namespace {

bool in_transaction(sqlite3* db, std::string& error, const std::function<bool()>& body) {
  if (sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) != SQLITE_OK) {
    error = sqlite3_errmsg(db);
    return false;
  }
  if (!body() || sqlite3_exec(db, "COMMIT", nullptr, nullptr, nullptr) != SQLITE_OK) {
    if (error.empty()) error = sqlite3_errmsg(db);
    sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
    return false;
  }
  return true;
}

}  // namespace

bool SnapshotStoreEditor::remove(const std::string& repository, const std::vector<std::string>& digests, std::vector<Change>& out,
                                 std::string& error) {
  out.assign(digests.size(), Change::AlreadyDone);
  long long id = 0;
  bool found = false;
  if (!repository_id(repository, id, found, error)) return false;
  if (!found) return true;  // the repository is gone, and its images with it
  return in_transaction(db_, error, [&] {
    Stmt s;
    if (sqlite3_prepare_v2(db_, "DELETE FROM images WHERE repository = ? AND digest = ?", -1, &s.s, nullptr) != SQLITE_OK) return false;
    for (std::size_t i = 0; i < digests.size(); ++i) {
      sqlite3_bind_int64(s.s, 1, id);
      sqlite3_bind_text(s.s, 2, digests[i].data(), static_cast<int>(digests[i].size()), SQLITE_TRANSIENT);
      if (sqlite3_step(s.s) != SQLITE_DONE) return false;
      out[i] = sqlite3_changes(db_) == 1 ? Change::Changed : Change::AlreadyDone;
      sqlite3_reset(s.s);
    }
    return true;
  });
}

bool SnapshotStoreEditor::archive(const std::string& repository, const std::vector<std::string>& digests, Micros at,
                                  std::vector<Change>& out, std::string& error) {
  out.assign(digests.size(), Change::Missing);
  long long id = 0;
  bool found = false;
  if (!repository_id(repository, id, found, error)) return false;
  if (!found) return true;
  return in_transaction(db_, error, [&] {
    Stmt up, get;
    if (sqlite3_prepare_v2(db_, "UPDATE images SET status = ?, last_archived_at = ? WHERE repository = ? AND digest = ? AND status = ?", -1,
                           &up.s, nullptr) != SQLITE_OK ||
        sqlite3_prepare_v2(db_, "SELECT status FROM images WHERE repository = ? AND digest = ?", -1, &get.s, nullptr) != SQLITE_OK)
      return false;
    for (std::size_t i = 0; i < digests.size(); ++i) {
      const auto& d = digests[i];
      sqlite3_bind_int(up.s, 1, kArchived);
      sqlite3_bind_int64(up.s, 2, at);
      sqlite3_bind_int64(up.s, 3, id);
      sqlite3_bind_text(up.s, 4, d.data(), static_cast<int>(d.size()), SQLITE_TRANSIENT);
      sqlite3_bind_int(up.s, 5, kActive);
      if (sqlite3_step(up.s) != SQLITE_DONE) return false;
      sqlite3_reset(up.s);
      if (sqlite3_changes(db_) == 1) {
        out[i] = Change::Changed;
        continue;
      }
      sqlite3_bind_int64(get.s, 1, id);
      sqlite3_bind_text(get.s, 2, d.data(), static_cast<int>(d.size()), SQLITE_TRANSIENT);
      out[i] = sqlite3_step(get.s) == SQLITE_ROW ? Change::AlreadyDone : Change::Missing;
      sqlite3_reset(get.s);
    }
    return true;
  });
}

}  // namespace regpol
