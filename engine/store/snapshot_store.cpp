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
#include "store/sqlite.h"
#include "util/random_id.h"
#include "util/text.h"

namespace regpol {

namespace {

constexpr const char* kSnapshotTables = R"sql(
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE repositories (
  id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, registry_id TEXT, arn TEXT, mutability INTEGER NOT NULL,
  exclusions TEXT NOT NULL, scan_on_push INTEGER NOT NULL, encryption TEXT, created_at INTEGER,
  lifecycle_policy TEXT, repository_policy TEXT, kms_key TEXT);
CREATE TABLE images (
  repository INTEGER NOT NULL REFERENCES repositories(id), digest TEXT NOT NULL, tags TEXT NOT NULL,
  children TEXT NOT NULL, pushed_at INTEGER NOT NULL, last_pulled_at INTEGER, last_archived_at INTEGER,
  last_activated_at INTEGER, size_bytes INTEGER, manifest_media_type TEXT, artifact_media_type TEXT, subject TEXT,
  status INTEGER NOT NULL, critical INTEGER, high INTEGER, medium INTEGER, low INTEGER, informational INTEGER,
  scanned_at INTEGER, PRIMARY KEY (repository, digest)) WITHOUT ROWID;
)sql";

// Lists are stored as text joined by '\n' (tags and digests cannot contain a newline).
std::string join(const Registry& reg, const StrId* ids, std::uint32_t n) {
  std::string out;
  for (std::uint32_t i = 0; i < n; ++i) {
    if (i) out += '\n';
    out += reg.str(ids[i]);
  }
  return out;
}


}  // namespace

namespace {

// Writes the whole store into `path` (a new file), in one transaction.
bool write_store(const Registry& reg, const std::string& path, std::string& error) {
  sqlite::Database db;
  using Step = sqlite::Statement::Step;
  if (!db.open(path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error)) return false;
  if (!db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF; BEGIN;", "cannot write schema", error) ||
      !db.exec(kSnapshotTables, "cannot write schema", error))
    return false;
  {
    sqlite::Statement meta;
    // store_id: this store's identity for apply (a copy keeps it; a new import gets a new
    // one); source: the registry the imported snapshot came from, when it said.
    if (!meta.prepare(db.get(), "INSERT INTO meta VALUES ('schema', 'regpol.snapshot-store/v1'), ('captured_at', ?), ('store_id', ?), ('source', ?)",
                      "cannot write", error))
      return false;
    meta.bind_text(1, reg.captured_at == kNoTime ? std::string() : format_timestamp(reg.captured_at)).bind_text(2, random_hex(16)).bind_text(3, reg.source);
    if (!meta.run("cannot write", error)) return false;
    // The registry's scanning and replication configurations, when the snapshot has them.
    for (const auto& [key, text] : {std::pair<const char*, const std::string*>{"registry_scanning", &reg.scanning_configuration},
                                    {"registry_replication", &reg.replication_configuration}}) {
      if (text->empty()) continue;
      sqlite::Statement setting;
      if (!setting.prepare(db.get(), "INSERT INTO meta VALUES (?, ?)", "cannot write", error)) return false;
      setting.bind_text(1, key).bind_text(2, *text);
      if (!setting.run("cannot write", error)) return false;
    }
  }
  {  // the statements are finalized at the end of this block, before the close below
    sqlite::Statement repo;
    if (!repo.prepare(db.get(), "INSERT INTO repositories VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", "cannot write a repository", error)) return false;
    for (std::size_t r = 0; r < reg.repositories.size(); ++r) {
      const Repository& x = reg.repositories[r];
      repo.bind_int(1, static_cast<std::int64_t>(r))
          .bind_text_or_null(2, reg.str(x.name))
          .bind_text_or_null(3, reg.str(x.registry_id))
          .bind_text_or_null(4, reg.str(x.arn))
          .bind_int(5, static_cast<int>(x.mutability))
          .bind_text(6, join(reg, x.mutability_exclusions.data(), static_cast<std::uint32_t>(x.mutability_exclusions.size())))
          .bind_int(7, x.scan_on_push)
          .bind_text_or_null(8, reg.str(x.encryption))
          .bind_time(9, x.created_at)
          .bind_text_or_null(10, reg.str(x.lifecycle_policy))
          .bind_text_or_null(11, reg.str(x.repository_policy))
          .bind_text_or_null(12, reg.str(x.kms_key));
      if (!repo.run("cannot write a repository", error)) return false;
    }
    sqlite::Statement img;
    if (!img.prepare(db.get(), "INSERT INTO images VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)", "cannot write an image", error)) return false;
    for (const Image& m : reg.images) {
      img.bind_int(1, m.repo)
          .bind_text_or_null(2, reg.str(m.digest))
          .bind_text(3, join(reg, reg.tags_of(m), m.tag_count))
          .bind_text(4, join(reg, reg.children_of(m), m.child_count))
          .bind_int(5, m.pushed_at)
          .bind_time(6, m.last_pulled_at)
          .bind_time(7, m.last_archived_at)
          .bind_time(8, m.last_activated_at);
      if (m.size_bytes < 0) img.bind_null(9);
      else img.bind_int(9, m.size_bytes);
      img.bind_text_or_null(10, reg.str(m.manifest_media_type))
          .bind_text_or_null(11, reg.str(m.artifact_media_type))
          .bind_text_or_null(12, reg.str(m.subject))
          .bind_int(13, static_cast<int>(m.status));
      for (int f = 0; f < kSeverityCount; ++f) {
        if (m.findings[static_cast<std::size_t>(f)] < 0) img.bind_null(14 + f);
        else img.bind_int(14 + f, m.findings[static_cast<std::size_t>(f)]);
      }
      const auto scanned = reg.scan_completed_at.find(static_cast<std::uint32_t>(&m - reg.images.data()));
      img.bind_time(19, scanned == reg.scan_completed_at.end() ? kNoTime : scanned->second);
      if (img.step() != Step::Done) {
        error = "cannot write an image: " + img.message();
        return false;
      }
      img.reset();
    }
  }
  if (!db.exec("COMMIT;", "cannot commit", error)) return false;
  return db.close(error);
}

}  // namespace

