// drop-column: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DropColumnTest, FindsDropColumn) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users DROP COLUMN email;)sql", R"sql(ALTER TABLE users ADD COLUMN email text;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{"1:1"}));
}

TEST(DropColumnTest, FindsIfExistsAndRightColumnOnSharedLine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(SELECT 1; ALTER TABLE users DROP COLUMN IF EXISTS email;)sql", R"sql(ALTER TABLE users ADD COLUMN email text;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{"1:11"}));
}

TEST(DropColumnTest, MysqlDropWithoutColumnKeyword) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users DROP email;)sql", R"sql(ALTER TABLE users ADD email text;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{"1:1"}));
}

TEST(DropColumnTest, InsideStringIsNotAStatement) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(INSERT INTO users (email) VALUES ('ALTER TABLE users DROP COLUMN email;');)sql", R"sql(DELETE FROM users WHERE email = 'x';)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{}));
}

TEST(DropColumnTest, InsideDollarQuoteIsNotAStatement) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE FUNCTION f() RETURNS void LANGUAGE sql AS $$ ALTER TABLE users DROP COLUMN email $$;)sql", R"sql(DROP FUNCTION f;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{}));
}

TEST(DropColumnTest, PostgresNestedCommentHidesStatement) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(/* outer /* inner */ ALTER TABLE users DROP COLUMN email; */ SELECT 1;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{}));
}

TEST(DropColumnTest, SqliteCommentsDoNotNest) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(/* a /* b */ ALTER TABLE users DROP COLUMN email;)sql", R"sql(ALTER TABLE users ADD COLUMN email text;)sql"}}, "sqlite:3.40");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{"1:14"}));
}

TEST(DropColumnTest, MysqlVersionedCommentIsExecuted) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(/*!80000 ALTER TABLE users DROP COLUMN email */;)sql", R"sql(ALTER TABLE users ADD COLUMN email text;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{"1:1"}));
}

TEST(DropColumnTest, ColumnAddedInSameUpIsNotData) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN tmp int;
ALTER TABLE users DROP COLUMN tmp;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{}));
}

TEST(DropColumnTest, IrreversibleDirectiveAccepts) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(-- dbroll:irreversible email is no longer collected
ALTER TABLE users DROP COLUMN email;)sql", R"sql(ALTER TABLE users ADD COLUMN email text;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{}));
}

TEST(DropColumnTest, AllowOnLineBeforeSuppresses) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(-- header
SELECT 1;
-- dbroll:allow drop-column column unused since v3
ALTER TABLE users DROP COLUMN email;)sql", R"sql(ALTER TABLE users ADD COLUMN email text;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-column"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
