// irreversible-without-directive: positive and negative cases; an allow with a
// reason for the op's own rule settles the op (one finding per problem).
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const std::pair<std::string, std::string> kUsers = {
    "CREATE TABLE users (id int primary key, email text, a int, name varchar(50));", "DROP TABLE users;"};
const char* kRule = "irreversible-without-directive";

std::string Destroys(const std::string& what) {
  return "migration 0002 destroys data (" + what + ") but is not marked irreversible: its down cannot restore it";
}

TEST(IrreversibleWithoutDirectiveTest, Cases) {
  const LintCase cases[] = {
      {.name = "once for the first data loss",
       .migrations = {kUsers,
                      {"ALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN email;",
                       "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN email text;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:1:1: " + Destroys("column users.a")}},
      {.name = "directive",
       .migrations = {kUsers,
                      {"-- dbroll:irreversible drops unused column\nALTER TABLE users DROP COLUMN a;",
                       "ALTER TABLE users ADD COLUMN a int;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "allow drop-column with a reason settles it",
       .migrations = {kUsers,
                      {"-- dbroll:allow drop-column the app stopped reading it in v42\n"
                       "ALTER TABLE users DROP COLUMN a;",
                       "ALTER TABLE users ADD COLUMN a int;"}},
       .rule = kRule,
       .expected = {}},
      {.name = "allow drop-table with a reason settles it",
       .migrations = {kUsers, {"-- dbroll:allow drop-table replaced by accounts in 0001\nDROP TABLE users;", kUsers.first}},
       .rule = kRule,
       .expected = {}},
      {.name = "the allow above a statement covers only that statement",
       .migrations = {kUsers,
                      {"SELECT 1;\n-- dbroll:allow drop-column the app stopped reading it in v42\n"
                       "ALTER TABLE users DROP COLUMN a;\nALTER TABLE users DROP COLUMN email;",
                       "ALTER TABLE users ADD COLUMN a int;\nALTER TABLE users ADD COLUMN email text;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:4:1: " + Destroys("column users.email")}},
      {.name = "an allow of another rule does not settle it",
       .migrations = {kUsers,
                      {"-- dbroll:allow drop-table not this one\nALTER TABLE users DROP COLUMN a;",
                       "ALTER TABLE users ADD COLUMN a int;"}},
       .rule = kRule,
       .expected = {"0002_m/up.sql:2:1: " + Destroys("column users.a")}},
  };
  ExpectLintCases(cases);
}

TEST(IrreversibleWithoutDirectiveTest, AllowedDropColumnLeavesNoFindingAtAll) {
  auto f = LintPairs({kUsers,
                      {"-- dbroll:allow drop-column the app stopped reading it in v42\n"
                       "ALTER TABLE users DROP COLUMN a;",
                       "ALTER TABLE users ADD COLUMN a int;"}});
  std::vector<std::string> errors;
  for (const auto& x : f) {
    if (x.severity == Severity::kError) errors.push_back(x.path + ": " + x.rule);
  }
  EXPECT_EQ(errors, std::vector<std::string>{});
}

}  // namespace
}  // namespace dbroll::testing
