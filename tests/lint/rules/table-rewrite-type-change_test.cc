// table-rewrite-type-change: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(TableRewriteTypeChangeTest, FindsIntToBigint) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN a TYPE bigint;)sql", R"sql(ALTER TABLE users ALTER COLUMN a TYPE int;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "table-rewrite-type-change"), (std::vector<std::string>{"1:1"}));
}

TEST(TableRewriteTypeChangeTest, VarcharWideningIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ALTER COLUMN name TYPE varchar(100);)sql", R"sql(ALTER TABLE users ALTER COLUMN name TYPE varchar(50);)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "table-rewrite-type-change"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
