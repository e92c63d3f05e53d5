// statement-timeout-disabled: SET statement_timeout = 0 on PostgreSQL.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(StatementTimeoutDisabledTest, Cases) {
  const std::string msg =
      "statement_timeout is turned off: every later statement of the migration may run, and hold its locks, "
      "without bound";
  const LintCase cases[] = {
      {.name = "zero in every spelling, up and down",
       .migrations = {{"SET statement_timeout = 0;\nSET LOCAL statement_timeout TO '0';\nSET statement_timeout = '0s';",
                       "SET SESSION statement_timeout = 0;"}},
       .rule = "statement-timeout-disabled",
       .expected = {"0001_m/down.sql:1:1: " + msg, "0001_m/up.sql:1:1: " + msg, "0001_m/up.sql:2:1: " + msg,
                    "0001_m/up.sql:3:1: " + msg}},
      {.name = "a bound is fine",
       .migrations = {{"SET statement_timeout = '15min';\nSET statement_timeout = 60000;\nRESET statement_timeout;",
                       "SET lock_timeout = 0;"}},
       .rule = "statement-timeout-disabled",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
