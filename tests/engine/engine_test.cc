// The engine against a real SQLite file, with migrations from an in-memory source.
#include <gtest/gtest.h>

#include "tests/engine/engine_test_util.h"

namespace dbroll::testing {
namespace {

class EngineTest : public SqliteEngineTest {
 protected:
  std::unique_ptr<Engine> Open(std::chrono::milliseconds lock_timeout = std::chrono::seconds(5)) {
    EngineOptions o = Options();
    o.lock_timeout = lock_timeout;
    return OpenWith(o);
  }
  void AddThree() {
    Add("0001", "a", "CREATE TABLE a (id int);", "DROP TABLE a;");
    Add("0002", "b", "CREATE TABLE b (id int);", "DROP TABLE b;");
    Add("0010", "c", "CREATE TABLE c (id int);", "DROP TABLE c;");
  }
};

TEST_F(EngineTest, MigrateAppliesInNumericOrderAndStoresDownScripts) {
  Add("0010", "c", "CREATE TABLE c (id int);", "DROP TABLE c;");
  Add("0009", "b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  std::sort(ms_->begin(), ms_->end(), [](auto& x, auto& y) { return CompareVersions(x.version, y.version) < 0; });
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.release = "v1"}).ok());
  EXPECT_EQ(obs_.events, (std::vector<std::string>{"up 0009", "up 0010"}));
  auto rows = e->driver().Query("SELECT version, down_script, release_tag, applied_by, state FROM dbroll_history ORDER BY version");
  ASSERT_TRUE(rows.ok());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ(*(*rows)[1][1], "DROP TABLE c;");
  EXPECT_EQ(*(*rows)[1][2], "v1");
  EXPECT_EQ(*(*rows)[1][3], "tester@host");
  EXPECT_EQ(*(*rows)[1][4], "applied");
  auto st = e->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->current_version, "0010");
  EXPECT_EQ(st->current_release, "v1");
}

TEST_F(EngineTest, ReadOnlyEngineReadsAMissingFileAsEmptyAndWritesNothing) {
  AddThree();
  DriverOptions d;
  d.url = "sqlite:" + path_;
  d.read_only = true;
  auto driver = OpenDriver(d);
  ASSERT_TRUE(driver.ok()) << driver.status().ToString();
  EngineOptions o;
  o.url = d.url;
  o.read_only = true;
  auto e = Engine::Open(std::move(driver).value(), std::make_unique<FakeSource>(ms_), o, &obs_);
  ASSERT_TRUE(e.ok());
  auto st = (*e)->GetStatus();
  ASSERT_TRUE(st.ok()) << st.status().ToString();
  ASSERT_EQ(st->versions.size(), 3u);
  EXPECT_EQ(st->versions[0].state, VersionState::kPending);
  EXPECT_TRUE((*e)->Migrate({.dry_run = true}).ok());
  EXPECT_TRUE((*e)->Validate().ok());
  const Status m = (*e)->Migrate({});
  EXPECT_EQ(m.code(), Code::kInvalidArgument);
  EXPECT_EQ(m.message(), "this command opened the database read-only, so it cannot change it -- nothing was changed");
  EXPECT_EQ((*e)->Down({}).code(), Code::kInvalidArgument);
  EXPECT_EQ((*e)->Baseline("0001", "").code(), Code::kInvalidArgument);
  EXPECT_EQ((*e)->Repair({}).code(), Code::kInvalidArgument);
  EXPECT_FALSE(std::filesystem::exists(path_));
}

TEST_F(EngineTest, MigrateStopsAtTo) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.to = "0002"}).ok());
  EXPECT_TRUE(HasTable(*e, "b"));
  EXPECT_FALSE(HasTable(*e, "c"));
}

TEST_F(EngineTest, FailedMigrationChangesNothingAndPointsAtTheLine) {
  Add("0001", "a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Add("0002", "bad", "CREATE TABLE x (id int);\nCREATE TABLE y (id int,,);\n", "DROP TABLE y;\nDROP TABLE x;");
  auto e = Open();
  Status s = e->Migrate({});
  ASSERT_EQ(s.code(), Code::kMigrationFailed);
  EXPECT_EQ(s.message(),
            "migrations/0002_bad/up.sql:2:1: near \",\": syntax error (SQLSTATE SQLITE_1) -- fix the migration "
            "and migrate again; the database was not changed");
  EXPECT_EQ(s.remedy(), Remedy::kRunMigrate);
  EXPECT_TRUE(HasTable(*e, "a"));
  EXPECT_FALSE(HasTable(*e, "x"));
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM dbroll_history"), 1);
  auto log = e->History(1);
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->front().outcome, "migration-failed");
}

TEST_F(EngineTest, DownDefaultsToOneStepAndFollowsTo) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_FALSE(HasTable(*e, "c"));
  EXPECT_TRUE(HasTable(*e, "b"));
  ASSERT_TRUE(e->Down({.to = "0001"}).ok());
  EXPECT_FALSE(HasTable(*e, "b"));
  EXPECT_TRUE(HasTable(*e, "a"));
  EXPECT_EQ(e->Down({.to = "0002"}).code(), Code::kNotFound);
  ASSERT_TRUE(e->Down({.all = true}).ok());
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM dbroll_history"), 0);
}

