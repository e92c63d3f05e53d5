// The metric gate against a real Prometheus (1 s scrapes) scraping a python3
// test app that counts its own answers by status code. Sustained 5xx rolls
// back (schema first) and freezes; a spike shorter than `for` does not.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>

#include "tests/alerts/error_app.h"

namespace dbroll {
namespace {

using namespace testing_servers;  // NOLINT: test helpers
using std::chrono::milliseconds;

constexpr char kQuery[] =
    "sum(rate(http_requests_total{code=~\"5..\"}[3s])) / sum(rate(http_requests_total[3s]))";

class MetricGateE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string prometheus = FindBinary("prometheus");
    DBROLL_REQUIRE_BINARY(prometheus, "prometheus");
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("dbroll-metrics-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    proj_ = dir_ / "proj";
    fs::create_directories(proj_ / "migrations");
    app_port_ = FreePort();
    app_ = StartErrorApp(dir_, app_port_);
    ASSERT_TRUE(WaitFor([&] { return Answers(app_port_); }, milliseconds(10000)));
    prom_port_ = FreePort();
    prom_ = StartPrometheus(prometheus, dir_, prom_port_, app_port_);
    // Ready once the ratio is a number: two scrapes of live traffic.
    ASSERT_TRUE(WaitFor([&] { return !std::isnan(Ratio()); }, milliseconds(30000)))
        << Slurp(dir_ / "prometheus.log");

    WriteOrdersHook(dir_, proj_, true);
    WriteConfig("");
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
    AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  }

  void TearDown() override {
    Stop(&deploy_);
    Stop(&prom_);
    Stop(&app_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void WriteConfig(const std::string& metrics) {
    std::ofstream(proj_ / "dbroll.toml") << HookedSqliteConfig(dir_) << metrics;
  }

  std::string Metrics(const std::string& sustain, const std::string& watch) {
    nlohmann::json q = kQuery;  // a TOML basic string is a JSON string here
    return "[deploy.metrics]\nprometheus_url = \"http://127.0.0.1:" + std::to_string(prom_port_) + "\"\n" +
           "query = " + q.dump() + "\nthreshold = 0.2\nfor = \"" + sustain + "\"\nwatch = \"" + watch +
           "\"\ninterval = \"500ms\"\non_error = \"healthy\"\n";
  }

  void AddMigration(const std::string& name, const std::string& up, const std::string& down) {
    WriteMigration(proj_, name, up, down);
  }
  int Dbroll(const std::string& args) { return RunDbroll(proj_, args, &last_output_); }

  double Ratio() {
    std::string out;
    Sh("curl -s -m 2 -G --data-urlencode " + Quote(std::string("query=") + kQuery) + " http://127.0.0.1:" +
           std::to_string(prom_port_) + "/api/v1/query",
       &out);
    auto j = nlohmann::json::parse(out, nullptr, false);
    if (j.is_discarded() || j.value("status", "") != "success" || j["data"]["result"].empty()) return NAN;
    return std::strtod(j["data"]["result"][0]["value"][1].get<std::string>().c_str(), nullptr);
  }

  std::string NewestState() {
    auto j = nlohmann::json::parse(DbrollJson(proj_, "deploys"), nullptr, false);
    if (j.is_discarded() || j["deploys"].empty()) return "";
    return j["deploys"][0]["state"].get<std::string>();
  }

  // Starts `dbroll deploy --release v2` in the background; returns once the
  // gate is watching.
  void StartDeploy() {
    deploy_ = Spawn({DBROLL_BINARY, "-C", proj_.string(), "deploy", "--release", "v2"}, (dir_ / "deploy.txt").string());
    ASSERT_TRUE(WaitFor([&] { return NewestState() == "verifying"; }, milliseconds(20000)))
        << Slurp(dir_ / "deploy.txt");
  }

  int WaitDeploy() {
    int status = 0;
    for (int i = 0; i < 600; ++i) {
      if (waitpid(deploy_, &status, WNOHANG) == deploy_) {
        deploy_ = -1;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
      }
      std::this_thread::sleep_for(milliseconds(100));
    }
    return -2;  // still running after a minute
  }

  void SetFail(bool fail) { std::ofstream(dir_ / "fail") << (fail ? "1\n" : "0\n"); }

  fs::path dir_, proj_;
  int app_port_ = 0, prom_port_ = 0;
  pid_t app_ = -1, prom_ = -1, deploy_ = -1;
  std::string last_output_;
};

TEST_F(MetricGateE2E, SustainedErrorRatioRollsBackSchemaFirstAndFreezes) {
  WriteConfig(Metrics("4s", "30s"));
  StartDeploy();
  SetFail(true);  // the new release answers 500 until the revert hook runs
  EXPECT_EQ(WaitDeploy(), 8) << Slurp(dir_ / "deploy.txt");
  const std::string out = Slurp(dir_ / "deploy.txt");
  EXPECT_NE(out.find("metric gate: `" + std::string(kQuery) + "` was "), std::string::npos) << out;
  EXPECT_NE(out.find("(threshold 0.2) for "), std::string::npos) << out;
  EXPECT_NE(Slurp(dir_ / "hooks.log").find("deploy v2 orders=1\nrevert v2 orders=0\n"), std::string::npos)
      << Slurp(dir_ / "hooks.log");
  EXPECT_EQ(NewestState(), "rolled-back");
  EXPECT_EQ(Dbroll("deploy --release v3"), 10) << last_output_;
}

TEST_F(MetricGateE2E, SpikeShorterThanForDoesNotRollBack) {
  WriteConfig(Metrics("9s", "14s"));
  StartDeploy();
  SetFail(true);
  std::this_thread::sleep_for(milliseconds(1000));
  SetFail(false);
  EXPECT_EQ(WaitDeploy(), 0) << Slurp(dir_ / "deploy.txt");
  EXPECT_EQ(NewestState(), "succeeded");
  EXPECT_EQ(Slurp(dir_ / "hooks.log").find("revert"), std::string::npos);
}

TEST_F(MetricGateE2E, UnreachablePrometheusFollowsOnError) {
  // Nothing listens on the port: every query fails.
  const int dead = FreePort();
  WriteConfig("[deploy.metrics]\nprometheus_url = \"http://127.0.0.1:" + std::to_string(dead) +
              "\"\nquery = \"up\"\nthreshold = 0.5\nfor = \"1s\"\nwatch = \"3s\"\ninterval = \"200ms\"\n"
              "on_error = \"breach\"\n");
  EXPECT_EQ(Dbroll("deploy --release v2"), 8) << last_output_;
  EXPECT_NE(last_output_.find("metric gate: `up` was http://127.0.0.1:" + std::to_string(dead) + ": "),
            std::string::npos)
      << last_output_;
  ASSERT_EQ(Dbroll("unfreeze"), 0);
  WriteConfig("[deploy.metrics]\nprometheus_url = \"http://127.0.0.1:" + std::to_string(dead) +
              "\"\nquery = \"up\"\nthreshold = 0.5\nfor = \"1s\"\nwatch = \"2s\"\ninterval = \"200ms\"\n");
  EXPECT_EQ(Dbroll("deploy --release v3"), 0) << last_output_;
}

}  // namespace
}  // namespace dbroll
