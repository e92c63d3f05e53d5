// The Coordinator over a real SQLite engine with hand-written fakes for the
// app, the health gate and the notifier.
#include "dbroll/coordinator.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>

#include "dbroll/deploy_hooks.h"
#include "tests/support/temp_dir.h"

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
    if (during) during();
    if (results.empty()) return Status::Ok();
    Status s = results.front();
    results.erase(results.begin());
    return s;
  }
  std::vector<Status> results;  // one per call; ok once they run out
  std::vector<std::string> checked;
  std::function<void()> during;  // what happens elsewhere while the gate checks
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
    fs::create_directories(dir_ / "migrations");
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    engine_owner_ = OpenOther();
    ASSERT_NE(engine_owner_, nullptr);
    engine_ = engine_owner_.get();
  }
  void TearDown() override { engine_owner_.reset(); }

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

  // What a dbroll killed during the health gate of deploying v2 (0002) leaves behind.
  void LeaveDeployStoppedAtTheGate() {
    ASSERT_TRUE(engine_->Migrate(MigrateOptions{std::nullopt, "v2", false}).ok());
    DeployRecord d;
    d.release = "v2";
    d.previous_release = d.target_release = "v1";
    d.schema_from = d.target_schema = "0001";
    d.schema_to = "0002";
    d.state = DeployState::kVerifying;
    d.started_at = d.updated_at = "2026-01-01T00:00:00.000Z";
    ASSERT_TRUE(engine_->deploys().Create(d).ok());
  }

  DeployRecord Newest() {
    auto list = engine_->deploys().List(1);
    EXPECT_TRUE(list.ok() && !list->empty());
    return list.ok() && !list->empty() ? list->front() : DeployRecord{};
  }

  // A connection to the test's database; a second one is another dbroll process.
  std::unique_ptr<Engine> OpenOther() {
    EngineOptions o;
    o.url = "sqlite:" + (dir_ / "app.db").string();
    o.base_dir = dir_.string();
    auto e = Engine::Open(o);
    EXPECT_TRUE(e.ok()) << e.status().message();
    return e.ok() ? std::move(e).value() : nullptr;
  }

  dbroll::testing::TempDir tmp_{"coord"};
  const fs::path dir_ = tmp_.path();
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
            "deploys are frozen -- fix the cause, then unfreeze");
  EXPECT_EQ(s.remedy(), Remedy::kUnfreeze);
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
  LeaveDeployStoppedAtTheGate();

  Status blocked = c.Deploy("v3");
  EXPECT_EQ(blocked.code(), Code::kDirty);
  EXPECT_EQ(blocked.message(),
            "deploy 2 of v2 stopped in state verifying at 2026-01-01T00:00:00.000Z -- resume it to continue, or "
            "roll it back to undo it");
  EXPECT_EQ(blocked.remedy(), Remedy::kResumeOrRollbackDeploy);
  EXPECT_EQ(blocked.remedy_subject(), "2");
  EXPECT_EQ(c.Resume("v9").code(), Code::kInvalidArgument);
  ASSERT_TRUE(c.Resume("").ok());
  EXPECT_EQ(Newest().state, DeployState::kSucceeded);
  EXPECT_EQ(app_.calls.size(), 1u);  // resumed at the gate: no second app deploy
}

TEST_F(CoordinatorTest, ManualRollbackOfAnInterruptedDeployFinishesTheJob) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  LeaveDeployStoppedAtTheGate();
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
            "no deploys are recorded on this database, so there is nothing to roll back -- a migration rollback "
            "(down) moves the schema alone");
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

// Runs a check of the pending migrations; used to act while a deploy is
// between its preflight and its first step.
class CallbackCheck : public MigrationCheck {
 public:
  explicit CallbackCheck(std::function<void()> fn) : fn_(std::move(fn)) {}
  Status Check(const std::vector<VersionStatus>& pending) override {
    (void)pending;
    fn_();
    return Status::Ok();
  }

 private:
  std::function<void()> fn_;
};