bool is_snapshot_store(const std::string& path) {
  sqlite::Database db;
  sqlite::Statement meta;
  std::string ignored;  // any failure means: not a store
  return db.open(path, SQLITE_OPEN_READONLY, ignored) &&
         meta.prepare(db.get(), "SELECT value FROM meta WHERE key = 'schema'", "read", ignored) &&
         meta.step() == sqlite::Statement::Step::Row && meta.text(0) == "regpol.snapshot-store/v1";
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
  RowReader(const sqlite::Statement& s, std::string where) : s_(&s), where_(std::move(where)) {}
  const std::string& problem() const { return problem_; }
  bool null(int i) const { return s_->is_null(i); }
  // An integer column in [lo, hi]; NULL gives `if_null` when `nullable`.
  bool integer(int i, const char* name, std::int64_t lo, std::int64_t hi, bool nullable, std::int64_t if_null, std::int64_t& out) {
    if (null(i)) {
      if (!nullable) return bad(name, "is NULL");
      out = if_null;
      return true;
    }
    if (s_->type(i) != SQLITE_INTEGER) return bad(name, "is not an integer");
    out = s_->i64(i);
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
    if (s_->type(i) != SQLITE_TEXT) return bad(name, "is not text");
    out = s_->text(i);
    return true;
  }
  bool check(const char* name, const std::string& why) { return why.empty() || bad(name, why); }
  bool bad(const char* name, const std::string& why) {
    problem_ = where_ + ", column `" + name + "`: " + why;
    return false;
  }

 private:
  const sqlite::Statement* s_;
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
  sqlite::Database db;
  std::string why;
  if (!db.open(path, SQLITE_OPEN_READONLY, why)) {
    error = "cannot open the store";
    return false;
  }
  sqlite3_busy_timeout(db.get(), 10000);  // an import may be writing: wait for it
  return load_registry_from(db, path, reg, error, only_repository);
}

