// allow-without-reason: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(AllowWithoutReasonTest, FindsAllowWithoutReason) {
  auto f = LintPairs({{R"sql(-- dbroll:allow drop-table
CREATE TABLE a (x int);)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "allow-without-reason"), (std::vector<std::string>{"1:1"}));
}

TEST(AllowWithoutReasonTest, WithReasonIsFine) {
  auto f = LintPairs({{R"sql(-- dbroll:allow drop-table legacy
CREATE TABLE a (x int);)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "allow-without-reason"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
