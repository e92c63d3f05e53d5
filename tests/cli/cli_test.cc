// End-to-end: the real dbroll binary on temp directories and SQLite files.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "dbroll/driver.h"
#include "tests/support/cli_project.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class CliTest : public CliProjectTest {
 protected:
  long long Count(const std::string& sql) {
    auto r = OpenSqlite()->Query(sql);
    EXPECT_TRUE(r.ok()) << r.status().ToString();
    return r.ok() ? std::stoll(*r->front()[0]) : -1;
  }
  long long Tables(const std::string& like) {
    return Count("SELECT count(*) FROM sqlite_master WHERE type='table' AND name LIKE '" + like + "'");
  }
};

TEST_F(CliTest, ExampleProjectGoesUpAndAllTheWayDown) {
  fs::remove_all(dir_);
  fs::copy(fs::path(DBROLL_SOURCE_DIR) / "migrations-example", dir_, fs::copy_options::recursive);
  fs::remove(dir_ / "example.db");
  CliResult up = Dbroll("migrate --release v1.0.0");
  ASSERT_EQ(up.code, 0) << up.out;
  EXPECT_NE(up.out.find("up    0007_order_statuses"), std::string::npos) << up.out;
  CliResult st = Dbroll("status --format json");
  ASSERT_EQ(st.code, 0) << st.out;
  auto doc = nlohmann::json::parse(st.out);
  EXPECT_EQ(doc["format"], 1);
  EXPECT_EQ(doc["current_release"], "v1.0.0");
  ASSERT_GE(doc["versions"].size(), 6u);
  EXPECT_EQ(doc["versions"][0]["state"], "applied");
  CliResult down = Dbroll("down --all");
  ASSERT_EQ(down.code, 0) << down.out;
}

TEST_F(CliTest, FailingMigrationExitsFourAndNamesFileAndLine) {
  Pair("0001_ok", "CREATE TABLE ok1 (id int);", "DROP TABLE ok1;");
  Pair("0002_bad", "CREATE TABLE a (id int);\nCREATE TABLE b (id int);\nCREATE TABLE c (id int,,);\n",
       "DROP TABLE c; DROP TABLE b; DROP TABLE a;");
  CliResult r = Dbroll("migrate");
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
  CliResult v = Dbroll("validate");
  EXPECT_EQ(v.code, 1) << v.out;
  EXPECT_NE(v.out.find("migrations/0001_a/up.sql: changed since it was applied"), std::string::npos) << v.out;
  CliResult m = Dbroll("migrate");
  EXPECT_EQ(m.code, 1) << m.out;
  EXPECT_EQ(Tables("b"), 0);
}

TEST_F(CliTest, DownWorksFromACheckoutWithoutTheFiles) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  fs::remove_all(dir_ / "migrations/0002_b");
  CliResult s = Dbroll("status");
  EXPECT_NE(s.out.find("applied-file-missing"), std::string::npos) << s.out;
  CliResult d = Dbroll("down");
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
  CliResult d = Dbroll("down --to-release r1");
  ASSERT_EQ(d.code, 0) << d.out;
  EXPECT_EQ(Tables("a"), 1);
  EXPECT_EQ(Tables("b") + Tables("c"), 0);
  CliResult h = Dbroll("history --format json");
  ASSERT_EQ(h.code, 0) << h.out;
  auto log = nlohmann::json::parse(h.out)["log"];
  ASSERT_EQ(log.size(), 3u);
  EXPECT_EQ(log[0]["action"], "down");
  EXPECT_EQ(log[0]["versions"], nlohmann::json::array({"0003", "0002"}));
}

TEST_F(CliTest, IrreversibleMigrationStopsDownWithItsReason) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  fs::create_directories(dir_ / "migrations/0002_purge");
  std::ofstream(dir_ / "migrations/0002_purge/up.sql") << "-- dbroll:irreversible removes old rows\nDELETE FROM a;\n";
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult d = Dbroll("down --all");
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
  // Runners that found nothing left to do write no log row.
  EXPECT_GE(Count("SELECT count(*) FROM dbroll_log WHERE action='migrate' AND outcome='ok'"), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM dbroll_log WHERE action='migrate' AND versions=''"), 0);
}

