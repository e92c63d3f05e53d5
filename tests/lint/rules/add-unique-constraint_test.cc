// add-unique-constraint: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(AddUniqueConstraintTest, FindsUnique) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD CONSTRAINT u UNIQUE (email);)sql", R"sql(ALTER TABLE users DROP CONSTRAINT u;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "add-unique-constraint"), (std::vector<std::string>{"1:1"}));
}

TEST(AddUniqueConstraintTest, UsingIndexIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD CONSTRAINT u UNIQUE USING INDEX users_email;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "add-unique-constraint"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
