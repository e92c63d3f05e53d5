// missing-lock-timeout: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(MissingLockTimeoutTest, FindsAlterWithoutTimeout) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int;)sql", R"sql(ALTER TABLE users DROP COLUMN b;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "missing-lock-timeout"), (std::vector<std::string>{"1:1", "1:1"}));  // up and down
}

TEST(MissingLockTimeoutTest, SetLockTimeoutFirstIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(SET lock_timeout = '5s';
ALTER TABLE users ADD COLUMN b int;)sql", R"sql(SET lock_timeout = '5s';
ALTER TABLE users DROP COLUMN b;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "missing-lock-timeout"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
