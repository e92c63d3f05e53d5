// sqlite-pragma-in-transaction: PRAGMA foreign_keys in a transactional SQLite file.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const char* kRebuild =
    "PRAGMA foreign_keys=off;\n"
    "CREATE TABLE new_t (id INTEGER PRIMARY KEY, a TEXT NOT NULL);\n"
    "INSERT INTO new_t (id, a) SELECT id, a FROM t;\n"
    "DROP TABLE t;\n"
    "ALTER TABLE new_t RENAME TO t;\n"
    "PRAGMA foreign_keys = ON;\n";

TEST(SqlitePragmaInTransactionTest, Cases) {
  const std::string msg = " does nothing here: SQLite ignores it inside a transaction, and dbroll runs this file in one";
  const LintCase cases[] = {
      {.name = "rebuild in a transactional file",
       .target = "sqlite:3.40",
       .migrations = {{"CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);", "DROP TABLE t;"}, {kRebuild, "SELECT 1;"}},
       .rule = "sqlite-pragma-in-transaction",
       .expected = {"0002_m/up.sql:1:1: PRAGMA foreign_keys = off" + msg,
                    "0002_m/up.sql:6:1: PRAGMA foreign_keys = on" + msg}},
      {.name = "no-transaction file",
       .target = "sqlite:3.40",
       .migrations = {{"CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);", "DROP TABLE t;"},
                      {std::string("-- dbroll:no-transaction\n") + kRebuild, "SELECT 1;"}},
       .rule = "sqlite-pragma-in-transaction",
       .expected = {}},
      {.name = "other pragmas",
       .target = "sqlite:3.40",
       .migrations = {{"PRAGMA foreign_key_check;\nPRAGMA foreign_keys;\nPRAGMA user_version = 3;", "SELECT 1;"}},
       .rule = "sqlite-pragma-in-transaction",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
