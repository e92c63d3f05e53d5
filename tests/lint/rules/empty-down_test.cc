// empty-down: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(EmptyDownTest, FindsCommentOnlyDown) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);)sql", R"sql(-- nothing to do
/* really */
)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "empty-down"), (std::vector<std::string>{"1:1"}));
}

TEST(EmptyDownTest, RealDownIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "empty-down"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
