// The Coordinator over a real SQLite engine with hand-written fakes for the
// app, the health gate and the notifier.
#include "dbroll/coordinator.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dbroll/deploy_hooks.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class FakeApp : public AppController {
 public:
  struct Call {
    std::string action, target_release, schema_seen;
  };
  explicit FakeApp(Engine** engine) : engine_(engine) {}
  Status Deploy(const DeployContext& ctx) override { return Record("deploy", ctx, deploy_result); }
  Status Revert(const DeployContext& ctx) override { return Record("revert", ctx, revert_result); }

  Status deploy_result, revert_result;
  std::vector<Call> calls;

 private:
  Status Record(const std::string& action, const DeployContext& ctx, const Status& result) {
    // Ask the database itself, not the context the coordinator filled in.
    auto st = (*engine_)->GetStatus();
    calls.push_back({action, ctx.target_release, st.ok() ? st->current_version : "error"});
    return result;
  }
  Engine** engine_;
};

class FakeGate : public HealthGate {
 public:
  Status Check(const DeployContext& ctx) override {
    checked.push_back(ctx.action);
    if (results.empty()) return Status::Ok();
    Status s = results.front();
    results.erase(results.begin());
    return s;
  }
  std::vector<Status> results;  // one per call; ok once they run out
  std::vector<std::string> checked;
};

class FakeNotifier : public Notifier {
 public:
  Status Notify(const DeployEvent& e) override {
    events.push_back(e);
    return Status::Ok();
  }
  std::vector<DeployEvent> events;
};

class CoordinatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           ("dbroll-coord-" + std::to_string(getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "migrations");
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    EngineOptions o;
    o.url = "sqlite:" + (dir_ / "app.db").string();
    o.base_dir = dir_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_owner_ = std::move(e).value();
    engine_ = engine_owner_.get();
  }
  void TearDown() override {
    engine_owner_.reset();
    fs::remove_all(dir_);
  }

  void AddMigration(const std::string& dir, const std::string& up, const std::string& down) {
    fs::create_directories(dir_ / "migrations" / dir);
    std::ofstream(dir_ / "migrations" / dir / "up.sql") << up << "\n";
    std::ofstream(dir_ / "migrations" / dir / "down.sql") << down << "\n";
  }

  Coordinator Make(CoordinatorOptions o = {}) {
    o.who = "tester@host";
    return Coordinator(engine_, CoordinatorParts{&app_, {&gate_}, {&notifier_}, nullptr}, o);
  }

  std::string SchemaVersion() {
    auto st = engine_->GetStatus();
    return st.ok() ? st->current_version : "error: " + st.status().message();
  }

  DeployRecord Newest() {
    auto list = engine_->deploys().List(1);
    EXPECT_TRUE(list.ok() && !list->empty());
    return list.ok() && !list->empty() ? list->front() : DeployRecord{};
  }

  fs::path dir_;
  std::unique_ptr<Engine> engine_owner_;
  Engine* engine_ = nullptr;
  FakeApp app_{&engine_};
  FakeGate gate_;
  FakeNotifier notifier_;
};

TEST_F(CoordinatorTest, HealthyDeployIsRecordedAsSucceededAndNotified) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  DeployRecord d = Newest();
  EXPECT_EQ(d.state, DeployState::kSucceeded);
  EXPECT_EQ(d.schema_from, "");
  EXPECT_EQ(d.schema_to, "0001");
  EXPECT_EQ(d.started_by, "tester@host");
  EXPECT_FALSE(d.finished_at.empty());
  ASSERT_EQ(app_.calls.size(), 1u);
  EXPECT_EQ(app_.calls[0].action, "deploy");
  EXPECT_EQ(app_.calls[0].schema_seen, "0001");  // schema before app
  ASSERT_EQ(notifier_.events.size(), 1u);
  EXPECT_EQ(notifier_.events[0].kind, "deploy-succeeded");
  EXPECT_EQ(DeployEventText(notifier_.events[0]).rfind("dbroll: deploy 1 of v1 succeeded", 0), 0u);
}

