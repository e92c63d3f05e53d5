// prefer-timestamptz: timestamp without time zone on PostgreSQL.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

TEST(PreferTimestamptzTest, Cases) {
  const std::string msg =
      " without time zone: it stores no offset, so sessions with another TimeZone read other instants";
  const LintCase cases[] = {
      {.name = "create table and add column",
       .migrations = {{"CREATE TABLE e (id bigint PRIMARY KEY, at timestamp, b timestamp(3) without time zone);",
                       "DROP TABLE e;"},
                      {"ALTER TABLE e ADD COLUMN seen timestamp NOT NULL DEFAULT now();",
                       "ALTER TABLE e DROP COLUMN seen;"}},
       .rule = "prefer-timestamptz",
       .expected = {"0001_m/up.sql:1:1: column e.at is timestamp" + msg,
                    "0001_m/up.sql:1:1: column e.b is timestamp(3)" + msg,
                    "0002_m/up.sql:1:1: column e.seen is timestamp" + msg}},
      {.name = "timestamptz is fine",
       .migrations = {{"CREATE TABLE e (id bigint PRIMARY KEY, at timestamptz, b timestamp with time zone);",
                       "DROP TABLE e;"}},
       .rule = "prefer-timestamptz",
       .expected = {}},
      {.name = "only PostgreSQL",
       .target = "mysql:8.0",
       .migrations = {{"CREATE TABLE e (id bigint PRIMARY KEY, at timestamp);", "DROP TABLE e;"}},
       .rule = "prefer-timestamptz",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
