// enum-value-used-in-transaction: positive and negative cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(EnumValueUsedInTransactionTest, Cases) {
  const std::string msg =
      "'meh' is the value ALTER TYPE mood ADD VALUE adds at line 1: PostgreSQL refuses to use it before that "
      "transaction commits (55P04 unsafe use of new enum value), and dbroll runs this file in one transaction";
  const LintCase cases[] = {
      {.name = "used in the same transactional file",
       .target = "postgres:15",
       .migrations = {{"CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE people (mood mood);",
                       "DROP TABLE people;\nDROP TYPE mood;"},
                      {"ALTER TYPE mood ADD VALUE 'meh';\nSELECT 1;\n  UPDATE people SET mood = 'meh';\nSELECT 'meh';",
                       "SELECT 1;"}},
       .rule = "enum-value-used-in-transaction",
       .expected = {"0002_m/up.sql:3:3: " + msg}},
      {.name = "no-transaction, another value, or before PostgreSQL 12",
       .target = "postgres:15",
       .migrations = {{"CREATE TYPE mood AS ENUM ('ok');\nCREATE TABLE people (mood mood);",
                       "DROP TABLE people;\nDROP TYPE mood;"},
                      {"-- dbroll:no-transaction\nALTER TYPE mood ADD VALUE 'meh';\nUPDATE people SET mood = 'meh';",
                       "SELECT 1;"},
                      {"ALTER TYPE mood ADD VALUE 'bad';\nUPDATE people SET mood = 'ok';", "SELECT 1;"}},
       .rule = "enum-value-used-in-transaction",
       .expected = {}},
      {.name = "PostgreSQL 11: concurrently-in-transaction reports the ADD VALUE instead",
       .target = "postgres:11",
       .migrations = {{"CREATE TYPE mood AS ENUM ('ok');", "DROP TYPE mood;"},
                      {"ALTER TYPE mood ADD VALUE 'meh';\nSELECT 'meh';", "SELECT 1;"}},
       .rule = "enum-value-used-in-transaction",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
