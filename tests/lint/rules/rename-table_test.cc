// rename-table: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(RenameTableTest, FindsRename) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users RENAME TO people;)sql", R"sql(ALTER TABLE people RENAME TO users;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-table"), (std::vector<std::string>{"1:1"}));
}

TEST(RenameTableTest, MysqlRenameTable) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(RENAME TABLE users TO people;)sql", R"sql(RENAME TABLE people TO users;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-table"), (std::vector<std::string>{"1:1"}));
}

TEST(RenameTableTest, TableCreatedHere) {
  auto f = LintPairs({{R"sql(CREATE TABLE a (x int); ALTER TABLE a RENAME TO b;)sql", R"sql(DROP TABLE b;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-table"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
