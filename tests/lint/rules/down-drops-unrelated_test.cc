// down-drops-unrelated: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DownDropsUnrelatedTest, FindsUnrelatedDrop) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);)sql", R"sql(DROP TABLE a;
DROP TABLE audit;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "down-drops-unrelated"), (std::vector<std::string>{"2:1"}));
}

TEST(DownDropsUnrelatedTest, ReversingIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "down-drops-unrelated"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