TEST_F(EngineTest, DownToReleaseReturnsToThatReleasesSchema) {
  Add("0001", "a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.release = "r1"}).ok());
  Add("0002", "b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  Add("0003", "c", "CREATE TABLE c (id int);", "DROP TABLE c;");
  ASSERT_TRUE(e->Migrate({.release = "r2"}).ok());
  ASSERT_TRUE(e->Migrate({.release = "r3"}).ok());  // nothing new: r3 has r2's schema
  auto v = e->ReleaseVersion("r3");
  ASSERT_TRUE(v.ok());
  EXPECT_EQ(v.value(), "0003");
  ASSERT_TRUE(e->Down({.to_release = "r1"}).ok());
  EXPECT_TRUE(HasTable(*e, "a"));
  EXPECT_FALSE(HasTable(*e, "b"));
  EXPECT_EQ(e->Down({.to_release = "nope"}).code(), Code::kNotFound);
}

TEST_F(EngineTest, DownUsesTheStoredScriptWhenTheFilesAreGone) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  ms_->pop_back();  // an older checkout: 0010's files do not exist
  ASSERT_TRUE(e->Down({}).ok());
  EXPECT_FALSE(HasTable(*e, "c"));
  EXPECT_NE(std::find(obs_.events.begin(), obs_.events.end(),
                      "notice 0010_c: files not on disk; using the down script stored at apply time"),
            obs_.events.end());
}

TEST_F(EngineTest, DownSourceChoosesBetweenEditedFileAndStoredCopy) {
  Add("0001", "a", "CREATE TABLE a (id int); CREATE TABLE a2 (id int);", "DROP TABLE a; DROP TABLE a2;");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  (*ms_)[0].down = MakeScript("migrations/0001_a/down.sql", "DROP TABLE a;");
  ASSERT_TRUE(e->Down({.dry_run = true, .down_source = DownSource::kStored}).ok());
  EXPECT_EQ(obs_.events.back(), "sql DROP TABLE a2");
  ASSERT_TRUE(e->Down({.down_source = DownSource::kFile}).ok());
  EXPECT_TRUE(HasTable(*e, "a2"));
}

TEST_F(EngineTest, DownRefusesToCrossAnIrreversibleMigration) {
  Add("0001", "a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  Add("0002", "purge", "-- dbroll:irreversible deletes legacy rows for good\nDELETE FROM a;", std::nullopt);
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  Status s = e->Down({.all = true});
  ASSERT_EQ(s.code(), Code::kIrreversible);
  EXPECT_EQ(s.message(), "version 0002_purge is irreversible: \"deletes legacy rows for good\" -- the rollback stops "
                         "here; nothing was rolled back. Restore from a backup, or write a new forward migration");
  EXPECT_TRUE(HasTable(*e, "a"));
}

TEST_F(EngineTest, ChecksumDriftBlocksMigrate) {
  Add("0001", "a", "CREATE TABLE a (id int);", "DROP TABLE a;");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  (*ms_)[0].up = MakeScript("migrations/0001_a/up.sql", "CREATE TABLE a (id bigint);");
  Add("0002", "b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("migrations/0001_a/up.sql: changed since it was applied"), std::string::npos);
  EXPECT_FALSE(HasTable(*e, "b"));
  auto problems = e->Validate();
  ASSERT_TRUE(problems.ok());
  ASSERT_EQ(problems->size(), 1u);
}

TEST_F(EngineTest, PendingVersionOlderThanAppliedIsRefused) {
  Add("0002", "b", "CREATE TABLE b (id int);", "DROP TABLE b;");
  auto e = Open();
  ASSERT_TRUE(e->Migrate({}).ok());
  ms_->insert(ms_->begin(), MakeMigration("0001", "a", "CREATE TABLE a (id int);", "DROP TABLE a;"));
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("version 0001 is pending but older than the applied 0002"), std::string::npos);
}

TEST_F(EngineTest, NoTransactionMigrationRecordsProgressAndResumesAfterAFix) {
  const std::string header = "-- dbroll:no-transaction\n";
  Add("0001", "steps", header + "CREATE TABLE p1 (id int);\nCREATE TABLE p2 (id int,,);\nCREATE TABLE p3 (id int);\n",
      "DROP TABLE p3; DROP TABLE p2; DROP TABLE p1;");
  auto e = Open();
  Status s = e->Migrate({});
  ASSERT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message().rfind("migrations/0001_steps/up.sql:3:1: near \",\": syntax error", 0), 0u) << s.message();
  EXPECT_TRUE(HasTable(*e, "p1"));
  auto st = e->GetStatus();
  ASSERT_TRUE(st.ok());
  EXPECT_EQ(st->versions[0].state, VersionState::kFailed);
  EXPECT_EQ(st->versions[0].row->statements_done, 1);
  // Down refuses while a version is half applied.
  EXPECT_EQ(e->Down({}).code(), Code::kDirty);
  // Fix statement 2; statement 1 is not run again (it would fail: p1 exists).
  (*ms_)[0].up = MakeScript("migrations/0001_steps/up.sql",
                            header + "CREATE TABLE p1 (id int);\nCREATE TABLE p2 (id int);\nCREATE TABLE p3 (id int);\n");
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "p3"));
  EXPECT_EQ(Count(*e, "SELECT count(*) FROM dbroll_history WHERE state='applied' AND statements_done=3"), 1);
}

