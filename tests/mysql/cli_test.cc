// End-to-end: the real dbroll binary on temp directories against a real
// MariaDB/MySQL server -- non-atomic DDL, resume, KILL and SIGKILL, locking.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

#include "tests/mysql/my_server.h"
#include "tests/support/cli_project.h"

namespace dbroll::testing {
namespace {

namespace fs = std::filesystem;

class MysqlCliTest : public CliProjectTest {
 protected:
  MysqlCliTest() : CliProjectTest("[migrations]\ndir = \"migrations\"\n") {}
  void SetUp() override {
    DBROLL_NEED_MYSQL();
    static int n = 0;
    ++n;
    CliProjectTest::SetUp();
    db_ = MyName("cli" + std::to_string(n));
    url_ = MyFreshDatabase(db_);
    db_conn_ = MyOpen(url_);
  }
  void TearDown() override {
    db_conn_.reset();
    if (!db_.empty()) MyDropDatabase(db_);
    CliProjectTest::TearDown();
  }

  std::string Command(const std::string& args, const std::string& url) const {
    return DbrollCommand("--url '" + url + "' " + args);
  }
  CliResult Dbroll(const std::string& args) { return DbrollAt(args, url_); }
  CliResult DbrollAt(const std::string& args, const std::string& url) {
    return CliProjectTest::Dbroll("--url '" + url + "' " + args);
  }
  // Starts `dbroll migrate` in the background; output goes to `out`.
  pid_t StartMigrate(const fs::path& out) { return StartShell(Command("migrate", url_), out); }
  // Connection id of the session running `DO SLEEP` in this test's database, or "".
  std::string WaitForSleeper() {
    for (int i = 0; i < 300; ++i) {
      auto r = db_conn_->Query("SELECT id FROM information_schema.processlist WHERE db = '" + db_ +
                               "' AND info LIKE 'DO SLEEP%'");
      if (r.ok() && !r->empty() && r->front()[0]) return *r->front()[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return "";
  }
  // Connection id of the session running a statement LIKE `pattern` in this test's database, or "".
  std::string WaitForStatement(const std::string& pattern) {
    for (int i = 0; i < 1500; ++i) {
      auto r = db_conn_->Query("SELECT id FROM information_schema.processlist WHERE db = '" + db_ +
                               "' AND info LIKE '" + pattern + "'");
      if (r.ok() && !r->empty() && r->front()[0]) return *r->front()[0];
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
  }
  std::string Scalar(const std::string& sql) { return MyScalar(*db_conn_, sql); }
  int Tables(const std::string& names) {
    return std::stoi(Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + db_ +
                            "' AND table_name IN (" + names + ")"));
  }

  std::string db_;
  std::string url_;
  std::unique_ptr<Driver> db_conn_;
};

TEST_F(MysqlCliTest, ExampleProjectGoesUpAndAllTheWayDown) {
  fs::remove_all(dir_);
  fs::copy(fs::path(DBROLL_SOURCE_DIR) / "migrations-example", dir_, fs::copy_options::recursive);
  CliResult up = Dbroll("migrate");
  ASSERT_EQ(up.code, 0) << up.out;
  EXPECT_NE(up.out.find("up    0007_order_statuses"), std::string::npos) << up.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history WHERE state = 'applied'"), "7");
  EXPECT_EQ(Tables("'users','accounts','orders'"), 3);
  CliResult down = Dbroll("down --all");
  ASSERT_EQ(down.code, 0) << down.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + db_ +
                   "' AND table_name NOT LIKE 'dbroll%'"),
            "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history"), "0");
}

TEST_F(MysqlCliTest, ReadOnlyCommandsCreateNothing) {
  Pair("0001_a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  for (const char* cmd :
       {"status", "validate", "history", "migrate --dry-run", "--format json status", "schema dump"}) {
    CliResult r = Dbroll(cmd);
    EXPECT_LT(r.code, 2) << cmd << ": " << r.out;
    EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + db_ + "'"), "0") << cmd;
  }
  ASSERT_EQ(Dbroll("migrate").code, 0);
  CliResult st = Dbroll("status");
  EXPECT_EQ(st.code, 0) << st.out;
  EXPECT_NE(st.out.find("applied"), std::string::npos) << st.out;
}

