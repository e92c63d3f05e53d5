// End-to-end: the real dbroll binary on temp directories and SQLite files.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "dbroll/driver.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

struct CmdResult {
  int code;
  std::string out;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    static int n = 0;
    dir_ = fs::temp_directory_path() / ("dbroll-cli-" + std::to_string(getpid()) + "-" + std::to_string(++n));
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "migrations");
    std::ofstream(dir_ / "dbroll.toml") << "[database]\nurl = \"sqlite:app.db\"\n[migrations]\ndir = \"migrations\"\n";
  }
  void TearDown() override { fs::remove_all(dir_); }

  void Pair(const std::string& id, const std::string& up, const std::string& down) {
    fs::create_directories(dir_ / "migrations" / id);
    std::ofstream(dir_ / "migrations" / id / "up.sql") << up;
    std::ofstream(dir_ / "migrations" / id / "down.sql") << down;
  }
  CmdResult Dbroll(const std::string& args, const std::string& env = "") {
    const fs::path out = dir_ / "out.txt";
    const std::string cmd = env + " '" + std::string(DBROLL_BINARY) + "' -C '" + dir_.string() + "' " + args +
                            " >'" + out.string() + "' 2>&1";
    int status = std::system(cmd.c_str());
    std::ifstream in(out);
    std::stringstream s;
    s << in.rdbuf();
    return CmdResult{WIFEXITED(status) ? WEXITSTATUS(status) : -1, s.str()};
  }
  long long Count(const std::string& sql) {
    DriverOptions o;
    o.url = "sqlite:" + (dir_ / "app.db").string();
    auto d = OpenDriver(o);
    EXPECT_TRUE(d.ok());
    auto r = (*d)->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::stoll(*r->front()[0]) : -1;
  }
  long long Tables(const std::string& like) {
    return Count("SELECT count(*) FROM sqlite_master WHERE type='table' AND name LIKE '" + like + "'");
  }
  fs::path dir_;
};

TEST_F(CliTest, ExampleProjectGoesUpAndAllTheWayDown) {
  fs::remove_all(dir_);
  fs::copy(fs::path(DBROLL_SOURCE_DIR) / "migrations-example", dir_, fs::copy_options::recursive);
  fs::remove(dir_ / "example.db");
  CmdResult up = Dbroll("migrate --release v1.0.0");
  ASSERT_EQ(up.code, 0) << up.out;
  EXPECT_NE(up.out.find("up    0007_order_statuses"), std::string::npos) << up.out;
  CmdResult st = Dbroll("status --format json");
  ASSERT_EQ(st.code, 0) << st.out;
  auto doc = nlohmann::json::parse(st.out);
  EXPECT_EQ(doc["format"], 1);
  EXPECT_EQ(doc["current_release"], "v1.0.0");
  ASSERT_GE(doc["versions"].size(), 6u);
  EXPECT_EQ(doc["versions"][0]["state"], "applied");
  CmdResult down = Dbroll("down --all");
  ASSERT_EQ(down.code, 0) << down.out;
}

TEST_F(CliTest, FailingMigrationExitsFourAndNamesFileAndLine) {
  Pair("0001_ok", "CREATE TABLE ok1 (id int);", "DROP TABLE ok1;");
  Pair("0002_bad", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int,,);\n",
       "DROP TABLE c; DROP TABLE b; DROP TABLE a;");
  CmdResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 4) << r.out;
  EXPECT_NE(r.out.find("dbroll: error: migrations/0002_bad/up.sql:3:1: near \",\": syntax error"), std::string::npos)
      << r.out;
  EXPECT_EQ(Tables("ok1"), 1);
  EXPECT_EQ(Tables("a"), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM dbroll_history"), 1);
}

TEST_F(CliTest, EditedAppliedMigrationFailsValidateAndBlocksMigrate) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  std::ofstream(dir_ / "migrations/0001_a/up.sql", std::ios::app) << "\n-- edited";
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  CmdResult v = Dbroll("validate");
  EXPECT_EQ(v.code, 1) << v.out;
  EXPECT_NE(v.out.find("migrations/0001_a/up.sql: changed since it was applied"), std::string::npos) << v.out;
  CmdResult m = Dbroll("migrate");
  EXPECT_EQ(m.code, 1) << m.out;
  EXPECT_EQ(Tables("b"), 0);
}

TEST_F(CliTest, DownWorksFromACheckoutWithoutTheFiles) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  fs::remove_all(dir_ / "migrations/0002_b");
  CmdResult s = Dbroll("status");
  EXPECT_NE(s.out.find("applied-file-missing"), std::string::npos) << s.out;
  CmdResult d = Dbroll("down");
  ASSERT_EQ(d.code, 0) << d.out;
  EXPECT_NE(d.out.find("using the down script stored at apply time"), std::string::npos) << d.out;
  EXPECT_EQ(Tables("b"), 0);
  EXPECT_EQ(Tables("a"), 1);
}

TEST_F(CliTest, DownToReleaseAndHistory) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("migrate --release r1").code, 0);
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  Pair("0003_c", "CREATE TABLE c (id int);", "DROP TABLE c;");
  ASSERT_EQ(Dbroll("migrate --release r2").code, 0);
  CmdResult d = Dbroll("down --to-release r1");
  ASSERT_EQ(d.code, 0) << d.out;
  EXPECT_EQ(Tables("a"), 1);
  EXPECT_EQ(Tables("b") + Tables("c"), 0);
  CmdResult h = Dbroll("history --format json");
  ASSERT_EQ(h.code, 0) << h.out;
  auto log = nlohmann::json::parse(h.out)["log"];
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["action"], "down");
  EXPECT_EQ(log[0]["versions"], "0003,0002");
}

