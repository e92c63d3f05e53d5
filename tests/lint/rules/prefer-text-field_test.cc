// prefer-text-field: varchar(n) columns on PostgreSQL.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(PreferTextFieldTest, Cases) {
  const std::string msg = ": changing the limit later takes an ACCESS EXCLUSIVE lock on the table";
  const LintCase cases[] = {
      {.name = "create table",
       .migrations = {{"CREATE TABLE users (id bigint PRIMARY KEY,\n  email varchar(255), bio text);", "DROP TABLE users;"}},
       .rule = "prefer-text-field",
       .expected = {"0001_m/up.sql:1:1: column users.email is varchar(255)" + msg}},
      {.name = "add column and alter type",
       .migrations = {{"CREATE TABLE users (id bigint PRIMARY KEY);", "DROP TABLE users;"},
                      {"ALTER TABLE users ADD COLUMN name character varying(40);\n"
                       "ALTER TABLE users ALTER COLUMN name TYPE varchar(80);",
                       "ALTER TABLE users DROP COLUMN name;"}},
       .rule = "prefer-text-field",
       .expected = {"0002_m/up.sql:1:1: column users.name is varchar(40)" + msg,
                    "0002_m/up.sql:2:1: column users.name is varchar(80)" + msg}},
      {.name = "text and unbounded varchar are fine",
       .migrations = {{"CREATE TABLE users (id bigint PRIMARY KEY, a text, b varchar);", "DROP TABLE users;"}},
       .rule = "prefer-text-field",
       .expected = {}},
      {.name = "only PostgreSQL",
       .target = "mysql:8.0",
       .migrations = {{"CREATE TABLE users (id bigint PRIMARY KEY, email varchar(255));", "DROP TABLE users;"}},
       .rule = "prefer-text-field",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
