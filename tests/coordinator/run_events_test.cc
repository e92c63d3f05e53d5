// The library's side of `--format json` (dbroll/run_events.h) and what the
// deploy commands keep around a Coordinator (dbroll/deploy_hooks.h), without
// the CLI: exact event lines, the plan/summary around a migrate, hook audit.
#include "dbroll/run_events.h"

#include <gtest/gtest.h>

#include <fstream>

#include "dbroll/deploy_hooks.h"
#include "tests/support/sqlite_project.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

struct Lines {
  std::vector<std::string> lines;
  std::unique_ptr<RunObserver> Writer(bool dry_run = false) {
    JsonEventOptions o;
    o.write = [this](const std::string& l) { lines.push_back(l); };
    o.redact = [](const std::string& t) {
      std::string s = t;
      for (size_t p; (p = s.find("hunter2")) != std::string::npos;) s.replace(p, 7, "***");
      return s;
    };
    o.dry_run = dry_run;
    o.next = [](const Status& s) {
      return s.code() == Code::kDirty ? std::vector<std::string>{"fix it"} : std::vector<std::string>{};
    };
    return NewJsonEventWriter(std::move(o));
  }
};

Migration M(const std::string& version, const std::string& name) { return Migration{version, name, {}, std::nullopt}; }

class JsonEventWriterTest : public ::testing::Test {
 protected:
  Lines out;
  std::unique_ptr<RunObserver> w = out.Writer();
};

TEST_F(JsonEventWriterTest, WritesOneObjectPerEventFormatAndEventFirst) {
  EXPECT_TRUE(w->is_json());
  w->OnMigrationStart(M("0001", "users"), Direction::kUp);
  w->OnMigrationDone(M("0001", "users"), Direction::kUp, std::chrono::milliseconds(12));
  w->OnMigrationFailed(M("0002", "x"), Direction::kDown, Status(Code::kDirty, "pw hunter2 broke"));
  w->OnNotice("retrying");
  w->OnWaitAttempt(WaitAttempt{2, std::chrono::milliseconds(300), std::chrono::milliseconds(500),
                               Status(Code::kConnectionLost, "refused")});
  w->OnError(Status(Code::kDirty, "stuck"), 4);
  const std::vector<std::string> want = {
      R"({"format":1,"event":"migration_started","version":"0001","name":"users","direction":"up"})",
      R"({"format":1,"event":"migration_finished","version":"0001","name":"users","direction":"up","ms":12})",
      R"({"format":1,"event":"migration_failed","version":"0002","name":"x","direction":"down","code":")" +
          std::string(CodeName(Code::kDirty)) + R"(","message":")" + Status(Code::kDirty, "pw *** broke").ToString() +
          R"("})",
      R"({"format":1,"event":"notice","message":"retrying"})",
      R"({"format":1,"event":"attempt","attempt":2,"elapsed_ms":300,"next_ms":500,"message":"refused"})",
      R"({"format":1,"event":"error","code":")" + std::string(CodeName(Code::kDirty)) +
          R"(","exit_code":4,"message":")" + Status(Code::kDirty, "stuck").ToString() + R"(","next":["fix it"]})"};
  EXPECT_EQ(out.lines, want);
  EXPECT_EQ(w->done(), 1);
  EXPECT_EQ(w->last_version(), "0001");
}

TEST_F(JsonEventWriterTest, PlanSummaryAndEmittedEvents) {
  w->OnPlan("migrate", {PlannedMigration{"0003", "idx", Direction::kUp, {"a", "b"}}});
  RunSummary s;
  s.command = "down";
  s.ms = 7;
  s.version = "";
  w->OnSummary(s);
  w->Emit("fleet_target", R"({"target":"t1","ms":3})");
  w->Emit("odd", "not json");
  const std::vector<std::string> want = {
      R"({"format":1,"event":"plan","command":"migrate","migrations":[{"version":"0003","name":"idx","direction":"up","statements":2}]})",
      R"({"format":1,"event":"summary","command":"down","outcome":"ok","rolled_back":0,"ms":7,"version":null})",
      R"({"format":1,"event":"fleet_target","target":"t1","ms":3})", R"({"format":1,"event":"odd"})"};
  EXPECT_EQ(out.lines, want);
}

