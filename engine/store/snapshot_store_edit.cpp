#include "store/snapshot_store_edit.h"

#include "store/snapshot_store.h"

#include <sqlite3.h>

#include <algorithm>

#include "store/sqlite.h"

namespace regpol {

namespace {

// Image status codes of the store (snapshot/model.h ImageStatus).
constexpr int kActive = 0, kArchived = 1;

// How the store's errors begin ("the snapshot store: database is locked").
constexpr const char* kStore = "the snapshot store";

}  // namespace

std::unique_ptr<SnapshotStoreEditor> SnapshotStoreEditor::open(const std::string& path, std::string& error) {
  // Opened for writing before anything reads it: a batch cut short by a kill left a hot
  // journal, which only a writer rolls back (a read-only open would fail on it).
  std::unique_ptr<SnapshotStoreEditor> editor(new SnapshotStoreEditor(path));
  sqlite::Database& db = editor->db_;
  std::string why;
  if (!db.open(path, SQLITE_OPEN_READWRITE, why)) {
    error = why + " (the snapshot store, opened for writing)";
    return nullptr;
  }
  sqlite3_busy_timeout(db.get(), 10000);
  bool is_store = false;
  {
    sqlite::Statement s;
    std::string ignored;  // no meta table: not a store, said below
    if (s.prepare(db.get(), "SELECT value FROM meta WHERE key = 'schema'", "read", ignored) && s.step() == sqlite::Statement::Step::Row)
      is_store = s.text(0) == "regpol.snapshot-store/v1";
  }
  if (!is_store) {
    error = path + ": not a regpol snapshot store (write one with `regpol snapshot import`)";
    return nullptr;
  }
  // A rollback journal, synchronous: each batch is durable before apply records it done.
  if (!db.exec("PRAGMA journal_mode=DELETE; PRAGMA synchronous=FULL;", "cannot make the snapshot store durable", why)) {
    error = path + ": " + why;
    return nullptr;
  }
  return editor;
}

bool SnapshotStoreEditor::read(const std::string& repository, Registry& out, std::string& error) {
  return load_registry_from(db_, path_, out, error, &repository);
}

bool SnapshotStoreEditor::repository_id(const std::string& repository, long long& id, bool& found, std::string& error) {
  sqlite::Statement s;
  if (!s.prepare(db_.get(), "SELECT id FROM repositories WHERE name = ?", kStore, error)) return false;
  s.bind_text(1, repository);
  auto st = s.step();
  found = st == sqlite::Statement::Step::Row;
  if (found) id = s.i64(0);
  if (st == sqlite::Statement::Step::Error) {
    error = std::string(kStore) + ": " + s.message();
    return false;
  }
  return true;
}

std::string SnapshotStoreEditor::meta(const std::string& key) {
  sqlite::Statement s;
  std::string ignored;  // a store without the key (or meta) has no such identity: ""
  if (!s.prepare(db_.get(), "SELECT value FROM meta WHERE key = ?", kStore, ignored)) return "";
  s.bind_text(1, key);
  return s.step() == sqlite::Statement::Step::Row ? s.str(0) : std::string();
}

bool SnapshotStoreEditor::remove(const std::string& repository, const std::vector<std::string>& digests, std::vector<Change>& out,
                                 std::string& error) {
  out.assign(digests.size(), Change::AlreadyDone);
  long long id = 0;
  bool found = false;
  if (!repository_id(repository, id, found, error)) return false;
  if (!found) return true;  // the repository is gone, and its images with it
  return db_.in_transaction(kStore, error, [&] {
    sqlite::Statement s;
    if (!s.prepare(db_.get(), "DELETE FROM images WHERE repository = ? AND digest = ?", kStore, error)) return false;
    for (std::size_t i = 0; i < digests.size(); ++i) {
      s.bind_int(1, id).bind_text(2, digests[i]);
      if (!s.run(kStore, error)) return false;
      out[i] = sqlite3_changes(db_.get()) == 1 ? Change::Changed : Change::AlreadyDone;
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
  return db_.in_transaction(kStore, error, [&] {
    sqlite::Statement up, get;
    if (!up.prepare(db_.get(), "UPDATE images SET status = ?, last_archived_at = ? WHERE repository = ? AND digest = ? AND status = ?",
                    kStore, error) ||
        !get.prepare(db_.get(), "SELECT status FROM images WHERE repository = ? AND digest = ?", kStore, error))
      return false;
    for (std::size_t i = 0; i < digests.size(); ++i) {
      const auto& d = digests[i];
      up.bind_int(1, kArchived).bind_int(2, at).bind_int(3, id).bind_text(4, d).bind_int(5, kActive);
      if (!up.run(kStore, error)) return false;
      if (sqlite3_changes(db_.get()) == 1) {
        out[i] = Change::Changed;
        continue;
      }
      get.bind_int(1, id).bind_text(2, d);
      auto st = get.step();
      if (st == sqlite::Statement::Step::Error) {
        error = std::string(kStore) + ": " + get.message();
        return false;
      }
      out[i] = st == sqlite::Statement::Step::Row ? Change::AlreadyDone : Change::Missing;
      get.reset();
    }
    return true;
  });
}

bool SnapshotStoreEditor::untag(const std::string& repository, const std::string& digest, const std::vector<std::string>& tags,
                                Change& out, std::string& error) {
  out = Change::Missing;
  long long id = 0;
  bool found = false;
  if (!repository_id(repository, id, found, error)) return false;
  if (!found) return true;
  return db_.in_transaction(kStore, error, [&] {
    sqlite::Statement get, up;
    if (!get.prepare(db_.get(), "SELECT tags FROM images WHERE repository = ? AND digest = ?", kStore, error) ||
        !up.prepare(db_.get(), "UPDATE images SET tags = ? WHERE repository = ? AND digest = ?", kStore, error))
      return false;
    get.bind_int(1, id).bind_text(2, digest);
    auto st = get.step();
    if (st == sqlite::Statement::Step::Error) {
      error = std::string(kStore) + ": " + get.message();
      return false;
    }
    if (st != sqlite::Statement::Step::Row) return true;
    // Tags are stored joined by '\n' (snapshot_store.cpp).
    std::string kept, held(get.text(0));
    bool removed = false;
    for (std::size_t from = 0; from < held.size();) {
      std::size_t end = held.find('\n', from);
      if (end == std::string::npos) end = held.size();
      std::string tag = held.substr(from, end - from);
      from = end + 1;
      if (tag.empty()) continue;
      if (std::find(tags.begin(), tags.end(), tag) != tags.end()) {
        removed = true;
        continue;
      }
      kept += (kept.empty() ? "" : "\n") + tag;
    }
    get.reset();
    if (!removed) {
      out = Change::AlreadyDone;
      return true;
    }
    up.bind_text(1, kept).bind_int(2, id).bind_text(3, digest);
    if (!up.run(kStore, error)) return false;
    out = Change::Changed;
    return true;
  });
}

}  // namespace regpol
