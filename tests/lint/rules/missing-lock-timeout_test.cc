// missing-lock-timeout: positive and negative cases, and the driver's
// lock_timeout read from dbroll.toml.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

const char* kUsers = "CREATE TABLE users (id int primary key, email text, a int, name varchar(50));";
const char* kLocked =
    "table users is locked with no lock_timeout set: while it waits, every query on the table queues behind it";

TEST(MissingLockTimeoutTest, Cases) {
  const LintCase cases[] = {
      {.name = "alter without timeout, up and down",
       .migrations = {{kUsers, "DROP TABLE users;"},
                      {"ALTER TABLE users ADD COLUMN b int;", "ALTER TABLE users DROP COLUMN b;"}},
       .rule = "missing-lock-timeout",
       .expected = {std::string("0002_m/down.sql:1:1: ") + kLocked, std::string("0002_m/up.sql:1:1: ") + kLocked}},
      {.name = "SET lock_timeout first",
       .migrations = {{kUsers, "DROP TABLE users;"},
                      {"SET lock_timeout = '5s';\nALTER TABLE users ADD COLUMN b int;",
                       "SET lock_timeout = '5s';\nALTER TABLE users DROP COLUMN b;"}},
       .rule = "missing-lock-timeout",
       .expected = {}},
      {.name = "DROP INDEX names the index, not its table",
       .migrations = {{kUsers, "DROP TABLE users;"},
                      {"CREATE INDEX CONCURRENTLY users_a ON users (a);", "DROP INDEX users_a;"}},
       .rule = "missing-lock-timeout",
       .expected = {"0002_m/down.sql:1:1: the table of index users_a is locked with no lock_timeout set: while it "
                    "waits, every query on the table queues behind it"}},
      {.name = "the driver sets lock_timeout on the session",
       .migrations = {{kUsers, "DROP TABLE users;"},
                      {"ALTER TABLE users ADD COLUMN b int;", "ALTER TABLE users DROP COLUMN b;"}},
       .rule = "missing-lock-timeout",
       .expected = {},
       .session_lock_timeout = true},
  };
  ExpectLintCases(cases);
}

bool SessionLockTimeout(const std::map<std::string, std::string>& postgres_section) {
  Config c;
  c.engine.url = "postgres://localhost/app";
  if (!postgres_section.empty()) {
    c.sections["postgres"] = postgres_section;
    for (const auto& [k, v] : postgres_section) c.engine.driver_settings["postgres." + k] = v;
  }
  return LintOptionsFromConfig(c).value().session_lock_timeout;
}

TEST(MissingLockTimeoutTest, DriverDefaultAppliesWithoutConfig) { EXPECT_TRUE(SessionLockTimeout({})); }

TEST(MissingLockTimeoutTest, ConfiguredTimeoutApplies) {
  EXPECT_TRUE(SessionLockTimeout({{"lock_timeout", "10s"}}));
  EXPECT_TRUE(SessionLockTimeout({{"statement_timeout", "1m"}}));
}

TEST(MissingLockTimeoutTest, ZeroTurnsTheDriverTimeoutOff) {
  EXPECT_FALSE(SessionLockTimeout({{"lock_timeout", "0"}}));
  EXPECT_FALSE(SessionLockTimeout({{"lock_timeout", "0s"}}));
}

}  // namespace
}  // namespace dbroll::testing
