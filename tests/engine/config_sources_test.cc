// ResolveConfig and .env (dbroll/options.h): the config an orchestrator gets
// is the one the CLI uses -- discovery, .env, overrides.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "dbroll/database_admin.h"
#include "dbroll/options.h"
#include "dbroll/url.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

class ResolveConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // The URL in the environment would win over the files these tests write.
    for (const char* v : {"DBROLL_CS_DB", "DBROLL_URL", "DATABASE_URL"}) ::unsetenv(v);
  }
  void TearDown() override { ::unsetenv("DBROLL_CS_DB"); }
  void Write(const std::string& name, const std::string& text) { std::ofstream(dir_ / name) << text; }
  ConfigSources Sources() const {
    ConfigSources s;
    s.dir = dir_.path().string();
    return s;
  }

  testing::TempDir dir_{"config-sources"};
};

TEST_F(ResolveConfigTest, FindsDbrollTomlInTheProjectDirectoryElseUsesDefaults) {
  auto none = ResolveConfig(Sources());
  ASSERT_TRUE(none.ok()) << none.status().message();
  EXPECT_EQ(none->path, "");
  Write("dbroll.toml", "[database]\nurl = \"sqlite:found.db\"\n");
  auto found = ResolveConfig(Sources());
  ASSERT_TRUE(found.ok()) << found.status().message();
  EXPECT_EQ(found->path, (dir_ / "dbroll.toml").string());
  EXPECT_EQ(found->engine.url, "sqlite:found.db");
}

TEST_F(ResolveConfigTest, ARelativeConfigPathIsLookedForInTheProjectDirectory) {
  Write("other.toml", "[database]\nurl = \"sqlite:other.db\"\n");
  ConfigSources s = Sources();
  s.config = "other.toml";
  auto cfg = ResolveConfig(s);
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->engine.url, "sqlite:other.db");
  s.config = "missing.toml";
  EXPECT_EQ(ResolveConfig(s).status().code(), Code::kNotFound);
}

TEST_F(ResolveConfigTest, OverridesWinOverTheFile) {
  Write("dbroll.toml", "[database]\nurl = \"sqlite:file.db\"\n[migrations]\nlock_timeout = \"5s\"\n");
  ConfigSources s = Sources();
  s.url = "sqlite:flag.db";
  s.lock_timeout = std::chrono::milliseconds(1500);
  s.placeholders = {{"schema", "app"}};
  auto cfg = ResolveConfig(s);
  ASSERT_TRUE(cfg.ok()) << cfg.status().message();
  EXPECT_EQ(cfg->engine.url, "sqlite:flag.db");
  EXPECT_EQ(cfg->engine.lock_timeout, std::chrono::milliseconds(1500));
  EXPECT_EQ(cfg->engine.placeholders.at("schema"), "app");
  EXPECT_TRUE(cfg->engine.placeholders_enabled);
}

TEST_F(ResolveConfigTest, DotenvFillsTheEnvironmentButNeverOverridesIt) {
  Write("dbroll.toml", "[database]\nurl = \"sqlite:${DBROLL_CS_DB}\"\n");
  Write(".env", "DBROLL_CS_DB=from_env_file.db\n");
  auto from_file = ResolveConfig(Sources());
  ASSERT_TRUE(from_file.ok()) << from_file.status().message();
  EXPECT_EQ(from_file->engine.url, "sqlite:from_env_file.db");
  ::setenv("DBROLL_CS_DB", "real.db", 1);
  auto real = ResolveConfig(Sources());
  ASSERT_TRUE(real.ok()) << real.status().message();
  EXPECT_EQ(real->engine.url, "sqlite:real.db");
}

TEST_F(ResolveConfigTest, ABadDotenvLineStopsWithItsPlace) {
  Write(".env", "A=1\nnot a line\n");
  EXPECT_EQ(ResolveConfig(Sources()).status().message(),
            (dir_ / ".env").string() + ":2:5: expected = -- write NAME=VALUE, or remove the line");
}

TEST(DotenvParseTest, QuotesEscapesAndComments) {
  auto v = ParseDotenv("export A='x #y'\nB=\"t\\tz\" # c\nC= bare # cut\n", ".env");
  ASSERT_TRUE(v.ok()) << v.status().message();
  const std::vector<std::pair<std::string, std::string>> want = {{"A", "x #y"}, {"B", "t\tz"}, {"C", "bare"}};
  EXPECT_EQ(v.value(), want);
  EXPECT_EQ(ParseDotenv("A='x' y\n", ".env").status().message(),
            ".env:1:7: text after the closing quote -- write NAME=VALUE, or remove the line");
  EXPECT_EQ(ParseDotenv("1A=x\n", ".env").status().message(),
            ".env:1:1: expected a variable name -- write NAME=VALUE, or remove the line");
}

TEST(RedactDatabaseUrlTest, TheUrlAsRedactUrlShowsItThenThePasswordAnywhere) {
  const std::string url = "postgres://app:s3cret-pw@db:5432/shop";
  EXPECT_EQ(RedactDatabaseUrl("cannot reach " + url + " (password s3cret-pw)", url),
            "cannot reach " + RedactUrl(url) + " (password ***)");
  EXPECT_EQ(RedactDatabaseUrl("sqlite:app.db is locked", "sqlite:app.db"), "sqlite:app.db is locked");
  EXPECT_EQ(RedactDatabaseUrl("no url here", ""), "no url here");
}

TEST(DriverOptionsForTest, WhatTheEngineWouldOpen) {
  EngineOptions o;
  o.url = "sqlite:x.db";
  o.base_dir = "/p";
  o.schema = "app";
  o.history_table = "hist";
  o.read_only = true;
  const DriverOptions d = DriverOptionsFor(o);
  EXPECT_EQ(d.url, "sqlite:x.db");
  EXPECT_EQ(d.base_dir, "/p");
  EXPECT_EQ(d.schema, "app");
  EXPECT_EQ(d.history_table, "hist");
  EXPECT_TRUE(d.read_only);
}

}  // namespace
}  // namespace dbroll
