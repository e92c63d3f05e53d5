// set-not-null-scan: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(SetNotNullScanTest, FindsSetNotNull) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN email SET NOT NULL;)sql", R"sql(ALTER TABLE users ALTER COLUMN email DROP NOT NULL;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "set-not-null-scan"), (std::vector<std::string>{"1:1"}));
}

TEST(SetNotNullScanTest, NewTableIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE t (a int); ALTER TABLE t ALTER COLUMN a SET NOT NULL;)sql", R"sql(DROP TABLE t;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "set-not-null-scan"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