TEST_F(MysqlCliTest, EightConcurrentMigratesApplyEveryVersionOnce) {
  for (int i = 1; i <= 30; ++i) {
    char id[32];
    std::snprintf(id, sizeof id, "%04d_t%d", i, i);
    Pair(id, "CREATE TABLE t" + std::to_string(i) + " (id int primary key);",
         "DROP TABLE t" + std::to_string(i) + ";");
  }
  // A script file: the shell that std::system runs must not expand $p itself.
  std::ofstream script(dir_ / "eight.sh");
  for (int i = 0; i < 8; ++i) {
    script << Command("migrate", url_) << " >'" << (dir_ / ("c" + std::to_string(i))).string() << "' 2>&1 &\n";
  }
  script << "fail=0; for p in $(jobs -p); do wait $p || fail=1; done; exit $fail\n";
  script.close();
  const int status = std::system(("bash '" + (dir_ / "eight.sh").string() + "'").c_str());
  std::string outs;
  for (int i = 0; i < 8; ++i) outs += ReadWholeFile(dir_ / ("c" + std::to_string(i)));
  EXPECT_EQ(WEXITSTATUS(status), 0) << outs;
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history WHERE state = 'applied'"), "30");
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" + db_ +
                   "' AND table_name REGEXP '^t[0-9]+$'"),
            "30");
  // Every version was applied by exactly one process.
  size_t ups = 0;
  // Finished lines only ("up    0001_t1  12 ms"); a log also gets "up    0001_t1 ..." at the start.
  std::istringstream lines(outs);
  for (std::string l; std::getline(lines, l);) {
    if (l.rfind("up    ", 0) == 0 && l.size() > 3 && l.compare(l.size() - 3, 3, " ms") == 0) ++ups;
  }
  EXPECT_EQ(ups, 30u) << outs;
}

TEST_F(MysqlCliTest, PartialFailureRecordsStatementTwoAndResumesThereAfterTheFix) {
  const std::string bad = "CREATE TABLE p1 (id int);\nCREATE TABLE p2 (id int,,);\nCREATE TABLE p3 (id int);\n";
  Pair("0001_three", bad, "DROP TABLE p3;\nDROP TABLE p2;\nDROP TABLE p1;\n");
  CliResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("dbroll: error: migrations/0001_three/up.sql:2:26: ERROR 1064 (42000): You have an error "
                       "in your SQL syntax; check the manual that corresponds to your MariaDB server version for "
                       "the right syntax to use near ')' at line 1 -- statements 1..1 of "
                       "migrations/0001_three/up.sql ran and stay applied (they ran one by one). "
                       "Fix statement 2 and migrate again to resume there\nnext: dbroll migrate"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Tables("'p1'"), 1);
  EXPECT_EQ(Tables("'p2','p3'"), 0);
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "failed:1");

  CliResult st = Dbroll("status");
  EXPECT_EQ(st.code, 5) << st.out;
  EXPECT_NE(st.out.find("failed @2"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("migrations/0001_three/up.sql:2:26: ERROR 1064 (42000)"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("version 0001 is failed after statement 1 -- fix the file and migrate again to "
                        "resume\nnext: dbroll migrate"),
            std::string::npos)
      << st.out;
  CliResult down = Dbroll("down");
  EXPECT_EQ(down.code, 5) << down.out;
  EXPECT_NE(down.out.find("version 0001 is partly applied (failed after statement 1) -- finish it first by "
                          "migrating again; nothing was rolled back\nnext: dbroll migrate"),
            std::string::npos)
      << down.out;

  // Fixed: statement 1 is not run again (it would fail: p1 exists).
  Pair("0001_three", "CREATE TABLE p1 (id int);\nCREATE TABLE p2 (id int);\nCREATE TABLE p3 (id int);\n",
       "DROP TABLE p3;\nDROP TABLE p2;\nDROP TABLE p1;\n");
  CliResult fixed = Dbroll("migrate");
  ASSERT_EQ(fixed.code, 0) << fixed.out;
  EXPECT_NE(fixed.out.find("0001_three: resuming at statement 2 of 3; statements 1..1 already ran"),
            std::string::npos)
      << fixed.out;
  EXPECT_EQ(Tables("'p1','p2','p3'"), 3);
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "applied:3");
  CliResult back = Dbroll("down");
  EXPECT_EQ(back.code, 0) << back.out;
  EXPECT_EQ(Tables("'p1','p2','p3'"), 0);
}

