// volatile-default: positive and negative cases, as one table each.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const std::pair<std::string, std::string> kUsers = {
    "CREATE TABLE users (id bigint primary key, email text, a int, name text);", "DROP TABLE users;"};

TEST(VolatileDefaultTest, Cases) {
  const std::string rewrite = ": the whole table is rewritten under an ACCESS EXCLUSIVE lock";
  const LintCase cases[] = {
      {.name = "random() default",
       .migrations = {kUsers,
                      {"ALTER TABLE users ADD COLUMN r float8 DEFAULT random();", "ALTER TABLE users DROP COLUMN r;"}},
       .rule = "volatile-default",
       .expected = {"0002_m/up.sql:1:1: column users.r is added with a volatile default" + rewrite}},
      {.name = "stable default is fine on 15",
       .migrations = {kUsers,
                      {"ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();", "ALTER TABLE users DROP COLUMN at;"}},
       .rule = "volatile-default",
       .expected = {}},
      {.name = "any default rewrites on 10",
       .target = "postgres:10",
       .migrations = {kUsers,
                      {"ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now();", "ALTER TABLE users DROP COLUMN at;"}},
       .rule = "volatile-default",
       .expected = {"0002_m/up.sql:1:1: column users.at is added with a default (PostgreSQL 10 rewrites for any "
                    "default)" + rewrite}},
  };
  ExpectLintCases(cases);
}

// Issue 17: a default calling a user function whose volatility an earlier
// migration of the same history declared.
TEST(VolatileDefaultTest, UserFunctionsDeclaredEarlier) {
  const std::string rewrite = ": the whole table is rewritten under an ACCESS EXCLUSIVE lock";
  const char* table = "CREATE TABLE t (id bigint PRIMARY KEY);";
  const LintCase cases[] = {
      {.name = "VOLATILE by default, in an earlier migration",
       .migrations = {{table, "DROP TABLE t;"},
                      {"CREATE FUNCTION new_code() RETURNS text LANGUAGE sql AS $$ SELECT md5(random()::text) $$;",
                       "DROP FUNCTION new_code();"},
                      {"ALTER TABLE t ADD COLUMN code text NOT NULL DEFAULT public.new_code();",
                       "ALTER TABLE t DROP COLUMN code;"}},
       .rule = "volatile-default",
       .expected = {"0003_m/up.sql:1:1: column t.code is added with a volatile default (function new_code is "
                    "VOLATILE)" + rewrite}},
      {.name = "declared VOLATILE earlier in the same up",
       .migrations = {{table, "DROP TABLE t;"},
                      {"CREATE FUNCTION pick() RETURNS int VOLATILE LANGUAGE sql AS $$ SELECT 1 $$;\n"
                       "ALTER TABLE t ADD COLUMN p int DEFAULT pick();",
                       "ALTER TABLE t DROP COLUMN p;\nDROP FUNCTION pick();"}},
       .rule = "volatile-default",
       .expected = {"0002_m/up.sql:2:1: column t.p is added with a volatile default (function pick is VOLATILE)" +
                    rewrite}},
      {.name = "IMMUTABLE and STABLE functions, and a later redefinition",
       .migrations = {{table, "DROP TABLE t;"},
                      {"CREATE FUNCTION one() RETURNS int IMMUTABLE LANGUAGE sql AS $$ SELECT 1 $$;\n"
                       "CREATE FUNCTION two() RETURNS int LANGUAGE sql AS $$ SELECT 2 $$;\n"
                       "CREATE OR REPLACE FUNCTION two() RETURNS int STABLE LANGUAGE sql AS $$ SELECT 2 $$;",
                       "DROP FUNCTION two();\nDROP FUNCTION one();"},
                      {"ALTER TABLE t ADD COLUMN a int DEFAULT one();\nALTER TABLE t ADD COLUMN b int DEFAULT two();",
                       "ALTER TABLE t DROP COLUMN b;\nALTER TABLE t DROP COLUMN a;"}},
       .rule = "volatile-default",
       .expected = {}},
  };
  ExpectLintCases(cases);
}

}  // namespace
}  // namespace dbroll::testing
