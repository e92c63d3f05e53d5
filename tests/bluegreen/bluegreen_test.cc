// Blue-green end to end: nginx (its own config, prefix, pid file and logs)
// in front of a blue and a green python3 app. The hooks start green, rewrite
// the upstream and reload nginx, retire blue or discard green.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/servers.h"

namespace dbroll {
namespace {

using namespace testing_servers;  // NOLINT: test helpers
using std::chrono::milliseconds;

// Answers every GET with its colour; writes its pid to <root>/<colour>.pid.
constexpr char kApp[] = R"PY(
import http.server, sys, os
root, colour, port = sys.argv[1], sys.argv[2], int(sys.argv[3])
open(os.path.join(root, colour + ".pid"), "w").write(str(os.getpid()))
class H(http.server.BaseHTTPRequestHandler):
    def log_message(self, *a): pass
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(colour.encode())
http.server.ThreadingHTTPServer(("127.0.0.1", port), H).serve_forever()
)PY";

class BlueGreenE2E : public ::testing::Test {
 protected:
  void SetUp() override {
    nginx_ = FindBinary("nginx");
    DBROLL_REQUIRE_BINARY(nginx_, "nginx");
    const std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
    dir_ = fs::temp_directory_path() / ("dbroll-bg-" + std::to_string(getpid()) + "-" + name);
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    db_ = TestDatabase::Make(DBROLL_BG_BACKEND, dir_, "bg_" + std::to_string(++counter_));
    if (db_.skipped) GTEST_SKIP() << db_.error;
    ASSERT_TRUE(db_.error.empty()) << db_.error;
    proj_ = dir_ / "proj";
    fs::create_directories(proj_ / "migrations");
    fs::create_directories(dir_ / "nginx" / "logs");
    std::ofstream(dir_ / "app.py") << kApp;
    blue_port_ = FreePort();
    green_port_ = FreePort();
    nginx_port_ = FreePort();
    // Blue is what runs today; green is started by the green_deploy hook.
    blue_ = Spawn({"python3", (dir_ / "app.py").string(), dir_.string(), "blue", std::to_string(blue_port_)}, "");
    ASSERT_TRUE(WaitFor([&] { return Answers(blue_port_); }, milliseconds(10000)));

    const fs::path ngx = dir_ / "nginx";
    std::ofstream(ngx / "upstream.conf") << "server 127.0.0.1:" << blue_port_ << ";\n";
    std::ofstream(ngx / "nginx.conf")
        << (geteuid() == 0 ? "user root;\n" : "") << "worker_processes 1;\n"
        << "pid " << (ngx / "nginx.pid").string() << ";\nerror_log " << (ngx / "logs/error.log").string() << ";\n"
        << "events { worker_connections 64; }\n"
        << "http {\n  access_log off;\n"
        << "  client_body_temp_path " << (ngx / "body").string() << ";\n"
        << "  proxy_temp_path " << (ngx / "proxy").string() << ";\n"
        << "  fastcgi_temp_path " << (ngx / "fastcgi").string() << ";\n"
        << "  uwsgi_temp_path " << (ngx / "uwsgi").string() << ";\n"
        << "  scgi_temp_path " << (ngx / "scgi").string() << ";\n"
        << "  upstream app { include " << (ngx / "upstream.conf").string() << "; }\n"
        << "  server {\n    listen 127.0.0.1:" << nginx_port_ << ";\n"
        << "    location / { proxy_pass http://app; }\n  }\n}\n";
    nginx_args_ = Quote(nginx_) + " -c " + Quote((ngx / "nginx.conf").string()) + " -p " + Quote(ngx.string() + "/");
    std::string out;
    ASSERT_EQ(Sh(nginx_args_, &out), 0) << out;
    nginx_started_ = true;
    ASSERT_TRUE(WaitFor([&] { return Through() == "blue"; }, milliseconds(10000))) << Through();

    // The hooks: real process management, and the switch rewrites the
    // upstream and reloads nginx.
    std::ofstream(proj_ / "bg.sh")
        << "#!/bin/sh\nset -e\nd=" << Quote(dir_.string()) << "\n"
        << "echo \"$1 $DBROLL_RELEASE $DBROLL_TARGET_RELEASE\" >> $d/hooks.log\n"
        << "case $1 in\n"
        << "  green) setsid python3 $d/app.py $d green " << green_port_ << " >/dev/null 2>&1 < /dev/null &\n"
        << "    i=0; until [ -s $d/green.pid ] && curl -s -o /dev/null http://127.0.0.1:" << green_port_
        << "/; do i=$((i+1)); [ $i -lt 100 ] || exit 1; sleep 0.1; done ;;\n"
        << "  switch) [ \"$DBROLL_ACTION\" = switch-back ] && p=" << blue_port_ << " || p=" << green_port_ << "\n"
        << "    echo \"server 127.0.0.1:$p;\" > " << Quote((ngx / "upstream.conf").string()) << "\n"
        << "    " << nginx_args_ << " -s reload ;;\n"
        << "  retire) kill $(cat $d/blue.pid) ;;\n"
        << "  discard) kill $(cat $d/green.pid); rm -f $d/green.pid ;;\n"
        << "esac\n";
    fs::permissions(proj_ / "bg.sh", fs::perms::owner_all);
    WriteConfig("1h");
    AddMigration("0001_users", "CREATE TABLE users (id integer primary key);", "DROP TABLE users;");
    ASSERT_EQ(Dbroll("migrate --release v1"), 0) << last_output_;
    AddMigration("0002_orders", "CREATE TABLE orders (id integer primary key);", "DROP TABLE orders;");
  }

