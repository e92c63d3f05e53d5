// rename-enum-value: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(RenameEnumValueTest, FindsRenameValue) {
  auto f = LintPairs({{R"sql(ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';)sql", R"sql(ALTER TYPE mood RENAME VALUE 'blue' TO 'sad';)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-enum-value"), (std::vector<std::string>{"1:1"}));
}

TEST(RenameEnumValueTest, AddValueIsFine) {
  auto f = LintPairs({{R"sql(ALTER TYPE mood ADD VALUE 'meh';)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-enum-value"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
