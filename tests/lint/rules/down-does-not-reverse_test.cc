// down-does-not-reverse: positive and negative cases, as tables.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const char* kRule = "down-does-not-reverse";

// Issue 17: SQLite's documented table rebuild, and objects that go away with
// a dropped view or column.
TEST(DownDoesNotReverseTest, Cases) {
  const std::pair<std::string, std::string> users = {
      "CREATE TABLE users (id bigint primary key, email text, a int, name text);", "DROP TABLE users;"};
  const LintCase cases[] = {
      {.name = "table left behind",
       .migrations = {{"CREATE TABLE a (x int);\nCREATE TABLE b (x int);", "DROP TABLE b;"}},
       .rule = kRule,
       .expected = {"0001_m/up.sql:1:1: table a is not dropped by 0001_m/down.sql"}},
      {.name = "column left behind",
       .migrations = {users, {"ALTER TABLE users ADD COLUMN b int;", "SELECT 1;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:1:1: column users.b is not dropped by 0002_m/down.sql"}},
      {.name = "a dropped table takes its indexes",
       .migrations = {{"CREATE TABLE a (x int);\nCREATE INDEX a_x ON a (x);", "DROP TABLE a;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "rename reverted",
       .migrations = {users, {"ALTER TABLE users RENAME COLUMN email TO mail;",
                              "ALTER TABLE users RENAME COLUMN mail TO email;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "rename not reverted",
       .migrations = {users, {"ALTER TABLE users RENAME COLUMN email TO mail;", "SELECT 1;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:1:1: the rename of column users.email is not reverted by 0002_m/down.sql"}},
  };
  ExpectLintCases(cases);
}

TEST(DownDoesNotReverseTest, ModelsRebuildsAndDependentObjects) {
  const LintCase cases[] = {
      {.name = "SQLite rebuild in the up and back in the down",
       .target = "sqlite:3.40",
       .migrations = {{"CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);", "DROP TABLE t;"},
                      {"CREATE TABLE new_t (id INTEGER PRIMARY KEY, a TEXT NOT NULL, b INTEGER);\n"
                       "INSERT INTO new_t (id, a) SELECT id, a FROM t;\n"
                       "DROP TABLE t;\n"
                       "ALTER TABLE new_t RENAME TO t;\n"
                       "CREATE INDEX t_a ON t (a);",
                       "CREATE TABLE old_t (id INTEGER PRIMARY KEY, a TEXT);\n"
                       "INSERT INTO old_t (id, a) SELECT id, a FROM t;\n"
                       "DROP TABLE t;\n"
                       "ALTER TABLE old_t RENAME TO t;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "SQLite rebuild whose down forgets the added table",
       .target = "sqlite:3.40",
       .migrations = {{"CREATE TABLE t (id INTEGER PRIMARY KEY, a TEXT);", "DROP TABLE t;"},
                      {"CREATE TABLE new_t (id INTEGER PRIMARY KEY, a TEXT NOT NULL);\n"
                       "INSERT INTO new_t (id, a) SELECT id, a FROM t;\n"
                       "DROP TABLE t;\n"
                       "ALTER TABLE new_t RENAME TO t;\n"
                       "CREATE TABLE audit (id INTEGER);",
                       "CREATE TABLE old_t (id INTEGER PRIMARY KEY, a TEXT);\n"
                       "INSERT INTO old_t (id, a) SELECT id, a FROM t;\n"
                       "DROP TABLE t;\n"
                       "ALTER TABLE old_t RENAME TO t;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:5:1: table audit is not dropped by 0002_m/down.sql"}},
      {.name = "a view dropped with CASCADE takes the up's dependent view",
       .migrations = {{"CREATE TABLE t (id bigint, a text);\nCREATE VIEW v AS SELECT id, a FROM t;",
                       "DROP VIEW v;\nDROP TABLE t;"},
                      {"CREATE VIEW w AS SELECT a FROM v WHERE a <> '';",
                       "DROP VIEW v CASCADE;\nCREATE VIEW v AS SELECT id, a FROM t;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "CASCADE does not take an unrelated view",
       .migrations = {{"CREATE TABLE t (id bigint, a text);\nCREATE VIEW v AS SELECT id, a FROM t;",
                       "DROP VIEW v;\nDROP TABLE t;"},
                      {"CREATE VIEW w AS SELECT 1 AS one;",
                       "DROP VIEW v CASCADE;\nCREATE VIEW v AS SELECT id, a FROM t;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:1:1: view w is not dropped by 0002_m/down.sql"}},
      {.name = "an index goes away with its column",
       .migrations = {{"CREATE TABLE t (id bigint, a text);", "DROP TABLE t;"},
                      {"ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX t_c ON t (c);\nCREATE INDEX t_a ON t (a);",
                       "DROP INDEX t_a;\nALTER TABLE t DROP COLUMN c;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "an index on another column stays",
       .migrations = {{"CREATE TABLE t (id bigint, a text, cc int);", "DROP TABLE t;"},
                      {"ALTER TABLE t ADD COLUMN c int;\nCREATE INDEX t_cc ON t (cc);",
                       "ALTER TABLE t DROP COLUMN c;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:2:1: index t_cc is not dropped by 0002_m/down.sql"}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