TEST_F(MysqlCliTest, ChangedStatementThatAlreadyRanIsRefusedUntilRepaired) {
  Pair("0001_three", "CREATE TABLE p1 (id int);\nCREATE TABLE p2 (id int,,);\nCREATE TABLE p3 (id int);\n",
       "DROP TABLE p3;\nDROP TABLE p2;\nDROP TABLE p1;\n");
  ASSERT_EQ(Dbroll("migrate").code, 5);
  Pair("0001_three", "CREATE TABLE p1 (id bigint);\nCREATE TABLE p2 (id int);\nCREATE TABLE p3 (id int);\n",
       "DROP TABLE p3;\nDROP TABLE p2;\nDROP TABLE p1;\n");
  CliResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("dbroll: error: migrations/0001_three/up.sql:1:1: statement 1 already ran in the database "
                       "but has changed since -- restore its text (only statements from 2 on may change), or undo "
                       "it by hand and mark it rolled back\nnext: dbroll repair --mark-rolled-back 0001"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Tables("'p2','p3'"), 0);
  // A person undoes statement 1 by hand and records it.
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"DROP TABLE p1", "", 1, 1, 0}).ok());
  CliResult repair = Dbroll("repair --mark-rolled-back 0001");
  ASSERT_EQ(repair.code, 0) << repair.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_history"), "0");
  EXPECT_EQ(Scalar("SELECT count(*) FROM dbroll_log WHERE action LIKE 'repair%'"), "1");
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(Scalar("SELECT data_type FROM information_schema.columns WHERE table_schema = '" + db_ +
                   "' AND table_name = 'p1'"),
            "bigint");
}

TEST_F(MysqlCliTest, DelimiterProcedureAndTriggerBodiesAreNotSplit) {
  Pair("0001_proc",
       "CREATE TABLE audit (id int);\n"
       "DELIMITER //\n"
       "CREATE PROCEDURE bump() BEGIN INSERT INTO audit VALUES (1); INSERT INTO audit VALUES (2); END//\n"
       "DELIMITER ;\n"
       "CALL bump();\n"
       "CREATE TRIGGER audit_t BEFORE INSERT ON audit FOR EACH ROW BEGIN\n"
       "  IF NEW.id > 2 THEN SET NEW.id = NEW.id * 10; END IF;\n"
       "END;\n",
       "DROP TRIGGER audit_t;\nDROP PROCEDURE bump;\nDROP TABLE audit;\n");
  CliResult up = Dbroll("migrate");
  ASSERT_EQ(up.code, 0) << up.out;
  EXPECT_EQ(Scalar("SELECT group_concat(id ORDER BY id) FROM audit"), "1,2");
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"INSERT INTO audit VALUES (3)", "", 1, 1, 0}).ok());
  EXPECT_EQ(Scalar("SELECT max(id) FROM audit"), "30") << "the trigger body ran as one statement";
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.routines WHERE routine_schema = '" + db_ +
                   "' AND routine_name = 'bump'"),
            "1");
  CliResult down = Dbroll("down");
  ASSERT_EQ(down.code, 0) << down.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.routines WHERE routine_schema = '" + db_ + "'"), "0");
  EXPECT_EQ(Tables("'audit'"), 0);
}

