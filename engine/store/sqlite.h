#pragma once
// The one SQLite wrapper of regpol (the snapshot store, its editor and apply's journal):
// a connection and a prepared statement that close themselves, and every result checked —
// a failed prepare, a refused bind or a failed step is an error with SQLite's message,
// never a statement that silently does nothing. Callers choose their error policy (the
// journal throws, the store returns false) on top of the same checks.
#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "util/error.h"
#include "util/time.h"

namespace regpol::sqlite {

// The kind of a failure with SQLite's result code `code` (primary or extended): a busy or
// locked database, an I/O error or a full disk may pass (resume later); a read-only file or
// a refused permission refuses the caller; a corrupt file or one that is not a database is
// bad input; anything else (a misused API, SQL regpol got wrong) is a defect of regpol.
ErrorKind error_kind(int code);

class Database {
 public:
  Database() = default;
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  // `flags` as for sqlite3_open_v2; false with "cannot open …: <why>".
  bool open(const std::string& path, int flags, std::string& error);
  // Runs statements without results; false with `what: <SQLite's message>`.
  bool exec(const char* sql, const char* what, std::string& error);
  // Runs `body` between BEGIN IMMEDIATE and COMMIT: true when both `body` and the COMMIT
  // succeed. Otherwise the transaction is rolled back, and `error` keeps what `body` said
  // (or why BEGIN/COMMIT failed), plus the reason a refused rollback gives.
  bool in_transaction(const char* what, std::string& error, const std::function<bool()>& body);
  // Closes now (a close can fail: an unfinished statement); false with the reason.
  bool close(std::string& error);
  sqlite3* get() const { return db_; }
  std::string message() const;
  int code() const { return db_ ? sqlite3_errcode(db_) : SQLITE_NOMEM; }

 private:
  sqlite3* db_ = nullptr;
};

class Statement {
 public:
  enum class Step { Row, Done, Error };

  Statement() = default;
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // False with `what: <SQLite's message>`; the statement is then unusable.
  bool prepare(sqlite3* db, const char* sql, const char* what, std::string& error);

  // Binds remember the first refusal; step() then answers Error with its message.
  Statement& bind_int(int i, std::int64_t v);
  Statement& bind_text(int i, std::string_view v);          // "" stays an empty text
  Statement& bind_text_or_null(int i, std::string_view v);  // "" is NULL
  Statement& bind_time(int i, Micros t);                    // kNoTime is NULL
  Statement& bind_null(int i);

  Step step();
  // Steps to the end, then resets; false with `what: <SQLite's message>`.
  bool run(const char* what, std::string& error);
  // Ready to run again: bindings cleared, a remembered bind refusal forgotten.
  void reset();

  bool is_null(int c) const { return sqlite3_column_type(s_, c) == SQLITE_NULL; }
  int type(int c) const { return sqlite3_column_type(s_, c); }
  std::int64_t i64(int c) const { return sqlite3_column_int64(s_, c); }
  Micros time(int c) const { return is_null(c) ? kNoTime : sqlite3_column_int64(s_, c); }
  std::string_view text(int c) const;  // valid until the next step or reset
  std::string str(int c) const { return std::string(text(c)); }
  sqlite3_stmt* get() const { return s_; }
  // SQLite's message and result code for the last failure (a bind refusal first).
  std::string message() const;
  int code() const;

 private:
  Statement& bound(int rc);
  sqlite3* db_ = nullptr;
  sqlite3_stmt* s_ = nullptr;
  int bind_rc_ = SQLITE_OK;
};

}  // namespace regpol::sqlite