  void TearDown() override {
    if (nginx_started_) Sh(nginx_args_ + " -s stop");
    Stop(&blue_);
    const std::string green = Slurp(dir_ / "green.pid");
    if (!green.empty()) kill(std::atoi(green.c_str()), SIGTERM);
    db_.Drop();
    std::error_code ec;
    fs::remove_all(dir_, ec);
  }

  void WriteConfig(const std::string& approval_timeout) {
    std::ofstream(proj_ / "dbroll.toml") << "[database]\nurl = \"" << db_.url << "\"\n"
                                         << "[deploy]\ngreen_deploy = \"./bg.sh green\"\n"
                                         << "switch = \"./bg.sh switch\"\nretire_blue = \"./bg.sh retire\"\n"
                                         << "discard_green = \"./bg.sh discard\"\n"
                                         << "green_health_url = \"http://127.0.0.1:" << green_port_ << "/healthz\"\n"
                                         << "public_health_url = \"http://127.0.0.1:" << nginx_port_ << "/healthz\"\n"
                                         << "health_interval = \"100ms\"\nhealth_timeout = \"5s\"\n"
                                         << "healthy_after = 2\nhook_timeout = \"20s\"\n"
                                         << "approval_timeout = \"" << approval_timeout << "\"\n";
  }

  void AddMigration(const std::string& name, const std::string& up, const std::string& down) {
    WriteMigration(proj_, name, up, down);
  }
  int Dbroll(const std::string& args) { return RunDbroll(proj_, args, &last_output_); }

  std::string Through() {
    std::string out;
    Sh("curl -s -m 2 http://127.0.0.1:" + std::to_string(nginx_port_) + "/", &out);
    return out;
  }

  // Ten requests through nginx all reach `colour`.
  bool AllReach(const std::string& colour) {
    for (int i = 0; i < 10; ++i) {
      if (Through() != colour) return false;
    }
    return true;
  }

  int Orders() { return db_.TableCount("orders"); }

  nlohmann::json Deploys() { return nlohmann::json::parse(DbrollJson(proj_, "deploys"), nullptr, false); }

