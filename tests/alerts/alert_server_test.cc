// AlertServer (dbroll/alert_server.h) in-process on loopback with SQLite:
// options from dbroll.toml, routing, and the answers no handler gives.
#include "dbroll/alert_server.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <thread>

#include "dbroll/coordinator.h"
#include "tests/support/sqlite_project.h"
#include "tests/support/temp_dir.h"

namespace dbroll {
namespace {

Config AlertsConfig(std::map<std::string, std::string> alerts, std::map<std::string, std::string> match) {
  Config c;
  c.sections["alerts"] = std::move(alerts);
  if (!match.empty()) c.sections["alerts.match"] = std::move(match);
  return c;
}

std::string ErrorOf(const Config& c) {
  auto o = AlertServerOptionsFromConfig(c);
  return o.ok() ? "ok" : o.status().message();
}

TEST(AlertServerOptionsTest, ListenAddressIsHostColonPort) {
  auto ok = ParseListenAddress("0.0.0.0:9095");
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->first, "0.0.0.0");
  EXPECT_EQ(ok->second, 9095);
  for (const char* bad : {"9095", ":9095", "host:0", "host:65536", "host:x"}) {
    EXPECT_EQ(ParseListenAddress(bad).status().message(), std::string(bad) + ": use HOST:PORT, e.g. 127.0.0.1:9095");
  }
}

TEST(AlertServerOptionsTest, ReadsTheAlertsSection) {
  ::unsetenv("DBROLL_ALERTS_TOKEN");
  auto o = AlertServerOptionsFromConfig(
      AlertsConfig({{"token", "s3cret"}, {"listen", "0.0.0.0:9200"}, {"max_body", "1000"}}, {{"alertname", "X"}}));
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->host, "0.0.0.0");
  EXPECT_EQ(o->port, 9200);
  EXPECT_EQ(o->receiver.token, "s3cret");
  EXPECT_EQ(o->receiver.max_body, 1000u);
  EXPECT_EQ(o->receiver.match, (std::map<std::string, std::string>{{"alertname", "X"}}));
  auto defaults = AlertServerOptionsFromConfig(AlertsConfig({{"token", "s3cret"}}, {{"alertname", "X"}}));
  ASSERT_TRUE(defaults.ok());
  EXPECT_EQ(defaults->host + ":" + std::to_string(defaults->port), "127.0.0.1:9095");
}

TEST(AlertServerOptionsTest, TokenComesFromTheFileBesideTheConfigThenTheEnvironment) {
  ::unsetenv("DBROLL_ALERTS_TOKEN");
  testing::TempDir dir("alert-server");
  std::ofstream(dir / "token") << "fr0m-file\n\n";
  Config c = AlertsConfig({{"token_file", "token"}}, {{"alertname", "X"}});
  c.engine.base_dir = dir.path().string();
  auto o = AlertServerOptionsFromConfig(c);
  ASSERT_TRUE(o.ok()) << o.status().message();
  EXPECT_EQ(o->receiver.token, "fr0m-file");
  c.sections["alerts"]["token_file"] = "missing";
  EXPECT_EQ(ErrorOf(c), "[alerts] token_file " + (dir / "missing").string() + " cannot be read");
  ::setenv("DBROLL_ALERTS_TOKEN", "fr0m-env", 1);
  auto env = AlertServerOptionsFromConfig(AlertsConfig({}, {{"alertname", "X"}}));
  ::unsetenv("DBROLL_ALERTS_TOKEN");
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->receiver.token, "fr0m-env");
}

TEST(AlertServerOptionsTest, RefusesWhatWouldLetAnySenderOrAnyAlertIn) {
  ::unsetenv("DBROLL_ALERTS_TOKEN");
  EXPECT_EQ(ErrorOf(AlertsConfig({}, {{"alertname", "X"}})),
            "the alert receiver needs a bearer token: [alerts] token, [alerts] token_file or DBROLL_ALERTS_TOKEN");
  EXPECT_EQ(ErrorOf(AlertsConfig({{"token", "  "}}, {{"alertname", "X"}})),
            "[alerts] token is only whitespace, which any sender could guess -- set a random token, e.g. openssl "
            "rand -hex 32");
  EXPECT_EQ(ErrorOf(AlertsConfig({{"token", "a b"}}, {{"alertname", "X"}})),
            "[alerts] token contains whitespace, which an Authorization header cannot carry intact -- use a token "
            "without spaces, e.g. openssl rand -hex 32");
  EXPECT_EQ(ErrorOf(AlertsConfig({{"token", "t0ken"}}, {})).substr(0, 74),
            "[alerts.match] is missing: the alert receiver rolls back only for alerts c");
  EXPECT_EQ(ErrorOf(AlertsConfig({{"token", "t0ken"}, {"max_body", "0"}}, {{"alertname", "X"}})),
            "[alerts] max_body must be at least 1, not 0");
  EXPECT_EQ(ErrorOf(AlertsConfig({{"token", "t0ken"}, {"listen", "nowhere"}}, {{"alertname", "X"}})),
            "[alerts] listen nowhere: use HOST:PORT, e.g. 127.0.0.1:9095");
}

