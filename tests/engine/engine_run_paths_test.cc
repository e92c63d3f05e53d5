// The error returns of engine/engine_run.cc that need a database to fail at
// the right moment, driven by the in-memory fake Driver (no file, no server).
// Each test names the path it drives and asserts the whole message.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"
#include "tests/support/fault_driver.h"

namespace dbroll::testing {
namespace {

using M = FaultDriver::Method;
using F = FaultDriver::Fault;

class EngineRunPathsTest : public ::testing::Test {
 protected:
  void SetUp() override { Reset(); }
  // A fresh in-memory database, engine and migration list.
  void Reset() {
    ms_ = std::make_shared<std::vector<Migration>>();
    obs_.events.clear();
    auto f = FaultDriver::InMemory();
    ASSERT_TRUE(f);
    fake_ = f.get();
    EngineOptions o;
    o.url = "sqlite::memory:";
    o.applied_by = "tester@host";
    o.lock_timeout = std::chrono::seconds(5);
    o.lock_retries = 2;
    o.lock_retry_backoff = std::chrono::milliseconds(1);
    auto e = Engine::Open(std::move(f), std::make_unique<FakeSource>(ms_), o, &obs_);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    engine_ = std::move(e).value();
  }
  void Add(const std::string& v, const std::string& up, const std::optional<std::string>& down) {
    ms_->push_back(MakeMigration(v, "x", up, down));
  }
  std::string One(const std::string& sql) { return QueryRow(fake_->inner(), sql); }
  std::string State(const std::string& v) {
    return One("SELECT state FROM dbroll_history WHERE version='" + v + "'");
  }
  std::string Notices() {
    std::string out;
    for (const auto& e : obs_.events) {
      if (e.rfind("notice ", 0) == 0) out += e.substr(7) + "\n";
    }
    return out;
  }
  // Applies 0001 (CREATE TABLE a) with its down (DROP TABLE a).
  void ApplyOne(const std::string& down = "DROP TABLE a;\n") {
    Add("0001", "CREATE TABLE a (id int);\n", down);
    ASSERT_TRUE(engine_->Migrate({}).ok());
    ASSERT_EQ(State("0001"), "applied");
  }

  std::shared_ptr<std::vector<Migration>> ms_;
  RecordingObserver obs_;
  FaultDriver* fake_ = nullptr;
  std::unique_ptr<Engine> engine_;
};

const char* kUp = "migrations/0001_x/up.sql";
const char* kDown = "migrations/0001_x/down.sql";

// Migrate: --to names a version with no files.
TEST_F(EngineRunPathsTest, MigrateToAnUnknownVersionRunsNothing) {
  Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  MigrateOptions o;
  o.to = "0009";
  Status s = engine_->Migrate(o);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(),
            "version 0009 is not among the migration files -- the target must be an existing version; nothing was "
            "applied");
  EXPECT_TRUE(fake_->Calls("RunTransaction CREATE TABLE a").empty());
}

// Migrate: the history cannot be created (LockAndLoad -> History::Ensure).
TEST_F(EngineRunPathsTest, HistoryThatCannotBeCreatedStopsBeforeAnyMigration) {
  Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  fake_->FailWhen(M::kRunTransaction, "CREATE TABLE IF NOT EXISTS \"dbroll_history\"", F::kError);
  Status s = engine_->Migrate({});
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(), "injected: the server refused");
  EXPECT_TRUE(fake_->Calls("RunTransaction CREATE TABLE a").empty());
  EXPECT_EQ(fake_->log().back(), "Unlock") << "the lock is given back";
}