TEST_F(CoordinatorTest, ASecondDeployDuringThePreflightOfTheFirstIsRefused) {
  // Before the deploy slot, both passed the preflight (no unfinished deploy
  // was recorded yet) and both ran the app hook with the same previous release.
  auto other_engine = OpenOther();
  ASSERT_TRUE(other_engine);
  FakeApp other_app(&engine_);
  Status second;
  CallbackCheck during_preflight([&] {
    CoordinatorOptions o;
    o.who = "other@host";
    Coordinator other(other_engine.get(), CoordinatorParts{&other_app, {}, {}, nullptr}, o);
    second = other.Deploy("v1b");
  });
  CoordinatorParts parts{&app_, {&gate_}, {&notifier_}, nullptr};
  parts.preflight_check = &during_preflight;
  CoordinatorOptions o;
  o.who = "tester@host";
  Coordinator first(engine_, parts, o);
  ASSERT_TRUE(first.Deploy("v1a").ok());
  EXPECT_EQ(second.code(), Code::kDeployInProgress);
  EXPECT_EQ(second.message().rfind("a deploy by tester@host is in progress since ", 0), 0u) << second.message();
  EXPECT_NE(second.message().find("(pid " + std::to_string(getpid()) + " on "), std::string::npos) << second.message();
  EXPECT_NE(second.message().find("-- wait for it to finish; nothing was done."), std::string::npos);
  EXPECT_TRUE(other_app.calls.empty());
  auto list = engine_->deploys().List(0);
  ASSERT_TRUE(list.ok());
  ASSERT_EQ(list->size(), 1u);
  EXPECT_EQ(list->front().release, "v1a");
  // The slot is free again once the first deploy is done.
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  Coordinator again = Make();
  EXPECT_TRUE(again.Deploy("v2").ok());
}

TEST_F(CoordinatorTest, TheSlotOfADeadHolderOnThisHostIsTakenOver) {
  Coordinator first = Make();
  ASSERT_TRUE(first.Deploy("v0").ok());
  // What `kill -9` of a deploying dbroll leaves: the slot names a process that is gone.
  pid_t child = fork();
  if (child == 0) _exit(0);
  ASSERT_GT(child, 0);
  waitpid(child, nullptr, 0);
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  auto claimed = engine_->deploys().ClaimSlot(
      DeploySlot{"dead-token", "ghost@host", host, child, "2026-01-01T00:00:00.000Z", 0}, "");
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->token, "dead-token");
  // A live holder on another host is not taken over without --take-over.
  auto other = OpenOther();
  auto live = other->deploys().ClaimSlot(DeploySlot{"x", "me@h", host, getpid(), "now", 0}, "");
  ASSERT_TRUE(live.ok());
  EXPECT_EQ(live->token, "dead-token");
  Coordinator c = Make();
  EXPECT_TRUE(c.Deploy("v1").ok());
  auto log = engine_->History(50);
  ASSERT_TRUE(log.ok());
  bool took_over = false;
  for (const LogEntry& e : log.value()) took_over = took_over || e.action == "deploy:takeover";
  EXPECT_TRUE(took_over);
}

TEST_F(CoordinatorTest, ARollbackByAnotherProcessWhileVerifyingIsTheDeploysOnlyOutcome) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  auto serve_engine = OpenOther();
  ASSERT_TRUE(serve_engine);
  FakeApp serve_app(&engine_);
  Status serve_result;
  // dbroll serve acting on an alert while the gate of this deploy still runs;
  // then the gate (which saw nothing wrong) answers healthy.
  gate_.during = [&] {
    if (gate_.checked.size() != 2) return;
    CoordinatorOptions o;
    o.who = "serve@host";
    Coordinator serve(serve_engine.get(), CoordinatorParts{&serve_app, {}, {}, nullptr}, o);
    RollbackOptions r;
    r.reason = "alert HighErrorRate fired";
    serve_result = serve.Rollback(r);
  };
  Status s = c.Deploy("v2");
  ASSERT_TRUE(serve_result.ok()) << serve_result.message();
  EXPECT_EQ(s.code(), Code::kRolledBack) << s.message();
  EXPECT_EQ(s.message(),
            "deploy 2 of v2 was taken over by another process while it was verifying: it is now rolled-back "
            "(alert HighErrorRate fired) -- this deploy did not succeed");
  EXPECT_EQ(s.remedy(), Remedy::kInspectDeploys);
  EXPECT_EQ(Newest().state, DeployState::kRolledBack);
  EXPECT_EQ(SchemaVersion(), "0001");
  for (const DeployEvent& e : notifier_.events) {
    EXPECT_FALSE(e.deploy.id == 2 && e.kind == "deploy-succeeded");
  }
  auto log = engine_->History(100);
  ASSERT_TRUE(log.ok());
  for (const LogEntry& e : log.value()) {
    EXPECT_FALSE(e.action == "deploy:succeeded" && e.message.rfind("deploy 2", 0) == 0) << e.message;
  }
}