TEST_F(CliTest, LockHeldElsewhereExitsSix) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("status").code, 0);  // creates app.db
  DriverOptions o;
  o.url = "sqlite:" + (dir_ / "app.db").string();
  auto holder = OpenDriver(o);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Lock(std::chrono::seconds(1)).ok());
  CliResult r = Dbroll("--lock-timeout 200ms migrate");
  EXPECT_EQ(r.code, 6) << r.out;
  EXPECT_NE(r.out.find("another dbroll is migrating this database"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadConfigExitsTwoWithFileAndLine) {
  std::ofstream(dir_ / "dbroll.toml") << "[migrations]\ndir = \"migrations\"\ntabel = \"x\"\n";
  CliResult r = Dbroll("status");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("dbroll.toml:3:1: unknown key 'tabel' in [migrations]"), std::string::npos) << r.out;
}

TEST_F(CliTest, MissingDownFileExitsTwo) {
  fs::create_directories(dir_ / "migrations/0001_a");
  std::ofstream(dir_ / "migrations/0001_a/up.sql") << "CREATE TABLE a (id int);";
  CliResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("migrations/0001_a/up.sql: up without a down for version 0001"), std::string::npos) << r.out;
}

TEST_F(CliTest, PasswordNeverAppearsInOutput) {
  CliResult r = Dbroll("--url 'postgres://u:S3cretPw9@127.0.0.1:1/x' status");
  EXPECT_NE(r.code, 0);
  EXPECT_EQ(r.out.find("S3cretPw9"), std::string::npos) << r.out;
  CliResult m = Dbroll("status", "DBROLL_URL='mysql://u:An0therPw@127.0.0.1:1/x'");
  EXPECT_NE(m.code, 0);
  EXPECT_EQ(m.out.find("An0therPw"), std::string::npos) << m.out;
}

TEST_F(CliTest, DryRunPrintsTheSqlAndChangesNothing) {
  Pair("0001_a", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
  CliResult r = Dbroll("migrate --dry-run");
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
  CliResult r = Dbroll("migrate --to-the-moon");
  EXPECT_EQ(r.code, 2) << r.out;
}

TEST_F(CliTest, MigrateToAnUnknownVersionExitsTwoAndAppliesNothing) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  CliResult r = Dbroll("migrate --to 9999");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("version 9999 is not among the migration files"), std::string::npos) << r.out;
  EXPECT_EQ(Tables("a"), 0);
  EXPECT_EQ(Tables("b"), 0);
  CliResult d = Dbroll("migrate --to 9999 --dry-run");
  EXPECT_EQ(d.code, 2) << d.out;
  ASSERT_EQ(Dbroll("migrate --to 0001").code, 0);
  EXPECT_EQ(Tables("a"), 1);
  EXPECT_EQ(Tables("b"), 0);
  CliResult down = Dbroll("down --to 7777");
  EXPECT_EQ(down.code, 2) << down.out;
  EXPECT_EQ(Tables("a"), 1);
}

TEST_F(CliTest, UnknownFormatIsAUsageErrorOnEveryCommand) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  for (const char* cmd : {"status", "validate", "history", "lint", "migrate", "schema dump", "drift", "deploys"}) {
    CliResult r = Dbroll(std::string("--format yaml ") + cmd);
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.out;
    EXPECT_NE(r.out.find("--format: yaml not in {text,json,sarif,github,junit}"), std::string::npos) << r.out;
  }
  EXPECT_EQ(Tables("a"), 0);
  CliResult s = Dbroll("--format sarif status");
  EXPECT_EQ(s.code, 2) << s.out;
  EXPECT_NE(s.out.find("--format sarif: status writes text or json -- pick one of those"), std::string::npos) << s.out;
  for (const char* cmd : {"validate", "history", "schema dump", "drift", "deploys"}) {
    CliResult r = Dbroll(std::string("--format junit ") + cmd);
    EXPECT_EQ(r.code, 2) << cmd << ": " << r.out;
    EXPECT_NE(r.out.find("--format junit: " + std::string(cmd) + " writes text or json"), std::string::npos) << r.out;
  }
}

TEST_F(CliTest, NewNeverOverwritesAMigrationMadeInTheSameSecond) {
  std::ofstream(dir_ / "dbroll.toml") << "[database]\nurl = \"sqlite:app.db\"\n[migrations]\ndir = \"migrations\"\n"
                                         "versioning = \"timestamp\"\n";
  ASSERT_EQ(Dbroll("new same").code, 0);
  std::vector<fs::path> ups;
  for (const auto& e : fs::directory_iterator(dir_ / "migrations")) ups.push_back(e.path() / "up.sql");
  ASSERT_EQ(ups.size(), 1u);
  std::ofstream(ups[0]) << "CREATE TABLE precious (x int);\n";
  // Many in a row: most land in the same second as another one.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(Dbroll("new same").code, 0);
  size_t dirs = 0;
  for (const auto& e : fs::directory_iterator(dir_ / "migrations")) dirs += e.is_directory() ? 1 : 0;
  EXPECT_EQ(dirs, 6u);
  std::ifstream in(ups[0]);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text, "CREATE TABLE precious (x int);\n");
}

