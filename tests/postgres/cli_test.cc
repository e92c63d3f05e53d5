// The dbroll CLI end to end on PostgreSQL: each test gets a temp project and
// its own pgt_ database, runs the built binary and checks the database.
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/postgres/pg_server.h"
#include "tests/support/child_process.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

struct RunResult {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

class PostgresCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DBROLL_REQUIRE_PG();
    std::string tmpl = (fs::temp_directory_path() / "pgt-cli-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    db_ = PgName(std::string(info->name()).substr(0, 30));
    for (char& c : db_) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    url_ = PgFreshDatabase(db_);
    WriteWholeFile(dir_ / "dbroll.toml", "[migrations]\ndir = \"migrations\"\n");
    db_driver_ = PgOpen(url_);
  }
  void TearDown() override {
    db_driver_.reset();
    if (!db_.empty()) PgDropDatabase(db_);
    if (!dir_.empty()) fs::remove_all(dir_);
  }

  void Migration(const std::string& name, const std::string& up, const std::string& down) {
    WriteWholeFile(dir_ / "migrations" / name / "up.sql", up);
    WriteWholeFile(dir_ / "migrations" / name / "down.sql", down);
  }

  // Starts dbroll -C dir --url url args... with output to `out`; returns its pid.
  pid_t Start(const std::vector<std::string>& args, const fs::path& out, const std::string& url = "") {
    std::vector<std::string> argv = {DBROLL_BINARY, "-C", dir_.string(), "--url", url.empty() ? url_ : url};
    argv.insert(argv.end(), args.begin(), args.end());
    return StartProgram(argv, out);
  }
  RunResult Dbroll(const std::vector<std::string>& args, const std::string& url = "") {
    const fs::path out = dir_ / ("out-" + std::to_string(++runs_) + ".txt");
    RunResult r;
    r.exit_code = WaitForExit(Start(args, out, url));
    r.output = ReadWholeFile(out);
    return r;
  }
  std::string Scalar(const std::string& sql) { return PgScalar(*db_driver_, sql); }
  std::string Tables(const std::string& pattern) {
    return Scalar("SELECT count(*) FROM pg_tables WHERE tablename ~ '" + pattern + "'");
  }

  fs::path dir_;
  std::string db_, url_;
  std::unique_ptr<Driver> db_driver_;
  int runs_ = 0;
};

TEST_F(PostgresCliTest, ExampleProjectMigratesAndRollsBackEverything) {
  fs::remove_all(dir_);
  fs::copy(fs::path(DBROLL_SOURCE_DIR) / "migrations-example", dir_, fs::copy_options::recursive);
  RunResult up = Dbroll({"migrate"});
  ASSERT_EQ(up.exit_code, 0) << up.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history WHERE state = 'applied'"), "7");
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'users' AND "
                   "column_name = 'display_name'"),
            "1");
  RunResult again = Dbroll({"migrate"});
  EXPECT_EQ(again.exit_code, 0);
  EXPECT_NE(again.output.find("nothing to migrate: the database is up to date"), std::string::npos) << again.output;
  RunResult down = Dbroll({"down", "--all"});
  ASSERT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE 'dbroll%'"),
            "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history"), "0");
}

TEST_F(PostgresCliTest, EightConcurrentRunnersApplyEachVersionOnce) {
  for (int i = 1; i <= 40; ++i) {
    char v[8];
    std::snprintf(v, sizeof v, "%04d", i);
    Migration(std::string(v) + "_t" + std::to_string(i), "CREATE TABLE t" + std::to_string(i) + " (id int);",
              "DROP TABLE t" + std::to_string(i) + ";");
  }
  std::vector<pid_t> pids;
  for (int i = 0; i < 8; ++i) pids.push_back(Start({"migrate"}, dir_ / ("c" + std::to_string(i))));
  int ups = 0;
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(WaitForExit(pids[i]), 0) << ReadWholeFile(dir_ / ("c" + std::to_string(i)));
    std::string out = ReadWholeFile(dir_ / ("c" + std::to_string(i)));
    // Finished lines only ("up    0001_t1  12 ms"); a log also gets "up    0001_t1 ..." at the start.
    std::istringstream lines(out);
    for (std::string l; std::getline(lines, l);) {
      if (l.rfind("up  ", 0) == 0 && l.size() > 3 && l.compare(l.size() - 3, 3, " ms") == 0) ++ups;
    }
  }
  EXPECT_EQ(ups, 40);
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history"), "40");
  EXPECT_EQ(Tables("^t[0-9]+$"), "40");
}

