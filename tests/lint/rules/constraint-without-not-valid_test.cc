// constraint-without-not-valid: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(ConstraintWithoutNotValidTest, FindsForeignKey) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD CONSTRAINT fk FOREIGN KEY (a) REFERENCES users (id);)sql", R"sql(ALTER TABLE users DROP CONSTRAINT fk;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "constraint-without-not-valid"), (std::vector<std::string>{"1:1"}));
}

TEST(ConstraintWithoutNotValidTest, FindsCheck) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0);)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "constraint-without-not-valid"), (std::vector<std::string>{"1:1"}));
}

TEST(ConstraintWithoutNotValidTest, NotValidIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD CONSTRAINT c CHECK (a > 0) NOT VALID;)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "constraint-without-not-valid"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
