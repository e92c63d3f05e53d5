// missing-lock-timeout: the driver's lock_timeout read from dbroll.toml; the
// cases are in missing-lock-timeout.cases.
#include <gtest/gtest.h>

#include "tests/lint/lint_test_util.h"

namespace dbroll::testing {
namespace {

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
