// mysql-dashdash-comment: `--x` lines on MySQL/MariaDB.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(MysqlDashdashCommentTest, Cases) {
  const std::string skipped =
      "`--` with no space after it: dbroll and the mysql/mariadb client skip this line as a comment, but the server "
      "reads `--` as a comment only before a space, so any tool that sends the file as written runs it as SQL";
  const std::string sql =
      "line starts with `--` and no space after it inside a statement: it looks like a comment, but dbroll, the "
      "mysql/mariadb client and the server all read it as SQL (a double minus)";
  const LintCase cases[] = {
      {.name = "commented-out statement",
       .target = "mariadb:10.11",
       .migrations = {{"CREATE TABLE t (id int);", "--DROP TABLE t;\nDROP TABLE t;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {"0001_m/down.sql:1:1: " + skipped}},
      {.name = "after a statement, indented, and a ruler",
       .target = "mysql:8.0",
       .migrations = {{"CREATE TABLE t (id int); --x\n--------\n-- fine\n#fine\n  --y\n", "DROP TABLE t;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {"0001_m/up.sql:1:26: " + skipped, "0001_m/up.sql:2:1: " + skipped,
                    "0001_m/up.sql:5:3: " + skipped}},
      {.name = "a line of a statement starting with --",
       .target = "mysql:8.0",
       .migrations = {{"SELECT 1\n--1\n;\n", "SELECT 1;"}},
       .rule = "mysql-dashdash-comment",
       .expected = {"0001_m/up.sql:2:1: " + sql}},
      {.name = "inside strings, block comments and mid-line",
       .target = "mysql:8.0",
       .migrations = {{"INSERT INTO t VALUES ('a\n--b');\n/*\n--c\n*/\nSELECT 1 --1;\nSELECT 'x\n' --2;\n--\n",
                       "DROP TABLE t;"}},
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
