// Every error path of a migrate or down, driven by a fault-injecting driver
// around a real SQLite database: after each fault the history must agree
// with the database, and the next run must finish or name the repair.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"
#include "tests/support/fault_driver.h"

namespace dbroll::testing {
namespace {

using M = FaultDriver::Method;
using F = FaultDriver::Fault;

// Statements holding this are run on their own, as MySQL runs DDL.
constexpr const char* kDdl = "/*ddl*/";

class EngineFaultsTest : public SqliteEngineTest {
 protected:
  void Add(const std::string& v, const std::string& up, const std::optional<std::string>& down = std::nullopt) {
    SqliteEngineTest::Add(v, "x", up, down);
  }
  void Replace(const std::string& v, const std::string& up) {
    for (auto& m : *ms_) {
      if (m.version == v) m.up = MakeScript(m.up.path, up);
    }
  }
  // A fresh engine; `fault_` points at its driver.
  std::unique_ptr<Engine> Open(std::chrono::milliseconds lock_timeout = std::chrono::seconds(5), int lock_retries = 5) {
    EngineOptions o = Options();
    o.lock_timeout = lock_timeout;
    o.lock_retries = lock_retries;
    return OpenFaulty(o, kDdl);
  }
  std::string Row(Engine& e, const std::string& v) {
    return One(e,
               "SELECT state, statements_done, session_id IS NOT NULL, catalog_before IS NOT NULL FROM "
               "dbroll_history WHERE version='" +
                   v + "'");
  }
  // CREATE TABLE a (run alone); INSERT (commits with its progress); CREATE TABLE b (run alone).
  void AddThreeStep() {
    Add("0001",
        std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int ") + kDdl +
            ");\nINSERT INTO a VALUES (1);\nCREATE TABLE b (id int " + kDdl + ");\n",
        "DROP TABLE b;\nDROP TABLE a;\n");
  }
};

const char* kUp = "migrations/0001_x/up.sql";

TEST_F(EngineFaultsTest, StatementThatTookEffectBeforeTheConnectionDroppedIsNotRunAgain) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostAfter);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kConnectionLost);
    EXPECT_EQ(s.message(), std::string(kUp) +
                               ":4:1: injected: the connection was lost -- the connection was lost while statement 3 "
                               "of " +
                               kUp +
                               " ran; the history holds the intent, so the next migrate (run it when "
                               "the database is reachable) finds out whether it took effect and continues");
    EXPECT_EQ(Row(*e, "0001"), "running|2|1|1");
    EXPECT_TRUE(HasTable(*e, "b"));
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(
      Noticed(std::string("0001_x: statement 3 of ") + kUp +
              " took effect before the interruption (the catalog changed); recording it applied and continuing"))
      << Notices();
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

// A run succeeds only once the driver released its lock: the SQLite fleet
// setting makes the run durable then, so a failed release fails migrate and
// down, and the history still tells what committed.
TEST_F(EngineFaultsTest, RunFailsWhenReleasingTheLockFails) {
  Add("0001", "CREATE TABLE a (id int);", "DROP TABLE a;");
  auto e = Open();
  fault_->FailNth(M::kUnlock, 1, F::kError);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kDatabaseError);
  EXPECT_EQ(s.message(), "injected: the server refused");
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
  fault_->FailNth(M::kUnlock, 1, F::kError);
  EXPECT_EQ(e->Down({}).code(), Code::kDatabaseError);
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_TRUE(e->Migrate({}).ok());
}

