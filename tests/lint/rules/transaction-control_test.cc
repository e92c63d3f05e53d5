// transaction-control: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(TransactionControlTest, FindsBeginCommit) {
  auto f = LintPairs({{R"sql(BEGIN;
CREATE TABLE a (x int);
COMMIT;)sql", R"sql(DROP TABLE a;)sql"}}, "postgres:15");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "transaction-control"), (std::vector<std::string>{"1:1", "3:1"}));
}

TEST(TransactionControlTest, MysqlStartTransaction) {
  auto f = LintPairs({{R"sql(START TRANSACTION;)sql", R"sql()sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "transaction-control"), (std::vector<std::string>{"1:1"}));
}

TEST(TransactionControlTest, ProcedureBodyBeginIsNot) {
  auto f = LintPairs({{R"sql(DELIMITER $$
CREATE PROCEDURE p() BEGIN SELECT 1; END$$
DELIMITER ;)sql", R"sql(DROP PROCEDURE p;)sql"}}, "mysql:8.0");
  std::vector<Finding> last;
  for (const auto& x : f) {
    if (x.path.rfind("0001_", 0) == 0) last.push_back(x);
  }
  EXPECT_EQ(Positions(last, "transaction-control"), (std::vector<std::string>{}));
}

}  // namespace
}  // namespace dbroll::testing
