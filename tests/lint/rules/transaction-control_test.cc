// transaction-control: positive and negative cases; the table cases are in transaction-control.cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

std::vector<Finding> FirstMigration(const std::vector<Finding>& f) {
  std::vector<Finding> out;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) out.push_back(x);
  }
  return out;
}

// The same classifier as dbroll migrate (engine/preflight.h).
TEST(TransactionControlTest, AgreesWithTheEngine) {
  auto f = FirstMigration(LintPairs({{R"sql(CREATE TABLE a (x int);
END;
COMMIT AND CHAIN;
ABORT;
RELEASE SAVEPOINT s;
DO $$ BEGIN PERFORM 1; END $$;)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15"));
  EXPECT_EQ(Positions(f, "transaction-control"), (std::vector<std::string>{"2:1", "3:1", "4:1", "5:1"}));
  f = FirstMigration(LintPairs({{R"sql(SET autocommit = 0;
SET @autocommit = 1;
DELIMITER //
BEGIN NOT ATOMIC SELECT 1; END//
DELIMITER ;)sql", R"sql(SELECT 1;)sql"}}, "mariadb:10.11"));
  EXPECT_EQ(Positions(f, "transaction-control"), (std::vector<std::string>{"1:1"}));
}

TEST(TransactionControlTest, MessageSaysWhyAndTheWayOut) {
  auto f = FirstMigration(LintPairs({{"CREATE TABLE a (x int);\nCOMMIT;\n", "DROP TABLE a;"}}, "postgres:15"));
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].message,
            "COMMIT commits the transaction dbroll runs this migration in part-way: if a later statement fails, what "
            "ran before it stays applied with no history row");
}

}  // namespace
}  // namespace dbroll::testing
