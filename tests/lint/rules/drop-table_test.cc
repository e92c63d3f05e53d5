// drop-table: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DropTableTest, FindsDropTable) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(DROP TABLE users;)sql", R"sql(CREATE TABLE users (id int);)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-table"), (std::vector<std::string>{"1:1"}));
}

TEST(DropTableTest, SplitAcrossLinesWithComments) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(DROP -- why
  /* block */ TABLE
  users;)sql", R"sql(CREATE TABLE users (id int);)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-table"), (std::vector<std::string>{"1:1"}));
}

TEST(DropTableTest, QuotedIdentifierIsAName) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE TABLE "drop table users" (id int);)sql", R"sql(DROP TABLE "drop table users";)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-table"), (std::vector<std::string>{}));
}

TEST(DropTableTest, SqliteRebuildKeepingColumnsIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE TABLE users_new (id int primary key, email text, a int, name varchar(50), b int);
INSERT INTO users_new SELECT *, 0 FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;)sql", R"sql()sql"}}, "sqlite:3.40");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-table"), (std::vector<std::string>{}));
}

TEST(DropTableTest, SqliteRebuildLosingAColumnIsFound) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE TABLE users_new (id int primary key, email text);
INSERT INTO users_new SELECT id, email FROM users;
DROP TABLE users;
ALTER TABLE users_new RENAME TO users;)sql", R"sql()sql"}}, "sqlite:3.40");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-table"), (std::vector<std::string>{"3:1"}));
}

}  // namespace
}  // namespace dbroll::testing
