// AlertReceiver without a server: which alerts roll back, what malformed
// payloads get, and that rejected requests cost no database write.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "dbroll/alerts.h"
#include "dbroll/coordinator.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;

class CountingApp : public AppController {
 public:
  Status Deploy(const DeployContext&) override {
    ++deploys;
    return Status::Ok();
  }
  Status Revert(const DeployContext&) override {
    ++reverts;
    return Status::Ok();
  }
  int deploys = 0, reverts = 0;
};

class AlertMatchTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_ / "migrations" / "0001_users");
    std::ofstream(dir_ / "migrations" / "0001_users" / "up.sql") << "CREATE TABLE users (id integer primary key);\n";
    std::ofstream(dir_ / "migrations" / "0001_users" / "down.sql") << "DROP TABLE users;\n";
    EngineOptions o;
    o.url = "sqlite:" + (dir_ / "app.db").string();
    o.base_dir = dir_.string();
    auto e = Engine::Open(o);
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e).value();
    CoordinatorOptions co;
    co.who = "tester@host";
    coordinator_ = std::make_unique<Coordinator>(engine_.get(), CoordinatorParts{&app_, {}, {}, nullptr}, co);
    ASSERT_TRUE(coordinator_->Deploy("v1").ok());
  }
  void TearDown() override {
    coordinator_.reset();
    engine_.reset();
  }

  static std::string Alert(const std::string& labels, const std::string& extra = "") {
    return R"({"version":"4","status":"firing","alerts":[{"status":"firing","labels":)" + labels +
           R"(,"annotations":{},"startsAt":"2026-12-01T08:00:00Z","fingerprint":"f)" + std::to_string(++n_) + "\"" +
           extra + "}]}";
  }
  long long LogRows() {
    auto log = engine_->History(0);
    return log.ok() ? static_cast<long long>(log->size()) : -1;
  }

  static inline int n_ = 0;
  dbroll::testing::TempDir tmp_{"alert-match"};
  const fs::path dir_ = tmp_.path();
  std::unique_ptr<Engine> engine_;
  CountingApp app_;
  std::unique_ptr<Coordinator> coordinator_;
};

TEST_F(AlertMatchTest, WithoutAMatchRuleOnlyAnAlertNamingTheReleaseRollsBack) {
  AlertReceiverOptions o;
  o.token = "t0ken";
  AlertReceiver r(engine_.get(), coordinator_.get(), o);
  AlertReply disk = r.Handle("Bearer t0ken", Alert(R"({"alertname":"DiskAlmostFull"})"), "test");
  EXPECT_EQ(disk.http_status, 200);
  EXPECT_NE(disk.body.find("\"status\":\"ignored\""), std::string::npos) << disk.body;
  EXPECT_EQ(app_.reverts, 0);
  AlertReply other = r.Handle("Bearer t0ken", Alert(R"({"alertname":"HighErrorRate","release":"v0"})"), "test");
  EXPECT_NE(other.body.find("\"status\":\"ignored\""), std::string::npos) << other.body;
  EXPECT_EQ(app_.reverts, 0);
  AlertReply ours = r.Handle("Bearer t0ken", Alert(R"({"alertname":"HighErrorRate","release":"v1"})"), "test");
  EXPECT_NE(ours.body.find("\"status\":\"rolled-back\""), std::string::npos) << ours.body;
  EXPECT_EQ(app_.reverts, 1);
}

TEST_F(AlertMatchTest, MalformedPayloadsAre400NeverAnException) {
  AlertReceiverOptions o;
  o.token = "t0ken";
  o.match = {{"alertname", "HighErrorRate"}};
  AlertReceiver r(engine_.get(), coordinator_.get(), o);
  for (const std::string& body :
       {std::string(R"({"alerts":[{"status":5,"labels":{"alertname":"HighErrorRate"}}]})"),
        std::string(R"({"alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate"},"startsAt":7}]})"),
        std::string(R"({"alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate"},"annotations":"x"}]})"),
        std::string(
            R"({"alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate"},"annotations":{"summary":1}}]})"),
        std::string(R"({"alerts":[[1]]})"), std::string(R"({"alerts":"none"})"), std::string("{\"alerts\":[")}) {
    AlertReply reply;
    EXPECT_NO_THROW(reply = r.Handle("Bearer t0ken", body, "test")) << body;
    EXPECT_EQ(reply.http_status, 400) << body << " -> " << reply.body;
  }
}

TEST_F(AlertMatchTest, RejectedRequestsAreCountedAndSummarisedNotLoggedEach) {
  AlertReceiverOptions o;
  o.token = "t0ken";
  o.match = {{"alertname", "HighErrorRate"}};
  o.summary_interval = std::chrono::milliseconds(0);
  AlertReceiver r(engine_.get(), coordinator_.get(), o);
  const long long before = LogRows();
  for (int i = 0; i < 200; ++i) {
    EXPECT_EQ(r.Handle(i % 2 ? "" : "Bearer wrong", "{}", "10.0.0.9:1234 /alerts").http_status, 401);
  }
  r.Audit("GET /admin from 10.0.0.9:1234", 404);
  EXPECT_EQ(LogRows(), before);  // no row per request
  ASSERT_TRUE(r.Tick().ok());
  EXPECT_EQ(LogRows(), before + 1);
  auto log = engine_->History(1);
  ASSERT_TRUE(log.ok() && !log->empty());
  EXPECT_EQ(log->front().action, "alert:rejected");
  EXPECT_EQ(log->front().message,
            "201 request(s) rejected since the last summary (HTTP 401: 200, HTTP 404: 1); the last: GET /admin from "
            "10.0.0.9:1234");
  ASSERT_TRUE(r.Tick().ok());
  EXPECT_EQ(LogRows(), before + 1);  // nothing new, nothing written
}

}  // namespace
}  // namespace dbroll
