// irreversible-without-directive: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(IrreversibleWithoutDirectiveTest, FindsOnceForDataLoss) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users DROP COLUMN a;
ALTER TABLE users DROP COLUMN email;)sql", R"sql(ALTER TABLE users ADD COLUMN a int;
ALTER TABLE users ADD COLUMN email text;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "irreversible-without-directive"), (std::vector<std::string>{"1:1"}));
}

TEST(IrreversibleWithoutDirectiveTest, DirectiveIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(-- dbroll:irreversible drops unused column
ALTER TABLE users DROP COLUMN a;)sql", R"sql(ALTER TABLE users ADD COLUMN a int;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "irreversible-without-directive"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
