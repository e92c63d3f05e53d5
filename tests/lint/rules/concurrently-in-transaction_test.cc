// concurrently-in-transaction: positive and negative cases; the table cases are in concurrently-in-transaction.cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

// dbroll migrate refuses these in a transactional file (before running
// anything), so lint reports them too: ADD VALUE only where the target
// server refuses it in a transaction block (before PostgreSQL 12).
std::vector<Finding> RuleFindings(const std::vector<Finding>& all, const std::string& prefix) {
  std::vector<Finding> out;
  for (const auto& x : all) {
    if (x.rule == "concurrently-in-transaction" && x.path.rfind(prefix, 0) == 0) out.push_back(x);
  }
  return out;
}

const std::vector<std::pair<std::string, std::string>> kAddValuePairs = {
    {R"sql(CREATE TYPE mood AS ENUM ('ok');)sql", R"sql(DROP TYPE mood;)sql"},
    {R"sql(ALTER TYPE mood ADD VALUE 'meh';
CREATE DATABASE other;)sql",
     R"sql()sql"},
    {R"sql(-- dbroll:no-transaction
ALTER TYPE mood ADD VALUE 'bad';)sql",
     R"sql()sql"}};

TEST(ConcurrentlyInTransactionTest, AddEnumValueNeedsNoTransactionBeforePostgres12) {
  auto f = LintPairs(kAddValuePairs, "postgres:11");
  auto second = RuleFindings(f, "0002_");
  ASSERT_EQ(second.size(), 2u);
  EXPECT_EQ(second[0].message,
            "ALTER TYPE mood ADD VALUE cannot run inside a transaction block on PostgreSQL 11 (12 and later can), so "
            "dbroll migrate refuses it in a transactional file there");
  EXPECT_EQ(second[1].message, "CREATE DATABASE other cannot run inside the migration's transaction");
  EXPECT_TRUE(RuleFindings(f, "0003_").empty());
}

TEST(ConcurrentlyInTransactionTest, AddEnumValueRunsInATransactionFromPostgres12) {
  for (const char* target : {"postgres:12", "postgres:15"}) {
    auto second = RuleFindings(LintPairs(kAddValuePairs, target), "0002_");
    ASSERT_EQ(second.size(), 1u) << target;
    EXPECT_EQ(second[0].message, "CREATE DATABASE other cannot run inside the migration's transaction") << target;
  }
}

}  // namespace
}  // namespace dbroll::testing
