// column-type-change: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(ColumnTypeChangeTest, NarrowingIntIsFound) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN a TYPE smallint;)sql", R"sql(ALTER TABLE users ALTER COLUMN a TYPE int;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "column-type-change"), (std::vector<std::string>{"1:1"}));
}

TEST(ColumnTypeChangeTest, ShorterVarcharIsFound) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN name TYPE varchar(10);)sql", R"sql(ALTER TABLE users ALTER COLUMN name TYPE varchar(50);)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "column-type-change"), (std::vector<std::string>{"1:1"}));
}

TEST(ColumnTypeChangeTest, WideningIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN a TYPE bigint;)sql", R"sql(ALTER TABLE users ALTER COLUMN a TYPE int;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "column-type-change"), (std::vector<std::string>{}));
}

TEST(ColumnTypeChangeTest, MysqlModifyNarrowing) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users MODIFY name varchar(5);)sql", R"sql(ALTER TABLE users MODIFY name varchar(50);)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "column-type-change"), (std::vector<std::string>{"1:1"}));
}

}  // namespace
}  // namespace dbroll::testing