// Whatever keeps the final history write from lasting while the driver
// reports success, migrate never succeeds with a version left unfinished.
TEST_F(EngineFaultsTest, MigrateNeverSucceedsWhileTheHistoryShowsAnUnfinishedVersion) {
  AddThreeStep();
  auto e = Open();
  fault_->FailWhen(FaultDriver::Method::kRunStatement, "state='applied'", FaultDriver::Fault::kVanished);
  fault_->FailWhen(FaultDriver::Method::kRunTransaction, "state='applied'", FaultDriver::Fault::kVanished);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message(), std::string(kUp) +
                             ": version 0001 ran to its end, yet dbroll_history holds a history row in state running "
                             "for it, not applied -- check the migration status to see what the database holds, then "
                             "migrate again (or repair the history row)");
  EXPECT_EQ(s.remedy(), Remedy::kInspectStatus);
  EXPECT_EQ(Row(*e, "0001").substr(0, 8), "running|");
  // A transactional migration whose commit did not last: no row at all.
  Add("0002", "CREATE TABLE c (id int);\n", "DROP TABLE c;\n");
  fault_->FailWhen(FaultDriver::Method::kRunTransaction, "CREATE TABLE c", FaultDriver::Fault::kVanished);
  Status resumed = e->Migrate({});
  EXPECT_EQ(resumed.code(), Code::kDirty);
  EXPECT_EQ(resumed.message(),
            "migrations/0002_x/up.sql: version 0002 ran to its end, yet dbroll_history holds no "
            "history row for it, not applied -- check the migration status to see what the database holds, "
            "then migrate again (or repair the history row)");
  EXPECT_EQ(Row(*e, "0001").substr(0, 8), "applied|");
  EXPECT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "c"));
}

TEST_F(EngineFaultsTest, StatementThatNeverReachedTheServerRunsAgain) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_FALSE(HasTable(*e, "b"));
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed(std::string("0001_x: statement 3 of ") + kUp +
                      " was interrupted before it took effect (the catalog is as before it); running it again"))
      << Notices();
  EXPECT_TRUE(HasTable(*e, "b"));
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
}

// CREATE/DROP TABLE are settled by whether the table exists (a cheap
// catalog read); ALTER by the table's structure.
TEST_F(EngineFaultsTest, IntentFingerprintsExistenceForCreateAndStructureForAlter) {
  Add("0001",
      std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int ") + kDdl + ");\nALTER TABLE a ADD COLUMN w int " +
          kDdl + ";\n",
      "DROP TABLE a;\n");
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE a", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(One(*e, "SELECT substr(catalog_before, 1, 4) FROM dbroll_history"), "fpx:");
  }
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "ALTER TABLE a", F::kLostAfter);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(One(*e, "SELECT substr(catalog_before, 1, 3) FROM dbroll_history"), "fp:");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed(std::string("0001_x: statement 2 of ") + kUp +
                      " took effect before the interruption (the catalog changed); recording it applied and continuing"))
      << Notices();
  EXPECT_EQ(Row(*e, "0001"), "applied|2|0|0");
}

// An intent a dbroll before existence fingerprints wrote ("fp:" for a
// CREATE TABLE) is judged by the structure fingerprint it recorded.
TEST_F(EngineFaultsTest, StructureIntentOfAnEarlierDbrollIsJudgedAsItWasRecorded) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    const std::string structure =
        e->driver().CatalogFingerprintSql({"b"}, "dbroll_", FingerprintScope::kStructure);
    ASSERT_TRUE(e->driver().RunStatement(Statement{"UPDATE dbroll_history SET catalog_before = " + structure, "", 1, 1, 0}).ok());
    EXPECT_EQ(One(*e, "SELECT substr(catalog_before, 1, 3) FROM dbroll_history"), "fp:");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed(std::string("0001_x: statement 3 of ") + kUp +
                      " was interrupted before it took effect (the catalog is as before it); running it again"))
      << Notices();
  EXPECT_TRUE(HasTable(*e, "b"));
}

// Migrations that run statement by statement chain their bookkeeping: the
// write that records one applied records the next one's intent too.
class ChainedIntentTest : public EngineFaultsTest {
 protected:
  void AddTwo() {
    Add("0001", std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int ") + kDdl + ");\n", "DROP TABLE a;\n");
    Add("0002", std::string("-- dbroll:no-transaction\nCREATE TABLE b (id int ") + kDdl + ");\n", "DROP TABLE b;\n");
  }
};

TEST_F(ChainedIntentTest, OneHistoryWriteBetweenTwoStatementsRunAlone) {
  AddTwo();
  auto e = Open();
  const int before = fault_->calls(M::kRunStatement);
  ASSERT_TRUE(e->Migrate({}).ok());
  // intent 1, CREATE a, applied 1 + intent 2, CREATE b, applied 2, the log row.
  EXPECT_EQ(fault_->calls(M::kRunStatement) - before, 6);
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
  EXPECT_EQ(Row(*e, "0002"), "applied|1|0|0");
}

