// dbroll serve end to end: the real CLI receiving webhooks as Alertmanager
// sends them, over loopback, against a SQLite project with hook scripts.
#include <gtest/gtest.h>

#include <atomic>
#include <nlohmann/json.hpp>

#include "tests/support/servers.h"

namespace dbroll {
namespace {

using namespace testing_servers;  // NOLINT: test helpers
using std::chrono::milliseconds;

constexpr char kToken[] = "s3cret-alert-token";

std::string AlertPayload(const std::string& status, const std::string& alertname, const std::string& fingerprint,
                         const std::string& extra_label = "") {
  nlohmann::json alert = {{"status", status},
                          {"labels", {{"alertname", alertname}, {"service", "shop"}}},
                          {"annotations", {{"summary", "5xx over 5%"}}},
                          {"startsAt", "2026-11-26T08:00:00Z"},
                          {"endsAt", status == "firing" ? "0001-01-01T00:00:00Z" : "2026-11-26T08:05:00Z"},
                          {"generatorURL", "http://127.0.0.1:9090/graph"},
                          {"fingerprint", fingerprint}};
  if (!extra_label.empty()) alert["labels"]["release"] = extra_label;
  nlohmann::json j = {{"version", "4"},
                      {"status", status},
                      {"receiver", "dbroll"},
                      {"groupKey", "{}:{alertname=\"" + alertname + "\"}"},
                      {"truncatedAlerts", 0},
                      {"groupLabels", {{"alertname", alertname}}},
                      {"commonLabels", alert["labels"]},
                      {"commonAnnotations", alert["annotations"]},
                      {"externalURL", "http://127.0.0.1:9093"},
                      {"alerts", {alert}}};
  return j.dump();
}

class AlertReceiverE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("dbroll-alerts-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    proj_ = dir_ / "proj";
    fs::create_directories(proj_ / "migrations");
    WriteOrdersHook(dir_, proj_, false);
    std::ofstream(proj_ / "dbroll.toml") << HookedSqliteConfig(dir_) << "[alerts]\ntoken = \"" << kToken
                                         << "\"\nmax_body = 4096\n"
                                         << "match = { alertname = \"HighErrorRate\" }\n";
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
    AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
    ASSERT_EQ(Dbroll("deploy --release v2"), 0) << last_output_;
    ASSERT_EQ(Orders(), 1);
    port_ = FreePort();
    serve_ = Spawn({DBROLL_BINARY, "-C", proj_.string(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_)},
                   (dir_ / "serve.log").string());
    ASSERT_TRUE(WaitFor([&] { return Answers(port_); }, milliseconds(10000))) << Slurp(dir_ / "serve.log");
  }

  void TearDown() override {
    Stop(&serve_);
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void AddMigration(const std::string& name, const std::string& up, const std::string& down) {
    WriteMigration(proj_, name, up, down);
  }
  int Dbroll(const std::string& args) { return RunDbroll(proj_, args, &last_output_, 60); }

  // POSTs `body` with `token` to `path`; returns the HTTP status, the answer in *answer.
  int Post(const std::string& token, const std::string& body, const std::string& path = "/alerts",
           std::string* answer = nullptr) {
    std::ofstream(dir_ / "body.json") << body;
    std::string out;
    Sh("curl -s -m 30 -o " + Quote((dir_ / "answer.txt").string()) + " -w '%{http_code}' -X POST" +
           (token.empty() ? std::string() : " -H " + Quote("Authorization: Bearer " + token)) +
           " -H 'Content-Type: application/json' --data-binary @" + Quote((dir_ / "body.json").string()) +
           " http://127.0.0.1:" + std::to_string(port_) + path,
       &out);
    if (answer) *answer = Slurp(dir_ / "answer.txt");
    return std::atoi(out.c_str());
  }

  int Orders() {
    std::string out;
    Sh("sqlite3 " + Quote((dir_ / "app.db").string()) + " \"select count(*) from sqlite_master where name='orders'\"",
       &out);
    return std::atoi(out.c_str());
  }

  int Reverts() {
    std::istringstream in(Slurp(dir_ / "hooks.log"));
    int n = 0;
    for (std::string l; std::getline(in, l);) n += l.rfind("revert", 0) == 0;
    return n;
  }

  nlohmann::json Deploys() { return nlohmann::json::parse(DbrollJson(proj_, "deploys"), nullptr, false); }

  std::string History() {
    std::string out;
    RunDbroll(proj_, "history --format json", &out, 60);
    return out;
  }

  fs::path dir_, proj_;
  int port_ = 0;
  pid_t serve_ = -1;
  std::string last_output_;
};

TEST_F(AlertReceiverE2E, FiringAlertRollsBackSchemaBeforeTheAppAndFreezes) {
  std::string answer;
  EXPECT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "a1b2c3d4"), "/alerts", &answer), 200);
  EXPECT_NE(answer.find("\"status\":\"rolled-back\""), std::string::npos) << answer;
  EXPECT_EQ(Orders(), 0);
  // The revert hook saw the schema already back at v1.
  EXPECT_NE(Slurp(dir_ / "hooks.log").find("revert v2 orders=0"), std::string::npos) << Slurp(dir_ / "hooks.log");
  auto j = Deploys();
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["deploys"][0]["state"], "rolled-back");
  EXPECT_EQ(j["deploys"][0]["reason"], "alert HighErrorRate fired: 5xx over 5%");
  ASSERT_FALSE(j["frozen"].is_null());
  EXPECT_EQ(Dbroll("deploy --release v3"), 10) << last_output_;
  EXPECT_NE(last_output_.find("deploys are frozen"), std::string::npos) << last_output_;
  EXPECT_EQ(Slurp(dir_ / "serve.log").find(kToken), std::string::npos);
}