TEST_F(PostgresCliTest, SigkillMidMigrationLeavesNothingAndFreesTheLock) {
  Migration("0001_slow", "CREATE TABLE before_sleep (id int);\nSELECT pg_sleep(5);\nCREATE TABLE after_sleep (id int);\n",
            "DROP TABLE after_sleep;\nDROP TABLE before_sleep;\n");
  pid_t pid = Start({"migrate"}, dir_ / "killed.txt");
  EXPECT_TRUE(PgAwait(*db_driver_,
                      "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND pid <> "
                      "pg_backend_pid() AND query LIKE '%pg_sleep(5)%'",
                      "1"))
      << "migrate never reached its second statement";
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitForExit(pid), -SIGKILL);
  EXPECT_EQ(Tables("^(before|after)_sleep$"), "0");
  // The server checks every second whether the client is still there, so the
  // killed session and its advisory lock go long before its 5 s pg_sleep ends.
  const std::string held =
      "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND database = "
      "(SELECT oid FROM pg_database WHERE datname = current_database())";
  EXPECT_TRUE(PgAwait(*db_driver_, held, "0", std::chrono::milliseconds(2500))) << Scalar(held);
  RunResult next = Dbroll({"migrate"});
  EXPECT_EQ(next.exit_code, 0) << next.output;
  EXPECT_EQ(Tables("^(before|after)_sleep$"), "2");
}

