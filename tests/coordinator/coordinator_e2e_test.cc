// dbroll deploy / rollback end to end: the real CLI, a test app whose
// /healthz can be told to fail, a webhook receiver and hook scripts, all real
// processes on loopback. Built once per backend (DBROLL_E2E_BACKEND).
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "dbroll/driver.h"
#include "tests/support/servers.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

constexpr char kServer[] = R"PY(
import http.server, sys, os
root, port = sys.argv[1], int(sys.argv[2])
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        ok = open(os.path.join(root, "healthy")).read().strip() == "1"
        self.send_response(200 if ok else 503); self.end_headers(); self.wfile.write(b"ok" if ok else b"unhealthy")
    def do_POST(self):
        n = int(self.headers.get("Content-Length", 0)); body = self.rfile.read(n)
        with open(os.path.join(root, "notifications"), "ab") as f: f.write(body + b"\n")
        self.send_response(200); self.end_headers()
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
)PY";

using testing_servers::Answers;
using testing_servers::FreePort;
using testing_servers::Quote;
using testing_servers::Slurp;
using testing_servers::Spawn;

class DeployE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string backend = DBROLL_E2E_BACKEND;
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("dbroll-e2e-" + backend + "-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_ / "proj" / "migrations");
    proj_ = dir_ / "proj";
    if (backend == "postgres") {
      const char* base = std::getenv("DBROLL_TEST_PG_URL");
      const char* require = std::getenv("DBROLL_REQUIRE_SERVERS");
      if (!base || !*base) {
        if (require && std::string(require) == "1") FAIL() << "DBROLL_TEST_PG_URL is not set (eval \"$(scripts/start-servers)\")";
        GTEST_SKIP() << "DBROLL_TEST_PG_URL is not set";
      }
      DriverOptions probe;
      probe.url = base;
      auto d = OpenDriver(probe);
      if (!d.ok() && d.status().code() == Code::kUnsupported) GTEST_SKIP() << "PostgreSQL driver not built";
      ASSERT_TRUE(d.ok()) << d.status().message();
      pg_base_ = base;
      db_name_ = "coord_e2e_" + std::to_string(getpid()) + "_" + std::to_string(++counter_);
      ASSERT_EQ(Sh("psql " + Quote(pg_base_) + " -qc 'DROP DATABASE IF EXISTS " + db_name_ + "' -c 'CREATE DATABASE " +
                   db_name_ + "'"),
                0);
      url_ = pg_base_.substr(0, pg_base_.rfind('/') + 1) + db_name_;
      count_orders_ = "psql " + Quote(url_) + " -tAc \"select count(*) from pg_tables where tablename='orders'\"";
    } else {
      url_ = "sqlite:" + (dir_ / "app.db").string();
      count_orders_ = "sqlite3 " + Quote((dir_ / "app.db").string()) +
                      " \"select count(*) from sqlite_master where name='orders'\"";
    }
    std::ofstream(dir_ / "srv.py") << kServer;
    std::ofstream(dir_ / "healthy") << "1\n";
    std::ofstream(dir_ / "notifications");
    app_port_ = FreePort();
    hook_port_ = FreePort();
    app_pid_ = Spawn({"python3", (dir_ / "srv.py").string(), dir_.string(), std::to_string(app_port_)}, "");
    hook_pid_ = Spawn({"python3", (dir_ / "srv.py").string(), dir_.string(), std::to_string(hook_port_)}, "");
    for (int i = 0; i < 100 && !(Answers(app_port_) && Answers(hook_port_)); ++i) {
      std::this_thread::sleep_for(milliseconds(50));
    }
    ASSERT_TRUE(Answers(app_port_) && Answers(hook_port_)) << "test servers did not start";
    // The hook records what it runs for, when, and the schema it sees; a
    // revert makes the app healthy again; fail-deploy makes the deploy fail.
    std::ofstream(proj_ / "hook.sh") << "#!/bin/sh\n"
                                     << "o=$(" << count_orders_ << ")\n"
                                     << "echo \"$1 $DBROLL_RELEASE orders=$o at=$(date +%s%N)\" >> "
                                     << Quote((dir_ / "hooks.log").string()) << "\n"
                                     << "if [ \"$1\" = revert ]; then echo 1 > " << Quote((dir_ / "healthy").string())
                                     << "; fi\n"
                                     << "if [ \"$1\" = deploy ] && [ -f " << Quote((dir_ / "fail-deploy").string())
                                     << " ]; then echo 'boom: image not found' >&2; exit 4; fi\n";
    fs::permissions(proj_ / "hook.sh", fs::perms::owner_all);
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    WriteConfig("3s");
  }

  void TearDown() override {
    for (pid_t p : {app_pid_, hook_pid_}) {
      if (p > 0) {
        kill(p, SIGTERM);
        waitpid(p, nullptr, 0);
      }
    }
    if (!db_name_.empty()) Sh("psql " + Quote(pg_base_) + " -qc 'DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)'");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static int Sh(const std::string& cmd) {
    int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  void WriteConfig(const std::string& health_timeout) {
    std::ofstream(proj_ / "dbroll.toml") << "[database]\nurl = \"" << url_ << "\"\n"
                                         << "[deploy]\napp_deploy = \"./hook.sh deploy\"\n"
                                         << "app_revert = \"./hook.sh revert\"\n"
                                         << "health_url = \"http://127.0.0.1:" << app_port_ << "/healthz\"\n"
                                         << "health_timeout = \"" << health_timeout << "\"\n"
                                         << "health_interval = \"100ms\"\nhealthy_after = 2\nhook_timeout = \"20s\"\n"
                                         << "[notify]\nwebhook = \"http://127.0.0.1:" << hook_port_
                                         << "/services/T0/B0/s3cret\"\n";
  }

  void AddMigration(const std::string& name, const std::string& up, const std::string& down) {
    fs::create_directories(proj_ / "migrations" / name);
    std::ofstream(proj_ / "migrations" / name / "up.sql") << up << "\n";
    std::ofstream(proj_ / "migrations" / name / "down.sql") << down << "\n";
  }

  // Runs the CLI; returns the exit code, output (stdout+stderr) in *out.
  int Dbroll(const std::string& args, std::string* out = nullptr) {
    const fs::path o = dir_ / "out.txt";
    int rc = std::system(("timeout 120 " + Quote(DBROLL_BINARY) + " -C " + Quote(proj_.string()) + " " + args + " >" +
                          Quote(o.string()) + " 2>&1")
                             .c_str());
    std::string text = Slurp(o);
    if (out) *out = text;
    last_output_ = text;
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  nlohmann::json Deploys() {
    const fs::path o = dir_ / "deploys.json";
    std::system(("timeout 60 " + Quote(DBROLL_BINARY) + " -C " + Quote(proj_.string()) + " deploys --format json >" +
                 Quote(o.string()) + " 2>/dev/null")
                    .c_str());
    return nlohmann::json::parse(Slurp(o), nullptr, false);
  }

  std::string NewestState() {
    auto j = Deploys();
    if (j.is_discarded() || j["deploys"].empty()) return "";
    return j["deploys"][0]["state"].get<std::string>();
  }

  int Orders() {
    FILE* p = popen(count_orders_.c_str(), "r");
    char buf[64] = {0};
    if (p) {
      (void)!fgets(buf, sizeof buf, p);
      pclose(p);
    }
    return std::atoi(buf);
  }

  std::vector<std::string> HookLines() {
    std::vector<std::string> out;
    std::istringstream in(Slurp(dir_ / "hooks.log"));
    for (std::string l; std::getline(in, l);) out.push_back(l.substr(0, l.find(" at=")));
    return out;
  }

  void SetHealthy(bool ok) { std::ofstream(dir_ / "healthy") << (ok ? "1\n" : "0\n"); }

  static inline int counter_ = 0;
  fs::path dir_, proj_;
  std::string url_, pg_base_, db_name_, count_orders_, last_output_;
  int app_port_ = 0, hook_port_ = 0;
  pid_t app_pid_ = -1, hook_pid_ = -1;
};

TEST_F(DeployE2E, HealthyDeployIsMigratedHookedRecordedAndNotified) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  EXPECT_EQ(HookLines(), (std::vector<std::string>{"deploy v1 orders=0"}));
  EXPECT_EQ(NewestState(), "succeeded");
  const std::string notes = Slurp(dir_ / "notifications");
  EXPECT_NE(notes.find("\"event\":\"deploy-succeeded\""), std::string::npos) << notes;
  EXPECT_NE(notes.find("\"text\":\"dbroll: deploy 1 of v1 succeeded"), std::string::npos) << notes;
  EXPECT_EQ(last_output_.find("s3cret"), std::string::npos);
}

TEST_F(DeployE2E, NeverHealthyRollsSchemaBackBeforeTheRevertFreezesAndNotifies) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  SetHealthy(false);
  EXPECT_EQ(Dbroll("deploy --release v2"), 8) << last_output_;
  EXPECT_NE(last_output_.find("deploy 2 of v2 was rolled back to v1 (schema 0001): the health gate failed"),
            std::string::npos)
      << last_output_;
  // The revert hook found the old schema already in place.
  EXPECT_EQ(HookLines(),
            (std::vector<std::string>{"deploy v1 orders=0", "deploy v2 orders=1", "revert v2 orders=0"}));
  EXPECT_EQ(Orders(), 0);
  EXPECT_EQ(NewestState(), "rolled-back");
  const std::string notes = Slurp(dir_ / "notifications");
  EXPECT_NE(notes.find("\"event\":\"deploy-rolled-back\""), std::string::npos) << notes;
  EXPECT_NE(notes.find("\"reason\":\"the health gate failed\""), std::string::npos) << notes;
  EXPECT_NE(notes.find("was not healthy within 3000 ms: last answer HTTP 503"), std::string::npos) << notes;

  EXPECT_EQ(Dbroll("deploy --release v3"), 10) << last_output_;
  EXPECT_NE(last_output_.find("deploys are frozen since"), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find(": deploy 2 of v2 was rolled back: the health gate failed"), std::string::npos);
  ASSERT_EQ(Dbroll("unfreeze"), 0) << last_output_;
  EXPECT_EQ(Dbroll("deploy --release v3"), 0) << last_output_;
  EXPECT_EQ(Orders(), 1);
}