// ApplyUp, one transaction: the server refuses a statement, the connection
// drops before the commit, the commit outcome is unknown.
TEST_F(EngineRunPathsTest, TransactionalUpFaultsNameTheirRepair) {
  struct Case {
    F fault;
    Code code;
    std::string message;
    std::string state;  // of 0001 afterwards
  };
  const Case cases[] = {
      {F::kError, Code::kMigrationFailed,
       "injected: the server refused -- fix the migration and migrate again; the database was not "
       "changed",
       "<none>"},
      {F::kLostBefore, Code::kConnectionLost,
       "injected: the connection was lost -- the connection was lost, so the transaction was rolled back; "
       "migrate again when the database is reachable",
       "<none>"},
      {F::kCommitUnknown, Code::kCommitUnknown,
       std::string(kUp) +
           ": injected: commit outcome unknown -- the migration and its history row commit together, so the "
           "history tells which: migrate again",
       "applied"},  // it did commit, with its row
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    Reset();
    Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
    fake_->FailWhen(M::kRunTransaction, "CREATE TABLE a", c.fault);
    Status s = engine_->Migrate({});
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.message(), c.message);
    EXPECT_EQ(State("0001"), c.state);
  }
}

// RunTransactionWithRetry: every attempt waits for a lock in vain.
TEST_F(EngineRunPathsTest, LockWaitsThatOutlastTheRetriesFailWithLockTimeout) {
  Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  for (int i = 0; i < 3; ++i) fake_->FailWhen(M::kRunTransaction, "CREATE TABLE a", F::kLockTimeout);
  Status s = engine_->Migrate({});
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  EXPECT_EQ(s.message(),
            "injected: lock wait timeout -- fix the migration and migrate again; the database was not "
            "changed");
  EXPECT_EQ(Notices(),
            "0001_x: could not get a lock in time (attempt 1 of 3), nothing applied; retrying in 1 ms\n"
            "0001_x: could not get a lock in time (attempt 2 of 3), nothing applied; retrying in 2 ms\n");
  EXPECT_EQ(fake_->Calls("RunTransaction CREATE TABLE a").size(), 3u);
  EXPECT_EQ(State("0001"), "<none>");
}

// ApplyUp: a statement that cannot run in a transaction, in a file that runs in one.
TEST_F(EngineRunPathsTest, UpStatementThatCannotRunInATransactionIsRefusedBeforeRunning) {
  fake_->NonTransactional("/*alone*/");
  Add("0001", "CREATE TABLE a (id int);\nCREATE TABLE b (id int /*alone*/);\n", "DROP TABLE b;\nDROP TABLE a;\n");
  Status s = engine_->Migrate({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), std::string(kUp) +
                             ":2:1: a statement marked /*alone*/ cannot run inside a transaction -- add `-- "
                             "dbroll:no-transaction` at the top of " +
                             kUp + "; nothing was applied");
  EXPECT_TRUE(fake_->Calls("RunTransaction CREATE TABLE a").empty());
}

// ConfirmApplied: the history cannot be read back after the run.
TEST_F(EngineRunPathsTest, HistoryUnreadableAfterTheRunIsAnErrorNotASuccess) {
  Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  ASSERT_TRUE(engine_->Migrate({}).ok());
  Add("0002", "CREATE TABLE b (id int);\n", "DROP TABLE b;\n");
  // Load reads the history once before the run; the second read is the check after it.
  fake_->FailNthWhen(M::kQuery, "applied_at", 2, F::kLostBefore);
  Status s = engine_->Migrate({});
  EXPECT_EQ(s.code(), Code::kConnectionLost) << s.ToString();
  EXPECT_EQ(s.message(), "injected: the connection was lost");
  EXPECT_EQ(State("0002"), "applied");
}

// Down: --to names a version that is not applied.
TEST_F(EngineRunPathsTest, DownToAVersionNotAppliedRollsNothingBack) {
  ApplyOne();
  DownOptions o;
  o.to = "0005";
  Status s = engine_->Down(o);
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "version 0005 is not applied -- the target of a rollback is an applied version (or 0 for none)");
  EXPECT_TRUE(fake_->Calls("RunTransaction DROP TABLE a").empty());
  EXPECT_EQ(State("0001"), "applied");
}