TEST_F(PostgresCliTest, TerminatedBackendIsReportedAndNothingIsApplied) {
  Migration("0001_slow", "CREATE TABLE before_sleep (id int);\nSELECT pg_sleep(10);\n", "DROP TABLE before_sleep;\n");
  pid_t pid = Start({"migrate"}, dir_ / "terminated.txt");
  std::string killed = "0";
  for (int i = 0; i < 50 && killed == "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    killed = Scalar("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
                    "AND pid <> pg_backend_pid() AND query LIKE '%pg_sleep(10)%'");
  }
  EXPECT_EQ(killed, "1");
  EXPECT_EQ(WaitForExit(pid), 3);
  const std::string out = ReadWholeFile(dir_ / "terminated.txt");
  EXPECT_NE(out.find("migrations/0001_slow/up.sql:2:1: the connection to the database was lost: terminating "
                     "connection due to administrator command (SQLSTATE 57P01) -- the connection was lost, so the "
                     "transaction was rolled back; migrate again when the database is reachable\nnext: dbroll migrate"),
            std::string::npos)
      << out;
  EXPECT_EQ(Tables("^before_sleep$"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history"), "0");
}

TEST_F(PostgresCliTest, LockRetryWaitsOutAnAccessExclusiveHolder) {
  ASSERT_TRUE(db_driver_->RunStatement(Statement{"CREATE TABLE hot (id int)", "", 1, 1, 0}).ok());
  WriteWholeFile(dir_ / "dbroll.toml",
            "[migrations]\ndir = \"migrations\"\n[postgres]\nlock_timeout = \"300ms\"\nlock_retries = 10\n");
  Migration("0001_alter", "ALTER TABLE hot ADD COLUMN extra int;\n", "ALTER TABLE hot DROP COLUMN extra;\n");
  auto holder = PgOpen(url_);
  std::thread t([&] {
    Status s = holder->RunTransaction(
        {Statement{"LOCK TABLE hot IN ACCESS EXCLUSIVE MODE", "", 1, 1, 0}, Statement{"SELECT pg_sleep(2.5)", "", 1, 1, 0}},
        {});
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  EXPECT_TRUE(PgAwait(*db_driver_, PgExclusiveLocksOn("hot"), "1"));
  RunResult r = Dbroll({"migrate"});
  t.join();
  EXPECT_EQ(r.exit_code, 0) << r.output;
  EXPECT_NE(r.output.find("0001_alter: could not get a lock in time (attempt 1 of 11), nothing applied; retrying in "
                          "200 ms"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_name = 'hot' AND column_name = 'extra'"),
            "1");
}

TEST_F(PostgresCliTest, LockRetriesExhaustedFailCleanly) {
  ASSERT_TRUE(db_driver_->RunStatement(Statement{"CREATE TABLE hot (id int)", "", 1, 1, 0}).ok());
  WriteWholeFile(dir_ / "dbroll.toml",
            "[migrations]\ndir = \"migrations\"\n[postgres]\nlock_timeout = \"200ms\"\nlock_retries = 1\n");
  Migration("0001_alter", "CREATE TABLE side (id int);\nALTER TABLE hot ADD COLUMN extra int;\n",
            "ALTER TABLE hot DROP COLUMN extra;\nDROP TABLE side;\n");
  auto holder = PgOpen(url_);
  std::thread t([&] {
    Status s = holder->RunTransaction(
        {Statement{"LOCK TABLE hot IN ACCESS EXCLUSIVE MODE", "", 1, 1, 0}, Statement{"SELECT pg_sleep(3)", "", 1, 1, 0}},
        {});
    EXPECT_TRUE(s.ok()) << s.ToString();
  });
  EXPECT_TRUE(PgAwait(*db_driver_, PgExclusiveLocksOn("hot"), "1"));
  RunResult r = Dbroll({"migrate"});
  t.join();
  EXPECT_EQ(r.exit_code, 6) << r.output;
  EXPECT_NE(r.output.find("could not get a lock in time (attempt 1 of 2)"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("migrations/0001_alter/up.sql:2:1: canceling statement due to lock timeout (SQLSTATE "
                          "55P03)"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(Tables("^side$"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history"), "0");
}

TEST_F(PostgresCliTest, BadSqlOnLineSevenPointsThereAndAppliesNothing) {
  std::string up, down;
  for (int i = 1; i <= 10; ++i) {
    up += i == 7 ? "CREATE TABLE b7 (id int,, x int);\n" : "CREATE TABLE b" + std::to_string(i) + " (id int);\n";
    down += "DROP TABLE b" + std::to_string(11 - i) + ";\n";
  }
  Migration("0001_bad", up, down);
  RunResult r = Dbroll({"migrate"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("migrations/0001_bad/up.sql:7:25: syntax error at or near \",\" (SQLSTATE 42601) -- fix "
                          "the migration and migrate again; the database was not changed"),
            std::string::npos)
      << r.output;
  EXPECT_EQ(Tables("^b[0-9]+$"), "0");
}

TEST_F(PostgresCliTest, RuntimeErrorNamesItsStatementLine) {
  Migration("0001_dup", "CREATE TABLE u (id int PRIMARY KEY);\nINSERT INTO u VALUES (1);\n\nINSERT INTO u VALUES (1);\n",
            "DROP TABLE u;\n");
  RunResult r = Dbroll({"migrate"});
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("migrations/0001_dup/up.sql:4:1: duplicate key value violates unique constraint \"u_pkey\" "
                          "(SQLSTATE 23505); DETAIL: Key (id)=(1) already exists."),
            std::string::npos)
      << r.output;
}

TEST_F(PostgresCliTest, CreateIndexConcurrentlyNeedsTheDirective) {
  ASSERT_TRUE(db_driver_->RunStatement(Statement{"CREATE TABLE big (id int)", "", 1, 1, 0}).ok());
  Migration("0001_idx", "CREATE TABLE side (id int);\nCREATE INDEX CONCURRENTLY big_id ON big (id);\n",
            "-- dbroll:no-transaction\nDROP INDEX CONCURRENTLY big_id;\nDROP TABLE side;\n");
  RunResult refused = Dbroll({"migrate"});
  EXPECT_EQ(refused.exit_code, 2) << refused.output;
  EXPECT_NE(refused.output.find("migrations/0001_idx/up.sql:2:1: CREATE INDEX CONCURRENTLY cannot run inside a "
                                "transaction -- add `-- dbroll:no-transaction` at the top of "
                                "migrations/0001_idx/up.sql; nothing was applied"),
            std::string::npos)
      << refused.output;
  EXPECT_EQ(Tables("^side$"), "0");
  Migration("0001_idx",
            "-- dbroll:no-transaction\nCREATE TABLE side (id int);\nCREATE INDEX CONCURRENTLY big_id ON big (id);\n",
            "-- dbroll:no-transaction\nDROP INDEX CONCURRENTLY big_id;\nDROP TABLE side;\n");
  RunResult ok = Dbroll({"migrate"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'big_id'"), "1");
  RunResult down = Dbroll({"down"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE indexname = 'big_id'"), "0");
}

// A vendored history runs unchanged: popx's `.autocommit.` name and the
// [migrations] no_transaction key take CREATE INDEX CONCURRENTLY out of the
// transaction; an up and a down of one version pair although their names differ.
TEST_F(PostgresCliTest, AutocommitNameAndConfiguredVersionRunConcurrentlyUnchanged) {
  ASSERT_TRUE(db_driver_->RunStatement(Statement{"CREATE TABLE big (id int, v int)", "", 1, 1, 0}).ok());
  WriteWholeFile(dir_ / "dbroll.toml", "[migrations]\ndir = \"migrations\"\nno_transaction = [\"2\"]\n");
  WriteWholeFile(dir_ / "migrations/1_add_idx.autocommit.up.sql", "CREATE INDEX CONCURRENTLY big_id ON big (id);\n");
  WriteWholeFile(dir_ / "migrations/1_drop_idx.down.sql", "DROP INDEX big_id;\n");
  WriteWholeFile(dir_ / "migrations/2_v.up.sql", "CREATE INDEX CONCURRENTLY big_v ON big (v);\n");
  WriteWholeFile(dir_ / "migrations/2_v.down.sql", "DROP INDEX CONCURRENTLY big_v;\n");
  RunResult ok = Dbroll({"migrate"});
  EXPECT_EQ(ok.exit_code, 0) << ok.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE indexname IN ('big_id', 'big_v')"), "2");
  EXPECT_EQ(Scalar("SELECT string_agg(state, ',' ORDER BY version) FROM dbroll_history"), "applied,applied");
  RunResult down = Dbroll({"down", "--all"});
  EXPECT_EQ(down.exit_code, 0) << down.output;
  EXPECT_EQ(Scalar("SELECT count(*) FROM pg_indexes WHERE indexname IN ('big_id', 'big_v')"), "0");
}

TEST_F(PostgresCliTest, NoTransactionMigrationFailingHalfwayResumesAfterTheFix) {
  Migration("0001_nt",
            "-- dbroll:no-transaction\nCREATE TABLE n1 (id int);\nCREATE INDEX CONCURRENTLY n1_id ON n1 (id);\n"
            "INSERT INTO missing VALUES (1);\nCREATE TABLE n2 (id int);\n",
            "-- dbroll:no-transaction\nDROP TABLE n2;\nDROP TABLE n1;\n");
  RunResult failed = Dbroll({"migrate"});
  EXPECT_EQ(failed.exit_code, 5) << failed.output;
  EXPECT_NE(failed.output.find("migrations/0001_nt/up.sql:4:13: relation \"missing\" does not exist (SQLSTATE 42P01) "
                               "-- statements 1..2 of migrations/0001_nt/up.sql ran and stay applied (they ran one by "
                               "one). Fix statement 3 and migrate again to resume there\nnext: dbroll migrate"),
            std::string::npos)
      << failed.output;
  EXPECT_EQ(Scalar("SELECT state || ' ' || statements_done FROM dbroll_history WHERE version = '0001'"), "failed 2");
  RunResult status = Dbroll({"status"});
  EXPECT_NE(status.output.find("failed"), std::string::npos) << status.output;
  EXPECT_NE(status.output.find("up.sql:4:13"), std::string::npos) << status.output;
  Migration("0001_nt",
            "-- dbroll:no-transaction\nCREATE TABLE n1 (id int);\nCREATE INDEX CONCURRENTLY n1_id ON n1 (id);\n"
            "CREATE TABLE missing (id int);\nCREATE TABLE n2 (id int);\n",
            "-- dbroll:no-transaction\nDROP TABLE n2;\nDROP TABLE missing;\nDROP TABLE n1;\n");
  RunResult resumed = Dbroll({"migrate"});
  EXPECT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("0001_nt: resuming at statement 3 of 4; statements 1..2 already ran"), std::string::npos)
      << resumed.output;
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history WHERE version = '0001'"), "applied");
  EXPECT_EQ(Tables("^(n1|n2|missing)$"), "3");
}

TEST_F(PostgresCliTest, PasswordNeverShows) {
  Status s = PgAdmin(
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgt_pw') THEN "
      "CREATE ROLE pgt_pw LOGIN PASSWORD 'Sup3rS3cretPw'; END IF; END $$");
  ASSERT_TRUE(s.ok()) << s.ToString();
  const std::string base = PgUrlFor("pgt_no_such_db");
  const std::string url = "postgres://pgt_pw:Sup3rS3cretPw@" + base.substr(base.find('@') + 1);
  RunResult r = Dbroll({"status"}, url);
  EXPECT_EQ(r.exit_code, 3) << r.output;
  EXPECT_EQ(r.output.find("Sup3rS3cretPw"), std::string::npos) << r.output;
  EXPECT_NE(r.output.find("cannot connect to postgres://pgt_pw:***@"), std::string::npos) << r.output;
  RunResult bad_sql = Dbroll({"migrate"}, url_.substr(0, url_.find("://") + 3) + "postgres:Sup3rS3cretPw@" +
                                        url_.substr(url_.find('@') + 1) + "?options=-c%20nosuch.guc");
  EXPECT_EQ(bad_sql.output.find("Sup3rS3cretPw"), std::string::npos) << bad_sql.output;
}

TEST_F(PostgresCliTest, ConfigSchemaHoldsHistoryAndMigrations) {
  WriteWholeFile(dir_ / "dbroll.toml", "[database]\nschema = \"pgt_shop\"\n[migrations]\ndir = \"migrations\"\n");
  Migration("0001_t", "CREATE TABLE items (id int);\n", "DROP TABLE items;\n");
  RunResult r = Dbroll({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Scalar("SELECT string_agg(schemaname || '.' || tablename, ',' ORDER BY tablename) FROM pg_tables WHERE "
                   "tablename IN ('items', 'dbroll_history')"),
            "pgt_shop.dbroll_history,pgt_shop.items");
  RunResult status = Dbroll({"status"});
  EXPECT_NE(status.output.find("applied"), std::string::npos) << status.output;
}

TEST_F(PostgresCliTest, ReadOnlyCommandsLeaveAMissingSchemaMissing) {
  WriteWholeFile(dir_ / "dbroll.toml", "[database]\nschema = \"app_ro\"\n[migrations]\ndir = \"migrations\"\n");
  Migration("0001_t", "CREATE TABLE items (id int);\n", "DROP TABLE items;\n");
  for (const std::vector<std::string>& cmd : std::vector<std::vector<std::string>>{{"status"},
                                                                                   {"validate"},
                                                                                   {"history"},
                                                                                   {"migrate", "--dry-run"},
                                                                                   {"down", "--dry-run"},
                                                                                   {"--format", "json", "status"},
                                                                                   {"schema", "dump"}}) {
    RunResult r = Dbroll(cmd);
    EXPECT_LT(r.exit_code, 2) << cmd[0] << ": " << r.output;
    EXPECT_EQ(Scalar("SELECT count(*) FROM pg_namespace WHERE nspname = 'app_ro'"), "0") << cmd[0];
  }
  RunResult st = Dbroll({"status"});
  EXPECT_NE(st.output.find("pending"), std::string::npos) << st.output;
  // The write path creates it.
  RunResult m = Dbroll({"migrate"});
  ASSERT_EQ(m.exit_code, 0) << m.output;
  EXPECT_EQ(
      Scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'app_ro' AND tablename IN ('items', 'dbroll_history')"),
      "2");
}

TEST_F(PostgresCliTest, StoredDownScriptIsByteExactWithoutStandardConformingStrings) {
  ASSERT_TRUE(PgAdmin("ALTER DATABASE \"" + db_ + "\" SET standard_conforming_strings = off").ok());
  const std::string down = "-- path C:\\temp\\new and 'quoted' \\\\ done\nDROP TABLE a;\n";
  Migration("0001_a", "CREATE TABLE a (x text);\n", down);
  RunResult r = Dbroll({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  auto fresh = PgOpen(url_);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(PgScalar(*fresh, "SHOW standard_conforming_strings"), "off");
  EXPECT_EQ(PgScalar(*fresh, "SELECT down_script FROM dbroll_history WHERE version = '0001'"), down);
  RunResult d = Dbroll({"down", "--down-source", "stored"});
  ASSERT_EQ(d.exit_code, 0) << d.output;
  EXPECT_EQ(Tables("^a$"), "0");
}

TEST_F(PostgresCliTest, SqlAsciiDatabaseReportsTheRightColumn) {
  const std::string db = PgName("ascii");
  PgDropDatabase(db);
  ASSERT_TRUE(
      PgAdmin("CREATE DATABASE \"" + db + "\" ENCODING 'SQL_ASCII' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
          .ok());
  Migration("0001_a", "CREATE TABLE \"\xc3\xa9_b\" (id int,, x int);\n", "DROP TABLE \"\xc3\xa9_b\";\n");
  RunResult r = Dbroll({"migrate"}, PgUrlFor(db));
  PgDropDatabase(db);
  EXPECT_EQ(r.exit_code, 4) << r.output;
  EXPECT_NE(r.output.find("migrations/0001_a/up.sql:1:28: syntax error at or near \",\""), std::string::npos)
      << r.output;
}

TEST_F(PostgresCliTest, PasswordWithPlusSlashAndQuestionMarkConnects) {
  Status s = PgAdmin(
      "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'pgt_pw2') THEN "
      "CREATE ROLE pgt_pw2 LOGIN PASSWORD 'Zq9+SECRET/pw?x'; END IF; END $$");
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_TRUE(PgAdmin("ALTER DATABASE \"" + db_ + "\" OWNER TO pgt_pw2").ok());
  Migration("0001_a", "CREATE TABLE a (x int);\n", "DROP TABLE a;\n");
  // The test server trusts every local login; the URL must still reach it
  // with the user and database intact, and never print the password.
  const std::string url = "postgres://pgt_pw2:Zq9%2BSECRET%2Fpw%3Fx@" + url_.substr(url_.find('@') + 1);
  RunResult r = Dbroll({"migrate"}, url);
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Scalar("SELECT tableowner FROM pg_tables WHERE tablename = 'a'"), "pgt_pw2");
  RunResult j = Dbroll({"--format", "json", "status"}, url);
  EXPECT_EQ(j.exit_code, 0) << j.output;
  EXPECT_EQ(j.output.find("SECRET"), std::string::npos) << j.output;
}

// Issue 11 item 1: a failed no-transaction run resumes statement by statement
// even when the fixed file would now run in one transaction.
TEST_F(PostgresCliTest, ResumeAfterAFixNeverRerunsAStatementThatRan) {
  Migration("0001_base", "CREATE TABLE c (n int);\nINSERT INTO c VALUES (0);\n", "DROP TABLE c;\n");
  Migration("0002_bump", "-- dbroll:no-transaction\nUPDATE c SET n = n + 1;\nSELECT 1/0;\n",
            "UPDATE c SET n = n - 1;\n");
  RunResult failed = Dbroll({"migrate"});
  EXPECT_EQ(failed.exit_code, 5) << failed.output;
  EXPECT_EQ(Scalar("SELECT state || ' ' || statements_done FROM dbroll_history WHERE version = '0002'"), "failed 1");
  Migration("0002_bump", "UPDATE c SET n = n + 1;\nSELECT 1;\n", "UPDATE c SET n = n - 1;\n");
  RunResult resumed = Dbroll({"migrate"});
  ASSERT_EQ(resumed.exit_code, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("0002_bump: resuming at statement 2 of 2; statements 1..1 already ran"),
            std::string::npos)
      << resumed.output;
  EXPECT_EQ(Scalar("SELECT n FROM c"), "1");
}

// Issue 11 item 4: an interrupted CREATE INDEX CONCURRENTLY leaves an
// INVALID index; the next migrate drops it, says so, and builds it again.
TEST_F(PostgresCliTest, InterruptedCreateIndexConcurrentlyIsCleanedUpAndRetried) {
  Migration("0001_idx",
            "-- dbroll:no-transaction\nCREATE TABLE big AS SELECT g AS id FROM generate_series(1, 3000000) g;\n"
            "CREATE INDEX CONCURRENTLY big_id ON big (id);\n",
            "DROP TABLE big;\n");
  const fs::path out = dir_ / "killed.txt";
  pid_t pid = Start({"migrate"}, out);
  std::string backend;
  for (int i = 0; i < 3000 && backend.empty(); ++i) {
    backend = Scalar("SELECT coalesce(max(pid)::text, '') FROM pg_stat_activity WHERE datname = '" + db_ +
                     "' AND query LIKE 'CREATE INDEX CONCURRENTLY%' AND state = 'active'");
    if (backend.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_NE(backend, "") << ReadWholeFile(out);
  Scalar("SELECT pg_terminate_backend(" + backend + ")::text");
  WaitForExit(pid);
  EXPECT_EQ(Scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_id'::regclass"), "false");
  EXPECT_EQ(Scalar("SELECT state || ' ' || statements_done FROM dbroll_history WHERE version = '0001'"),
            "running 1");
  RunResult again = Dbroll({"migrate"});
  ASSERT_EQ(again.exit_code, 0) << again.output;
  EXPECT_NE(again.output.find("migrations/0001_idx/up.sql:3:1: statement 2 of migrations/0001_idx/up.sql was "
                              "interrupted and left the invalid index public.big_id; dropped it (DROP INDEX "
                              "CONCURRENTLY) and running the statement again"),
            std::string::npos)
      << again.output;
  EXPECT_EQ(Scalar("SELECT indisvalid::text FROM pg_index WHERE indexrelid = 'big_id'::regclass"), "true");
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history WHERE version = '0001'"), "applied");
  EXPECT_EQ(Scalar("SELECT count(*) FROM big"), "3000000");
}

// The history format 1 of an older dbroll is upgraded in place.
TEST_F(PostgresCliTest, Format1HistoryIsUpgraded) {
  Migration("0001_a", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  ASSERT_EQ(Dbroll({"migrate"}).exit_code, 0);
  ASSERT_TRUE(db_driver_->RunStatement(Statement{"ALTER TABLE dbroll_history DROP COLUMN session_id, DROP COLUMN "
                                                 "catalog_before; UPDATE dbroll_history_meta SET v = '1'",
                                                 "", 1, 1, 0})
                  .ok());
  Migration("0002_b", "-- dbroll:no-transaction\nCREATE TABLE b (id int);\nCREATE INDEX CONCURRENTLY b_id ON b (id);\n",
            "DROP TABLE b;\n");
  RunResult r = Dbroll({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Scalar("SELECT v FROM dbroll_history_meta WHERE k = 'format'"), "2");
  EXPECT_EQ(Scalar("SELECT string_agg(state, ',' ORDER BY version) FROM dbroll_history"), "applied,applied");
}

// A statement that cannot run in a transaction block but that the driver does
// not list (here DETACH PARTITION CONCURRENTLY) still runs on its own.
TEST_F(PostgresCliTest, UnlistedNonTransactionalStatementRunsOnItsOwn) {
  Migration("0001_part",
            "-- dbroll:no-transaction\nCREATE TABLE p (id int) PARTITION BY RANGE (id);\n"
            "CREATE TABLE p1 PARTITION OF p FOR VALUES FROM (0) TO (10);\n"
            "ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY;\n",
            "DROP TABLE p1;\nDROP TABLE p;\n");
  RunResult r = Dbroll({"migrate"});
  ASSERT_EQ(r.exit_code, 0) << r.output;
  EXPECT_EQ(Scalar("SELECT relispartition::text FROM pg_class WHERE relname = 'p1'"), "false");
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history WHERE version = '0001'"), "applied");
}

}  // namespace
}  // namespace dbroll::testing