TEST_F(DeployE2E, FailingAppDeployHookIsRolledBackWithItsOutput) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  std::ofstream(dir_ / "fail-deploy");
  EXPECT_EQ(Dbroll("deploy --release v2"), 8) << last_output_;
  EXPECT_NE(last_output_.find("app_deploy hook `./hook.sh deploy` exited with 4"), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find("last lines:\nboom: image not found"), std::string::npos) << last_output_;
  EXPECT_EQ(Orders(), 0);
  EXPECT_EQ(HookLines().back(), "revert v2 orders=0");
  std::string history;
  ASSERT_EQ(Dbroll("history", &history), 0);
  EXPECT_NE(history.find("deploy:hook"), std::string::npos) << history;
  EXPECT_NE(history.find("boom: image not found"), std::string::npos) << history;
}

TEST_F(DeployE2E, FailedMigrationRecordsTheDeployAndTouchesNothingElse) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  // Lint-clean, so it passes the preflight; it fails only when it runs.
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);\nINSERT INTO no_such_table VALUES (1);",
               "DROP TABLE orders;");
  EXPECT_EQ(Dbroll("deploy --release v2"), 4) << last_output_;
  EXPECT_NE(last_output_.find("deploy 2 of v2 failed, the app was not touched: "), std::string::npos) << last_output_;
  EXPECT_EQ(HookLines(), (std::vector<std::string>{"deploy v1 orders=0"}));
  EXPECT_EQ(Orders(), 0);
  auto j = Deploys();
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["deploys"][0]["state"], "failed");
  EXPECT_TRUE(j["frozen"].is_null());
  EXPECT_NE(Slurp(dir_ / "notifications").find("\"event\":\"deploy-failed\""), std::string::npos);
}

