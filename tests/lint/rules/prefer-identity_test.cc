// prefer-identity: serial columns on PostgreSQL.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(PreferIdentityTest, Cases) {
  const std::string msg = ": its sequence is a separate object with its own grants, and inserts can bypass it";
  const LintCase cases[] = {
      {.name = "serial and bigserial",
       .migrations = {{"CREATE TABLE users (id bigserial PRIMARY KEY, n serial);", "DROP TABLE users;"}},
       .rule = "prefer-identity",
       .expected = {"0001_m/up.sql:1:1: column users.id is bigserial" + msg,
                    "0001_m/up.sql:1:1: column users.n is serial" + msg}},
      {.name = "add column",
       .migrations = {{"CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);", "DROP TABLE t;"},
                      {"SELECT 1;\nALTER TABLE t ADD COLUMN seq smallserial;", "ALTER TABLE t DROP COLUMN seq;"}},
       .rule = "prefer-identity",
       .expected = {"0002_m/up.sql:2:1: column t.seq is smallserial" + msg}},
      {.name = "identity is fine",
       .migrations = {{"CREATE TABLE t (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY);", "DROP TABLE t;"}},
       .rule = "prefer-identity",
       .expected = {}},
      {.name = "only PostgreSQL",
       .target = "mysql:8.0",
       .migrations = {{"CREATE TABLE t (id serial PRIMARY KEY);", "DROP TABLE t;"}},
       .rule = "prefer-identity",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