// Down: no down script in the files and none stored.
TEST_F(EngineRunPathsTest, DownWithoutAnyDownScriptRollsNothingBack) {
  Add("0001", "CREATE TABLE a (id int);\n", std::nullopt);
  ASSERT_TRUE(engine_->Migrate({}).ok());
  Status s = engine_->Down({});
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(), "version 0001 has no down.sql on disk and none stored -- restore its files; nothing was "
                         "rolled back");
  EXPECT_EQ(State("0001"), "applied");
}

// ApplyDown, one transaction: the server refuses a statement, the connection
// drops (its code is kept, so a caller may retry), the commit outcome is unknown.
TEST_F(EngineRunPathsTest, TransactionalDownFaultsNameTheirRepair) {
  struct Case {
    F fault;
    Code code;
    std::string message;
    std::string state;  // of 0001 afterwards
  };
  const Case cases[] = {
      {F::kError, Code::kMigrationFailed,
       "injected: the server refused -- fix the down script and roll back again; the database was not "
       "changed",
       "applied"},
      {F::kLostBefore, Code::kConnectionLost,
       "injected: the connection was lost -- fix the down script and roll back again; the database was "
       "not changed",
       "applied"},
      {F::kCommitUnknown, Code::kCommitUnknown,
       std::string(kDown) +
           ": injected: commit outcome unknown -- the rollback and its history row commit together, so the "
           "history tells which: check the migration status",
       "<none>"},  // it did commit, and removed its row
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.message);
    Reset();
    ApplyOne();
    fake_->FailWhen(M::kRunTransaction, "DROP TABLE a", c.fault);
    Status s = engine_->Down({});
    EXPECT_EQ(s.code(), c.code);
    EXPECT_EQ(s.message(), c.message);
    EXPECT_EQ(State("0001"), c.state);
  }
}

// ApplyDown: a statement that cannot run in a transaction, in a down that runs in one.
TEST_F(EngineRunPathsTest, DownStatementThatCannotRunInATransactionIsRefusedBeforeRunning) {
  ApplyOne("DROP TABLE a /*alone*/;\n");
  fake_->NonTransactional("/*alone*/");
  Status s = engine_->Down({});
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(), std::string(kDown) +
                             ":1:1: a statement marked /*alone*/ cannot run inside a transaction -- add `-- "
                             "dbroll:no-transaction` at the top of " +
                             kDown + "; nothing was rolled back");
  EXPECT_TRUE(fake_->Calls("RunTransaction DROP TABLE a").empty());
  EXPECT_EQ(State("0001"), "applied");
}

// The fake itself: calls are logged in order and faults marked.
TEST(FaultDriverTest, LogsEveryCallAndMarksTheInjectedOnes) {
  auto f = FaultDriver::InMemory();
  ASSERT_TRUE(f);
  f->FailNthWhen(M::kQuery, "x", 2, F::kError);
  ASSERT_TRUE(f->Lock(std::chrono::seconds(1)).ok());
  ASSERT_TRUE(f->RunStatement(Statement{"CREATE TABLE x (id int)", "", 1, 1, 0}).ok());
  ASSERT_TRUE(f->RunTransaction({Statement{"INSERT INTO x VALUES (1)", "", 1, 1, 0}}, {"INSERT INTO x VALUES (2)"}).ok());
  EXPECT_TRUE(f->Query("SELECT count(*) FROM x").ok());
  EXPECT_EQ(f->Query("SELECT id FROM x").status().message(), "injected: the server refused");
  EXPECT_TRUE(f->Query("SELECT id FROM x").ok()) << "a rule is used up by its fault";
  ASSERT_TRUE(f->Unlock().ok());
  EXPECT_EQ(f->log(), (std::vector<std::string>{"Lock", "RunStatement CREATE TABLE x (id int)",
                                                "RunTransaction INSERT INTO x VALUES (1) | INSERT INTO x VALUES (2)",
                                                "Query SELECT count(*) FROM x", "Query SELECT id FROM x -> injected",
                                                "Query SELECT id FROM x", "Unlock"}));
}

}  // namespace
}  // namespace dbroll::testing