TEST_F(CoordinatorTest, UnhealthyDeployRollsTheSchemaBackBeforeRevertingTheApp) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  gate_.results = {Status(Code::kCheckFailed, "healthz answered 503")};
  Status s = c.Deploy("v2");
  EXPECT_EQ(s.code(), Code::kRolledBack) << s.message();
  EXPECT_EQ(s.message(),
            "deploy 2 of v2 was rolled back to v1 (schema 0001): the health gate failed: healthz answered 503; "
            "deploys are frozen -- fix the cause, then run dbroll unfreeze");
  ASSERT_EQ(app_.calls.size(), 3u);
  EXPECT_EQ(app_.calls[1].action, "deploy");
  EXPECT_EQ(app_.calls[1].schema_seen, "0002");
  EXPECT_EQ(app_.calls[2].action, "revert");
  EXPECT_EQ(app_.calls[2].target_release, "v1");
  EXPECT_EQ(app_.calls[2].schema_seen, "0001");  // the schema went back first
  EXPECT_EQ(gate_.checked, (std::vector<std::string>{"deploy", "deploy", "revert"}));
  DeployRecord d = Newest();
  EXPECT_EQ(d.state, DeployState::kRolledBack);
  EXPECT_EQ(d.failed_check, "healthz answered 503");
  EXPECT_EQ(d.previous_release, "v1");
  ASSERT_EQ(notifier_.events.size(), 2u);
  EXPECT_EQ(notifier_.events[1].kind, "deploy-rolled-back");
  EXPECT_TRUE(notifier_.events[1].frozen);
  EXPECT_NE(DeployEventJson(notifier_.events[1]).find("\"failed_check\":\"healthz answered 503\""), std::string::npos);

  Status refused = c.Deploy("v3");
  EXPECT_EQ(refused.code(), Code::kFrozen);
  EXPECT_NE(refused.message().find("by tester@host: deploy 2 of v2 was rolled back: the health gate failed"),
            std::string::npos)
      << refused.message();
  ASSERT_TRUE(c.Unfreeze().ok());
  EXPECT_TRUE(c.Deploy("v3").ok());
  EXPECT_EQ(SchemaVersion(), "0002");
}

TEST_F(CoordinatorTest, FailingAppDeployRollsBackWithTheHookError) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  app_.deploy_result = Status(Code::kCheckFailed, "app_deploy hook exited with 3");
  Status s = c.Deploy("v2");
  EXPECT_EQ(s.code(), Code::kRolledBack);
  EXPECT_EQ(SchemaVersion(), "0001");
  DeployRecord d = Newest();
  EXPECT_EQ(d.reason, "app deploy failed: app_deploy hook exited with 3");
  EXPECT_EQ(app_.calls.back().action, "revert");
}

TEST_F(CoordinatorTest, FailedMigrationLeavesTheAppAloneAndDoesNotFreeze) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_bad", "CREATE TABLE orders (id integer primary key);\nCREATE TABLE broken (;", "DROP TABLE orders;");
  Status s = c.Deploy("v2");
  EXPECT_NE(s.code(), Code::kRolledBack);
  EXPECT_EQ(s.message().rfind("deploy 2 of v2 failed, the app was not touched: ", 0), 0u) << s.message();
  EXPECT_EQ(app_.calls.size(), 1u);  // only v1's deploy
  EXPECT_EQ(Newest().state, DeployState::kFailed);
  EXPECT_EQ(SchemaVersion(), "0001");
  auto freeze = engine_->deploys().GetFreeze();
  ASSERT_TRUE(freeze.ok());
  EXPECT_FALSE(freeze->has_value());
  EXPECT_EQ(notifier_.events.back().kind, "deploy-failed");
}

TEST_F(CoordinatorTest, FailingRevertIsARollbackFailureThatFreezes) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  gate_.results = {Status(Code::kCheckFailed, "down")};
  app_.revert_result = Status(Code::kCheckFailed, "revert hook exited with 1");
  Status s = c.Deploy("v2");
  EXPECT_EQ(s.code(), Code::kDirty);
  EXPECT_EQ(Newest().state, DeployState::kRollbackFailed);
  EXPECT_EQ(notifier_.events.back().kind, "rollback-failed");
  auto freeze = engine_->deploys().GetFreeze();
  ASSERT_TRUE(freeze.ok() && freeze->has_value());
  // A person fixes the revert and retries.
  app_.revert_result = Status::Ok();
  EXPECT_TRUE(c.Rollback({}).ok());
  EXPECT_EQ(Newest().state, DeployState::kRolledBack);
}