TEST_F(DeployE2E, LintErrorsInPendingMigrationsRefuseTheDeploy) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  AddMigration("0002_purge", "CREATE TABLE orders (id integer primary key);\nDROP TABLE users;",
               "CREATE TABLE users (id integer primary key);\nDROP TABLE orders;");
  EXPECT_EQ(Dbroll("deploy --release v2"), 1) << last_output_;
  EXPECT_NE(last_output_.find("0002_purge/up.sql:2:1: drop-table: "), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find("lint errors in the pending migrations"), std::string::npos) << last_output_;
  EXPECT_EQ(Orders(), 0);
  EXPECT_EQ(HookLines(), (std::vector<std::string>{"deploy v1 orders=0"}));
}

TEST_F(DeployE2E, KilledDuringTheHealthGateThenRollbackFinishesTheJob) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  WriteConfig("60s");
  SetHealthy(false);
  pid_t pid = Spawn({DBROLL_BINARY, "-C", proj_.string(), "deploy", "--release", "v2"},
                    (dir_ / "killed.txt").string());
  std::string state;
  for (int i = 0; i < 200 && state != "verifying"; ++i) {
    std::this_thread::sleep_for(milliseconds(100));
    state = NewestState();
  }
  ASSERT_EQ(state, "verifying") << Slurp(dir_ / "killed.txt");
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_EQ(Orders(), 1);
  WriteConfig("3s");
  EXPECT_EQ(Dbroll("rollback"), 0) << last_output_;
  EXPECT_EQ(Orders(), 0);
  EXPECT_EQ(HookLines().back(), "revert v2 orders=0");
  auto j = Deploys();
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["deploys"][0]["state"], "rolled-back");
  EXPECT_EQ(j["deploys"][0]["reason"], "manual rollback of a deploy interrupted in state verifying");
  EXPECT_FALSE(j["frozen"].is_null());
}

TEST_F(DeployE2E, RollbackFromAnOlderCheckoutUsesTheStoredDowns) {
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  ASSERT_EQ(Dbroll("deploy --release v2"), 0) << last_output_;
  ASSERT_EQ(Orders(), 1);
  fs::remove_all(proj_ / "migrations" / "0002_orders");  // back on v1's checkout
  EXPECT_EQ(Dbroll("rollback --reason 'bad numbers on the dashboard'"), 0) << last_output_;
  EXPECT_NE(last_output_.find("0002_orders: files not on disk; using the down script stored at apply time"),
            std::string::npos)
      << last_output_;
  EXPECT_EQ(Orders(), 0);
  EXPECT_EQ(HookLines().back(), "revert v2 orders=0");
  auto j = Deploys();
  EXPECT_EQ(j["deploys"][0]["reason"], "bad numbers on the dashboard");
  EXPECT_NE(Slurp(dir_ / "notifications").find("bad numbers on the dashboard"), std::string::npos);
}

}  // namespace
}  // namespace dbroll
