// add-required-column: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(AddRequiredColumnTest, FindsNotNullWithoutDefault) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int NOT NULL;)sql", R"sql(ALTER TABLE users DROP COLUMN b;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "add-required-column"), (std::vector<std::string>{"1:1"}));
}

TEST(AddRequiredColumnTest, DefaultIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int NOT NULL DEFAULT 0;)sql", R"sql(ALTER TABLE users DROP COLUMN b;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "add-required-column"), (std::vector<std::string>{}));
}

TEST(AddRequiredColumnTest, MysqlNotNull) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int NOT NULL;)sql", R"sql(ALTER TABLE users DROP COLUMN b;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "add-required-column"), (std::vector<std::string>{"1:1"}));
}

}  // namespace
}  // namespace dbroll::testing
