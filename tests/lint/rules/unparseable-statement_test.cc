// unparseable-statement: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(UnparseableStatementTest, PostgresSyntaxErrorPosition) {
  auto f = LintPairs({{R"sql(SELECT 1; CREATE TABLEX a (x int);)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "unparseable-statement"), (std::vector<std::string>{"1:18"}));
}

TEST(UnparseableStatementTest, MysqlUnknownStatement) {
  auto f = LintPairs({{R"sql(FROBNICATE everything;)sql", R"sql()sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "unparseable-statement"), (std::vector<std::string>{"1:1"}));
}

TEST(UnparseableStatementTest, ValidIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "unparseable-statement"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
