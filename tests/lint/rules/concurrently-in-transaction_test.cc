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

// dbroll migrate refuses these in a transactional file (before running
// anything), so lint reports them too.
TEST(ConcurrentlyInTransactionTest, AddEnumValueAndDatabasesNeedNoTransaction) {
  auto f = LintPairs({{R"sql(CREATE TYPE mood AS ENUM ('ok');)sql", R"sql(DROP TYPE mood;)sql"},
                      {R"sql(ALTER TYPE mood ADD VALUE 'meh';
CREATE DATABASE other;)sql", R"sql()sql"},
                      {R"sql(-- dbroll:no-transaction
ALTER TYPE mood ADD VALUE 'bad';)sql", R"sql()sql"}}, "postgres:15");
  std::vector<Finding> second, third;
  for (const auto& x : f) {
    if (x.rule != "concurrently-in-transaction") continue;
    if (x.path.rfind("0002_", 0) == 0) second.push_back(x);
    if (x.path.rfind("0003_", 0) == 0) third.push_back(x);
  }
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].message,
            "ALTER TYPE mood ADD VALUE runs outside a transaction in dbroll: the new value cannot be used before it "
            "commits, and dbroll migrate refuses it in a transactional file");
  EXPECT_EQ(second[1].message, "CREATE DATABASE other cannot run inside the migration's transaction");
  EXPECT_TRUE(third.empty());
}

}  // namespace
}  // namespace dbroll::testing
