#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "dbroll/options.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

std::string Write(const std::string& text) {
  static int n = 0;
  auto p = testing::ProcessTempDir() / ("config-" + std::to_string(++n) + ".toml");
  std::ofstream(p) << text;
  return p.string();
}

TEST(ConfigTest, ReadsTheCoreKeys) {
  unsetenv("DBROLL_URL");
  unsetenv("DATABASE_URL");
  auto c = LoadConfig(Write("[database]\nurl = \"sqlite:x.db\"\n[migrations]\ndir = \"m\"\ntable = \"hist\"\n"
                            "versioning = \"timestamp\"\nlock_timeout = \"2s\"\n[postgres]\nlock_retries = 3\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->engine.url, "sqlite:x.db");
  EXPECT_EQ(c->engine.migrations_dir, "m");
  EXPECT_EQ(c->engine.history_table, "hist");
  EXPECT_EQ(c->engine.versioning, "timestamp");
  EXPECT_EQ(c->engine.lock_timeout, std::chrono::seconds(2));
  EXPECT_EQ(c->engine.driver_settings.at("postgres.lock_retries"), "3");
}

TEST(ConfigTest, ReadsLayoutAndNoTransactionVersions) {
  const std::string p = Write("[migrations]\nlayout = \"flyway\"\nno_transaction = [\"1.2\", \"20240101120000\"]\n");
  auto c = LoadConfig(p);
  std::filesystem::remove(p);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->engine.migrations_layout, "flyway");
  EXPECT_EQ(c->engine.no_transaction_versions, (std::vector<std::string>{"1.2", "20240101120000"}));
  EXPECT_EQ(DefaultConfig(".").engine.migrations_layout, "auto");

  const std::string bad = Write("[migrations]\nlayout = \"liquibase\"\n");
  auto b = LoadConfig(bad);
  std::filesystem::remove(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message(), bad + ": [migrations] layout \"liquibase\" is not a layout dbroll reads -- use auto, "
                                        "dbroll, golang-migrate, popx, diesel, dbmate, goose, sql-migrate or flyway");
  const std::string v = Write("[migrations]\nno_transaction = [\"12a\"]\n");
  auto n = LoadConfig(v);
  std::filesystem::remove(v);
  ASSERT_FALSE(n.ok());
  EXPECT_EQ(n.status().message(), v + ": [migrations] no_transaction: \"12a\" is not a version -- list versions such as "
                                      "\"20240101120000\"");
}

TEST(ConfigTest, ReadsThePostgresClusterKeys) {
  const std::string p = Write("[postgres]\nmax_replica_lag = \"10s\"\nreplica_wait_timeout = \"2m\"\n"
                              "pooler = \"transaction\"\n");
  auto c = LoadConfig(p);
  std::filesystem::remove(p);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->engine.driver_settings.at("postgres.max_replica_lag"), "10s");
  EXPECT_EQ(c->engine.driver_settings.at("postgres.replica_wait_timeout"), "2m");
  EXPECT_EQ(c->engine.driver_settings.at("postgres.pooler"), "transaction");
  const std::string bad = Write("[postgres]\nmax_replica_lag = \"soon\"\n");
  auto b = LoadConfig(bad);
  std::filesystem::remove(bad);
  ASSERT_FALSE(b.ok());
  EXPECT_EQ(b.status().message().rfind(bad + ":2:19: [postgres] max_replica_lag: 'soon' is not a duration", 0), 0u)
      << b.status().message();
}

TEST(ConfigTest, UnknownKeyNamesFileLineAndKey) {
  const std::string p = Write("[migrations]\ndir = \"m\"\ndirr = \"typo\"\n");
  auto c = LoadConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(c.status().message(),
            p + ":3:1: unknown key 'dirr' in [migrations] -- see docs/config.md for the keys dbroll reads");
}

TEST(ConfigTest, UnknownSectionIsAnError) {
  const std::string p = Write("[databse]\nurl = \"x\"\n");
  auto c = LoadConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_NE(c.status().message().find(":1:2: unknown section or key 'databse'"), std::string::npos)
      << c.status().message();
}

