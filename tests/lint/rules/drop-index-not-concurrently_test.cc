// drop-index-not-concurrently: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DropIndexNotConcurrentlyTest, FindsPlainDrop) {
  auto f = LintPairs({{R"sql(DROP INDEX users_a;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-index-not-concurrently"), (std::vector<std::string>{"1:1"}));
}

TEST(DropIndexNotConcurrentlyTest, ConcurrentlyIsFine) {
  auto f = LintPairs({{R"sql(-- dbroll:no-transaction
DROP INDEX CONCURRENTLY users_a;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-index-not-concurrently"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
