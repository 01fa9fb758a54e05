#include "store/snapshot_store.h"

#include <sqlite3.h>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <memory>

#include "snapshot/validate.h"
#include "util/random_id.h"
#include "util/text.h"

namespace regpol {

namespace {

constexpr const char* kSchema = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE repositories (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, registry_id TEXT, arn TEXT, mutability INTEGER NOT NULL,
  exclusions TEXT NOT NULL, scan_on_push INTEGER NOT NULL, encryption TEXT, created_at INTEGER);
CREATE TABLE images (
  repository INTEGER NOT NULL REFERENCES repositories(id), digest TEXT NOT NULL, tags TEXT NOT NULL,
  children TEXT NOT NULL, pushed_at INTEGER NOT NULL, last_pulled_at INTEGER, last_archived_at INTEGER,
  last_activated_at INTEGER, size_bytes INTEGER, manifest_media_type TEXT, artifact_media_type TEXT, subject TEXT,
  status INTEGER NOT NULL, critical INTEGER, high INTEGER, medium INTEGER, low INTEGER, informational INTEGER,
  PRIMARY KEY (repository, digest)) WITHOUT ROWID;
)sql";

struct Db {
  sqlite3* db = nullptr;
  ~Db() {
    if (db) sqlite3_close(db);
  }
};
struct Stmt {
  sqlite3_stmt* s = nullptr;
  ~Stmt() {
    if (s) sqlite3_finalize(s);
  }
};

// Lists are stored as text joined by '\n' (tags and digests cannot contain a newline).
std::string join(const Registry& reg, const StrId* ids, std::uint32_t n) {
  std::string out;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i) out += '\n';
    out += reg.str(ids[i]);
  }
  return out;
}

void bind_time(sqlite3_stmt* s, int i, Micros t) {
  if (t == kNoTime) sqlite3_bind_null(s, i);
  else sqlite3_bind_int64(s, i, t);
}
void bind_str(sqlite3_stmt* s, int i, std::string_view v) {
  if (v.empty()) sqlite3_bind_null(s, i);
  else sqlite3_bind_text(s, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
}
std::string_view column_str(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string_view();
}

}  // namespace