TEST(JsonEventWriterDryRunTest, CountsNothingAndInvalidUtf8IsReplaced) {
  Lines out;
  auto w = out.Writer(/*dry_run=*/true);
  w->OnMigrationDone(M("0001", "a"), Direction::kUp, std::chrono::milliseconds(1));
  EXPECT_EQ(w->done(), 0);
  EXPECT_EQ(w->last_version(), "");
  w->OnNotice("bad \xff byte");
  EXPECT_EQ(out.lines.back(), "{\"format\":1,\"event\":\"notice\",\"message\":\"bad \xef\xbf\xbd byte\"}");
}

TEST(DeployEventWriterTest, StateStepAndWarningAsEvents) {
  Lines out;
  auto w = out.Writer();
  auto d = NewDeployEventWriter(w.get(), [](const std::string& t) { return t == "hunter2 failed" ? "*** failed" : t; });
  DeployRecord r;
  r.id = 7;
  r.release = "v2";
  r.state = DeployState::kStarted;
  d->OnState(r);
  StepTiming step;
  step.step = "health";
  step.took = std::chrono::milliseconds(40);
  d->OnStep(r, step, Status(Code::kCheckFailed, "hunter2 failed"));
  d->OnWarning(r, "no gate");
  ASSERT_EQ(out.lines.size(), 3u);
  EXPECT_EQ(out.lines[0], std::string(R"({"format":1,"event":"deploy_state","deploy":7,"release":"v2","state":")") +
                              DeployStateName(DeployState::kStarted) + "\"}");
  EXPECT_EQ(out.lines[1],
            R"({"format":1,"event":"deploy_step","deploy":7,"step":"health","outcome":"failed","ms":40,"message":"*** failed"})");
  EXPECT_EQ(out.lines[2], R"({"format":1,"event":"warning","deploy":7,"message":"no gate"})");
}

TEST_F(JsonEventWriterTest, FleetTargetAndSummaryEvents) {
  const FleetTargetResult t{"sqlite:a.db", "ok", "", "0002", 0, 5, ""};
  EmitFleetTarget(*w, "migrate", t);
  FleetReport r;
  r.run_id = "run-1";
  r.newest_version = "0002";
  r.targets = {t};
  r.targets.push_back(t);
  r.targets.back().target = "sqlite:b.db";
  r.targets.back().outcome = "failed";
  EmitFleetSummary(*w, "migrate", r, 3, 42);
  const std::vector<std::string> want = {
      R"({"format":1,"event":"fleet_target","target":"sqlite:a.db","outcome":"ok","from_version":null,"to_version":"0002","ms":5,"error":null,"action":"migrate"})",
      R"({"format":1,"event":"fleet_summary","action":"migrate","run_id":"run-1","outcome":"failed","targets":3,"ok":1,"failed":1,"skipped":0,"rolled_back":0,"ms":42,"newest_version":"0002","stop_reason":null})"};
  EXPECT_EQ(out.lines, want);
}

TEST(DeployMillisTest, FromTheStampsWhenBothAreThere) {
  DeployRecord d;
  d.started_at = "2026-12-05T10:59:58.500Z";
  EXPECT_EQ(DeployMillis(d), std::nullopt);
  d.finished_at = "2026-12-05T11:00:01.250Z";
  EXPECT_EQ(DeployMillis(d), 2750);
  d.finished_at = "2026-12-05T10:00:00.000Z";
  EXPECT_EQ(DeployMillis(d), std::nullopt);
}

