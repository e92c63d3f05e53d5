// drop-schema: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DropSchemaTest, FindsCascade) {
  auto f = LintPairs({{R"sql(DROP SCHEMA legacy CASCADE;)sql", R"sql(CREATE SCHEMA legacy;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-schema"), (std::vector<std::string>{"1:1"}));
}

TEST(DropSchemaTest, SchemaCreatedInSameUp) {
  auto f = LintPairs({{R"sql(CREATE SCHEMA s; DROP SCHEMA s;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-schema"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
