// reindex-not-concurrently: REINDEX without CONCURRENTLY on PostgreSQL.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(ReindexNotConcurrentlyTest, Cases) {
  const std::string msg =
      " runs without CONCURRENTLY: writes to the table, and queries using the index, block until it finishes";
  const LintCase cases[] = {
      {.name = "index and table, up and down",
       .migrations = {{"REINDEX INDEX users_email_idx;\nREINDEX TABLE public.users;", "REINDEX (VERBOSE) TABLE users;"}},
       .rule = "reindex-not-concurrently",
       .expected = {"0001_m/down.sql:1:1: REINDEX of table users" + msg,
                    "0001_m/up.sql:1:1: REINDEX of index users_email_idx" + msg,
                    "0001_m/up.sql:2:1: REINDEX of table users" + msg}},
      {.name = "concurrently is fine",
       .migrations = {{"-- dbroll:no-transaction\nREINDEX INDEX CONCURRENTLY users_email_idx;",
                       "-- dbroll:no-transaction\nREINDEX (CONCURRENTLY) TABLE users;"}},
       .rule = "reindex-not-concurrently",
       .expected = {}},
      {.name = "only PostgreSQL",
       .target = "sqlite:3.40",
       .migrations = {{"REINDEX users_email_idx;", "SELECT 1;"}},
       .rule = "reindex-not-concurrently",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
