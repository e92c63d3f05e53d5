// End-to-end: dbroll adopt, --set and DBROLL_PLACEHOLDER_* through the real binary.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "dbroll/driver.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class AdoptCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = fs::temp_directory_path() / ("dbroll-adopt-cli-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "migrations");
    Config("");
  }
  void TearDown() override { fs::remove_all(dir_); }
  void Config(const std::string& extra) {
    std::ofstream(dir_ / "dbroll.toml") << "[database]\nurl = \"sqlite:app.db\"\n[migrations]\ndir = \"migrations\"\n"
                                        << extra;
  }
  void Pair(const std::string& id, const std::string& up, const std::string& down) {
    fs::create_directories(dir_ / "migrations" / id);
    std::ofstream(dir_ / "migrations" / id / "up.sql") << up;
    std::ofstream(dir_ / "migrations" / id / "down.sql") << down;
  }
  std::pair<int, std::string> Dbroll(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / "out.txt";
    const std::string cmd = env + " '" + std::string(DBROLL_BINARY) + "' -C '" + dir_.string() + "' " + args +
                            " >'" + out.string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, s.str()};
  }
  std::string Scalar(const std::string& sql) {
    DriverOptions o;
    o.url = "sqlite:" + (dir_ / "app.db").string();
    auto d = OpenDriver(o);
    EXPECT_TRUE(d.ok());
    auto r = (*d)->Query(sql);
    if (!r.ok()) return "<error " + r.status().message() + ">";
    return r->empty() ? "<none>" : r->front()[0].value_or("<null>");
  }
  void Exec(const std::string& sql) {
    DriverOptions o;
    o.url = "sqlite:" + (dir_ / "app.db").string();
    auto d = OpenDriver(o);
    ASSERT_TRUE(d.ok());
    ASSERT_TRUE((*d)->RunStatement(Statement{sql, "", 1, 1, 0}).ok()) << sql;
  }
  fs::path dir_;
};

TEST_F(AdoptCliTest, DryRunThenAdoptThenMigrateRunsNothingAgain) {
  Pair("0001_a", "CREATE TABLE a (x int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (x int);", "DROP TABLE b;");
  Exec("CREATE TABLE schema_migrations (version varchar(128) primary key)");
  Exec("INSERT INTO schema_migrations VALUES ('0001'), ('0002')");
  Exec("CREATE TABLE a (x int)");
  Exec("CREATE TABLE b (x int)");
  auto dry = Dbroll("adopt --from dbmate --dry-run");
  ASSERT_EQ(dry.first, 0) << dry.second;
  EXPECT_EQ(dry.second,
            "would adopt  0001_a\nwould adopt  0002_b\nwould record 2 versions from dbmate (schema_migrations) as "
            "applied, running nothing; schema_migrations is left as it was\n");
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_master WHERE name = 'dbroll_history'"), "0");
  auto adopt = Dbroll("adopt --from dbmate");
  ASSERT_EQ(adopt.first, 0) << adopt.second;
  auto migrate = Dbroll("migrate");
  EXPECT_EQ(migrate.first, 0) << migrate.second;
  // Nothing ran; outside a terminal the CI summary line follows.
  EXPECT_TRUE(std::regex_match(migrate.second,
                               std::regex("dbroll: nothing to migrate: the database is up to date\n"
                                          "applied 0 migrations in [0-9]+ ms; schema version 0002\n")))
      << migrate.second;
  auto down = Dbroll("down --all");
  EXPECT_EQ(down.first, 0) << down.second;
  EXPECT_EQ(Scalar("SELECT count(*) FROM sqlite_master WHERE name IN ('a', 'b')"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM schema_migrations"), "2");
}

TEST_F(AdoptCliTest, DirtyGolangMigrateExitsDirty) {
  Pair("0001_a", "CREATE TABLE a (x int);", "DROP TABLE a;");
  Exec("CREATE TABLE schema_migrations (version bigint not null primary key, dirty boolean not null)");
  Exec("INSERT INTO schema_migrations VALUES (1, 1)");
  auto r = Dbroll("adopt --from golang-migrate");
  EXPECT_EQ(r.first, 5) << r.second;
}

TEST_F(AdoptCliTest, PlaceholderValuesFromConfigEnvironmentAndSetInThatOrder) {
  Config("[placeholders]\na = \"from_config\"\nb = \"from_config\"\nc = \"from_config\"\n");
  Pair("0001_t", "CREATE TABLE ${a} (x int); CREATE TABLE ${b} (x int); CREATE TABLE ${c} (x int);",
       "DROP TABLE ${a}; DROP TABLE ${b}; DROP TABLE ${c};");
  auto r = Dbroll("migrate --set c=from_set", "DBROLL_PLACEHOLDER_b=from_env DBROLL_PLACEHOLDER_c=from_env");
  ASSERT_EQ(r.first, 0) << r.second;
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
  ASSERT_EQ(r.first, 0) << r.second;
  EXPECT_EQ(Scalar("SELECT sql FROM sqlite_master WHERE name = 't'"), "CREATE TABLE t (x text DEFAULT '${x}')");
  auto bad = Dbroll("migrate --set novalue");
  EXPECT_EQ(bad.first, 2);
  EXPECT_EQ(bad.second, "dbroll: error: --set novalue: expected name=value (a placeholder ${name} in the SQL)\n");
}

TEST_F(AdoptCliTest, UndefinedPlaceholderNamesFileAndLine) {
  Config("[placeholders]\n");
  Pair("0001_t", "CREATE TABLE ${undefined_thing} (x int);", "DROP TABLE x;");
  auto r = Dbroll("migrate");
  EXPECT_EQ(r.first, 2);
  EXPECT_EQ(r.second.rfind("dbroll: error: migrations/0001_t/up.sql:1:14: placeholder ${undefined_thing} is not "
                           "defined -- ",
                           0),
            0u)
      << r.second;
}

}  // namespace
}  // namespace dbroll::testing