TEST_F(EngineTest, ResumeRefusesWhenAStatementThatRanWasEdited) {
  const std::string header = "-- dbroll:no-transaction\n";
  Add("0001", "steps", header + "CREATE TABLE p1 (id int);\nCREATE TABLE p2 (id int,,);\n", "DROP TABLE p2; DROP TABLE p1;");
  auto e = Open();
  ASSERT_EQ(e->Migrate({}).code(), Code::kDirty);
  (*ms_)[0].up = MakeScript("migrations/0001_steps/up.sql",
                            header + "CREATE TABLE p1 (id bigint);\nCREATE TABLE p2 (id int);\n");
  Status s = e->Migrate({});
  ASSERT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(s.message().rfind("migrations/0001_steps/up.sql:2:1: statement 1 already ran in the database but has changed since", 0), 0u)
      << s.message();
  // A person undoes it by hand and says so; then it runs from the start.
  ASSERT_TRUE(e->driver().RunStatement(Statement{"DROP TABLE p1", "", 1, 1, 0}).ok());
  ASSERT_TRUE(e->Repair({.mark_rolled_back = "0001"}).ok());
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "p2"));
}

TEST_F(EngineTest, DryRunEmitsTheSqlAndChangesNothing) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.dry_run = true}).ok());
  EXPECT_NE(std::find(obs_.events.begin(), obs_.events.end(), "sql CREATE TABLE b (id int)"), obs_.events.end());
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_FALSE(HasTable(*e, "dbroll_history"));
}

TEST_F(EngineTest, PlansListWhatWouldRunWithoutRunningIt) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.to = "0001"}).ok());
  auto up = e->PlanMigrate({});
  ASSERT_TRUE(up.ok()) << up.status().ToString();
  ASSERT_EQ(up->size(), 2u);
  EXPECT_EQ((*up)[0].version, "0002");
  EXPECT_EQ((*up)[1].statements, (std::vector<std::string>{"CREATE TABLE c (id int)"}));
  EXPECT_FALSE(HasTable(*e, "b"));
  auto down = e->PlanDown({.all = true});
  ASSERT_TRUE(down.ok());
  ASSERT_EQ(down->size(), 1u);
  EXPECT_EQ((*down)[0].direction, Direction::kDown);
  EXPECT_EQ((*down)[0].statements, (std::vector<std::string>{"DROP TABLE a"}));
  EXPECT_TRUE(HasTable(*e, "a"));
}

TEST_F(EngineTest, BaselineMarksVersionsAppliedWithoutRunningThem) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Baseline("0002", "legacy").ok());
  EXPECT_FALSE(HasTable(*e, "a"));
  ASSERT_TRUE(e->Migrate({}).ok());
  EXPECT_TRUE(HasTable(*e, "c"));
  EXPECT_FALSE(HasTable(*e, "a"));
  EXPECT_EQ(e->Baseline("0002", "").code(), Code::kInvalidArgument);
}

TEST_F(EngineTest, SecondRunnerTimesOutOnTheLock) {
  AddThree();
  DriverOptions d;
  d.url = "sqlite:" + path_;
  auto holder = OpenDriver(d);
  ASSERT_TRUE(holder.ok());
  ASSERT_TRUE((*holder)->Lock(std::chrono::seconds(1)).ok());
  auto e = Open(std::chrono::milliseconds(150));
  Status s = e->Migrate({});
  EXPECT_EQ(s.code(), Code::kLockTimeout);
  EXPECT_EQ(s.message().rfind("another dbroll is migrating this database", 0), 0u) << s.message();
  ASSERT_TRUE((*holder)->Unlock().ok());
  EXPECT_TRUE(e->Migrate({}).ok());
}

TEST_F(EngineTest, AuditLogRecordsEveryRun) {
  AddThree();
  auto e = Open();
  ASSERT_TRUE(e->Migrate({.release = "v9"}).ok());
  ASSERT_TRUE(e->Down({.steps = 2}).ok());
  auto log = e->History(0);
  ASSERT_TRUE(log.ok());
  ASSERT_EQ(log->size(), 2u);
  EXPECT_EQ((*log)[0].action, "down");
  EXPECT_EQ((*log)[0].versions, "0010,0002");
  EXPECT_EQ((*log)[0].schema_version, "0001");
  EXPECT_EQ((*log)[1].action, "migrate");
  EXPECT_EQ((*log)[1].versions, "0001,0002,0010");
  EXPECT_EQ((*log)[1].release.value_or(""), "v9");
  EXPECT_EQ((*log)[1].by, "tester@host");
}

}  // namespace
}  // namespace dbroll::testing
