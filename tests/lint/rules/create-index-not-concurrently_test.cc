// create-index-not-concurrently: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(CreateIndexNotConcurrentlyTest, FindsPlainIndex) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE INDEX users_a ON users (a);)sql", R"sql(DROP INDEX CONCURRENTLY users_a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "create-index-not-concurrently"), (std::vector<std::string>{"1:1"}));
}

TEST(CreateIndexNotConcurrentlyTest, ConcurrentlyIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(-- dbroll:no-transaction
CREATE INDEX CONCURRENTLY users_a ON users (a);)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "create-index-not-concurrently"), (std::vector<std::string>{}));
}

TEST(CreateIndexNotConcurrentlyTest, TableCreatedInThisMigration) {
  auto f = LintPairs({{R"sql(CREATE TABLE t (a int);
CREATE INDEX t_a ON t (a);)sql", R"sql(DROP TABLE t;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "create-index-not-concurrently"), (std::vector<std::string>{}));
}

TEST(CreateIndexNotConcurrentlyTest, NotForMysql) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE INDEX users_a ON users (a);)sql", R"sql(DROP INDEX users_a ON users;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "create-index-not-concurrently"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