TEST(ConfigTest, WrongTypeIsAnError) {
  const std::string p = Write("[migrations]\ndir = 5\n");
  auto c = LoadConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(), p + ":2:7: [migrations] dir must be a string");
}

TEST(ConfigTest, SyntaxErrorNamesTheLine) {
  const std::string p = Write("[database]\nurl = \"unclosed\n");
  auto c = LoadConfig(p);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message().rfind(p + ":2:", 0), 0u) << c.status().message();
}

TEST(ConfigTest, ExpandsEnvironmentVariables) {
  setenv("DBROLL_TEST_DB", "app.db", 1);
  unsetenv("DBROLL_TEST_UNSET");
  auto c = LoadConfig(Write("[database]\nurl = \"sqlite:${DBROLL_TEST_DB}\"\n[notify]\nwebhook = \"${DBROLL_TEST_UNSET:-}\"\n"));
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(c->engine.url, "sqlite:app.db");
  EXPECT_EQ(c->Get("notify", "webhook", "?"), "");
  auto bad = LoadConfig(Write("[database]\nurl = \"${DBROLL_TEST_UNSET}\"\n"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("${DBROLL_TEST_UNSET} is not set in the environment"), std::string::npos);
}

TEST(ConfigTest, EnvironmentUrlOverridesTheFile) {
  setenv("DATABASE_URL", "sqlite:from-env.db", 1);
  auto c = LoadConfig(Write("[database]\nurl = \"sqlite:file.db\"\n"));
  unsetenv("DATABASE_URL");
  ASSERT_TRUE(c.ok());
  EXPECT_EQ(c->engine.url, "sqlite:from-env.db");
}

TEST(ConfigTest, ParsesDurations) {
  EXPECT_EQ(ParseDuration("200ms").value(), std::chrono::milliseconds(200));
  EXPECT_EQ(ParseDuration("5s").value(), std::chrono::seconds(5));
  EXPECT_EQ(ParseDuration("2m").value(), std::chrono::minutes(2));
  EXPECT_EQ(ParseDuration("1500").value(), std::chrono::milliseconds(1500));
  EXPECT_FALSE(ParseDuration("5 parsecs").ok());
  EXPECT_FALSE(ParseDuration("").ok());
  EXPECT_EQ(ParseDuration("1.5s").value(), std::chrono::milliseconds(1500));
  EXPECT_EQ(ParseDuration("1h").value(), std::chrono::hours(1));
  EXPECT_EQ(ParseDuration("596h").value(), std::chrono::hours(596));
}

TEST(ConfigTest, RejectsNonFiniteNegativeAndOverflowingDurations) {
  for (const char* bad : {"nan", "inf", "-inf", "1e300s", "1e3", "-5s", "+5s", "0x10", " 5s", "5s ", "5.s", ".5s",
                          "597h", "9999999999999999999999s", "2147483648"}) {
    auto d = ParseDuration(bad);
    EXPECT_FALSE(d.ok()) << bad << " -> " << (d.ok() ? d->count() : 0);
  }
  EXPECT_EQ(ParseDuration("2147483647").value().count(), 2147483647);
  EXPECT_EQ(ParseDuration("nan").status().message(),
            "'nan' is not a duration -- use a number with a unit: 500ms, 5s, 1.5s, 2m, 1h (a bare number is "
            "milliseconds), at most 596h");
  EXPECT_EQ(ParseDuration("1e300s").status().message(),
            "'1e300s' is not a duration (unknown unit 'e300s') -- use a number with a unit: 500ms, 5s, 1.5s, 2m, 1h "
            "(a bare number is milliseconds), at most 596h");
}

TEST(ConfigTest, BadDurationInTheConfigNamesTheKey) {
  for (const char* bad : {"nan", "inf", "1e300s", "-1s"}) {
    const std::string p = Write(std::string("[migrations]\nlock_timeout = \"") + bad + "\"\n");
    auto c = LoadConfig(p);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_EQ(c.status().code(), Code::kInvalidArgument);
    EXPECT_EQ(c.status().message().rfind(p + ":2:16: [migrations] lock_timeout: '" + bad + "' is", 0), 0u)
        << c.status().message();
    std::filesystem::remove(p);
  }
}

}  // namespace
}  // namespace dbroll
