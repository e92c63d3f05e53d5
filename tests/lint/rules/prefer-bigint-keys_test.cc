// prefer-bigint-keys: 32-bit and 16-bit primary keys on PostgreSQL.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

std::string Msg(const std::string& col, const std::string& type, const std::string& limit) {
  return "primary key column " + col + " is " + type + ": it runs out at " + limit +
         ", and widening it later rewrites the table under an ACCESS EXCLUSIVE lock";
}

TEST(PreferBigintKeysTest, Cases) {
  const LintCase cases[] = {
      {.name = "column primary key",
       .migrations = {{"CREATE TABLE users (id int PRIMARY KEY, n int);", "DROP TABLE users;"}},
       .rule = "prefer-bigint-keys",
       .expected = {"0001_m/up.sql:1:1: " + Msg("users.id", "int4", "2,147,483,647")}},
      {.name = "table primary key, serial and smallint",
       .migrations = {{"CREATE TABLE a (id serial, PRIMARY KEY (id));\n"
                       "CREATE TABLE b (x smallint, y bigint, PRIMARY KEY (x, y));",
                       "DROP TABLE b;\nDROP TABLE a;"}},
       .rule = "prefer-bigint-keys",
       .expected = {"0001_m/up.sql:1:1: " + Msg("a.id", "serial", "2,147,483,647"),
                    "0001_m/up.sql:2:1: " + Msg("b.x", "int2", "32,767")}},
      {.name = "add column primary key",
       .migrations = {{"CREATE TABLE t (a text);", "DROP TABLE t;"},
                      {"ALTER TABLE t ADD COLUMN id integer PRIMARY KEY;", "ALTER TABLE t DROP COLUMN id;"}},
       .rule = "prefer-bigint-keys",
       .expected = {"0002_m/up.sql:1:1: " + Msg("t.id", "int4", "2,147,483,647")}},
      {.name = "bigint keys and non-key ints are fine",
       .migrations = {{"CREATE TABLE t (id bigint PRIMARY KEY, n int, u uuid);", "DROP TABLE t;"}},
       .rule = "prefer-bigint-keys",
       .expected = {}},
      {.name = "only PostgreSQL",
       .target = "sqlite:3.40",
       .migrations = {{"CREATE TABLE t (id integer PRIMARY KEY);", "DROP TABLE t;"}},
       .rule = "prefer-bigint-keys",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