TEST_F(CliTest, NewNextToAVersionWithMoreThanTwentyDigits) {
  Pair("123456789012345678901234567890_big", "CREATE TABLE a (id int);", "DROP TABLE a;");
  CliResult r = Dbroll("new next");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir_ / "migrations/123456789012345678901234567891_next/up.sql")) << r.out;
}

TEST_F(CliTest, ReadOnlyCommandsCreateNoSqliteFile) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  for (const char* cmd : {"status", "validate", "history", "migrate --dry-run", "down --dry-run", "schema dump",
                          "--format json status", "lint"}) {
    CliResult r = Dbroll(cmd);
    EXPECT_LT(r.code, 2) << cmd << ": " << r.out;
    EXPECT_FALSE(fs::exists(dir_ / "app.db")) << cmd << " created the database file";
  }
  CliResult st = Dbroll("status");
  EXPECT_NE(st.out.find("pending"), std::string::npos) << st.out;
  // A database that exists is opened read-only and left as it was.
  ASSERT_EQ(Dbroll("migrate").code, 0);
  const auto before = fs::last_write_time(dir_ / "app.db");
  EXPECT_EQ(Dbroll("status").code, 0);
  EXPECT_EQ(Dbroll("migrate --dry-run").code, 0);
  EXPECT_EQ(fs::last_write_time(dir_ / "app.db"), before);
}

TEST_F(CliTest, NonUtf8NamesNeverAbortJsonOutput) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Pair("0002_\xe9t", "-- caf\xe9\nCREATE TABLE z (x int);\n", "DROP TABLE z;\n");
  CliResult st = Dbroll("--format json status");
  ASSERT_EQ(st.code, 0) << st.out;
  auto doc = nlohmann::json::parse(st.out, nullptr, false);
  ASSERT_FALSE(doc.is_discarded()) << st.out;
  EXPECT_EQ(doc["versions"][1]["name"], "\xef\xbf\xbdt");  // U+FFFD for the Latin-1 byte
  CliResult lint = Dbroll("--format json lint");
  EXPECT_LT(lint.code, 2) << lint.out;
  EXPECT_FALSE(nlohmann::json::parse(lint.out, nullptr, false).is_discarded()) << lint.out;
}

TEST_F(CliTest, OddVersionNamesFailValidateMigrateAndLintAlike) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  for (const char* bad : {"0002-b", "0002 b", "V3__b", "0004.b", "0001add"}) {
    Pair(bad, "CREATE TABLE b (id int);", "DROP TABLE b;");
    const std::string expected = std::string("migrations/") + bad + "/: not a migration directory name";
    CliResult v = Dbroll("validate");
    EXPECT_EQ(v.code, 1) << bad << ": " << v.out;
    EXPECT_NE(v.out.find(expected), std::string::npos) << v.out;
    CliResult m = Dbroll("migrate");
    EXPECT_EQ(m.code, 2) << bad << ": " << m.out;
    EXPECT_NE(m.out.find(expected), std::string::npos) << m.out;
    CliResult l = Dbroll("lint");
    EXPECT_EQ(l.code, 2) << bad << ": " << l.out;
    EXPECT_NE(l.out.find(expected), std::string::npos) << l.out;
    fs::remove_all(dir_ / "migrations" / bad);
  }
  EXPECT_EQ(Tables("a"), 0);
}

TEST_F(CliTest, FifoNamedLikeAMigrationFailsWithoutHanging) {
  fs::create_directories(dir_ / "migrations/0001_a");
  std::ofstream(dir_ / "migrations/0001_a/down.sql") << "DROP TABLE a;";
  ASSERT_EQ(::mkfifo((dir_ / "migrations/0001_a/up.sql").c_str(), 0600), 0);
  CliResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("migrations/0001_a/up.sql: a FIFO, not a regular file"), std::string::npos) << r.out;
}

TEST_F(CliTest, BadDurationsAreRejectedNamingTheKey) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  CliResult f = Dbroll("--lock-timeout nan migrate");
  EXPECT_EQ(f.code, 2) << f.out;
  EXPECT_NE(f.out.find("--lock-timeout: 'nan' is not a duration -- use a number with a unit"), std::string::npos)
      << f.out;
  std::ofstream(dir_ / "dbroll.toml")
      << "[database]\nurl = \"sqlite:app.db\"\n[migrations]\nlock_timeout = \"1e300s\"\n";
  CliResult c = Dbroll("migrate");
  EXPECT_EQ(c.code, 2) << c.out;
  EXPECT_NE(c.out.find("[migrations] lock_timeout: '1e300s' is not a duration"), std::string::npos) << c.out;
  EXPECT_EQ(Tables("a"), 0);
}