TEST_F(ChainedIntentTest, KillBeforeTheNextStatementLeavesItsIntentToResumeFrom) {
  AddTwo();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
    EXPECT_EQ(Row(*e, "0002"), "running|0|1|1");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed("0002_x: statement 1 of migrations/0002_x/up.sql was interrupted before it took effect (the "
                      "catalog is as before it); running it again"))
      << Notices();
  EXPECT_TRUE(HasTable(*e, "b"));
  EXPECT_EQ(Row(*e, "0002"), "applied|1|0|0");
}

TEST_F(ChainedIntentTest, LostChainedWriteLeavesTheFirstToTheCatalogCheck) {
  AddTwo();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "INSERT OR REPLACE INTO", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(Row(*e, "0001"), "running|0|1|1");
    EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_history WHERE version='0002'"), "0");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed("0001_x: statement 1 of migrations/0001_x/up.sql took effect before the interruption (the "
                      "catalog changed); recording it applied and continuing"))
      << Notices();
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
  EXPECT_EQ(Row(*e, "0002"), "applied|1|0|0");
}

TEST_F(ChainedIntentTest, RefusedChainedWriteFallsBackToTwoWrites) {
  AddTwo();
  auto e = Open();
  fault_->FailWhen(M::kRunStatement, "INSERT OR REPLACE INTO", F::kError);
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
  EXPECT_EQ(Row(*e, "0002"), "applied|1|0|0");
  EXPECT_TRUE(HasTable(*e, "b"));
}

// Keep-data adds archive statements before the destructive one: the
// migration before it must not write an intent for the unextended file.
TEST_F(ChainedIntentTest, KeepDataMigrationWritesItsOwnIntent) {
  Add("0001",
      std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int PRIMARY KEY, v text) ") + kDdl +
          ";\nINSERT INTO a VALUES (1, 'one'), (2, 'two');\n",
      "DROP TABLE a;\n");
  Add("0002", std::string("-- dbroll:no-transaction\n-- dbroll:keep-data\nALTER TABLE a DROP COLUMN v ") + kDdl + ";\n",
      "ALTER TABLE a ADD COLUMN v text;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok()) << Notices();
  EXPECT_EQ(Row(*e, "0002").substr(0, 7), "applied");
  ASSERT_TRUE(e->Down({}).ok()) << Notices();
  EXPECT_EQ(One(*e, "SELECT group_concat(v, ',') FROM (SELECT v FROM a ORDER BY id)"), "one,two");
}

TEST_F(ChainedIntentTest, NoIntentIsWrittenBeyondTo) {
  AddTwo();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_history WHERE version='0002'"), "0");
}

TEST_F(EngineFaultsTest, KillDuringTheFirstStatementLeavesARowToResumeFrom) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE a", F::kLostAfter);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(Row(*e, "0001"), "running|0|1|1");
    auto st = e->GetStatus();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->versions[0].state, VersionState::kRunning);
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
}

TEST_F(EngineFaultsTest, CommitOutcomeUnknownIsSettledByTheHistoryBecauseProgressCommitsWithTheStatement) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunTransaction, "INSERT INTO a", F::kCommitUnknown);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kCommitUnknown);
    EXPECT_EQ(s.message(), std::string(kUp) +
                               ":3:1: injected: commit outcome unknown -- statement 2 commits together with its "
                               "progress, so the history tells which: migrate again");
    EXPECT_EQ(s.remedy(), Remedy::kRunMigrate);
    EXPECT_EQ(Row(*e, "0001"), "running|2|1|0");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

TEST_F(EngineFaultsTest, FailedProgressWriteRollsTheStatementBackWithIt) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunTransaction, "INSERT INTO a", F::kBookkeepingError);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kDirty);
    EXPECT_EQ(s.message(), std::string(kUp) +
                               ":3:1: statement 2 ran, but recording it in dbroll_history failed, so both were "
                               "rolled back: injected: the history write failed -- migrate again to run "
                               "it again");
    EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "0");
    EXPECT_EQ(Row(*e, "0001"), "running|1|1|0");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

TEST_F(EngineFaultsTest, FailedProgressWriteAfterAStatementRunAloneIsSettledByTheCatalog) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "catalog_before=NULL", F::kError);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kDirty);
    EXPECT_EQ(s.message(), std::string(kUp) +
                               ":2:1: statement 1 ran, but recording that in dbroll_history failed: injected: the "
                               "server refused -- migrate again: it sees from the catalog that the "
                               "statement took effect and continues");
    EXPECT_EQ(Row(*e, "0001"), "running|0|1|1");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
}

