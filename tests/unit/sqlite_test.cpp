// The SQLite wrapper checks every result: a prepare that fails, a bind SQLite refuses and a
// step that fails are errors with SQLite's message, and an empty text stays text.
#include <doctest/doctest.h>

#include "store/sqlite.h"

using namespace regpol;

TEST_CASE("the SQLite wrapper reports every failure and binds what it is given") {
  sqlite::Database db;
  std::string error;
  REQUIRE(db.open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error));
  REQUIRE(db.exec("CREATE TABLE t (a TEXT, b INTEGER NOT NULL)", "create", error));

  sqlite::Statement bad;
  CHECK_FALSE(bad.prepare(db.get(), "SELECT x FROM nowhere", "read", error));
  CHECK_MESSAGE(error.rfind("read: no such ", 0) == 0, error);
  CHECK(bad.step() == sqlite::Statement::Step::Error);

  sqlite::Statement insert;
  REQUIRE(insert.prepare(db.get(), "INSERT INTO t VALUES (?, ?)", "insert", error));
  CHECK(insert.bind_text(1, std::string_view()).bind_int(2, 1).run("insert", error));
  CHECK(insert.bind_text_or_null(1, "").bind_int(2, 2).run("insert", error));
  // A bind out of range is remembered and fails the step, with its reason.
  insert.bind_text(3, "x").bind_int(2, 3);
  CHECK(insert.step() == sqlite::Statement::Step::Error);
  CHECK(insert.message().find("could not be bound") != std::string::npos);
  insert.reset();
  // A constraint failure is a failed run, not a silent one.
  error.clear();
  CHECK_FALSE(insert.bind_text(1, "y").run("insert", error));
  CHECK(error.find("insert: NOT NULL constraint failed") == 0);

  sqlite::Statement read;
  REQUIRE(read.prepare(db.get(), "SELECT a IS NULL, typeof(a), b FROM t ORDER BY b", "read", error));
  REQUIRE(read.step() == sqlite::Statement::Step::Row);
  CHECK(read.i64(0) == 0);  // the empty view bound an empty text
  CHECK(read.str(1) == "text");
  REQUIRE(read.step() == sqlite::Statement::Step::Row);
  CHECK(read.i64(0) == 1);  // bind_text_or_null("") is NULL
  CHECK(read.step() == sqlite::Statement::Step::Done);
  CHECK(db.close(error) == false);  // `read` is still open: the close says so
  read.reset();
}

namespace {

std::int64_t count_rows(sqlite::Database& db, const char* table) {
  sqlite::Statement s;
  std::string error;
  REQUIRE(s.prepare(db.get(), (std::string("SELECT count(*) FROM ") + table).c_str(), "count", error));
  REQUIRE(s.step() == sqlite::Statement::Step::Row);
  return s.i64(0);
}

}  // namespace

TEST_CASE("a transaction commits all of its body or none of it, and says why") {
  sqlite::Database db;
  std::string error;
  REQUIRE(db.open(":memory:", SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, error));
  REQUIRE(db.exec("PRAGMA foreign_keys=ON; CREATE TABLE parent (id INTEGER PRIMARY KEY);"
                  "CREATE TABLE child (p INTEGER REFERENCES parent(id) DEFERRABLE INITIALLY DEFERRED)",
                  "create", error));
  auto insert = [&](const char* sql) { return db.exec(sql, "insert", error); };

  CHECK(db.in_transaction("store", error, [&] { return insert("INSERT INTO parent VALUES (1)"); }));
  CHECK(count_rows(db, "parent") == 1);

  // The body gives up after a write: the write is undone and its reason kept.
  error.clear();
  CHECK_FALSE(db.in_transaction("store", error, [&] {
    error = "the body's reason";
    return !insert("INSERT INTO parent VALUES (2)");  // succeeds, then the body fails
  }));
  CHECK(error == "the body's reason");
  CHECK(count_rows(db, "parent") == 1);
  CHECK(sqlite3_get_autocommit(db.get()) != 0);

  // The COMMIT itself is refused (a deferred foreign key): rolled back, and the reason given.
  error.clear();
  CHECK_FALSE(db.in_transaction("store", error, [&] { return insert("INSERT INTO child VALUES (7)"); }));
  CHECK_MESSAGE(error == "store: FOREIGN KEY constraint failed", error);
  CHECK(count_rows(db, "child") == 0);
  CHECK(sqlite3_get_autocommit(db.get()) != 0);

  // BEGIN fails inside an open transaction; the outer one is left to its owner.
  REQUIRE(db.exec("BEGIN", "begin", error));
  error.clear();
  CHECK_FALSE(db.in_transaction("store", error, [] { return true; }));
  CHECK(error.find("store: cannot start a transaction within a transaction") == 0);
  CHECK(sqlite3_get_autocommit(db.get()) == 0);
  REQUIRE(db.exec("ROLLBACK", "rollback", error));
}