const char kSlowUp[] = "CREATE TABLE k1 (id int);\nDO SLEEP(3);\nCREATE TABLE k2 (id int);\n";
const char kSlowDown[] = "DROP TABLE k2;\nDROP TABLE k1;\n";

TEST_F(MysqlCliTest, SigkillMidRunLeavesAResumableStateAndTheLockIsFreed) {
  Pair("0001_slow", kSlowUp, kSlowDown);
  pid_t pid = StartMigrate(dir_ / "killed.txt");
  ASSERT_NE(WaitForSleeper(), "") << ReadWholeFile(dir_ / "killed.txt");
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitForExit(pid), -SIGKILL);
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "running:1");
  CliResult st = Dbroll("status");
  EXPECT_NE(st.out.find("interrupted"), std::string::npos) << st.out;
  // The server frees the dead session's lock once SLEEP ends; migrate waits for it.
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("0001_slow: resuming at statement 2 of 3; statements 1..1 already ran"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(Tables("'k1','k2'"), 2);
}

TEST_F(MysqlCliTest, KilledConnectionIsAClearErrorAndResumable) {
  Pair("0001_slow", kSlowUp, kSlowDown);
  pid_t pid = StartMigrate(dir_ / "killed.txt");
  const std::string id = WaitForSleeper();
  ASSERT_NE(id, "") << ReadWholeFile(dir_ / "killed.txt");
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"KILL " + id, "", 1, 1, 0}).ok());
  EXPECT_EQ(WaitForExit(pid), 3);
  const std::string out = ReadWholeFile(dir_ / "killed.txt");
  EXPECT_NE(out.find("dbroll: error: migrations/0001_slow/up.sql:2:1: ERROR "), std::string::npos) << out;
  EXPECT_NE(out.find(" -- connection " + id + " to " + url_ +
                     " is gone (server restart, network, or KILL), and the dbroll lock with it -- the connection "
                     "was lost while statement 2 of migrations/0001_slow/up.sql ran; the history holds the intent, "
                     "so the next migrate (run it when the database is reachable) finds out whether it took effect "
                     "and continues"),
            std::string::npos)
      << out;
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "running:1");
  // The lock went with the session: the next run does not wait for it.
  const auto t0 = std::chrono::steady_clock::now();
  CliResult again = Dbroll("--lock-timeout 2s migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(8));
  EXPECT_EQ(Tables("'k1','k2'"), 2);
}

TEST_F(MysqlCliTest, PasswordIsNeverShown) {
  const std::string user = MyName("pw");
  const std::string password = "Sup3r-S3cret-Pw";
  // The host the server sees us as: a '%' account would lose to anonymous
  // ''@'localhost' accounts of a default install.
  const std::string account = "'" + user + "'@'" + Scalar("SELECT SUBSTRING_INDEX(USER(), '@', -1)") + "'";
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"CREATE USER IF NOT EXISTS " + account + " IDENTIFIED BY '" +
                                                   password + "'", "", 1, 1, 0})
                  .ok());
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"GRANT ALL ON `" + db_ + "`.* TO " + account, "", 1, 1, 0}).ok());
  std::string with_pw = url_;
  with_pw.replace(with_pw.find("://") + 3, with_pw.find('@') - with_pw.find("://") - 3, user + ":" + password);
  Pair("0001_bad", "CREATE TABLE a (id int,,);\n", "DROP TABLE a;\n");
  CliResult failed = DbrollAt("migrate", with_pw);
  EXPECT_EQ(failed.code, 4) << failed.out;
  CliResult st = DbrollAt("status", with_pw);
  EXPECT_NE(st.out.find(user + ":***@"), std::string::npos) << st.out;
  std::string wrong_db = with_pw;
  wrong_db.replace(wrong_db.rfind('/') + 1, std::string::npos, "myt_no_such_db");
  CliResult denied = DbrollAt("status", wrong_db);
  EXPECT_EQ(denied.code, 3) << denied.out;
  EXPECT_NE(denied.out.find("cannot connect to mysql://" + user + ":***@"), std::string::npos) << denied.out;
  for (const auto* out : {&failed.out, &st.out, &denied.out}) {
    EXPECT_EQ(out->find(password), std::string::npos) << *out;
  }
  (void)db_conn_->RunStatement(Statement{"DROP USER " + account, "", 1, 1, 0});
}