TEST_F(EngineFaultsTest, FailedFinalWriteIsSettledByTheCatalog) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "'applied'", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    EXPECT_EQ(Row(*e, "0001"), "running|2|1|1");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

TEST_F(EngineFaultsTest, FailedIntentWriteRunsNothing) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "INSERT INTO \"dbroll_history\" VALUES", F::kError);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kDirty);
    EXPECT_EQ(s.message(), std::string(kUp) +
                               ":2:1: could not record the intent to run statement 1 in dbroll_history: injected: "
                               "the server refused -- statement 1 did not run; migrate again");
    EXPECT_FALSE(HasTable(*e, "a"));
    EXPECT_EQ(Row(*e, "0001"), "<none>");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

TEST_F(EngineFaultsTest, FailedStatementWhoseFailureCannotBeRecordedIsCheckedOnTheNextRun) {
  Add("0001", std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int ") + kDdl +
                  ");\nINSERT INTO a VALUES (1);\nINSERT INTO nope VALUES (1);\n");
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "state='failed'", F::kError);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kDirty);
    EXPECT_EQ(s.message(),
              std::string(kUp) + ":4:1: no such table: nope (SQLSTATE SQLITE_1) -- statements 1..2 of " + kUp +
                  " ran and stay applied (they ran one by one). Fix statement 3 and migrate again to resume "
                  "there (recording the failure failed: injected: the server refused; the next run checks the "
                  "statement before it runs it again)");
    EXPECT_EQ(Row(*e, "0001"), "running|2|1|0");
  }
  Replace("0001", std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int ") + kDdl +
                      ");\nINSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "2");
}

TEST_F(EngineFaultsTest, FirstStatementFailingLeavesNoRow) {
  Add("0001", std::string("-- dbroll:no-transaction\nCREATE TABLE a (id int, id int ") + kDdl + ");\nSELECT 1;\n");
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kMigrationFailed);
  EXPECT_EQ(s.message(), std::string(kUp) +
                             ":2:1: duplicate column name: id (SQLSTATE SQLITE_1) -- fix the migration and "
                             "migrate again; the first statement failed, so nothing was applied");
  EXPECT_EQ(Row(*e, "0001"), "<none>");
}

// Issue item 1: once statements ran one by one, a resume continues one by
// one, whatever mode the edited file would choose now.
TEST_F(EngineFaultsTest, ResumeNeverRerunsAStatementWhenTheFixedFileWouldRunInOneTransaction) {
  Add("0001", "CREATE TABLE c (n int);\nINSERT INTO c VALUES (0);\n");
  Add("0002", "-- dbroll:no-transaction\nUPDATE c SET n = n + 1;\nSELECT * FROM missing;\n");
  auto e = Open();
  EXPECT_EQ(e->Migrate({}).code(), Code::kDirty);
  Replace("0002", "UPDATE c SET n = n + 1;\nSELECT 1;\n");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT n FROM c"), "1");
  EXPECT_EQ(Row(*e, "0002"), "applied|2|0|0");
}

TEST_F(EngineFaultsTest, InterruptedDownIsFinishedByMigrateAndThenAppliedAgain) {
  Add("0001", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (7);\n",
      std::string("-- dbroll:no-transaction\nDROP TABLE a ") + kDdl + ";\nCREATE TABLE gone (id int " + kDdl + ");\n");
  {
    auto e = Open();
    ASSERT_TRUE(e->Migrate({}).ok());
    fault_->FailWhen(M::kRunStatement, "DROP TABLE a", F::kLostAfter);
    Status s = e->Down({});
    EXPECT_EQ(s.code(), Code::kConnectionLost);
    EXPECT_EQ(Row(*e, "0001"), "down-running|0|1|1");
    auto st = e->GetStatus();
    ASSERT_TRUE(st.ok());
    EXPECT_EQ(st->versions[0].state, VersionState::kRunning);
  }
  auto e = Open();
  auto plan = e->PlanMigrate({});
  ASSERT_TRUE(plan.ok()) << plan.status().ToString();
  ASSERT_EQ(plan->size(), 2u);
  EXPECT_EQ((*plan)[0].direction, Direction::kDown);
  EXPECT_EQ((*plan)[1].direction, Direction::kUp);
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(
      Noticed("0001_x: its rollback was interrupted at down statement 1; finishing the rollback, then "
              "applying it again"))
      << Notices();
  EXPECT_TRUE(
      Noticed("0001_x: statement 1 of migrations/0001_x/down.sql took effect before the interruption (the "
              "catalog changed); recording it done and continuing"))
      << Notices();
  EXPECT_TRUE(HasTable(*e, "gone"));
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
  EXPECT_EQ(Row(*e, "0001"), "applied|2|0|0");
}

