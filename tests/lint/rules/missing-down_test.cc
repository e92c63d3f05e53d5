// missing-down: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(MissingDownTest, FindsMissingDown) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int);)sql", R"sql(<none>)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "missing-down"), (std::vector<std::string>{"1:1"}));
}

TEST(MissingDownTest, IrreversibleNeedsNoDown) {
  auto f = LintPairs({{R"sql(-- dbroll:irreversible one-way data fix
CREATE TABLE a (x int);)sql", R"sql(<none>)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "missing-down"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