TEST_F(CliTest, PasswordsWithSpecialCharactersNeverAppear) {
  CliResult raw = Dbroll("--url 'postgres://acc_sec:Zq9SECRETpw/+x@127.0.0.1:1/x' status");
  EXPECT_EQ(raw.code, 3) << raw.out;
  EXPECT_EQ(raw.out.find("SECRET"), std::string::npos) << raw.out;
  EXPECT_NE(raw.out.find("postgres://acc_sec:***@127.0.0.1:1/x"), std::string::npos) << raw.out;
  CliResult enc = Dbroll("--url 'postgres://acc_sec:Zq9%2BSECRET%2Fpw%3Fx@127.0.0.1:1/x' --format json status");
  EXPECT_EQ(enc.code, 3) << enc.out;
  EXPECT_EQ(enc.out.find("SECRET"), std::string::npos) << enc.out;
}

TEST_F(CliTest, OneCharacterPasswordDoesNotGarbleMessages) {
  CliResult r = Dbroll("--url 'postgres://postgres:s@127.0.0.1:1/postgres' status");
  EXPECT_EQ(r.code, 3) << r.out;
  EXPECT_NE(r.out.find("cannot connect to postgres://postgres:***@127.0.0.1:1/postgres: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("check the URL, that the server runs, and the credentials"), std::string::npos) << r.out;
}

TEST_F(CliTest, OverlongProjectPathIsAnErrorNotAnAbort) {
  // std::filesystem throws on ENAMETOOLONG; before, that escaped main.
  const fs::path out = dir_ / "long.txt";
  const int status = std::system(("'" + std::string(DBROLL_BINARY) + "' -C '" + dir_.string() + "/" +
                                  std::string(300, 'a') + "' status >'" + out.string() + "' 2>&1")
                                     .c_str());
  std::ifstream in(out);
  const CliResult r{WIFEXITED(status) ? WEXITSTATUS(status) : -1,
                    std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>())};
  EXPECT_EQ(r.code, 2) << r.out;
  EXPECT_NE(r.out.find("File name too long -- check the project directory and the path"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("internal error"), std::string::npos) << r.out;
}

// verify: every version gets a state in --format json; --fail-fast stops early.
TEST_F(CliTest, VerifyJsonGivesEveryVersionAStateAndFailFastStops) {
  Pair("0001_t", "CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\n", "DROP TABLE t;\n");
  Pair("0002_u", "CREATE TABLE IF NOT EXISTS u (x int);\n", "DROP INDEX t_a;\n");
  Pair("0003_w", "CREATE TABLE w (x int);\n", "SELECT 1;\n");
  CliResult r = Dbroll("--format json verify");
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


// A killed run leaves a hot journal; a read-only command must still read
// the database (SQLite rolls the journal back, which a read-only connection
// cannot do).
TEST_F(CliTest, StatusReadsADatabaseThatAKilledRunLeftWithAHotJournal) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  Pair("0002_big",
       "CREATE TABLE big (id int, v text);\nINSERT INTO big WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n+1 "
       "FROM s WHERE n < 50000000) SELECT n, 'xxxxxxxxxxxxxxxx' FROM s;\n",
       "DROP TABLE big;");
  const fs::path db = dir_ / "app.db";
  const auto before = fs::file_size(db);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    const int null = ::open("/dev/null", O_WRONLY);
    dup2(null, 1);
    dup2(null, 2);
    execl(DBROLL_BINARY, "dbroll", "-C", dir_.c_str(), "migrate", static_cast<char*>(nullptr));
    _exit(127);
  }
  // SQLite writes into the database file only after the journal is synced:
  // a grown file means the transaction is under way and its journal is hot.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (fs::file_size(db) < before + (4 << 20) && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  ASSERT_GE(fs::file_size(db), before + (4 << 20)) << "the migration never got under way";
  CliResult st = Dbroll("--format json status");
  ASSERT_EQ(st.code, 0) << st.out;
  auto doc = nlohmann::json::parse(st.out);
  EXPECT_EQ(doc["versions"][0]["state"], "applied");
  EXPECT_EQ(doc["versions"][1]["state"], "pending");
  EXPECT_EQ(Tables("big"), 0);
}

}  // namespace
}  // namespace dbroll::testing