TEST_F(EngineFaultsTest, DownResumesAnInterruptedDown) {
  Add("0001", "CREATE TABLE a (id int);\n",
      std::string("-- dbroll:no-transaction\nDROP TABLE a ") + kDdl + ";\nCREATE TABLE gone (id int " + kDdl + ");\n");
  {
    auto e = Open();
    ASSERT_TRUE(e->Migrate({}).ok());
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE gone", F::kLostBefore);
    EXPECT_EQ(e->Down({}).code(), Code::kConnectionLost);
    EXPECT_EQ(Row(*e, "0001"), "down-running|1|1|1");
  }
  auto e = Open();
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_TRUE(HasTable(*e, "gone"));
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_EQ(Row(*e, "0001"), "<none>");
}

TEST_F(EngineFaultsTest, FailedDownStopsMigrateNamingTheFix) {
  Add("0001", "CREATE TABLE a (id int);\n", "-- dbroll:no-transaction\nDROP TABLE a;\nDROP TABLE nope;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  Status down = e->Down({});
  EXPECT_EQ(down.code(), Code::kDirty);
  EXPECT_EQ(down.message(),
            "migrations/0001_x/down.sql:3:1: no such table: nope (SQLSTATE SQLITE_1) -- down statements 1..1 of "
            "migrations/0001_x/down.sql ran and stay rolled back (they ran one by one). Fix statement 2 and roll "
            "back again to resume there");
  EXPECT_EQ(down.remedy(), Remedy::kRunDown);
  EXPECT_EQ(Row(*e, "0001"), "down-failed|1|1|0");
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message(), std::string(kUp) +
                             ": the rollback of version 0001 stopped at down statement 2 with an error "
                             "(migrations/0001_x/down.sql:3:1: no such table: nope (SQLSTATE SQLITE_1)) -- fix the "
                             "down script and roll back again to finish the rollback");
  EXPECT_EQ(s.remedy(), Remedy::kRunDown);
}

TEST_F(EngineFaultsTest, DownRefusesWhileAnUpIsUnfinished) {
  AddThreeStep();
  auto e = Open();
  fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostBefore);
  EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
  Status s = e->Down({});
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message(),
            "version 0001 is partly applied (running after statement 2) -- finish it first by migrating "
            "again; nothing was rolled back");
}

TEST_F(EngineFaultsTest, UnknownStoredStateIsAnErrorNamingTheRepair) {
  Add("0001", "CREATE TABLE a (id int);\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_TRUE(e->driver().RunStatement(Statement{"UPDATE dbroll_history SET state='weird'", "", 1, 1, 0}).ok());
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message(),
            "dbroll_history: version 0001 has state 'weird', which this dbroll does not know -- upgrade "
            "dbroll if a newer one wrote it; if it was edited by hand, record what the database holds: "
            "mark it applied");
  EXPECT_EQ(s.remedy(), Remedy::kMarkApplied);
  EXPECT_EQ(s.remedy_subject(), "0001");
  ASSERT_TRUE(e->Repair({.mark_applied = "0001"}).ok());
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
}

TEST_F(EngineFaultsTest, InterruptionWithoutARecordedIntentNamesTheRepairAndTheRepairWorks) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    // As a format-1 dbroll left it: no session, no fingerprint.
    ASSERT_TRUE(
        e->driver()
            .RunStatement(Statement{"UPDATE dbroll_history SET session_id=NULL, catalog_before=NULL", "", 1, 1, 0})
            .ok());
  }
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message(),
            std::string(kUp) + ":4:1: statement 3 of " + kUp +
                " was interrupted by a dbroll that recorded no intent (history format 1), so whether it "
                "took effect is unknown -- check the database, then retry the statement if it did not take "
                "effect, or mark it done if it did");
  EXPECT_EQ(s.remedy(), Remedy::kDecideStatement);
  EXPECT_EQ(s.remedy_subject(), "0001");
  ASSERT_TRUE(e->Repair({.retry_statement = "0001"}).ok());
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "b"));
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
}

