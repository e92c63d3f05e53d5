// mysql-blocking-alter: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(MysqlBlockingAlterTest, FindsAlgorithmCopy) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int, ALGORITHM=COPY;)sql", R"sql(ALTER TABLE users DROP COLUMN b;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "mysql-blocking-alter"), (std::vector<std::string>{"1:1"}));
}

TEST(MysqlBlockingAlterTest, FindsLockExclusive) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD INDEX ia (a), LOCK = EXCLUSIVE;)sql", R"sql(ALTER TABLE users DROP INDEX ia;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "mysql-blocking-alter"), (std::vector<std::string>{"1:1"}));
}

TEST(MysqlBlockingAlterTest, InplaceNoneIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(ALTER TABLE users ADD COLUMN b int, ALGORITHM=INPLACE, LOCK=NONE;)sql", R"sql(ALTER TABLE users DROP COLUMN b;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "mysql-blocking-alter"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