namespace {

// Writes the whole store into `path` (a new file), in one transaction.
bool write_store(const Registry& reg, const std::string& path, std::string& error) {
  Db db;
  auto fail = [&](const char* what) {
    error = std::string(what) + ": " + (db.db ? sqlite3_errmsg(db.db) : "cannot open");
    return false;
  };
  if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, nullptr) != SQLITE_OK) return fail("cannot create");
  if (sqlite3_exec(db.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db.db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("cannot write schema");
  }
  {
    Stmt meta;
    // store_id: this store's identity for apply (a copy keeps it; a new import gets a new
    // one); source: the registry the imported snapshot came from, when it said.
    sqlite3_prepare_v2(db.db, "INSERT INTO meta VALUES ('schema', 'regpol.snapshot-store/v1'), ('captured_at', ?), ('store_id', ?), ('source', ?)",
                       -1, &meta.s, nullptr);
    sqlite3_bind_text(meta.s, 1, reg.captured_at == kNoTime ? "" : format_timestamp(reg.captured_at).c_str(), -1, SQLITE_TRANSIENT);
    std::string id = random_hex(16);
    sqlite3_bind_text(meta.s, 2, id.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(meta.s, 3, reg.source.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(meta.s) != SQLITE_DONE) return fail("cannot write");
  }
  {  // the statements are finalized at the end of this block, before the close below
  Stmt repo;
  sqlite3_prepare_v2(db.db, "INSERT INTO repositories VALUES (?,?,?,?,?,?,?,?,?)", -1, &repo.s, nullptr);
  for (std::size_t r = 0; r < reg.repositories.size(); ++r) {
    const Repository& x = reg.repositories[r];
    sqlite3_reset(repo.s);
    sqlite3_bind_int64(repo.s, 1, static_cast<std::int64_t>(r));
    bind_str(repo.s, 2, reg.str(x.name));
    bind_str(repo.s, 3, reg.str(x.registry_id));
    bind_str(repo.s, 4, reg.str(x.arn));
    sqlite3_bind_int(repo.s, 5, static_cast<int>(x.mutability));
    std::string ex = join(reg, x.mutability_exclusions.data(), static_cast<std::uint32_t>(x.mutability_exclusions.size()));
    sqlite3_bind_text(repo.s, 6, ex.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int(repo.s, 7, x.scan_on_push);
    bind_str(repo.s, 8, reg.str(x.encryption));
    bind_time(repo.s, 9, x.created_at);
    if (sqlite3_step(repo.s) != SQLITE_DONE) return fail("cannot write a repository");
  }
  Stmt img;
  sqlite3_prepare_v2(db.db, "INSERT INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", -1, &img.s, nullptr);
  for (const Image& m : reg.images) {
    sqlite3_reset(img.s);
    sqlite3_bind_int64(img.s, 1, m.repo);
    bind_str(img.s, 2, reg.str(m.digest));
    std::string tags = join(reg, reg.tags_of(m), m.tag_count), children = join(reg, reg.children_of(m), m.child_count);
    sqlite3_bind_text(img.s, 3, tags.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(img.s, 4, children.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(img.s, 5, m.pushed_at);
    bind_time(img.s, 6, m.last_pulled_at);
    bind_time(img.s, 7, m.last_archived_at);
    bind_time(img.s, 8, m.last_activated_at);
    if (m.size_bytes < 0) sqlite3_bind_null(img.s, 9);
    else sqlite3_bind_int64(img.s, 9, m.size_bytes);
    bind_str(img.s, 10, reg.str(m.manifest_media_type));
    bind_str(img.s, 11, reg.str(m.artifact_media_type));
    bind_str(img.s, 12, reg.str(m.subject));
    sqlite3_bind_int(img.s, 13, static_cast<int>(m.status));
    for (int f = 0; f < kSeverityCount; ++f) {
      if (m.findings[static_cast<std::size_t>(f)] < 0) sqlite3_bind_null(img.s, 14 + f);
      else sqlite3_bind_int(img.s, 14 + f, m.findings[static_cast<std::size_t>(f)]);
    }
    if (sqlite3_step(img.s) != SQLITE_DONE) return fail("cannot write an image");
  }
  }
  if (sqlite3_exec(db.db, "COMMIT;", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot commit");
  if (sqlite3_close(db.db) != SQLITE_OK) return fail("cannot close");
  db.db = nullptr;
  return true;
}

}  // namespace

bool is_snapshot_store(const std::string& path) {
  Db db;
  if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return false;
  Stmt meta;
  if (sqlite3_prepare_v2(db.db, "SELECT value FROM meta WHERE key = 'schema'", -1, &meta.s, nullptr) != SQLITE_OK) return false;
  return sqlite3_step(meta.s) == SQLITE_ROW && column_str(meta.s, 0) == "regpol.snapshot-store/v1";
}

SaveResult save_registry_sqlite(const Registry& reg, const std::string& path, bool replace, std::string& error) {
  struct stat st {};
  bool exists = ::lstat(path.c_str(), &st) == 0;
  if (exists && S_ISDIR(st.st_mode)) return (error = "`" + path + "` is a directory"), SaveResult::Refused;
  if (exists && !replace) {
    error = "`" + path + "` already exists" + std::string(is_snapshot_store(path) ? " (a regpol snapshot store)" : " and is not a regpol snapshot store") +
            "; pass --replace to overwrite it";
    return SaveResult::Refused;
  }
  if (exists && !S_ISREG(st.st_mode)) return (error = "`" + path + "` is not a regular file"), SaveResult::Refused;
  // The store's schema has no column for blobs or for where a push time came from: a
  // snapshot of a Distribution registry stays JSON rather than lose what plans read.
  if (reg.has_blobs() || std::any_of(reg.images.begin(), reg.images.end(), [](const Image& i) { return i.time_source != TimeSource::Pushed; })) {
    error = "this snapshot lists blobs or push times not recorded by the registry (an OCI Distribution pull): the SQLite store "
            "keeps neither, so keep the snapshot as JSON (plan and apply read it as fast)";
    return SaveResult::Refused;
  }
  // The store is written whole under a temporary name beside the target, then put in place
  // in one step: a failed or interrupted import never leaves a truncated store, and of two
  // imports racing for a new name exactly one wins (link() refuses an existing name).
  std::string tmp = path + ".tmp-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return (error = "cannot create a temporary file beside `" + path + "`: " + errno_message(errno)), SaveResult::Failed;
  ::close(fd);
  std::string why;
  if (!write_store(reg, tmp, why)) {
    ::unlink(tmp.c_str());
    error = "`" + path + "`: " + why;
    return SaveResult::Failed;
  }
  int rc = replace ? ::rename(tmp.c_str(), path.c_str()) : ::link(tmp.c_str(), path.c_str());
  int err = errno;
  if (!replace || rc != 0) ::unlink(tmp.c_str());
  if (rc != 0) {
    if (err == EEXIST) {
      error = "`" + path + "` was created by someone else meanwhile; pass --replace to overwrite it";
      return SaveResult::Refused;
    }
    error = "cannot put the store in place at `" + path + "`: " + errno_message(err);
    return SaveResult::Failed;
  }
  return SaveResult::Saved;
}

namespace {

// Reads one column with the rules of engine/snapshot/validate.h; `fail` gets the problem.
class RowReader {
 public:
  RowReader(sqlite3_stmt* s, std::string where) : s_(s), where_(std::move(where)) {}
  const std::string& problem() const { return problem_; }
  bool null(int i) const { return sqlite3_column_type(s_, i) == SQLITE_NULL; }
  // An integer column in [lo, hi]; NULL gives `if_null` when `nullable`.
  bool integer(int i, const char* name, std::int64_t lo, std::int64_t hi, bool nullable, std::int64_t if_null, std::int64_t& out) {
    if (null(i)) {
      if (!nullable) return bad(name, "is NULL");
      out = if_null;
      return true;
    }
    if (sqlite3_column_type(s_, i) != SQLITE_INTEGER) return bad(name, "is not an integer");
    out = sqlite3_column_int64(s_, i);
    if (out < lo || out > hi) return bad(name, "is " + std::to_string(out) + ", outside " + std::to_string(lo) + ".." + std::to_string(hi));
    return true;
  }
  bool time(int i, const char* name, bool nullable, Micros& out) {
    if (!integer(i, name, INT64_MIN, INT64_MAX, nullable, kNoTime, out)) return false;
    if (out == kNoTime && nullable && null(i)) return true;
    if (auto why = check_image_time(out); !why.empty()) return bad(name, why);
    return true;
  }
  bool text(int i, const char* name, bool nullable, std::string_view& out) {
    if (null(i)) {
      if (!nullable) return bad(name, "is NULL");
      out = {};
      return true;
    }
    if (sqlite3_column_type(s_, i) != SQLITE_TEXT) return bad(name, "is not text");
    out = column_str(s_, i);
    return true;
  }
  bool check(const char* name, const std::string& why) { return why.empty() || bad(name, why); }
  bool bad(const char* name, const std::string& why) {
    problem_ = where_ + ", column `" + name + "`: " + why;
    return false;
  }

 private:
  sqlite3_stmt* s_;
  std::string where_;
  std::string problem_;
};

// Splits a '\n'-joined list; each item must pass `check`.
bool split_list(std::string_view text, std::vector<std::string_view>& out, RowReader& row, const char* name,
                std::string (*check)(std::string_view)) {
  out.clear();
  for (std::size_t b = 0; !text.empty() && b <= text.size();) {
    std::size_t e = text.find('\n', b);
    if (e == std::string_view::npos) e = text.size();
    out.push_back(text.substr(b, e - b));
    if (!row.check(name, check(out.back()))) return false;
    b = e + 1;
  }
  return true;
}

}  // namespace

bool load_registry_sqlite(const std::string& path, Registry& reg, std::string& error, const std::string* only_repository) {
  Db db;
  // SQLite's own words ("no more rows available") mean nothing to a user: every failure
  // says what regpol was doing, and SQLite's message only where it adds something.
  auto fail = [&](const std::string& what) {
    error = what;
    return false;
  };
  if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return fail("cannot open the store");
  sqlite3_busy_timeout(db.db, 10000);  // an import may be writing: wait for it
  {
    Stmt meta;
    if (sqlite3_prepare_v2(db.db, "SELECT key, value FROM meta", -1, &meta.s, nullptr) != SQLITE_OK) {
      return fail("not a regpol snapshot store");
    }
    bool schema_ok = false;
    while (sqlite3_step(meta.s) == SQLITE_ROW) {
      std::string_view k = column_str(meta.s, 0), v = column_str(meta.s, 1);
      if (k == "schema") schema_ok = v == "regpol.snapshot-store/v1";
      if (k == "store_id" || (k == "source" && !v.empty())) {
        std::string& slot = k == "store_id" ? reg.store_id : reg.source;
        if (!slot.empty() && slot != v) reg.mixed_sources = true;
        if (slot.empty()) slot = std::string(v);
      }
      if (k == "captured_at" && !v.empty()) {
        auto t = parse_timestamp(v);
        if (!t) return fail("meta `captured_at` is not a timestamp with a zone");
        reg.captured_at = std::max(reg.captured_at, *t);
      }
    }
    if (!schema_ok) return fail("unsupported snapshot store schema");
  }
  reg.source_files.push_back(path);
  reg.file_first_image.push_back(static_cast<std::uint32_t>(reg.images.size()));
  std::vector<std::uint32_t> repo_map;
  Stmt repo;
  if (sqlite3_prepare_v2(db.db, "SELECT id, name, registry_id, arn, mutability, exclusions, scan_on_push, encryption, created_at FROM repositories ORDER BY id",
                         -1, &repo.s, nullptr) != SQLITE_OK) {
    return fail("not a regpol snapshot store (no repositories table)");
  }
  std::vector<std::string_view> list;
  int rc;
  while ((rc = sqlite3_step(repo.s)) == SQLITE_ROW) {
    if (only_repository && column_str(repo.s, 1) != *only_repository) continue;
    RowReader row(repo.s, "repositories row id " + std::to_string(sqlite3_column_int64(repo.s, 0)));
    std::int64_t id = 0, mutability = 0, scan = 0;
    std::string_view name, registry_id, arn, exclusions, encryption;
    Micros created = kNoTime;
    if (!row.integer(0, "id", 0, 100000000, false, 0, id) || !row.text(1, "name", false, name) ||
        !row.check("name", check_repository_name(name)) || !row.text(2, "registry_id", true, registry_id) ||
        !row.text(3, "arn", true, arn) || !row.integer(4, "mutability", 0, 4, false, 0, mutability) ||
        !row.text(5, "exclusions", false, exclusions) || !row.integer(6, "scan_on_push", -1, 1, false, 0, scan) ||
        !row.text(7, "encryption", true, encryption) || !row.time(8, "created_at", true, created)) {
      return fail(row.problem());
    }
    std::uint32_t r = reg.repository(name);
    if (repo_map.size() <= static_cast<std::size_t>(id)) repo_map.resize(static_cast<std::size_t>(id) + 1, UINT32_MAX);
    repo_map[static_cast<std::size_t>(id)] = r;
    Repository& x = reg.repositories[r];
    x.registry_id = reg.strings.intern(registry_id);
    x.arn = reg.strings.intern(arn);
    x.mutability = static_cast<Mutability>(mutability);
    x.mutability_exclusions.clear();
    for (std::size_t b = 0; !exclusions.empty() && b <= exclusions.size();) {
      std::size_t e = exclusions.find('\n', b);
      if (e == std::string_view::npos) e = exclusions.size();
      x.mutability_exclusions.push_back(reg.strings.intern(exclusions.substr(b, e - b)));
      b = e + 1;
    }
    x.scan_on_push = static_cast<std::int8_t>(scan);
    x.encryption = reg.strings.intern(encryption);
    x.created_at = created;
  }
  if (rc != SQLITE_DONE) return fail("cannot read the repositories table");
  Stmt img;
  // One repository: through the primary key (repository, digest), not a scan of the store.
  const char* images_sql = only_repository
                               ? "SELECT * FROM images WHERE repository = (SELECT id FROM repositories WHERE name = ?) ORDER BY digest"
                               : "SELECT * FROM images ORDER BY repository, digest";
  if (sqlite3_prepare_v2(db.db, images_sql, -1, &img.s, nullptr) != SQLITE_OK) {
    return fail("not a regpol snapshot store (no images table)");
  }
  if (only_repository) sqlite3_bind_text(img.s, 1, only_repository->c_str(), -1, SQLITE_TRANSIENT);
  std::size_t row_number = 0;
  while ((rc = sqlite3_step(img.s)) == SQLITE_ROW) {
    ++row_number;
    std::string_view digest;
    RowReader row(img.s, "images row " + std::to_string(row_number));
    if (!row.text(1, "digest", false, digest) || !row.check("digest", check_digest(digest))) return fail(row.problem());
    row = RowReader(img.s, "images row " + std::to_string(row_number) + " (" + std::string(digest) + ")");
    Image m;
    std::int64_t rid = 0, size = 0, status = 0;
    std::string_view tags, children, manifest, artifact, subject;
    if (!row.integer(0, "repository", 0, INT64_MAX, false, 0, rid)) return fail(row.problem());
    if (static_cast<std::size_t>(rid) >= repo_map.size() || repo_map[static_cast<std::size_t>(rid)] == UINT32_MAX)
      return fail("images row " + std::to_string(row_number) + " names repository id " + std::to_string(rid) + ", which the store does not have");
    m.repo = repo_map[static_cast<std::size_t>(rid)];
    if (!row.text(2, "tags", false, tags) || !row.text(3, "children", false, children) ||
        !row.time(4, "pushed_at", false, m.pushed_at) || !row.time(5, "last_pulled_at", true, m.last_pulled_at) ||
        !row.time(6, "last_archived_at", true, m.last_archived_at) || !row.time(7, "last_activated_at", true, m.last_activated_at) ||
        !row.integer(8, "size_bytes", 0, INT64_MAX, true, -1, size) || !row.text(9, "manifest_media_type", true, manifest) ||
        !row.text(10, "artifact_media_type", true, artifact) || !row.text(11, "subject", true, subject) ||
        (!subject.empty() && !row.check("subject", check_digest(subject))) || !row.integer(12, "status", 0, 2, false, 0, status)) {
      return fail(row.problem());
    }
    m.size_bytes = size;
    m.status = static_cast<ImageStatus>(status);
    for (int f = 0; f < kSeverityCount; ++f) {
      static const char* names[] = {"critical", "high", "medium", "low", "informational"};
      std::int64_t n = 0;
      if (!row.integer(13 + f, names[f], 0, 2000000000, true, -1, n)) return fail(row.problem());
      m.findings[static_cast<std::size_t>(f)] = static_cast<std::int16_t>(std::min<std::int64_t>(n, 32767));
    }
    m.digest = reg.strings.store(digest);
    m.tags_begin = static_cast<std::uint32_t>(reg.ids.size());
    if (!split_list(tags, list, row, "tags", &check_tag)) return fail(row.problem());
    std::vector<std::string_view> sorted(list);
    std::sort(sorted.begin(), sorted.end());
    if (std::adjacent_find(sorted.begin(), sorted.end()) != sorted.end()) {
      row.bad("tags", "a tag appears twice on one image");
      return fail(row.problem());
    }
    if (list.size() > kMaxImageListLength) {
      row.bad("tags", "more than 65535 tags");
      return fail(row.problem());
    }
    for (auto t : list) reg.ids.push_back(reg.strings.store(t));
    m.tag_count = static_cast<std::uint16_t>(list.size());
    if (!split_list(children, list, row, "children", &check_digest)) return fail(row.problem());  // stored right after the tags
    if (list.size() > kMaxImageListLength) {
      row.bad("children", "more than 65535 manifest-list children");
      return fail(row.problem());
    }
    for (auto c : list) reg.ids.push_back(reg.strings.store(c));
    m.child_count = static_cast<std::uint16_t>(list.size());
    m.manifest_media_type = reg.strings.intern(manifest);
    m.artifact_media_type = reg.strings.intern(artifact);
    m.subject = reg.strings.intern(subject);
    reg.images.push_back(m);  // finish_registry lists each repository's images
  }
  if (rc != SQLITE_DONE) return fail("cannot read the images table");
  return true;
}

}  // namespace regpol
