// mysql-dashdash-comment: `--x` lines on MySQL/MariaDB.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(MysqlDashdashCommentTest, Cases) {
  const std::string msg =
      "line starts with `--` and no space after it: the mysql/mariadb client skips it as a comment, but for the "
      "server `--` starts a comment only before a space, so it is SQL there";
  const LintCase cases[] = {
      {.name = "commented-out statement",
       .target = "mariadb:10.11",
       .migrations = {{"CREATE TABLE t (id int);", "--DROP TABLE t;\nDROP TABLE t;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {"0001_m/down.sql:1:1: " + msg}},
      {.name = "after a statement, and a ruler",
       .target = "mysql:8.0",
       .migrations = {{"CREATE TABLE t (id int);\n--------\n-- fine\n#fine\n", "DROP TABLE t;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {"0001_m/up.sql:2:1: " + msg}},
      {.name = "inside strings, block comments, mid-line and indented",
       .target = "mysql:8.0",
       .migrations = {{"INSERT INTO t VALUES ('a\n--b');\n/*\n--c\n*/\nSELECT 1 --1;\n--\n", "DROP TABLE t;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {}},
      {.name = "only MySQL/MariaDB",
       .target = "postgres:15",
       .migrations = {{"CREATE TABLE t (id int);", "--DROP TABLE t;\nDROP TABLE t;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
