// drop-database: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DropDatabaseTest, FindsDropDatabase) {
  auto f = LintPairs({{R"sql(DROP DATABASE old;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-database"), (std::vector<std::string>{"1:1"}));
}

TEST(DropDatabaseTest, MysqlDropSchemaIsDatabase) {
  auto f = LintPairs({{R"sql(DROP SCHEMA IF EXISTS old;)sql", R"sql()sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-database"), (std::vector<std::string>{"1:1"}));
}

TEST(DropDatabaseTest, CreateIsFine) {
  auto f = LintPairs({{R"sql(CREATE DATABASE x;)sql", R"sql(DROP DATABASE x;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-database"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