TEST_F(AlertReceiverE2E, WrongOrMissingTokenIs401AndChangesNothing) {
  EXPECT_EQ(Post("not-the-token", AlertPayload("firing", "HighErrorRate", "a1")), 401);
  EXPECT_EQ(Post("", AlertPayload("firing", "HighErrorRate", "a1")), 401);
  EXPECT_EQ(Orders(), 1);
  EXPECT_EQ(Reverts(), 0);
  auto j = Deploys();
  EXPECT_EQ(j["deploys"][0]["state"], "succeeded");
  EXPECT_TRUE(j["frozen"].is_null());
  // Counted, not logged one by one: one summary row (here at shutdown), without the token.
  Stop(&serve_);
  const std::string log = History();
  EXPECT_NE(log.find("2 request(s) rejected since the last summary (HTTP 401: 2)"), std::string::npos) << log;
  EXPECT_EQ(log.find("not-the-token"), std::string::npos);
}

TEST_F(AlertReceiverE2E, MalformedJsonIs400AndOversizedBodyIs413) {
  EXPECT_EQ(Post(kToken, "{\"version\":\"4\",\"alerts\":[{\"status\":"), 400);
  EXPECT_EQ(Post(kToken, "{\"version\":\"4\"}"), 400);
  EXPECT_EQ(Post(kToken, std::string(8192, ' ') + AlertPayload("firing", "HighErrorRate", "a1")), 413);
  EXPECT_EQ(Orders(), 1);
  EXPECT_EQ(Reverts(), 0);
  Stop(&serve_);
  const std::string log = History();
  EXPECT_NE(log.find("HTTP 400: not an Alertmanager webhook payload"), std::string::npos) << log;
  EXPECT_NE(log.find("HTTP 413: 1"), std::string::npos) << log;
}

TEST_F(AlertReceiverE2E, ResolvedAlertNeitherRollsBackNorUnfreezes) {
  std::string answer;
  EXPECT_EQ(Post(kToken, AlertPayload("resolved", "HighErrorRate", "a1"), "/", &answer), 200);
  EXPECT_NE(answer.find("\"status\":\"ignored\""), std::string::npos) << answer;
  EXPECT_EQ(Orders(), 1);
  ASSERT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "a1")), 200);
  ASSERT_EQ(Orders(), 0);
  EXPECT_EQ(Post(kToken, AlertPayload("resolved", "HighErrorRate", "a1")), 200);
  EXPECT_FALSE(Deploys()["frozen"].is_null());
}

TEST_F(AlertReceiverE2E, SameAlertTwiceRollsBackOnce) {
  ASSERT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "feedbeef")), 200);
  std::string answer;
  EXPECT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "feedbeef"), "/alerts", &answer), 200);
  EXPECT_EQ(Reverts(), 1);
  EXPECT_NE(answer.find("\"status\":\"duplicate\""), std::string::npos) << answer;
  // A restarted receiver does not act again either.
  Stop(&serve_);
  serve_ = Spawn({DBROLL_BINARY, "-C", proj_.string(), "serve", "--listen", "127.0.0.1:" + std::to_string(port_)},
                 (dir_ / "serve2.log").string());
  ASSERT_TRUE(WaitFor([&] { return Answers(port_); }, milliseconds(10000)));
  EXPECT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "feedbeef")), 200);
  EXPECT_EQ(Reverts(), 1);
}

