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

// A hook that records its pid, then waits until the file `release` appears.
void WriteSlowHook(const fs::path& proj, const fs::path& dir) {
  std::ofstream(proj / "slow.sh") << "#!/bin/sh\necho $$ > " << Quote((dir / "slow.pid").string()) << "\n"
                                  << "while [ ! -f " << Quote((dir / "release").string()) << " ]; do sleep 0.1; done\n";
  fs::permissions(proj / "slow.sh", fs::perms::owner_all);
}

pid_t ReadPid(const fs::path& file) {
  pid_t pid = 0;
  testing_servers::WaitFor([&] { return (pid = std::atoi(Slurp(file).c_str())) > 0; }, milliseconds(20000));
  return pid;
}

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
    } else if (backend == "mysql") {
      const char* base = std::getenv("DBROLL_TEST_MYSQL_URL");
      const char* require = std::getenv("DBROLL_REQUIRE_SERVERS");
      if (!base || !*base) {
        if (require && std::string(require) == "1")
          FAIL() << "DBROLL_TEST_MYSQL_URL is not set (eval \"$(scripts/start-servers)\")";
        GTEST_SKIP() << "DBROLL_TEST_MYSQL_URL is not set";
      }
      DriverOptions probe;
      probe.url = base;
      auto d = OpenDriver(probe);
      if (!d.ok() && d.status().code() == Code::kUnsupported) GTEST_SKIP() << "MySQL driver not built";
      ASSERT_TRUE(d.ok()) << d.status().message();
      // mysql://user@host:port/db -> the mysql client's flags.
      const std::string b = base;
      const size_t at = b.find('@'), colon = b.find(':', at), slash = b.find('/', at);
      const std::string user = b.substr(8, at - 8), host = b.substr(at + 1, colon - at - 1),
                        port = b.substr(colon + 1, slash - colon - 1);
      my_client_ = "mysql -h " + host + " -P " + port + " -u " + user + " -N";
      db_name_ = "coord_e2e_" + std::to_string(getpid()) + "_" + std::to_string(++counter_);
      ASSERT_EQ(Sh(my_client_ + " -e 'DROP DATABASE IF EXISTS " + db_name_ + "; CREATE DATABASE " + db_name_ + "'"), 0);
      url_ = b.substr(0, slash + 1) + db_name_;
      count_orders_ = my_client_ + " -e \"select count(*) from information_schema.tables where table_schema='" +
                      db_name_ + "' and table_name='orders'\"";
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
    if (!db_name_.empty() && !pg_base_.empty()) {
      Sh("psql " + Quote(pg_base_) + " -qc 'DROP DATABASE IF EXISTS " + db_name_ + " WITH (FORCE)'");
    }
    if (!db_name_.empty() && !my_client_.empty()) Sh(my_client_ + " -e 'DROP DATABASE IF EXISTS " + db_name_ + "'");
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  static int Sh(const std::string& cmd) {
    int rc = std::system((cmd + " >/dev/null 2>&1").c_str());
    return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
  }

  void WriteConfig(const std::string& health_timeout, const std::string& app_deploy = "./hook.sh deploy",
                   const std::string& extra = "") {
    std::ofstream(proj_ / "dbroll.toml") << "[database]\nurl = \"" << url_ << "\"\n"
                                         << "[deploy]\napp_deploy = \"" << app_deploy << "\"\n"
                                         << extra << "app_revert = \"./hook.sh revert\"\n"
                                         << "health_url = \"http://127.0.0.1:" << app_port_ << "/healthz\"\n"
                                         << "health_timeout = \"" << health_timeout << "\"\n"
                                         << "health_interval = \"100ms\"\nhealthy_after = 2\nhook_timeout = \"20s\"\n"
                                         << "[notify]\nwebhook = \"http://127.0.0.1:" << hook_port_
                                         << "/services/T0/B0/s3cret\"\n";
  }

  void AddMigration(const std::string& name, const std::string& up, const std::string& down) {
    testing_servers::WriteMigration(proj_, name, up, down);
  }

  // Starts `dbroll deploy --release v1` whose app hook (slow.sh) keeps
  // running, its output in dir_/<out>; returns its pid, the hook's in *hook.
  pid_t DeployWithSlowHook(const std::string& out, pid_t* hook) {
    WriteSlowHook(proj_, dir_);
    WriteConfig("3s", "./slow.sh");
    const pid_t dbroll =
        Spawn({DBROLL_BINARY, "-C", proj_.string(), "deploy", "--release", "v1"}, (dir_ / out).string());
    *hook = ReadPid(dir_ / "slow.pid");
    return dbroll;
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
  std::string url_, pg_base_, my_client_, db_name_, count_orders_, last_output_;
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
  // MariaDB cannot roll DDL back, so there the failing statement comes first.
  AddMigration("0002_orders",
               std::string(DBROLL_E2E_BACKEND) == "mysql"
                   ? "INSERT INTO no_such_table VALUES (1);\nCREATE TABLE orders (id integer primary key);"
                   : "CREATE TABLE orders (id integer primary key);\nINSERT INTO no_such_table VALUES (1);",
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

TEST_F(DeployE2E, PurgeAfterDropsTheArchivesOfEarlierReleasesOnceHealthy) {
  WriteConfig("3s", "./hook.sh deploy", "purge_after = \"0s\"\n");
  ASSERT_EQ(Dbroll("deploy --release v1"), 0) << last_output_;
  AddMigration("0002_audit", "-- dbroll:keep-data\nCREATE TABLE audit (id integer primary key);\nDROP TABLE users;",
               "CREATE TABLE users (id integer primary key);\nDROP TABLE audit;");
  ASSERT_EQ(Dbroll("deploy --release v2"), 0) << last_output_;
  EXPECT_EQ(last_output_.find("purged keep-data archive"), std::string::npos) << last_output_;
  AddMigration("0003_drop_audit", "-- dbroll:keep-data\nDROP TABLE audit;",
               "CREATE TABLE audit (id integer primary key);");
  ASSERT_EQ(Dbroll("deploy --release v3 --format json"), 0) << last_output_;
  // v2's archive goes; v3's stays, for a rollback of v3.
  EXPECT_NE(last_output_.find("\"event\":\"archives_purged\",\"deploy\":3,\"release\":\"v3\",\"archives\":[{"
                              "\"version\":\"0002\",\"table\":\"users\""),
            std::string::npos)
      << last_output_;
  ASSERT_EQ(Dbroll("purge --older-than 0s --dry-run"), 0) << last_output_;
  EXPECT_EQ(last_output_.rfind("would purge 0003: audit (", 0), 0u) << last_output_;
  EXPECT_EQ(last_output_.find("0002"), std::string::npos) << last_output_;

  WriteConfig("3s", "./hook.sh deploy", "purge_after = \"7d\"\n");
  EXPECT_EQ(Dbroll("deploy --release v4"), 2) << last_output_;
  EXPECT_NE(last_output_.find("dbroll.toml:5:15: [deploy] purge_after: '7d' is not a duration (unknown unit 'd')"),
            std::string::npos)
      << last_output_;
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

bool Alive(pid_t pid) { return pid > 0 && kill(pid, 0) == 0; }

TEST_F(DeployE2E, FourDeploysAtOnceExactlyOneRunsTheOthersAreRefused) {
  ASSERT_EQ(Dbroll("deploy --release v0"), 0) << last_output_;
  AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  // A deploy that lasts a second, so the four overlap.
  std::ofstream(proj_ / "sleepy.sh") << "#!/bin/sh\n./hook.sh \"$@\"\nsleep 1\n";
  fs::permissions(proj_ / "sleepy.sh", fs::perms::owner_all);
  WriteConfig("3s", "./sleepy.sh deploy");
  std::vector<pid_t> pids;
  for (int i = 0; i < 4; ++i) {
    pids.push_back(Spawn({DBROLL_BINARY, "-C", proj_.string(), "deploy", "--release", "v1." + std::to_string(i)},
                         (dir_ / ("race" + std::to_string(i) + ".txt")).string()));
  }
  int ok = 0, refused = 0;
  std::string outputs;
  for (int i = 0; i < 4; ++i) {
    int st = 0;
    waitpid(pids[i], &st, 0);
    const int rc = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
    const std::string out = Slurp(dir_ / ("race" + std::to_string(i) + ".txt"));
    outputs += out;
    if (rc == 0) ++ok;
    if (rc == 12) {
      ++refused;
      EXPECT_NE(out.find(" is in progress since "), std::string::npos) << out;
    }
  }
  EXPECT_EQ(ok, 1) << outputs;
  EXPECT_EQ(refused, 3) << outputs;
  int deploys = 0;
  for (const std::string& l : HookLines()) deploys += l.rfind("deploy v1.", 0) == 0;
  EXPECT_EQ(deploys, 1);
  auto j = Deploys();
  ASSERT_EQ(j["deploys"].size(), 2u);
  EXPECT_EQ(j["deploys"][0]["previous_release"], "v0");
}

TEST_F(DeployE2E, SigtermStopsTheRunningHookAndLeavesTheDeployResumable) {
  pid_t hook = 0;
  const pid_t dbroll = DeployWithSlowHook("term.txt", &hook);
  ASSERT_GT(hook, 0) << Slurp(dir_ / "term.txt");
  kill(dbroll, SIGTERM);
  int st = 0;
  waitpid(dbroll, &st, 0);
  EXPECT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 5) << Slurp(dir_ / "term.txt");
  EXPECT_FALSE(Alive(hook));
  const std::string out = Slurp(dir_ / "term.txt");
  EXPECT_NE(out.find("deploy 1 of v1 was interrupted by signal 15 during app-deploy, in state migrated -- resume it "
                     "to continue, or roll it back to undo it\nnext, to continue it: dbroll deploy --resume\nnext, to "
                     "undo it: dbroll rollback\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(NewestState(), "migrated");
  std::ofstream(dir_ / "release");
  EXPECT_EQ(Dbroll("deploy --resume"), 0) << last_output_;
}

TEST_F(DeployE2E, ResumeRefusesWhileTheHookOfAKilledDeployStillRuns) {
  pid_t hook = 0;
  const pid_t dbroll = DeployWithSlowHook("killed.txt", &hook);
  ASSERT_GT(hook, 0) << Slurp(dir_ / "killed.txt");
  kill(dbroll, SIGKILL);
  waitpid(dbroll, nullptr, 0);
  ASSERT_TRUE(Alive(hook));
  EXPECT_EQ(Dbroll("deploy --resume"), 12) << last_output_;
  EXPECT_NE(last_output_.find("still runs as process group " + std::to_string(hook)), std::string::npos)
      << last_output_;
  std::ofstream(dir_ / "release");  // the old hook ends
  ASSERT_TRUE(testing_servers::WaitFor([&] { return !Alive(hook); }, milliseconds(10000)));
  EXPECT_EQ(Dbroll("deploy --resume"), 0) << last_output_;
  EXPECT_EQ(NewestState(), "succeeded");
}

TEST_F(DeployE2E, AnIgnoredSigchldDoesNotHangOrBlindTheHookWait) {
  // SIG_IGN survives exec: the deploy runs as a child of such a parent.
  std::ofstream(dir_ / "ign.py") << "import os, signal, sys\nsignal.signal(signal.SIGCHLD, signal.SIG_IGN)\n"
                                 << "os.execv(sys.argv[1], sys.argv[1:])\n";
  const int rc =
      std::system(("timeout 60 python3 " + Quote((dir_ / "ign.py").string()) + " " + Quote(DBROLL_BINARY) + " -C " +
                   Quote(proj_.string()) + " deploy --release v1 >" + Quote((dir_ / "ign.txt").string()) + " 2>&1")
                      .c_str());
  EXPECT_TRUE(WIFEXITED(rc) && WEXITSTATUS(rc) == 0) << Slurp(dir_ / "ign.txt");
  EXPECT_EQ(NewestState(), "succeeded");
}

TEST_F(DeployE2E, ShellSyntaxInAHookIsRefusedUnlessShellIsOn) {
  WriteConfig("3s", "echo a && false");
  EXPECT_EQ(Dbroll("deploy --release v1"), 2) << last_output_;
  EXPECT_NE(last_output_.find("[deploy] app_deploy = \"echo a && false\": \"&&\" is shell syntax, but hooks do not "
                              "run in a shell -- put the commands in a script, or set [deploy] shell = true to run "
                              "every hook with /bin/sh -c"),
            std::string::npos)
      << last_output_;
  WriteConfig("3s", "echo a && false", "shell = true\n");
  EXPECT_EQ(Dbroll("deploy --release v1"), 8) << last_output_;  // `false` fails the step: rolled back
  EXPECT_NE(last_output_.find("app_deploy hook `echo a && false` exited with 1"), std::string::npos) << last_output_;
  EXPECT_EQ(Deploys()["deploys"].size(), 1u);  // the refused one left no record
}

TEST_F(DeployE2E, SecretsInHookOutputAreRedactedEverywhere) {
  std::ofstream(proj_ / "leak.sh") << "#!/bin/sh\necho \"connect failed: token Sup3rSecretTok and "
                                   << "http://127.0.0.1:" << hook_port_ << "/services/T0/B0/s3cret\"\nexit 3\n";
  fs::permissions(proj_ / "leak.sh", fs::perms::owner_all);
  WriteConfig("3s", "./leak.sh");
  std::ofstream(proj_ / "dbroll.toml", std::ios::app) << "[alerts]\ntoken = \"Sup3rSecretTok\"\n";
  EXPECT_EQ(Dbroll("deploy --release v1"), 8) << last_output_;
  std::string everything = last_output_;
  Dbroll("deploys --format json");
  everything += last_output_;
  Dbroll("history --format json");
  everything += last_output_;
  everything += Slurp(dir_ / "notifications");
  EXPECT_NE(everything.find("connect failed: token ***"), std::string::npos) << everything;
  EXPECT_EQ(everything.find("Sup3rSecretTok"), std::string::npos) << everything;
  EXPECT_EQ(everything.find("/services/T0/B0/s3cret"), std::string::npos) << everything;
}

}  // namespace
}  // namespace dbroll