TEST_F(CliTest, IrreversibleMigrationStopsDownWithItsReason) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  fs::create_directories(dir_ / "migrations/0002_purge");
  std::ofstream(dir_ / "migrations/0002_purge/up.sql") << "-- dbroll:irreversible removes old rows\nDELETE FROM a;\n";
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CmdResult d = Dbroll("down --all");
  EXPECT_EQ(d.code, 7) << d.out;
  EXPECT_NE(d.out.find("is irreversible: \"removes old rows\""), std::string::npos) << d.out;
  EXPECT_EQ(Tables("a"), 1);
}

TEST_F(CliTest, ConcurrentRunnersApplyEveryVersionOnce) {
  for (int i = 1; i <= 40; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%04d_t%d", i, i);
    Pair(id, "CREATE TABLE t" + std::to_string(i) + " (id int);", "DROP TABLE t" + std::to_string(i) + ";");
  }
  const std::string bin = DBROLL_BINARY;
  std::string script;
  for (int i = 0; i < 4; ++i) script += "'" + bin + "' -C '" + dir_.string() + "' migrate >/dev/null 2>&1 & ";
  script += "wait";
  ASSERT_EQ(std::system(("bash -c \"" + script + "\"").c_str()), 0);
  EXPECT_EQ(Count("SELECT count(*) FROM dbroll_history"), 40);
  EXPECT_EQ(Tables("t%"), 40);
  EXPECT_EQ(Count("SELECT count(*) FROM dbroll_log WHERE action='migrate' AND outcome='ok'"), 4);
}

TEST_F(CliTest, LockHeldElsewhereExitsSix) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("status").code, 0);  // creates app.db
  DriverOptions o;
  o.url = "sqlite:" + (dir_ / "app.db").string();
  auto holder = OpenDriver(o);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Lock(std::chrono::seconds(1)).ok());
  CmdResult r = Dbroll("--lock-timeout 200ms migrate");
  EXPECT_EQ(r.code, 6) << r.out;
  EXPECT_NE(r.out.find("another dbroll is migrating this database"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadConfigExitsTwoWithFileAndLine) {
  std::ofstream(dir_ / "dbroll.toml") << "[migrations]\ndir = \"migrations\"\ntabel = \"x\"\n";
  CmdResult r = Dbroll("status");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("dbroll.toml:3:1: unknown key 'tabel' in [migrations]"), std::string::npos) << r.out;
}

TEST_F(CliTest, MissingDownFileExitsTwo) {
  fs::create_directories(dir_ / "migrations/0001_a");
  std::ofstream(dir_ / "migrations/0001_a/up.sql") << "CREATE TABLE a (id int);";
  CmdResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("migrations/0001_a/up.sql: up without a down for version 0001"), std::string::npos) << r.out;
}

TEST_F(CliTest, PasswordNeverAppearsInOutput) {
  CmdResult r = Dbroll("--url 'postgres://u:S3cretPw9@127.0.0.1:1/x' status");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out.find("S3cretPw9"), std::string::npos) << r.out;
  CmdResult m = Dbroll("status", "DBROLL_URL='mysql://u:An0therPw@127.0.0.1:1/x'");
  EXPECT_NE(m.code, 0);
  EXPECT_EQ(m.out.find("An0therPw"), std::string::npos) << m.out;
}

TEST_F(CliTest, DryRunPrintsTheSqlAndChangesNothing) {
  Pair("0001_a", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
  CmdResult r = Dbroll("migrate --dry-run");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_NE(r.out.find("-- up 0001_a (migrations/0001_a/up.sql)\nCREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Tables("a"), 0);
}

TEST_F(CliTest, InitAndNewScaffoldAProject) {
  fs::remove_all(dir_);
  fs::create_directories(dir_);
  ASSERT_EQ(Dbroll("init").code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "dbroll.toml"));
  ASSERT_EQ(Dbroll("new add_users").code, 0);
  ASSERT_EQ(Dbroll("new 'add orders'").code, 0);
  EXPECT_TRUE(fs::exists(dir_ / "migrations/0001_add_users/up.sql"));
  EXPECT_TRUE(fs::exists(dir_ / "migrations/0002_add_orders/down.sql"));
  EXPECT_EQ(Dbroll("init").code, 2);
}

TEST_F(CliTest, UnknownFlagIsAUsageError) {
  CmdResult r = Dbroll("migrate --to-the-moon");
  EXPECT_EQ(r.code, 2) << r.out;
}

// verify: every version gets a state in --format json; --fail-fast stops early.
TEST_F(CliTest, VerifyJsonGivesEveryVersionAStateAndFailFastStops) {
  Pair("0001_t", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\n", "DROP TABLE t;\n");
  Pair("0002_u", "CREATE TABLE IF NOT EXISTS u (x int);\n", "DROP INDEX t_a;\n");
  Pair("0003_w", "CREATE TABLE w (x int);\n", "SELECT 1;\n");
  CmdResult r = Dbroll("--format json verify");
  EXPECT_EQ(r.code, 1) << r.out;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  ASSERT_EQ(j["versions"].size(), 3u) << r.out;
  EXPECT_EQ(j["versions"][0]["state"], "ok");
  EXPECT_EQ(j["versions"][1]["state"], "failed");
  EXPECT_EQ(j["versions"][2]["state"], "failed");
  EXPECT_EQ(j["versions"][2]["findings"][0]["message"], "0003_w: down leaves table w behind");
  r = Dbroll("verify --fail-fast");
  EXPECT_EQ(r.code, 1) << r.out;
  EXPECT_NE(r.out.find("not-verified  0003_w\n  --fail-fast: verify stopped after 0002_u failed\n"), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("verify: 3 version(s), 1 failed, 1 not verified ("), std::string::npos) << r.out;
}

}  // namespace
}  // namespace dbroll::testing