  std::string nginx_, nginx_args_, last_output_;
  bool nginx_started_ = false;
  static inline int counter_ = 0;
  TestDatabase db_;
  fs::path dir_, proj_;
  int blue_port_ = 0, green_port_ = 0, nginx_port_ = 0;
  pid_t blue_ = -1;
};

TEST_F(BlueGreenE2E, ApproveSwitchesTrafficToGreenAndRetiresBlue) {
  EXPECT_EQ(Dbroll("deploy --strategy blue-green --release v2"), 9) << last_output_;
  EXPECT_NE(last_output_.find("deploy 1 of v2 awaits approval since "), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find("-- approve it, or reject it with a reason\nnext, to approve it: dbroll approve 1\n"
                                "next, to reject it: dbroll reject 1 --reason TEXT\n"), std::string::npos);
  EXPECT_EQ(Deploys()["deploys"][0]["state"], "awaiting-approval");
  EXPECT_EQ(Orders(), 1);
  EXPECT_TRUE(Answers(green_port_));
  EXPECT_TRUE(AllReach("blue"));  // green runs, but nobody reaches it yet

  EXPECT_EQ(Dbroll("approve 1"), 0) << last_output_;
  EXPECT_TRUE(WaitFor([&] { return AllReach("green"); }, milliseconds(15000))) << Through();
  EXPECT_TRUE(WaitFor([&] { return !Answers(blue_port_); }, milliseconds(15000)));
  auto j = Deploys();
  EXPECT_EQ(j["deploys"][0]["state"], "succeeded");
  EXPECT_EQ(Slurp(dir_ / "hooks.log"), "green v2 v2\nswitch v2 v2\nretire v2 v1\n");
  EXPECT_EQ(Dbroll("approve 1"), 2);
}

TEST_F(BlueGreenE2E, RejectKeepsBlueDiscardsGreenAndRollsTheMigrationsBack) {
  ASSERT_EQ(Dbroll("deploy --strategy blue-green --release v2"), 9) << last_output_;
  EXPECT_EQ(Dbroll("reject 1 --reason 'checkout looks wrong'"), 0) << last_output_;
  EXPECT_TRUE(AllReach("blue"));
  EXPECT_TRUE(WaitFor([&] { return !Answers(green_port_); }, milliseconds(15000)));
  EXPECT_EQ(Orders(), 0);
  auto j = Deploys();
  EXPECT_EQ(j["deploys"][0]["state"], "rolled-back");
  EXPECT_EQ(j["deploys"][0]["reason"], "rejected: checkout looks wrong");
  EXPECT_TRUE(j["frozen"].is_null());  // a person decided; nothing to investigate
  EXPECT_EQ(Slurp(dir_ / "hooks.log"), "green v2 v2\ndiscard v2 v1\n");
}

TEST_F(BlueGreenE2E, ApprovalTimeoutRejectsOnTheNextLook) {
  WriteConfig("1s");
  ASSERT_EQ(Dbroll("deploy --strategy blue-green --release v2"), 9) << last_output_;
  std::this_thread::sleep_for(milliseconds(1500));
  auto j = Deploys();
  EXPECT_EQ(j["deploys"][0]["state"], "rolled-back");
  EXPECT_EQ(j["deploys"][0]["reason"], "rejected: no approval within 1s");
  EXPECT_EQ(Orders(), 0);
  EXPECT_TRUE(AllReach("blue"));
  EXPECT_FALSE(Answers(green_port_));
}

TEST_F(BlueGreenE2E, BackwardIncompatibleMigrationIsRefusedBeforeAnythingRuns) {
  AddMigration("0003_rename", "ALTER TABLE users RENAME COLUMN id TO user_id;",
               "ALTER TABLE users RENAME COLUMN user_id TO id;");
  EXPECT_EQ(Dbroll("deploy --strategy blue-green --release v2"), 1) << last_output_;
  EXPECT_NE(last_output_.find("migrations/0003_rename/up.sql:1:"), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find(": rename-column: "), std::string::npos) << last_output_;
  EXPECT_NE(last_output_.find("nothing was deployed"), std::string::npos);
  EXPECT_EQ(Orders(), 0);
  EXPECT_TRUE(Deploys()["deploys"].empty());
  EXPECT_FALSE(fs::exists(dir_ / "hooks.log"));
}

}  // namespace
}  // namespace dbroll
