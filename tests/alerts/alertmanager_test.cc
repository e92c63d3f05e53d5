// The alert path with the real things: Prometheus scrapes a test app and
// evaluates the rule from docs/alerts.md, a real Alertmanager (Debian's
// prometheus-alertmanager) with the alertmanager.yml from docs/alerts.md posts
// to `dbroll serve` with its bearer token. dbroll rolls back schema first,
// then the app, freezes and notifies; Alertmanager's repeats and the resolved
// notification do not roll back a second time.
#include <gtest/gtest.h>

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>

#include "tests/alerts/error_app.h"

namespace dbroll {
namespace {

using namespace testing_servers;  // NOLINT: test helpers
using std::chrono::milliseconds;

constexpr char kToken[] = "am-t0ken-for-dbroll";

// The fenced block of docs/alerts.md whose first line is `# <name>`.
std::string DocBlock(const std::string& name) {
  const std::string doc = Slurp(fs::path(DBROLL_SOURCE_DIR) / "docs" / "alerts.md");
  const size_t head = doc.find("```yaml\n# " + name + "\n");
  if (head == std::string::npos) return "";
  const size_t begin = head + 8;
  return doc.substr(begin, doc.find("```", begin) - begin);
}

std::string Replace(std::string text, const std::string& from, const std::string& to) {
  for (size_t p = text.find(from); p != std::string::npos; p = text.find(from, p + to.size())) {
    text.replace(p, from.size(), to);
  }
  return text;
}

class AlertmanagerE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string prometheus = FindBinary("prometheus");
    DBROLL_REQUIRE_BINARY(prometheus, "prometheus");
    const std::string alertmanager = FindBinary("prometheus-alertmanager");
    DBROLL_REQUIRE_BINARY(alertmanager, "prometheus-alertmanager");
    dir_ = fs::temp_directory_path() / ("dbroll-alertmanager-" + std::to_string(getpid()));
    fs::remove_all(dir_);
    proj_ = dir_ / "proj";
    fs::create_directories(proj_ / "migrations");
    fs::create_directories(dir_ / "am");

    const std::string am_yml = DocBlock("alertmanager.yml"), rules = DocBlock("rules.yml");
    ASSERT_FALSE(am_yml.empty() || rules.empty()) << "docs/alerts.md lost its alertmanager.yml or rules.yml";
    app_port_ = FreePort();
    prom_port_ = FreePort();
    am_port_ = FreePort();
    serve_port_ = FreePort();
    std::ofstream(dir_ / "token") << kToken << "\n";
    std::ofstream(dir_ / "alertmanager.yml") << Replace(
        Replace(am_yml, "http://127.0.0.1:9095/alerts", "http://127.0.0.1:" + std::to_string(serve_port_) + "/alerts"),
        "/etc/alertmanager/dbroll-token", (dir_ / "token").string());
    std::ofstream(dir_ / "rules.yml") << Replace(Replace(rules, "[1m]", "[3s]"), "for: 2m", "for: 2s");

    app_ = StartErrorApp(dir_, app_port_);
    am_ = Spawn({alertmanager, "--config.file=" + (dir_ / "alertmanager.yml").string(),
                 "--storage.path=" + (dir_ / "am").string(),
                 "--web.listen-address=127.0.0.1:" + std::to_string(am_port_), "--cluster.listen-address="},
                (dir_ / "alertmanager.log").string());
    prom_ = StartPrometheus(prometheus, dir_, prom_port_, app_port_,
                            "rule_files: [" + (dir_ / "rules.yml").string() + "]\n" +
                                "alerting:\n  alertmanagers:\n    - static_configs:\n" +
                                "        - targets: ['127.0.0.1:" + std::to_string(am_port_) + "']\n");
    ASSERT_TRUE(
        WaitFor([&] { return Answers(app_port_) && Answers(am_port_) && Answers(prom_port_); }, milliseconds(30000)))
        << Slurp(dir_ / "alertmanager.log") << Slurp(dir_ / "prometheus.log");