TEST_F(EngineFaultsTest, MarkStatementDoneContinuesAfterTheStatement) {
  AddThreeStep();
  auto e = Open();
  fault_->FailWhen(M::kRunStatement, "CREATE TABLE a", F::kLostAfter);
  EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
  ASSERT_TRUE(e->Repair({.mark_statement_done = "0001"}).ok());
  EXPECT_EQ(Row(*e, "0001"), "running|1|1|0");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
  Status applied = e->Repair({.retry_statement = "0001"});
  EXPECT_EQ(applied.code(), Code::kInvalidArgument);
  EXPECT_EQ(applied.message(),
            "version 0001 is applied -- --mark-statement-done and --retry-statement are for an "
            "interrupted or failed run");
  EXPECT_EQ(applied.remedy(), Remedy::kInspectStatus);
}

TEST_F(EngineFaultsTest, UnreadableCatalogOnResumeNamesTheRepair) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostAfter);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
  }
  auto e = Open();
  fault_->FailWhen(M::kQuery, "SELECT (SELECT 'fp", F::kError);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message(), std::string(kUp) + ":4:1: statement 3 of " + kUp +
                             " was interrupted and the catalog cannot be read (injected: the server refused), so "
                             "whether it took effect is unknown -- check the database, then retry the statement if it "
                             "did not take effect, or mark it done if it did");
  EXPECT_EQ(s.remedy(), Remedy::kDecideStatement);
  ASSERT_TRUE(e->Repair({.mark_statement_done = "0001"}).ok());
  EXPECT_EQ(Row(*e, "0001"), "applied|3|0|0");
}

TEST_F(EngineFaultsTest, StatementStillRunningInTheOldSessionIsWaitedForThenRefused) {
  AddThreeStep();
  {
    auto e = Open();
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLostBefore);
    EXPECT_EQ(e->Migrate({}).code(), Code::kConnectionLost);
    ASSERT_TRUE(e->driver().RunStatement(Statement{"UPDATE dbroll_history SET session_id='4242'", "", 1, 1, 0}).ok());
  }
  auto e = Open(std::chrono::milliseconds(200));
  fault_->SessionsAlive(true);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  EXPECT_EQ(s.message(), std::string(kUp) + ":4:1: statement 3 of " + kUp +
                             " is still running in session 4242 of the dbroll that was interrupted -- wait for it to "
                             "end (or kill that session) and migrate again; nothing was changed");
  EXPECT_EQ(s.remedy(), Remedy::kRunMigrate);
  fault_->SessionsAlive(false);
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "b"));
}

TEST_F(EngineFaultsTest, TamperedStoredDownIsAProblemAndIsNeverRun) {
  Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  Add("0002", "CREATE TABLE b (id int);\n", "DROP TABLE b;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_TRUE(e->driver()
                  .RunStatement(Statement{"UPDATE dbroll_history SET down_script='DROP TABLE a; DROP TABLE b;' "
                                          "WHERE version='0002'",
                                          "", 1, 1, 0})
                  .ok());
  auto problems = e->Validate();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
  EXPECT_EQ((*problems)[0].kind, ProblemKind::kStoredDownTampered);
  const std::string tampered_prefix =
      "version 0002: the down script stored in dbroll_history does not match its stored checksum (";
  EXPECT_EQ((*problems)[0].message.substr(0, tampered_prefix.size()), tampered_prefix);
  Status s = e->Down({.down_source = DownSource::kStored});
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("): it was edited after apply -- nothing was run; restore the migration's down.sql and "
                             "use --down-source file, or undo the version by hand and mark it rolled back; "
                             "nothing was rolled back"),
            std::string::npos)
      << s.message();
  EXPECT_EQ(s.remedy(), Remedy::kMarkRolledBack);
  EXPECT_EQ(s.remedy_subject(), "0002")
      << s.message();
  EXPECT_TRUE(HasTable(*e, "a"));
  EXPECT_TRUE(HasTable(*e, "b"));
  // The file is still good: migrate is not blocked, and down by file works.
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_TRUE(HasTable(*e, "a"));
  EXPECT_FALSE(HasTable(*e, "b"));
}

