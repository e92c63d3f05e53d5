// drop-not-null: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(DropNotNullTest, FindsDropNotNull) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN email DROP NOT NULL;)sql", R"sql(ALTER TABLE users ALTER COLUMN email SET NOT NULL;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-not-null"), (std::vector<std::string>{"1:1"}));
}

TEST(DropNotNullTest, SetNotNullIsNot) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN email SET NOT NULL;)sql", R"sql(ALTER TABLE users ALTER COLUMN email DROP NOT NULL;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "drop-not-null"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