TEST_F(CoordinatorTest, InterruptedDeployBlocksNewOnesAndResumes) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  // What a dbroll killed during the health gate leaves behind.
  ASSERT_TRUE(engine_->Migrate(MigrateOptions{std::nullopt, "v2", false}).ok());
  DeployRecord d;
  d.release = "v2";
  d.previous_release = d.target_release = "v1";
  d.schema_from = d.target_schema = "0001";
  d.schema_to = "0002";
  d.state = DeployState::kVerifying;
  d.started_at = d.updated_at = "2026-01-01T00:00:00.000Z";
  ASSERT_TRUE(engine_->deploys().Create(d).ok());

  Status blocked = c.Deploy("v3");
  EXPECT_EQ(blocked.code(), Code::kDirty);
  EXPECT_EQ(blocked.message(),
            "deploy 2 of v2 stopped in state verifying at 2026-01-01T00:00:00.000Z -- run dbroll deploy --resume "
            "to continue it, or dbroll rollback to undo it");
  EXPECT_EQ(c.Resume("v9").code(), Code::kInvalidArgument);
  ASSERT_TRUE(c.Resume("").ok());
  EXPECT_EQ(Newest().state, DeployState::kSucceeded);
  EXPECT_EQ(app_.calls.size(), 1u);  // resumed at the gate: no second app deploy
}

TEST_F(CoordinatorTest, ManualRollbackOfAnInterruptedDeployFinishesTheJob) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  ASSERT_TRUE(engine_->Migrate(MigrateOptions{std::nullopt, "v2", false}).ok());
  DeployRecord d;
  d.release = "v2";
  d.previous_release = d.target_release = "v1";
  d.schema_from = d.target_schema = "0001";
  d.schema_to = "0002";
  d.state = DeployState::kVerifying;
  d.started_at = d.updated_at = "2026-01-01T00:00:00.000Z";
  ASSERT_TRUE(engine_->deploys().Create(d).ok());
  ASSERT_TRUE(c.Rollback({}).ok());
  DeployRecord after = Newest();
  EXPECT_EQ(after.state, DeployState::kRolledBack);
  EXPECT_EQ(after.reason, "manual rollback of a deploy interrupted in state verifying");
  EXPECT_EQ(SchemaVersion(), "0001");
  EXPECT_EQ(app_.calls.back().schema_seen, "0001");
  EXPECT_EQ(c.Rollback({}).code(), Code::kInvalidArgument);  // nothing left to roll back
}

TEST_F(CoordinatorTest, RollbackWithNoDeploysSaysSo) {
  Coordinator c = Make();
  Status s = c.Rollback({});
  EXPECT_EQ(s.code(), Code::kNotFound);
  EXPECT_EQ(s.message(),
            "no deploys are recorded on this database, so there is nothing to roll back -- dbroll down moves the "
            "schema alone");
}

TEST_F(CoordinatorTest, ChecksumDriftIsRefusedBeforeAnythingIsRecorded) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  std::ofstream(dir_ / "migrations" / "0001_users" / "up.sql") << "CREATE TABLE users (id bigint primary key);\n";
  Status s = c.Deploy("v2");
  EXPECT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("migrations/0001_users/up.sql: changed since it was applied"), std::string::npos)
      << s.message();
  auto list = engine_->deploys().List(0);
  ASSERT_TRUE(list.ok());
  EXPECT_EQ(list->size(), 1u);
}

TEST(ReleaseTagTest, OnlySafeCharactersPass) {
  EXPECT_TRUE(ValidateReleaseTag("v1.4.2+build_7-rc1").ok());
  for (const char* bad : {"", "-rf", ".hidden", "v1;rm -rf /", "$(id)", "v1 2", "a/b", "v1\n"}) {
    Status s = ValidateReleaseTag(bad);
    EXPECT_EQ(s.code(), Code::kInvalidArgument) << bad;
  }
  EXPECT_EQ(ValidateReleaseTag("a`b").message(),
            "release tag \"a`b\" is not allowed -- use 1 to 128 of A-Z a-z 0-9 . _ + - (not starting with - or .)");
  EXPECT_FALSE(ValidateReleaseTag(std::string(129, 'a')).ok());
}

TEST(DeployStateTest, NamesRoundTrip) {
  for (DeployState s : {DeployState::kStarted, DeployState::kVerifying, DeployState::kRollbackFailed}) {
    auto back = ParseDeployState(DeployStateName(s));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back.value(), s);
  }
  EXPECT_EQ(ParseDeployState("awaiting-nothing").status().code(), Code::kInvalidArgument);
  EXPECT_TRUE(IsUnfinished(DeployState::kRollingBack));
  EXPECT_FALSE(IsUnfinished(DeployState::kRollbackFailed));
}

}  // namespace
}  // namespace dbroll