TEST_F(EngineFaultsTest, ProblemsCarryTheirKind) {
  Add("0002", "CREATE TABLE b (id int);\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  Add("0001", "CREATE TABLE a (id int);\n");
  std::swap((*ms_)[0], (*ms_)[1]);
  Replace("0002", "CREATE TABLE b (id bigint);\n");
  auto problems = e->Validate();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 2u);
  EXPECT_EQ((*problems)[0].kind, ProblemKind::kPendingOlder);
  EXPECT_EQ((*problems)[1].kind, ProblemKind::kChecksumChanged);
}

TEST_F(EngineFaultsTest, LockFailureChangesNothing) {
  Add("0001", "CREATE TABLE a (id int);\n");
  auto e = Open();
  fault_->FailNth(M::kLock, 1, F::kLostBefore);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kConnectionLost);
  EXPECT_EQ(s.message(), "injected: the connection was lost");
  EXPECT_FALSE(HasTable(*e, "a"));
}

TEST_F(EngineFaultsTest, TransactionalMigrationLosingItsConnectionChangesNothing) {
  Add("0001", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n");
  auto e = Open();
  fault_->FailWhen(M::kRunTransaction, "CREATE TABLE a", F::kLostBefore);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kConnectionLost);
  EXPECT_EQ(s.message(),
            "injected: the connection was lost -- the connection was lost, so the transaction was rolled "
            "back; migrate again when the database is reachable");
  EXPECT_EQ(s.remedy(), Remedy::kRunMigrate);
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_EQ(Row(*e, "0001"), "<none>");
  ASSERT_TRUE(e->Migrate({}).ok());
}

TEST_F(EngineFaultsTest, TransactionalMigrationWithUnknownCommitIsSettledByTheHistory) {
  Add("0001", "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);\n");
  auto e = Open();
  fault_->FailWhen(M::kRunTransaction, "CREATE TABLE a", F::kCommitUnknown);
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kCommitUnknown);
  EXPECT_EQ(Row(*e, "0001"), "applied|2|0|0");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

// History format 1 (no intent columns) is upgraded in place, and an
// interrupted upgrade or creation is completed.
TEST_F(EngineFaultsTest, Format1HistoryIsUpgradedAndAHalfCreatedSetIsCompleted) {
  Add("0001", "CREATE TABLE a (id int);\n");
  auto e = Open();
  for (const char* sql :
       {"CREATE TABLE dbroll_history (version VARCHAR(64) NOT NULL PRIMARY KEY, name VARCHAR(255) NOT NULL,"
        " up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64), down_script TEXT,"
        " down_no_transaction SMALLINT NOT NULL DEFAULT 0, irreversible TEXT, applied_at VARCHAR(32) NOT NULL,"
        " applied_by VARCHAR(255) NOT NULL, release_tag VARCHAR(255), duration_ms BIGINT NOT NULL DEFAULT 0,"
        " state VARCHAR(16) NOT NULL, statements_done INTEGER NOT NULL DEFAULT 0, error TEXT,"
        " statement_checksums TEXT, session_id VARCHAR(64))",
        "CREATE TABLE dbroll_history_meta (k VARCHAR(64) NOT NULL PRIMARY KEY, v TEXT)",
        "INSERT INTO dbroll_history_meta VALUES ('format', '1')"}) {
    ASSERT_TRUE(e->driver().RunStatement(Statement{sql, "", 1, 1, 0}).ok()) << sql;
  }
  // Half upgraded (session_id added, catalog_before not) and the log table missing.
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT v FROM dbroll_history_meta WHERE k='format'"), "2");
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
  ASSERT_TRUE(e->driver().RunStatement(Statement{"DROP TABLE dbroll_history_meta", "", 1, 1, 0}).ok());
  Add("0002", "CREATE TABLE b (id int);\n");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_EQ(One(*e, "SELECT v FROM dbroll_history_meta WHERE k='format'"), "2");
  EXPECT_EQ(One(*e, "SELECT count(*) FROM dbroll_history"), "2");
}