// Issue 11 item 2: the server finishes a killed client's INSERT ... SELECT;
// it runs in a transaction with its progress, so it is rolled back with the
// dead session and the next migrate runs it exactly once.
TEST_F(MysqlCliTest, SigkillDuringALongInsertNeitherLosesNorDoublesRows) {
  Pair("0001_big",
       "CREATE TABLE big (id int, v text);\nINSERT INTO big (id, v) SELECT seq, 'x' FROM seq_1_to_3000000;\n"
       "ALTER TABLE big ADD COLUMN w int;\n",
       "DROP TABLE big;\n");
  pid_t pid = StartMigrate(dir_ / "killed.txt");
  ASSERT_NE(WaitForStatement("INSERT INTO big%"), "") << ReadWholeFile(dir_ / "killed.txt");
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitForExit(pid), -SIGKILL);
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "running:1");
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(Scalar("SELECT concat(count(*), ' ', count(DISTINCT id)) FROM big"), "3000000 3000000");
  EXPECT_EQ(Scalar("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" + db_ +
                   "' AND table_name = 'big' AND column_name = 'w'"),
            "1");
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history"), "applied");
}

// Issue 11 item 3: a kill during statement 1 (DDL) leaves a row to resume from.
TEST_F(MysqlCliTest, SigkillDuringTheFirstStatementLeavesARowAndMigrateFinishes) {
  Pair("0001_ctas", "CREATE TABLE s1 AS SELECT seq AS id FROM seq_1_to_3000000;\nCREATE TABLE s2 (id int);\n",
       "DROP TABLE s2;\nDROP TABLE s1;\n");
  pid_t pid = StartMigrate(dir_ / "killed.txt");
  ASSERT_NE(WaitForStatement("CREATE TABLE s1%"), "") << ReadWholeFile(dir_ / "killed.txt");
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitForExit(pid), -SIGKILL);
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "running:0");
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(Scalar("SELECT count(*) FROM s1"), "3000000");
  EXPECT_EQ(Tables("'s1','s2'"), 2);
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history"), "applied");
}

