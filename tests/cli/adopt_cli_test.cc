// End-to-end: dbroll adopt, --set and DBROLL_PLACEHOLDER_* through the real binary.
#include <gtest/gtest.h>

#include <regex>

#include "dbroll/driver.h"
#include "tests/support/cli_project.h"

namespace dbroll::testing {
namespace {

class AdoptCliTest : public CliProjectTest {
 protected:
  void Config(const std::string& extra) { WriteConfig(kSqliteProjectToml + extra); }
  std::string Scalar(const std::string& sql) {
    auto r = OpenSqlite()->Query(sql);
    if (!r.ok()) return "<error " + r.status().message() + ">";
    return r->empty() ? "<none>" : r->front()[0].value_or("<null>");
  }
  void Exec(const std::string& sql) {
    auto d = OpenSqlite();
    ASSERT_TRUE(d);
    ASSERT_TRUE(d->RunStatement(Statement{sql, "", 1, 1, 0}).ok()) << sql;
  }
};

TEST_F(AdoptCliTest, DryRunThenAdoptThenMigrateRunsNothingAgain) {
  Pair("0001_a", "CREATE TABLE a (x int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (x int);", "DROP TABLE b;");
  Exec("CREATE TABLE schema_migrations (version varchar(128) primary key)");
  Exec("INSERT INTO schema_migrations VALUES ('0001'), ('0002')");
  Exec("CREATE TABLE a (x int)");
  Exec("CREATE TABLE b (x int)");
  auto dry = Dbroll("adopt --from dbmate --dry-run");
  ASSERT_EQ(dry.code, 0) << dry.out;
  EXPECT_EQ(dry.out,
            "would adopt  0001_a\nwould adopt  0002_b\nwould record 2 versions from dbmate (schema_migrations) as "
            "applied, running nothing; schema_migrations is left as it was\n");
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'dbroll_history'"), "0");
  auto adopt = Dbroll("adopt --from dbmate");
  ASSERT_EQ(adopt.code, 0) << adopt.out;
  auto migrate = Dbroll("migrate");
  EXPECT_EQ(migrate.code, 0) << migrate.out;
  // Nothing ran; outside a terminal the CI summary line follows.
  EXPECT_TRUE(std::regex_match(migrate.out,
                               std::regex("dbroll: nothing to migrate: the database is up to date\n"
                                          "applied 0 migrations in [0-9]+ ms; schema version 0002\n")))
      << migrate.out;
  auto down = Dbroll("down --all");
  EXPECT_EQ(down.code, 0) << down.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM schema_migrations"), "2");
}

TEST_F(AdoptCliTest, DirtyGolangMigrateExitsDirty) {
  Pair("0001_a", "CREATE TABLE a (x int);", "DROP TABLE a;");
  Exec("CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)");
  Exec("INSERT INTO schema_migrations VALUES (1, 1)");
  auto r = Dbroll("adopt --from golang-migrate");
  EXPECT_EQ(r.code, 5) << r.out;
}

TEST_F(AdoptCliTest, PlaceholderValuesFromConfigEnvironmentAndSetInThatOrder) {
  Config("[placeholders]\na = \"from_config\"\nb = \"from_config\"\nc = \"from_config\"\n");
  Pair("0001_t", "CREATE TABLE ${a} (x int); CREATE TABLE ${b} (x int); CREATE TABLE ${c} (x int);",
       "DROP TABLE ${a}; DROP TABLE ${b}; DROP TABLE ${c};");
  auto r = Dbroll("migrate --set c=from_set", "DBROLL_PLACEHOLDER_b=from_env DBROLL_PLACEHOLDER_c=from_env");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Scalar("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE name LIKE 'from%'"
                   " ORDER BY name)"),
            "from_config,from_env,from_set");
  EXPECT_EQ(Scalar("SELECT down_script FROM dbroll_history"),
            "DROP TABLE from_config; DROP TABLE from_env; DROP TABLE from_set;");
}

TEST_F(AdoptCliTest, PlaceholdersOffLeaveTheSqlAlone) {
  Config("[placeholders]\nenabled = false\n");
  Pair("0001_t", "CREATE TABLE t (x text DEFAULT '${x}');", "DROP TABLE t;");
  auto r = Dbroll("migrate", "DBROLL_PLACEHOLDER_x=1");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Scalar("SELECT sql FROM sqlite_master WHERE name = 't'"), "CREATE TABLE t (x text DEFAULT '${x}')");
  auto bad = Dbroll("migrate --set novalue");
  EXPECT_EQ(bad.code, 2);
  EXPECT_EQ(bad.out, "dbroll: error: --set novalue: expected name=value (a placeholder ${name} in the SQL)\n");
}

TEST_F(AdoptCliTest, UndefinedPlaceholderNamesFileAndLine) {
  Config("[placeholders]\n");
  Pair("0001_t", "CREATE TABLE ${undefined_thing} (x int);", "DROP TABLE x;");
  auto r = Dbroll("migrate");
  EXPECT_EQ(r.code, 2);
  EXPECT_EQ(r.out.rfind("dbroll: error: migrations/0001_t/up.sql:1:14: placeholder ${undefined_thing} is not "
                           "defined -- ",
                           0),
            0u)
      << r.out;
}

}  // namespace
}  // namespace dbroll::testing
