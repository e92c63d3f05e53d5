// concurrently-in-transaction: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(ConcurrentlyInTransactionTest, FindsMissingNoTransaction) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(CREATE INDEX CONCURRENTLY users_a ON users (a);)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "concurrently-in-transaction"), (std::vector<std::string>{"1:1"}));
}

TEST(ConcurrentlyInTransactionTest, DirectiveIsFine) {
  auto f = LintPairs({{R"sql(CREATE TABLE users (id int primary key, email text, a int, name varchar(50));)sql", R"sql(DROP TABLE users;)sql"},
                         {R"sql(-- dbroll:no-transaction
CREATE INDEX CONCURRENTLY users_a ON users (a);)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0002_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "concurrently-in-transaction"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