    WriteOrdersHook(dir_, proj_, true);
    std::ofstream(proj_ / "notify.sh") << "#!/bin/sh\ncat >> " << Quote((dir_ / "notifications").string())
                                       << "\necho >> " << Quote((dir_ / "notifications").string()) << "\n";
    fs::permissions(proj_ / "notify.sh", fs::perms::owner_all);
    std::ofstream(proj_ / "dbroll.toml") << HookedSqliteConfig(dir_) << "[notify]\ncommand = \"./notify.sh\"\n"
                                         << "[alerts]\ntoken_file = " << nlohmann::json((dir_ / "token").string())
                                         << "\nmatch = { alertname = \"HighErrorRate\", service = \"shop\" }\n";
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
    AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
    ASSERT_EQ(Dbroll("deploy --release v2"), 0) << last_output_;
    serve_ =
        Spawn({DBROLL_BINARY, "-C", proj_.string(), "serve", "--listen", "127.0.0.1:" + std::to_string(serve_port_)},
              (dir_ / "serve.log").string());
    ASSERT_TRUE(WaitFor([&] { return Answers(serve_port_); }, milliseconds(10000))) << Slurp(dir_ / "serve.log");
  }

  void TearDown() override {
    Stop(&serve_);
    Stop(&prom_);
    Stop(&am_);
    Stop(&app_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void AddMigration(const std::string& name, const std::string& up, const std::string& down) {
    WriteMigration(proj_, name, up, down);
  }
  int Dbroll(const std::string& args) { return RunDbroll(proj_, args, &last_output_); }
  std::string History() { return DbrollJson(proj_, "history"); }

  int Count(const std::string& text, const std::regex& re) {
    return static_cast<int>(std::distance(std::sregex_iterator(text.begin(), text.end(), re), std::sregex_iterator()));
  }

  fs::path dir_, proj_;
  int app_port_ = 0, prom_port_ = 0, am_port_ = 0, serve_port_ = 0;
  pid_t app_ = -1, prom_ = -1, am_ = -1, serve_ = -1;
  std::string last_output_;
};

TEST_F(AlertmanagerE2E, FiringAlertRollsBackOnceFreezesAndNotifiesResolvedDoesNothing) {
  std::ofstream(dir_ / "fail") << "1\n";  // v2 serves errors
  // Prometheus fires after 2 s over 5 %, Alertmanager posts, dbroll rolls back.
  ASSERT_TRUE(
      WaitFor([&] { return Slurp(dir_ / "hooks.log").find("revert v2") != std::string::npos; }, milliseconds(90000)))
      << Slurp(dir_ / "alertmanager.log") << Slurp(dir_ / "serve.log");
  // Schema first: the revert hook found the orders table already gone.
  EXPECT_NE(Slurp(dir_ / "hooks.log").find("revert v2 orders=0"), std::string::npos) << Slurp(dir_ / "hooks.log");
  // The revert made the app healthy; wait for Alertmanager's resolved notification.
  ASSERT_TRUE(
      WaitFor([&] { return History().find(" resolved; nothing done") != std::string::npos; }, milliseconds(90000)))
      << History();
  const std::string log = History();
  EXPECT_EQ(Count(Slurp(dir_ / "hooks.log"), std::regex("revert v2")), 1) << Slurp(dir_ / "hooks.log");
  EXPECT_EQ(Count(log, std::regex("\"action\": *\"alert:rollback\"")), 1) << log;
  const std::string deploys = DbrollJson(proj_, "deploys");
  auto j = nlohmann::json::parse(deploys, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << deploys;
  EXPECT_EQ(j["deploys"][0]["state"], "rolled-back");
  EXPECT_EQ(j["deploys"][0]["reason"], "alert HighErrorRate fired: 5xx over 5%");
  EXPECT_FALSE(j["frozen"].is_null());
  EXPECT_NE(Slurp(dir_ / "notifications").find("\"event\":\"deploy-rolled-back\""), std::string::npos);
  EXPECT_EQ(Dbroll("deploy --release v3"), 10) << last_output_;
  EXPECT_EQ(log.find(kToken), std::string::npos);
}

}  // namespace
}  // namespace dbroll
