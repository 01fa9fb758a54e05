#include "store/snapshot_store.h"

#include <sqlite3.h>

#include <cstdio>
#include <memory>

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
Micros column_time(sqlite3_stmt* s, int i) { return sqlite3_column_type(s, i) == SQLITE_NULL ? kNoTime : sqlite3_column_int64(s, i); }
std::string_view column_str(sqlite3_stmt* s, int i) {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s, i));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s, i))) : std::string_view();
}

}  // namespace

bool save_registry_sqlite(const Registry& reg, const std::string& path, std::string& error) {
  std::remove(path.c_str());
  Db db;
  auto fail = [&](const char* what) {
    error = path + ": " + what + ": " + (db.db ? sqlite3_errmsg(db.db) : "cannot open");
    return false;
  };
  if (sqlite3_open(path.c_str(), &db.db) != SQLITE_OK) return fail("cannot create");
  if (sqlite3_exec(db.db, "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", nullptr, nullptr, nullptr) != SQLITE_OK ||
      sqlite3_exec(db.db, kSchema, nullptr, nullptr, nullptr) != SQLITE_OK) {
    return fail("cannot write schema");
  }
  {
    Stmt meta;
    sqlite3_prepare_v2(db.db, "INSERT INTO meta VALUES ('schema', 'regpol.snapshot-store/v1'), ('captured_at', ?)", -1, &meta.s, nullptr);
    sqlite3_bind_text(meta.s, 1, reg.captured_at == kNoTime ? "" : format_timestamp(reg.captured_at).c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(meta.s) != SQLITE_DONE) return fail("cannot write");
  }
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
  if (sqlite3_exec(db.db, "COMMIT;", nullptr, nullptr, nullptr) != SQLITE_OK) return fail("cannot commit");
  return true;
}

bool load_registry_sqlite(const std::string& path, Registry& reg, std::string& error) {
  Db db;
  auto fail = [&](const std::string& what) {
    error = what + (db.db ? std::string(": ") + sqlite3_errmsg(db.db) : "");
    return false;
  };
  if (sqlite3_open_v2(path.c_str(), &db.db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) return fail("cannot open");
  {
    Stmt meta;
    if (sqlite3_prepare_v2(db.db, "SELECT key, value FROM meta", -1, &meta.s, nullptr) != SQLITE_OK) {
      return fail("not a regpol snapshot store");
    }
    bool schema_ok = false;
    while (sqlite3_step(meta.s) == SQLITE_ROW) {
      std::string_view k = column_str(meta.s, 0), v = column_str(meta.s, 1);
      if (k == "schema") schema_ok = v == "regpol.snapshot-store/v1";
      if (k == "captured_at" && !v.empty()) {
        if (auto t = parse_timestamp(v)) reg.captured_at = std::max(reg.captured_at, *t);
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
    return fail("not a regpol snapshot store");
  }
  while (sqlite3_step(repo.s) == SQLITE_ROW) {
    auto id = static_cast<std::size_t>(sqlite3_column_int64(repo.s, 0));
    std::uint32_t r = reg.repository(column_str(repo.s, 1));
    if (repo_map.size() <= id) repo_map.resize(id + 1, UINT32_MAX);
    repo_map[id] = r;
    Repository& x = reg.repositories[r];
    x.registry_id = reg.strings.intern(column_str(repo.s, 2));
    x.arn = reg.strings.intern(column_str(repo.s, 3));
    x.mutability = static_cast<Mutability>(sqlite3_column_int(repo.s, 4));
    std::string_view ex = column_str(repo.s, 5);
    x.mutability_exclusions.clear();
    for (std::size_t b = 0; !ex.empty() && b <= ex.size();) {
      std::size_t e = ex.find('\n', b);
      if (e == std::string_view::npos) e = ex.size();
      x.mutability_exclusions.push_back(reg.strings.intern(ex.substr(b, e - b)));
      b = e + 1;
    }
    x.scan_on_push = static_cast<std::int8_t>(sqlite3_column_int(repo.s, 6));
    x.encryption = reg.strings.intern(column_str(repo.s, 7));
    x.created_at = column_time(repo.s, 8);
  }
  Stmt img;
  if (sqlite3_prepare_v2(db.db, "SELECT * FROM images ORDER BY repository, digest", -1, &img.s, nullptr) != SQLITE_OK) {
    return fail("not a regpol snapshot store");
  }
  auto split_into = [&](std::string_view text) {
    std::uint32_t n = 0;
    for (std::size_t b = 0; !text.empty() && b <= text.size();) {
      std::size_t e = text.find('\n', b);
      if (e == std::string_view::npos) e = text.size();
      reg.ids.push_back(reg.strings.store(text.substr(b, e - b)));
      ++n;
      b = e + 1;
    }
    return n;
  };
  int rc;
  while ((rc = sqlite3_step(img.s)) == SQLITE_ROW) {
    Image m;
    auto rid = static_cast<std::size_t>(sqlite3_column_int64(img.s, 0));
    if (rid >= repo_map.size() || repo_map[rid] == UINT32_MAX) return fail("image row names an unknown repository");
    m.repo = repo_map[rid];
    m.digest = reg.strings.store(column_str(img.s, 1));
    m.tags_begin = static_cast<std::uint32_t>(reg.ids.size());
    std::size_t tag_count = split_into(column_str(img.s, 2));
    std::size_t child_count = split_into(column_str(img.s, 3));  // stored right after the tags
    if (tag_count > kMaxImageListLength || child_count > kMaxImageListLength) return fail("an image has more than 65535 tags or children");
    m.tag_count = static_cast<std::uint16_t>(tag_count);
    m.child_count = static_cast<std::uint16_t>(child_count);
    m.pushed_at = sqlite3_column_int64(img.s, 4);
    m.last_pulled_at = column_time(img.s, 5);
    m.last_archived_at = column_time(img.s, 6);
    m.last_activated_at = column_time(img.s, 7);
    m.size_bytes = sqlite3_column_type(img.s, 8) == SQLITE_NULL ? -1 : sqlite3_column_int64(img.s, 8);
    m.manifest_media_type = reg.strings.intern(column_str(img.s, 9));
    m.artifact_media_type = reg.strings.intern(column_str(img.s, 10));
    m.subject = reg.strings.intern(column_str(img.s, 11));
    m.status = static_cast<ImageStatus>(sqlite3_column_int(img.s, 12));
    for (int f = 0; f < kSeverityCount; ++f) {
      m.findings[static_cast<std::size_t>(f)] =
          sqlite3_column_type(img.s, 13 + f) == SQLITE_NULL ? -1 : static_cast<std::int16_t>(std::min(sqlite3_column_int(img.s, 13 + f), 32767));
    }
    reg.images.push_back(m);  // finish_registry lists each repository's images
  }
  if (rc != SQLITE_DONE) return fail("cannot read images");
  return true;
}

}  // namespace regpol