TEST_F(EngineFaultsTest, LockWaitOnAStatementIsRetriedWithBackoff) {
  AddThreeStep();
  auto e = Open();
  fault_->FailWhen(M::kRunTransaction, "INSERT INTO a", F::kLockTimeout);
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(Noticed("0001_x: could not get a lock in time (attempt 1 of 6), nothing applied; retrying in 200 ms"))
      << Notices();
  EXPECT_EQ(One(*e, "SELECT count(*) FROM a"), "1");
}

TEST_F(EngineFaultsTest, LockWaitOnAStatementRunAloneLeavesItToTheNextRun) {
  AddThreeStep();
  {
    auto e = Open(std::chrono::seconds(5), /*lock_retries=*/0);
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE b", F::kLockTimeout);
    Status s = e->Migrate({});
    EXPECT_EQ(s.code(), Code::kLockTimeout);
    EXPECT_EQ(s.message(), std::string(kUp) +
                               ":4:1: injected: lock wait timeout -- statement 3 did not get its "
                               "locks in time and did not run; migrate again to continue "
                               "there");
    EXPECT_EQ(Row(*e, "0001"), "running|2|1|1");
  }
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "b"));
}

TEST_F(EngineFaultsTest, TransactionalDownWithUnknownCommitIsSettledByTheHistory) {
  Add("0001", "CREATE TABLE a (id int);\n", "DROP TABLE a;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  fault_->FailWhen(M::kRunTransaction, "DROP TABLE a", F::kCommitUnknown);
  Status s = e->Down({});
  EXPECT_EQ(s.code(), Code::kCommitUnknown);
  EXPECT_EQ(s.message(),
            "migrations/0001_x/down.sql: injected: commit outcome unknown -- the rollback and its "
            "history row commit together, so the history tells which: check the migration status");
  EXPECT_EQ(s.remedy(), Remedy::kInspectStatus);
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_EQ(Row(*e, "0001"), "<none>");
}

TEST_F(EngineFaultsTest, InterruptedDownWithoutFilesUsesTheStoredDownOnlyWhenItIsIntact) {
  Add("0001", "CREATE TABLE a (id int);\n",
      std::string("-- dbroll:no-transaction\nDROP TABLE a ") + kDdl + ";\nCREATE TABLE gone (id int " + kDdl + ");\n");
  {
    auto e = Open();
    ASSERT_TRUE(e->Migrate({}).ok());
    fault_->FailWhen(M::kRunStatement, "CREATE TABLE gone", F::kLostBefore);
    EXPECT_EQ(e->Down({}).code(), Code::kConnectionLost);
    ASSERT_TRUE(e->driver()
                    .RunStatement(Statement{"UPDATE dbroll_history SET down_script = down_script || ' '", "", 1, 1, 0})
                    .ok());
  }
  // The files are still listed but have no down.sql: migrate must use the stored copy.
  (*ms_)[0].down.reset();
  auto e = Open();
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("version 0001: the down script stored in dbroll_history does not match its stored "
                             "checksum"),
            std::string::npos)
      << s.message();
  EXPECT_FALSE(HasTable(*e, "gone"));
  EXPECT_EQ(Row(*e, "0001"), "down-running|1|1|1");
}

TEST_F(EngineFaultsTest, UnknownCommitOfTheLastDownStatementNeverAsksForAnotherDown) {
  Add("0001", "CREATE TABLE keep (id int);\n", "DROP TABLE keep;\n");
  Add("0002", "CREATE TABLE a (id int);\nINSERT INTO keep VALUES (1);\n",
      std::string("-- dbroll:no-transaction\nDROP TABLE a ") + kDdl + ";\nDELETE FROM keep;\n");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  fault_->FailWhen(M::kRunTransaction, "DELETE FROM keep", F::kCommitUnknown);
  Status s = e->Down({});
  EXPECT_EQ(s.code(), Code::kCommitUnknown);
  EXPECT_EQ(s.message(),
            "migrations/0002_x/down.sql:3:1: injected: commit outcome unknown -- statement 2 commits "
            "together with its progress, so the history tells which: check the migration status: if version "
            "0002 is still listed, rolling back again finishes its rollback");
  EXPECT_EQ(s.remedy(), Remedy::kInspectStatus);
  EXPECT_EQ(Row(*e, "0002"), "<none>");
  EXPECT_EQ(Row(*e, "0001"), "applied|1|0|0");
}

}  // namespace
}  // namespace dbroll::testing