// Issue 11 item 3: a kill during a down's ALTER ... DROP COLUMN never leaves
// the row 'applied'; migrate finishes the rollback and applies it again.
TEST_F(MysqlCliTest, SigkillDuringADownAlterIsNeverRecordedApplied) {
  Pair("0001_col",
       "CREATE TABLE c (id int, w int);\nINSERT INTO c (id) SELECT seq FROM seq_1_to_2000000;\n",
       "ALTER TABLE c DROP COLUMN w, ALGORITHM=COPY;\nDROP TABLE c;\n");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  const fs::path out = dir_ / "down.txt";
  pid_t pid = fork();
  if (pid == 0) {
    int fd = open(out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    execl("/bin/sh", "sh", "-c", ("exec " + Command("down", url_)).c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  ASSERT_NE(WaitForStatement("ALTER TABLE c%"), "") << ReadWholeFile(out);
  kill(pid, SIGKILL);
  EXPECT_EQ(WaitForExit(pid), -SIGKILL);
  EXPECT_EQ(Scalar("SELECT concat(state, ':', statements_done) FROM dbroll_history"), "down-running:0");
  CliResult st = Dbroll("status");
  EXPECT_NE(st.out.find("interrupted"), std::string::npos) << st.out;
  EXPECT_NE(st.out.find("version 0001 is down-running after statement 0 -- migrate again to finish it\nnext: dbroll migrate"),
            std::string::npos)
      << st.out;
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_NE(again.out.find("0001_col: its rollback was interrupted at down statement 1; finishing the rollback, "
                           "then applying it again"),
            std::string::npos)
      << again.out;
  EXPECT_EQ(Scalar("SELECT concat(count(*), ' ', count(w IS NULL)) FROM c"), "2000000 2000000");
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history"), "applied");
}

// Issue 11 item 1 on MariaDB: DDL + DML resume after a fix runs no statement twice.
TEST_F(MysqlCliTest, ResumeAfterAFixNeverRerunsAStatementThatRan) {
  Pair("0001_base", "CREATE TABLE c (n int);\nINSERT INTO c VALUES (0);\n", "DROP TABLE c;\n");
  Pair("0002_bump", "CREATE TABLE c2 (id int);\nUPDATE c SET n = n + 1;\nCREATE TABLE c3 (id int,,);\n",
       "DROP TABLE c2;\n");
  EXPECT_EQ(Dbroll("migrate").code, 5);
  Pair("0002_bump", "CREATE TABLE c2 (id int);\nUPDATE c SET n = n + 1;\nUPDATE c SET n = n;\n", "DROP TABLE c2;\n");
  CliResult r = Dbroll("migrate");
  ASSERT_EQ(r.code, 0) << r.out;
  EXPECT_EQ(Scalar("SELECT n FROM c"), "1");
}

// History tables created one implicit commit at a time: a set left half
// created (no meta table) is completed, and an interruption an older dbroll
// recorded without intent names the repair, which the CLI runs.
TEST_F(MysqlCliTest, HalfCreatedHistoryIsCompletedAndAnUnknownInterruptionNamesItsRepair) {
  Pair("0001_two", "CREATE TABLE h1 (id int);\nCREATE TABLE h2 (id int);\n", "DROP TABLE h2;\nDROP TABLE h1;\n");
  ASSERT_EQ(Dbroll("migrate").code, 0);
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"DROP TABLE dbroll_history_meta", "", 1, 1, 0}).ok());
  ASSERT_TRUE(db_conn_->RunStatement(Statement{"DROP TABLE h2", "", 1, 1, 0}).ok());
  // As a format-1 dbroll killed during statement 2 would have left it.
  ASSERT_TRUE(db_conn_
                  ->RunStatement(Statement{"UPDATE dbroll_history SET state = 'running', statements_done = 1, "
                                           "session_id = NULL, catalog_before = NULL",
                                           "", 1, 1, 0})
                  .ok());
  CliResult r = Dbroll("migrate");
  EXPECT_EQ(r.code, 5) << r.out;
  EXPECT_NE(r.out.find("migrations/0001_two/up.sql:2:1: statement 2 of migrations/0001_two/up.sql was interrupted "
                       "by a dbroll that recorded no intent (history format 1), so whether it took effect is unknown "
                       "-- check the database, then retry the statement if it did not take effect, or mark it done if "
                       "it did\nnext, if it did not take effect: dbroll repair --retry-statement 0001\nnext, if it did: "
                       "dbroll repair --mark-statement-done 0001\n"),
            std::string::npos)
      << r.out;
  EXPECT_EQ(Scalar("SELECT v FROM dbroll_history_meta WHERE k = 'format'"), "2");
  CliResult repair = Dbroll("repair --retry-statement 0001");
  ASSERT_EQ(repair.code, 0) << repair.out;
  CliResult again = Dbroll("migrate");
  ASSERT_EQ(again.code, 0) << again.out;
  EXPECT_EQ(Tables("'h1','h2'"), 2);
  EXPECT_EQ(Scalar("SELECT state FROM dbroll_history"), "applied");
  EXPECT_EQ(Dbroll("repair --mark-statement-done 0001").code, 2);
}

}  // namespace
}  // namespace dbroll::testing
