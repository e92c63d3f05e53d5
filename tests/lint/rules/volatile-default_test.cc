// volatile-default: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(VolatileDefaultTest, FindsRandomDefault) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN r float8 DEFAULT random();)sql", R"sql(ALTER TABLE users DROP COLUMN r;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "volatile-default"), (std::vector<std::string>{"1:1"}));
}

TEST(VolatileDefaultTest, StableDefaultIsFineOn15) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();)sql", R"sql(ALTER TABLE users DROP COLUMN at;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "volatile-default"), (std::vector<std::string>{}));
}

TEST(VolatileDefaultTest, AnyDefaultRewritesOn10) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();)sql", R"sql(ALTER TABLE users DROP COLUMN at;)sql"}}, "postgres:10");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "volatile-default"), (std::vector<std::string>{"1:1"}));
}

}  // namespace
}  // namespace dbroll::testing