TEST_F(CoordinatorTest, NoHealthGateWarnsAndRecordsTheDeployAsUngated) {
  struct Warnings : DeployObserver {
    void OnWarning(const DeployRecord& d, const std::string& text) override {
      (void)d;
      seen.push_back(text);
    }
    std::vector<std::string> seen;
  } observer;
  CoordinatorOptions o;
  o.who = "tester@host";
  Coordinator c(engine_, CoordinatorParts{&app_, {}, {&notifier_}, &observer}, o);
  ASSERT_TRUE(c.Deploy("v1").ok());
  ASSERT_EQ(observer.seen.size(), 1u);
  EXPECT_EQ(observer.seen[0].rfind("no health gate is configured", 0), 0u) << observer.seen[0];
  EXPECT_FALSE(Newest().gated);
  ASSERT_FALSE(notifier_.events.empty());
  EXPECT_NE(DeployEventJson(notifier_.events.back()).find("\"gated\":false"), std::string::npos);

  o.require_health_gate = true;
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  Coordinator strict(engine_, CoordinatorParts{&app_, {}, {}, nullptr}, o);
  Status s = strict.Deploy("v2");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "[deploy] require_health_gate = true, but no health gate is configured -- set [deploy] health_url or "
            "[deploy.metrics]; nothing was deployed");
  EXPECT_EQ(SchemaVersion(), "0001");
}

TEST_F(CoordinatorTest, DeployJsonHasMillisecondsAndStepObjects) {
  Coordinator c = Make();
  ASSERT_TRUE(c.Deploy("v1").ok());
  auto j = nlohmann::json::parse(DeployJson(Newest()));
  EXPECT_EQ(j["schema_version"], 1);
  EXPECT_TRUE(j["duration_ms"].is_number_integer());
  ASSERT_TRUE(j["steps"].is_array());
  ASSERT_GE(j["steps"].size(), 3u);
  EXPECT_EQ(j["steps"][0]["name"], "migrate");
  EXPECT_TRUE(j["steps"][0]["ms"].is_number_integer());
  EXPECT_EQ(j["steps"][0]["outcome"], "ok");
  EXPECT_EQ(j["steps"][0]["started_at"].get<std::string>().size(), 24u);
  auto event = nlohmann::json::parse(DeployEventJson(notifier_.events.back()));
  EXPECT_EQ(event["steps"], j["steps"]);
  EXPECT_EQ(event["duration_ms"], j["duration_ms"]);
}

TEST_F(CoordinatorTest, SecretsAreRedactedFromReasonsLogsAndNotifications) {
  Redactor r;
  r.AddUrl("postgres://app:Hunter2Secret@db.internal:5432/app");
  r.AddUrl("https://hooks.example.com/services/T0/B0/XyzSecretPath?token=QueryTok3n");
  EXPECT_EQ(r.Apply("connect postgres://app:Hunter2Secret@db/app failed"), "connect postgres://app:***@db/app failed");
  EXPECT_EQ(r.Apply("posting to https://hooks.example.com/services/T0/B0/XyzSecretPath?token=QueryTok3n"),
            "posting to ***");
  EXPECT_EQ(r.Apply("token QueryTok3n"), "token ***");
  CoordinatorOptions o;
  o.who = "tester@host";
  o.redact = r.Function();
  Coordinator c(engine_, CoordinatorParts{&app_, {&gate_}, {&notifier_}, nullptr}, o);
  app_.deploy_result = Status(Code::kCheckFailed, "hook said: connect postgres://app:Hunter2Secret@db/app failed");
  EXPECT_EQ(c.Deploy("v1").code(), Code::kRolledBack);
  DeployRecord d = Newest();
  EXPECT_EQ(d.reason, "app deploy failed: hook said: connect postgres://app:***@db/app failed");
  EXPECT_EQ(DeployEventJson(notifier_.events.back()).find("Hunter2Secret"), std::string::npos);
  auto log = engine_->History(100);
  ASSERT_TRUE(log.ok());
  for (const LogEntry& e : log.value()) EXPECT_EQ(e.message.find("Hunter2Secret"), std::string::npos) << e.message;
  auto freeze = engine_->deploys().GetFreeze();
  ASSERT_TRUE(freeze.ok() && freeze->has_value());
  EXPECT_EQ((*freeze)->reason.find("Hunter2Secret"), std::string::npos);
}

// [deploy] purge_after: v2 and v3 each archive what their keep-data
// migrations dropped; v3 is the release running.
class PurgeAfterTest : public CoordinatorTest {
 protected:
  class Observer : public DeployObserver {
   public:
    void OnPurge(const DeployRecord& d, const std::vector<ArchiveInfo>& archives) override {
      for (const ArchiveInfo& a : archives) purged.push_back(d.release + ": " + a.version + " " + a.table);
    }
    void OnWarning(const DeployRecord&, const std::string& text) override { warnings.push_back(text); }
    std::vector<std::string> purged, warnings;
  };

  void DeployThreeReleases(Coordinator& c) {
    ASSERT_TRUE(c.Deploy("v1").ok());
    AddMigration("0002_audit", "-- dbroll:keep-data\nCREATE TABLE audit (id integer primary key);\nDROP TABLE users;",
                 "CREATE TABLE users (id integer primary key);\nDROP TABLE audit;");
    ASSERT_TRUE(c.Deploy("v2").ok());
    AddMigration("0003_drop_audit", "-- dbroll:keep-data\nDROP TABLE audit;",
                 "CREATE TABLE audit (id integer primary key);");
    ASSERT_TRUE(c.Deploy("v3").ok());
  }