TEST_F(AlertReceiverE2E, NonMatchingAlertOrOtherReleaseIsIgnored) {
  EXPECT_EQ(Post(kToken, AlertPayload("firing", "DiskFull", "d1")), 200);
  EXPECT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "r1", "v1")), 200);
  EXPECT_EQ(Orders(), 1);
  EXPECT_EQ(Reverts(), 0);
  EXPECT_EQ(Post(kToken, AlertPayload("firing", "HighErrorRate", "r2", "v2")), 200);
  EXPECT_EQ(Orders(), 0);
}

int Connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    close(s);
    return -1;
  }
  return s;
}

long long LogRows(const fs::path& db) {
  std::string out;
  Sh("sqlite3 " + Quote(db.string()) + " 'select count(*) from dbroll_log'", &out);
  return std::atoll(out.c_str());
}

TEST_F(AlertReceiverE2E, SlowClientsAndAFloodDoNotDelayAnAuthenticatedAlert) {
  // Before: one worker and a per-read timeout, so 1 byte every 2 s held the
  // only worker, and every unauthenticated request wrote an audit row.
  std::vector<int> drips;
  for (int i = 0; i < 16; ++i) {
    int s = Connect(port_);
    ASSERT_GE(s, 0);
    const std::string start = "POST /alerts HTTP/1.1\r\nHost: x\r\n";
    ASSERT_EQ(send(s, start.data(), start.size(), MSG_NOSIGNAL), static_cast<ssize_t>(start.size()));
    drips.push_back(s);
  }
  std::atomic<bool> dripping{true};
  std::thread drip([&] {
    while (dripping) {
      for (int s : drips) (void)send(s, "X", 1, MSG_NOSIGNAL);
      for (int i = 0; i < 20 && dripping; ++i) std::this_thread::sleep_for(milliseconds(100));
    }
  });
  const long long rows_before = LogRows(dir_ / "app.db");
  std::string flood_out;
  Sh("for i in $(seq 1 200); do curl -s -o /dev/null -m 5 -X POST --data '{}' http://127.0.0.1:" +
         std::to_string(port_) + "/alerts & done; wait",
     &flood_out);
  const auto t0 = std::chrono::steady_clock::now();
  std::string answer;
  const int code = Post(kToken, AlertPayload("resolved", "HighErrorRate", "slow1"), "/alerts", &answer);
  const auto took = std::chrono::steady_clock::now() - t0;
  dripping = false;
  drip.join();
  for (int s : drips) close(s);
  EXPECT_EQ(code, 200) << answer;
  EXPECT_LT(std::chrono::duration_cast<milliseconds>(took).count(), 5000);
  EXPECT_LE(LogRows(dir_ / "app.db") - rows_before, 3);  // the alert's own row and at most a summary or two
}

TEST_F(AlertReceiverE2E, HealthzAnswersWithoutAuthAndWithoutTouchingTheDatabase) {
  const long long rows_before = LogRows(dir_ / "app.db");
  std::string out;
  Sh("curl -s -w ' %{http_code}' http://127.0.0.1:" + std::to_string(port_) + "/healthz", &out);
  EXPECT_EQ(out, "{\"status\": \"ok\"}\n 200");
  EXPECT_EQ(LogRows(dir_ / "app.db"), rows_before);
}

TEST_F(AlertReceiverE2E, ServeRefusesWithoutAMatchRuleOrWithAWhitespaceToken) {
  Stop(&serve_);
  const std::string url = "[database]\nurl = \"sqlite:" + (dir_ / "app.db").string() + "\"\n";
  std::ofstream(proj_ / "dbroll.toml") << url << "[alerts]\ntoken = \"" << kToken << "\"\n";
  EXPECT_EQ(Dbroll("serve --listen 127.0.0.1:" + std::to_string(port_)), 2) << last_output_;
  EXPECT_NE(last_output_.find("dbroll: error: [alerts.match] is missing: the alert receiver rolls back only for alerts "
                              "carrying the labels it names"),
            std::string::npos)
      << last_output_;
  std::ofstream(proj_ / "dbroll.toml") << url << "[alerts]\ntoken = \"   \"\nmatch = { alertname = \"X\" }\n";
  EXPECT_EQ(Dbroll("serve --listen 127.0.0.1:" + std::to_string(port_)), 2) << last_output_;
  EXPECT_NE(last_output_.find("dbroll: error: [alerts] token is only whitespace"), std::string::npos) << last_output_;
}

}  // namespace
}  // namespace dbroll
