#include "store/sqlite.h"

namespace regpol::sqlite {

Database::~Database() {
  if (db_) sqlite3_close(db_);
}

bool Database::open(const std::string& path, int flags, std::string& error) {
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) == SQLITE_OK) return true;
  error = "cannot open " + path + ": " + message();
  sqlite3_close(db_);
  db_ = nullptr;
  return false;
}

bool Database::exec(const char* sql, const char* what, std::string& error) {
  if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) == SQLITE_OK) return true;
  error = std::string(what) + ": " + message();
  return false;
}

bool Database::in_transaction(const char* what, std::string& error, const std::function<bool()>& body) {
  if (!exec("BEGIN IMMEDIATE", what, error)) return false;
  std::string commit_error;
  if (body() && exec("COMMIT", what, commit_error)) return true;
  if (error.empty()) error = commit_error.empty() ? std::string(what) + ": " + message() : commit_error;
  // A failed statement or COMMIT may already have ended the transaction (autocommit again).
  if (sqlite3_get_autocommit(db_) == 0 && sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr) != SQLITE_OK)
    error += "; and undoing it failed too: " + message();
  return false;
}

bool Database::close(std::string& error) {
  if (!db_) return true;
  if (sqlite3_close(db_) != SQLITE_OK) {
    error = "cannot close: " + message();
    return false;
  }
  db_ = nullptr;
  return true;
}

std::string Database::message() const { return db_ ? sqlite3_errmsg(db_) : "out of memory"; }

Statement::~Statement() { sqlite3_finalize(s_); }

bool Statement::prepare(sqlite3* db, const char* sql, const char* what, std::string& error) {
  sqlite3_finalize(s_);
  s_ = nullptr;
  db_ = db;
  bind_rc_ = SQLITE_OK;
  if (sqlite3_prepare_v2(db, sql, -1, &s_, nullptr) == SQLITE_OK && s_) return true;
  error = std::string(what) + ": " + message();
  return false;
}

Statement& Statement::bound(int rc) {
  if (bind_rc_ == SQLITE_OK && rc != SQLITE_OK) bind_rc_ = rc;
  return *this;
}

Statement& Statement::bind_int(int i, std::int64_t v) { return bound(sqlite3_bind_int64(s_, i, v)); }

Statement& Statement::bind_text(int i, std::string_view v) {
  // A null pointer would bind NULL: an empty view still binds an empty text.
  return bound(sqlite3_bind_text64(s_, i, v.data() ? v.data() : "", v.size(), SQLITE_TRANSIENT, SQLITE_UTF8));
}

Statement& Statement::bind_text_or_null(int i, std::string_view v) { return v.empty() ? bind_null(i) : bind_text(i, v); }

Statement& Statement::bind_time(int i, Micros t) { return t == kNoTime ? bind_null(i) : bind_int(i, t); }

Statement& Statement::bind_null(int i) { return bound(sqlite3_bind_null(s_, i)); }

Statement::Step Statement::step() {
  if (!s_ || bind_rc_ != SQLITE_OK) return Step::Error;
  int rc = sqlite3_step(s_);
  return rc == SQLITE_ROW ? Step::Row : rc == SQLITE_DONE ? Step::Done : Step::Error;
}

bool Statement::run(const char* what, std::string& error) {
  Step st = Step::Row;
  while ((st = step()) == Step::Row) {
  }
  if (st == Step::Error) {
    error = std::string(what) + ": " + message();
    reset();
    return false;
  }
  reset();
  return true;
}

void Statement::reset() {
  if (!s_) return;
  sqlite3_reset(s_);
  sqlite3_clear_bindings(s_);
  bind_rc_ = SQLITE_OK;
}

std::string_view Statement::text(int c) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(s_, c));
  return p ? std::string_view(p, static_cast<std::size_t>(sqlite3_column_bytes(s_, c))) : std::string_view();
}

int Statement::code() const {
  if (bind_rc_ != SQLITE_OK) return bind_rc_;
  return db_ ? sqlite3_errcode(db_) : SQLITE_MISUSE;
}

ErrorKind error_kind(int code) {
  switch (code & 0xff) {  // the primary code of an extended one
    case SQLITE_OK:
    case SQLITE_ROW:
    case SQLITE_DONE: return ErrorKind::None;
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
    case SQLITE_IOERR:
    case SQLITE_FULL:
    case SQLITE_CANTOPEN:
    case SQLITE_PROTOCOL:
    case SQLITE_NOMEM:
    case SQLITE_INTERRUPT: return ErrorKind::Retryable;
    case SQLITE_READONLY:
    case SQLITE_PERM:
    case SQLITE_AUTH: return ErrorKind::Denied;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
    case SQLITE_FORMAT:
    case SQLITE_SCHEMA:
    case SQLITE_CONSTRAINT:
    case SQLITE_MISMATCH:
    case SQLITE_TOOBIG: return ErrorKind::BadInput;
    default: return ErrorKind::Internal;
  }
}

std::string Statement::message() const {
  if (bind_rc_ != SQLITE_OK) return std::string("a value could not be bound: ") + sqlite3_errstr(bind_rc_);
  if (!db_) return "no database";
  return sqlite3_errmsg(db_);
}

}  // namespace regpol::sqlite
