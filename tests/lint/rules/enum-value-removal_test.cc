// enum-value-removal: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(EnumValueRemovalTest, PostgresRecreatedWithoutLabel) {
  auto f = LintPairs({{R"sql(CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');)sql", R"sql(DROP TYPE mood;)sql"},
                         {R"sql(ALTER TYPE mood RENAME TO mood_old;
CREATE TYPE mood AS ENUM ('ok', 'happy');)sql", R"sql(DROP TYPE mood;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "enum-value-removal"), (std::vector<std::string>{"2:1"}));
}

TEST(EnumValueRemovalTest, MysqlEnumLosesLabel) {
  auto f = LintPairs({{R"sql(CREATE TABLE t (id int, s ENUM('a','b','c'));)sql", R"sql(DROP TABLE t;)sql"},
                         {R"sql(ALTER TABLE t MODIFY s ENUM('a','b');)sql", R"sql(ALTER TABLE t MODIFY s ENUM('a','b','c');)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "enum-value-removal"), (std::vector<std::string>{"1:1"}));
}

TEST(EnumValueRemovalTest, AddingLabelIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE t (id int, s ENUM('a','b'));)sql", R"sql(DROP TABLE t;)sql"},
                         {R"sql(ALTER TABLE t MODIFY s ENUM('a','b','c');)sql", R"sql(ALTER TABLE t MODIFY s ENUM('a','b');)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "enum-value-removal"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
