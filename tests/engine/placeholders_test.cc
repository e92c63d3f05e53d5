// Placeholders: ${name} replaced in the SQL, the down stored after it.
#include "engine/placeholders.h"

#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"

namespace dbroll::testing {
namespace {

using internal::SubstitutePlaceholders;

TEST(PlaceholdersTest, ReplacesEverywhereLikeFlyway) {
  auto r = SubstitutePlaceholders("m/up.sql", "CREATE TABLE ${t} (x text DEFAULT '${t}'); -- ${t}\n",
                                  {{"t", "things"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "CREATE TABLE things (x text DEFAULT 'things'); -- things\n");
}

TEST(PlaceholdersTest, EscapeAndNonNamesStayLiteral) {
  auto r = SubstitutePlaceholders("m/up.sql", "SELECT '$${t}', '${ t }', '${', $$ ${}$$, ${t}", {{"t", "x"}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value(), "SELECT '${t}', '${ t }', '${', $$ ${}$$, x");
}

TEST(PlaceholdersTest, UndefinedNamesFileLineAndColumn) {
  auto r = SubstitutePlaceholders("migrations/0002_bad/up.sql", "-- first\nCREATE TABLE ${undefined_thing} (x int);",
                                  {{"t", "x"}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(),
            "migrations/0002_bad/up.sql:2:14: placeholder ${undefined_thing} is not defined -- set it in "
            "[placeholders] in dbroll.toml, as DBROLL_PLACEHOLDER_undefined_thing in the environment or with --set "
            "undefined_thing=VALUE (write $${undefined_thing} for a literal ${undefined_thing}); nothing was run");
}

TEST(PlaceholdersTest, EnvironmentPrefix) {
  setenv("DBROLL_PLACEHOLDER_schema_name", "app", 1);
  auto env = internal::PlaceholdersFromEnvironment();
  unsetenv("DBROLL_PLACEHOLDER_schema_name");
  EXPECT_EQ(env["schema_name"], "app");
}

class PlaceholderEngineTest : public SqliteEngineTest {
 protected:
  void SetUp() override {
    SqliteEngineTest::SetUp();
    Add("0001", "t", "CREATE TABLE ${table} (x int);", "DROP TABLE ${table};");
  }
  std::unique_ptr<Engine> Open(std::map<std::string, std::string> values, bool enabled = true) {
    EngineOptions o = Options();
    o.placeholders = std::move(values);
    o.placeholders_enabled = enabled;
    return OpenWith(o);
  }
};

TEST_F(PlaceholderEngineTest, DownIsStoredAfterSubstitutionAndUpChecksumIsTheFiles) {
  auto e = Open({{"table", "things"}});
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE name='things'"), "1");
  EXPECT_EQ(Scalar(*e, "SELECT down_script FROM dbroll_history"), "DROP TABLE things;");
  EXPECT_EQ(Scalar(*e, "SELECT down_checksum FROM dbroll_history"), internal::Sha256Hex("DROP TABLE things;"));
  EXPECT_EQ(Scalar(*e, "SELECT up_checksum FROM dbroll_history"), (*ms_)[0].up.checksum);
  // A new value is not drift; the rollback runs what was stored, even with
  // the placeholder gone.
  auto later = Open({});
  auto problems = later->Validate();
  ASSERT_TRUE(problems.ok());
  EXPECT_TRUE(problems->empty());
  ASSERT_TRUE(later->Down({.down_source = DownSource::kStored}).ok());
  EXPECT_EQ(Scalar(*later, "SELECT count(*) FROM sqlite_master WHERE name='things'"), "0");
}

TEST_F(PlaceholderEngineTest, UndefinedPlaceholderStopsMigrateBeforeAnythingRuns) {
  ms_->insert(ms_->begin(), MakeMigration("0000", "first", "CREATE TABLE first (x int);", "DROP TABLE first;"));
  auto e = Open({{"other", "x"}});
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message().rfind("migrations/0001_t/up.sql:1:14: placeholder ${table} is not defined -- ", 0), 0u)
      << s.message();
  EXPECT_EQ(Scalar(*e, "SELECT count(*) FROM sqlite_master WHERE name='first'"), "0");
}

TEST_F(PlaceholderEngineTest, DisabledLeavesTheTextAlone) {
  (*ms_)[0] = MakeMigration("0001", "t", "CREATE TABLE t (x text DEFAULT '${table}');", "DROP TABLE t;");
  auto e = Open({}, false);
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(Scalar(*e, "SELECT sql FROM sqlite_master WHERE name='t'"), "CREATE TABLE t (x text DEFAULT '${table}')");
}

}  // namespace
}  // namespace dbroll::testing