bool load_registry_from(sqlite::Database& db, const std::string& path, Registry& reg, std::string& error, const std::string* only_repository) {
  using Step = sqlite::Statement::Step;
  // SQLite's own words ("no more rows available") mean nothing to a user: every failure
  // says what regpol was doing, and SQLite's message only where it adds something.
  auto fail = [&](const std::string& what) {
    error = what;
    return false;
  };
  std::string why;
  {
    sqlite::Statement meta;
    if (!meta.prepare(db.get(), "SELECT key, value FROM meta", "read", why)) return fail("not a regpol snapshot store");
    bool schema_ok = false;
    Step st = Step::Row;
    while ((st = meta.step()) == Step::Row) {
      std::string_view k = meta.text(0), v = meta.text(1);
      if (k == "schema") schema_ok = v == "regpol.snapshot-store/v1";
      if (k == "store_id" || (k == "source" && !v.empty())) {
        std::string& slot = k == "store_id" ? reg.store_id : reg.source;
        if (!slot.empty() && slot != v) reg.mixed_sources = true;
        if (slot.empty()) slot = std::string(v);
      }
      if ((k == "registry_scanning" || k == "registry_replication") && !v.empty()) {
        std::string& slot = k == "registry_scanning" ? reg.scanning_configuration : reg.replication_configuration;
        if (slot.empty()) slot = std::string(v);
      }
      if (k == "captured_at" && !v.empty()) {
        auto t = parse_timestamp(v);
        if (!t) return fail("meta `captured_at` is not a timestamp with a zone");
        reg.captured_at = std::max(reg.captured_at, *t);
      }
    }
    if (st == Step::Error) return fail("cannot read the meta table");
    if (!schema_ok) return fail("unsupported snapshot store schema");
  }
  reg.source_files.push_back(path);
  reg.file_first_image.push_back(static_cast<std::uint32_t>(reg.images.size()));
  std::vector<std::uint32_t> repo_map;
  sqlite::Statement repo;
  // One repository (apply's act-time reads, one per repository of a run): through the
  // name's unique index, not a scan of every repository row.
  // Stores written before the policy documents (or the KMS key) were kept have no such
  // columns: NULL then.
  auto has_column = [&](const char* column_name) {
    sqlite::Statement column;
    std::string sql = std::string("SELECT 1 FROM pragma_table_info('repositories') WHERE name = '") + column_name + "'";
    return column.prepare(db.get(), sql.c_str(), "read", why) && column.step() == Step::Row;
  };
  const bool has_documents = has_column("repository_policy"), has_kms_key = has_column("kms_key");
  bool has_scan_times = false;  // stores before scan completion times were kept: unknown
  {
    sqlite::Statement column;
    has_scan_times = column.prepare(db.get(), "SELECT 1 FROM pragma_table_info('images') WHERE name = 'scanned_at'", "read", why) &&
                     column.step() == Step::Row;
  }
  if (!has_documents) reg.policy_documents_unknown = true;
  std::string repo_sql = std::string("SELECT id, name, registry_id, arn, mutability, exclusions, scan_on_push, encryption, created_at, ") +
                         (has_documents ? "lifecycle_policy, repository_policy, " : "NULL, NULL, ") + (has_kms_key ? "kms_key" : "NULL") +
                         " FROM repositories " +
                         (only_repository ? "WHERE name = ?" : "ORDER BY id");
  if (!repo.prepare(db.get(), repo_sql.c_str(), "read", why)) return fail("not a regpol snapshot store (no repositories table)");
  if (only_repository) repo.bind_text(1, *only_repository);
  std::vector<std::string_view> list;
  Step rc = Step::Row;
  while ((rc = repo.step()) == Step::Row) {
    if (only_repository && repo.text(1) != *only_repository) continue;
    RowReader row(repo, "repositories row id " + std::to_string(repo.i64(0)));
    std::int64_t id = 0, mutability = 0, scan = 0;
    std::string_view name, registry_id, arn, exclusions, encryption, lifecycle_policy, repository_policy, kms_key;
    Micros created = kNoTime;
    if (!row.integer(0, "id", 0, 100000000, false, 0, id) || !row.text(1, "name", false, name) ||
        !row.check("name", check_repository_name(name)) || !row.text(2, "registry_id", true, registry_id) ||
        !row.text(3, "arn", true, arn) || !row.integer(4, "mutability", 0, 4, false, 0, mutability) ||
        !row.text(5, "exclusions", false, exclusions) || !row.integer(6, "scan_on_push", -1, 1, false, 0, scan) ||
        !row.text(7, "encryption", true, encryption) || !row.time(8, "created_at", true, created) ||
        !row.text(9, "lifecycle_policy", true, lifecycle_policy) || !row.text(10, "repository_policy", true, repository_policy) ||
        !row.text(11, "kms_key", true, kms_key)) {
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
    x.lifecycle_policy = lifecycle_policy.empty() ? kNoStr : reg.strings.intern(lifecycle_policy);
    x.repository_policy = repository_policy.empty() ? kNoStr : reg.strings.intern(repository_policy);
    x.kms_key = kms_key.empty() ? kNoStr : reg.strings.intern(kms_key);
    x.created_at = created;
  }
  if (rc != Step::Done) return fail("cannot read the repositories table");
  sqlite::Statement img;
  // One repository: through the primary key (repository, digest), not a scan of the store.
  const char* images_sql = only_repository
                               ? "SELECT * FROM images WHERE repository = (SELECT id FROM repositories WHERE name = ?) ORDER BY digest"
                               : "SELECT * FROM images ORDER BY repository, digest";
  if (!img.prepare(db.get(), images_sql, "read", why)) return fail("not a regpol snapshot store (no images table)");
  if (only_repository) img.bind_text(1, *only_repository);
  std::size_t row_number = 0;
  while ((rc = img.step()) == Step::Row) {
    ++row_number;
    std::string_view digest;
    RowReader row(img, "images row " + std::to_string(row_number));
    if (!row.text(1, "digest", false, digest) || !row.check("digest", check_digest(digest))) return fail(row.problem());
    row = RowReader(img, "images row " + std::to_string(row_number) + " (" + std::string(digest) + ")");
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
    if (has_scan_times) {
      Micros scanned = kNoTime;
      if (!row.time(18, "scanned_at", true, scanned)) return fail(row.problem());
      if (scanned != kNoTime) reg.scan_completed_at[static_cast<std::uint32_t>(reg.images.size())] = scanned;
    }
    reg.images.push_back(m);  // finish_registry lists each repository's images
  }
  if (rc != Step::Done) return fail("cannot read the images table");
  return true;
}

}  // namespace regpol