class RunReportedTest : public ::testing::Test {
 protected:
  void SetUp() override {
    events_ = out_.Writer();
    auto e = testing::OpenSqliteProject(dir_.path(), events_.get());
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e).value();
  }
  testing::TempDir dir_{"run-events"};
  Lines out_;
  std::unique_ptr<RunObserver> events_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(RunReportedTest, PlanFirstSummaryLastWithTheVersionReached) {
  MigrateOptions m;
  Status s = RunReported(*engine_, *events_, "migrate", false, [&] { return engine_->PlanMigrate(m); },
                         [&] { return engine_->Migrate(m); });
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out_.lines.size(), 4u);
  EXPECT_EQ(out_.lines[0].substr(0, 52), R"({"format":1,"event":"plan","command":"migrate","migr)");
  EXPECT_NE(out_.lines[3].find(R"("event":"summary","command":"migrate","outcome":"ok","applied":1,)"),
            std::string::npos)
      << out_.lines[3];
  EXPECT_NE(out_.lines[3].find(R"("version":"0001"})"), std::string::npos) << out_.lines[3];
  out_.lines.clear();
  DownOptions d;
  s = RunReported(*engine_, *events_, "down", false, [&] { return engine_->PlanDown(d); },
                  [&] { return engine_->Down(d); });
  ASSERT_TRUE(s.ok()) << s.message();
  EXPECT_NE(out_.lines.back().find(R"("command":"down","outcome":"ok","rolled_back":)"), std::string::npos);
  EXPECT_NE(out_.lines.back().find(R"("version":null})"), std::string::npos) << out_.lines.back();
}

TEST_F(RunReportedTest, APlanErrorRunsNothingAndASummarizedCommandSaysItsMessage) {
  Status s = RunReported(
      *engine_, *events_, "migrate", false,
      []() -> Result<std::vector<PlannedMigration>> { return Status(Code::kInvalidArgument, "bad plan"); },
      []() -> Status { ADD_FAILURE() << "ran"; return Status::Ok(); });
  EXPECT_EQ(s.message(), "bad plan");
  EXPECT_TRUE(out_.lines.empty());
  s = RunSummarized(*engine_, *events_, "baseline", [&] { return engine_->Baseline("0001", ""); }, "baseline recorded");
  ASSERT_TRUE(s.ok()) << s.message();
  ASSERT_EQ(out_.lines.size(), 1u);
  EXPECT_NE(out_.lines[0].find(R"("command":"baseline","outcome":"ok",)"), std::string::npos) << out_.lines[0];
  EXPECT_NE(out_.lines[0].find(R"("version":"0001","message":"baseline recorded"})"), std::string::npos)
      << out_.lines[0];
}

TEST_F(RunReportedTest, HookOutputGoesToTheAuditLogRedactedAndCut) {
  ASSERT_TRUE(engine_->Migrate(MigrateOptions{}).ok());  // the audit log exists from then on
  Config cfg;
  cfg.engine = engine_->options();
  cfg.sections["deploy"]["shell"] = "true";
  cfg.sections["deploy"]["app_deploy"] = "printf 'x%.0s' $(seq 9000); echo; echo s3cr3t-token";
  auto kit = DeployKitWithAuditLog(cfg, engine_.get(), "s3cr3t-token");
  ASSERT_TRUE(kit.ok()) << kit.status().message();
  DeployContext dc;
  dc.release = "v1";
  ASSERT_TRUE(kit->app->Deploy(dc).ok());
  auto log = engine_->History(0);
  ASSERT_TRUE(log.ok());
  std::string hook;
  for (const auto& l : *log) hook += l.action == "deploy:hook" ? l.message : "";
  ASSERT_NE(hook.find("\nxxxx"), std::string::npos) << hook.substr(0, 200);
  EXPECT_NE(hook.find("***"), std::string::npos) << hook.substr(0, 200);
  EXPECT_EQ(hook.find("s3cr3t-token"), std::string::npos);
  EXPECT_LT(hook.size(), 8300u);
}

}  // namespace
}  // namespace dbroll