class NoApp : public AppController {
 public:
  Status Deploy(const DeployContext&) override { return Status::Ok(); }
  Status Revert(const DeployContext&) override { return Status::Ok(); }
};

// One request on a fresh connection; the whole answer (the server closes).
std::string Ask(int port, const std::string& request) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return "connect failed";
  }
  (void)!::send(fd, request.data(), request.size(), MSG_NOSIGNAL);
  std::string answer;
  char buf[4096];
  for (ssize_t n; (n = ::recv(fd, buf, sizeof buf, 0)) > 0;) answer.append(buf, static_cast<size_t>(n));
  ::close(fd);
  return answer;
}

class AlertServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto e = testing::OpenSqliteProject(dir_.path());
    ASSERT_TRUE(e.ok()) << e.status().message();
    engine_ = std::move(e).value();
    // The audit log (where rejected requests are summed up) exists after a migrate.
    ASSERT_TRUE(engine_->Migrate(MigrateOptions{}).ok());
    coordinator_ = std::make_unique<Coordinator>(engine_.get(), CoordinatorParts{&app_, {}, {}, nullptr},
                                                 CoordinatorOptions{});
    AlertServerOptions so;
    so.port = 0;
    so.receiver.token = "t0ken";
    so.receiver.match = {{"alertname", "X"}};
    so.receiver.max_body = 100;
    server_ = std::make_unique<AlertServer>(engine_.get(), coordinator_.get(), so);
    ASSERT_TRUE(server_->Bind().ok());
    ASSERT_GT(server_->port(), 0);
    serving_ = std::thread([this] { server_->Serve(); });
  }
  void TearDown() override {
    if (serving_.joinable()) {
      server_->Stop();
      serving_.join();
    }
  }
  std::string Ask(const std::string& request) { return dbroll::Ask(server_->port(), request); }

  testing::TempDir dir_{"alert-server"};
  NoApp app_;
  std::unique_ptr<Engine> engine_;
  std::unique_ptr<Coordinator> coordinator_;
  std::unique_ptr<AlertServer> server_;
  std::thread serving_;
};

TEST_F(AlertServerTest, HealthzNeedsNoTokenAndOnlyGet) {
  const std::string ok = Ask("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ok.substr(0, 15), "HTTP/1.1 200 OK");
  EXPECT_NE(ok.find("\r\n\r\n{\"status\": \"ok\"}\n"), std::string::npos) << ok;
  EXPECT_EQ(Ask("POST /healthz HTTP/1.1\r\nContent-Length: 0\r\n\r\n").substr(0, 12), "HTTP/1.1 405");
}

TEST_F(AlertServerTest, AlertsArePostedToKnownPathsWithTheToken) {
  const std::string lost = Ask("POST /nope HTTP/1.1\r\nContent-Length: 0\r\n\r\n");
  EXPECT_EQ(lost.substr(0, 12), "HTTP/1.1 404");
  EXPECT_NE(lost.find("{\"status\": \"not-found\", \"detail\": \"POST alerts to /alerts\"}"), std::string::npos);
  const std::string get = Ask("GET /alerts HTTP/1.1\r\n\r\n");
  EXPECT_EQ(get.substr(0, 12), "HTTP/1.1 405");
  EXPECT_NE(get.find("method-not-allowed"), std::string::npos);
  const std::string no_token = Ask("POST /alerts HTTP/1.1\r\nContent-Length: 2\r\n\r\n{}");
  EXPECT_EQ(no_token.substr(0, 12), "HTTP/1.1 401");
  EXPECT_NE(no_token.find("WWW-Authenticate: Bearer\r\n"), std::string::npos) << no_token;
  const std::string big = Ask("POST /alerts HTTP/1.1\r\nContent-Length: 101\r\n\r\n");
  EXPECT_EQ(big.substr(0, 12), "HTTP/1.1 413");
}

TEST_F(AlertServerTest, StopEndsServeAndWritesTheSummaryOfRejectedRequests) {
  EXPECT_EQ(Ask("GET /nope HTTP/1.1\r\n\r\n").substr(0, 12), "HTTP/1.1 404");
  server_->Stop();
  serving_.join();
  auto log = engine_->History(0);
  ASSERT_TRUE(log.ok());
  std::string rejected;
  for (const auto& l : *log) rejected += l.action == "alert:rejected" ? l.message : "";
  EXPECT_NE(rejected.find("1 request(s) rejected since the last summary (HTTP 404: 1); the last: GET /nope from "
                          "127.0.0.1:"),
            std::string::npos)
      << rejected;
}

}  // namespace
}  // namespace dbroll
