// rename-column: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(RenameColumnTest, FindsRename) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users RENAME COLUMN email TO mail;)sql", R"sql(ALTER TABLE users RENAME COLUMN mail TO email;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-column"), (std::vector<std::string>{"1:1"}));
}

TEST(RenameColumnTest, MysqlChangeWithNewName) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users CHANGE email mail text;)sql", R"sql(ALTER TABLE users CHANGE mail email text;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-column"), (std::vector<std::string>{"1:1"}));
}

TEST(RenameColumnTest, MysqlChangeSameNameIsNotRename) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users CHANGE email email text;)sql", R"sql()sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "rename-column"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