  // The coordinator's clock reads the real time plus `ahead_`.
  Coordinator MakePurging(std::chrono::milliseconds purge_after) {
    CoordinatorOptions o;
    o.who = "tester@host";
    o.freeze_on_rollback = false;
    o.purge_after = purge_after;
    o.now = [this] { return std::chrono::system_clock::now() + ahead_; };
    return Coordinator(engine_, CoordinatorParts{&app_, {&gate_}, {&notifier_}, &observer_}, o);
  }

  // Versions whose archives are still there.
  std::vector<std::string> Kept() {
    auto list = ListArchives(*engine_);
    EXPECT_TRUE(list.ok()) << list.status().message();
    std::vector<std::string> out;
    for (const ArchiveInfo& a : list.ok() ? list.value() : std::vector<ArchiveInfo>{}) {
      if (!a.purged_at) out.push_back(a.version);
    }
    return out;
  }

  std::chrono::hours ahead_{0};
  Observer observer_;
};

TEST_F(PurgeAfterTest, PurgesTheArchivesOfEarlierReleasesOnceTheCurrentOneWasHealthyLongEnough) {
  Coordinator plain = Make();
  DeployThreeReleases(plain);
  ASSERT_EQ(Kept(), (std::vector<std::string>{"0002", "0003"}));
  ahead_ = std::chrono::hours(25);
  // v4's own record is stamped with the real time: from its health check on,
  // the coordinator's clock is real again, so v4 has not been healthy long.
  gate_.during = [this] { ahead_ = std::chrono::hours(0); };
  Coordinator c = MakePurging(std::chrono::hours(24));
  ASSERT_TRUE(c.Deploy("v4").ok());
  // v3's own archive stays: rolling v3 back restores it.
  EXPECT_EQ(Kept(), (std::vector<std::string>{"0003"}));
  EXPECT_EQ(observer_.purged, (std::vector<std::string>{"v3: 0002 users"}));
  EXPECT_TRUE(observer_.warnings.empty());
  auto log = engine_->History(100);
  ASSERT_TRUE(log.ok());
  bool logged = false;
  for (const LogEntry& e : log.value()) {
    if (e.action == "deploy:purge") {
      logged = true;
      EXPECT_EQ(e.outcome, "ok");
      EXPECT_EQ(e.message.rfind("deploy 3: [deploy] purge_after: purged the keep-data archives of versions up to "
                                "0002 (release v2, before v3, healthy since ",
                                0),
                0u)
          << e.message;
    }
  }
  EXPECT_TRUE(logged);
}

TEST_F(PurgeAfterTest, KeepsEverythingWhileTheCurrentReleaseWasHealthyForLessThanTheBound) {
  Coordinator plain = Make();
  DeployThreeReleases(plain);
  ahead_ = std::chrono::hours(23);
  Coordinator c = MakePurging(std::chrono::hours(24));
  ASSERT_TRUE(c.Deploy("v4").ok());
  EXPECT_EQ(Kept(), (std::vector<std::string>{"0002", "0003"}));
  EXPECT_TRUE(observer_.purged.empty());
}

TEST_F(PurgeAfterTest, NeverPurgesAfterARolledBackDeploy) {
  Coordinator plain = Make();
  DeployThreeReleases(plain);
  ASSERT_TRUE(plain.Unfreeze().ok());
  AddMigration("0004_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  gate_.results = {Status(Code::kCheckFailed, "healthz answered 503")};
  ASSERT_EQ(plain.Deploy("v4").code(), Code::kRolledBack);
  ASSERT_TRUE(plain.Unfreeze().ok());
  ahead_ = std::chrono::hours(25);
  Coordinator c = MakePurging(std::chrono::hours(24));
  app_.deploy_result = Status(Code::kCheckFailed, "app_deploy hook exited with 3");
  ASSERT_EQ(c.Deploy("v5").code(), Code::kRolledBack);
  EXPECT_EQ(Kept(), (std::vector<std::string>{"0002", "0003"}));
  EXPECT_TRUE(observer_.purged.empty());
}

TEST_F(PurgeAfterTest, ZeroPurgesAsSoonAsTheDeploySucceeds) {
  Coordinator c = MakePurging(std::chrono::milliseconds(0));
  DeployThreeReleases(c);
  EXPECT_EQ(Kept(), (std::vector<std::string>{"0003"}));
  EXPECT_EQ(observer_.purged, (std::vector<std::string>{"v3: 0002 users"}));
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
