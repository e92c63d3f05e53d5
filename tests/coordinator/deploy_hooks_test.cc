// The CLI's hook implementations: command hooks as real processes, the HTTP
// health gate and the webhook against an in-process HTTP server on loopback.
#include "dbroll/deploy_hooks.h"

#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>
#include <thread>

#include "coordinator/process.h"

namespace dbroll {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;

std::string Slurp(const fs::path& p) {
  std::ifstream in(p);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class TempDir {
 public:
  TempDir() : path_(fs::temp_directory_path() / ("dbroll-hooks-" + std::to_string(getpid()) + "-" +
                                                 ::testing::UnitTest::GetInstance()->current_test_info()->name())) {
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

// Hooks that run in `t`, stopped after `timeout` when given.
CommandOptions In(const TempDir& t, std::optional<milliseconds> timeout = std::nullopt) {
  CommandOptions o;
  o.working_dir = t.path().string();
  if (timeout) o.timeout = *timeout;
  return o;
}

DeployContext Ctx() {
  DeployContext c;
  c.deploy_id = 7;
  c.release = "v2";
  c.previous_release = "v1";
  c.target_release = "v2";
  c.schema_version = "0002";
  c.action = "deploy";
  return c;
}

TEST(SplitCommandLineTest, SplitsLikeAShellWithoutExpanding) {
  auto argv = SplitCommandLine(R"(./deploy.sh  'a b' "c \"d\"" e\ f $(id) `x` ;rm)");
  ASSERT_TRUE(argv.ok());
  EXPECT_EQ(argv.value(),
            (std::vector<std::string>{"./deploy.sh", "a b", "c \"d\"", "e f", "$(id)", "`x`", ";rm"}));
  EXPECT_EQ(SplitCommandLine("echo 'open").status().message(), "unclosed ' in command `echo 'open`");
  EXPECT_EQ(SplitCommandLine("   ").status().message(), "empty command");
}

TEST(CommandAppControllerTest, HookSeesTheDeployInItsEnvironmentAndNoShell) {
  TempDir t;
  std::ofstream(t.path() / "hook.sh") << "#!/bin/sh\n"
                                         "echo \"$1 $DBROLL_DEPLOY_ID $DBROLL_RELEASE $DBROLL_PREVIOUS_RELEASE "
                                         "$DBROLL_TARGET_RELEASE $DBROLL_SCHEMA_VERSION $DBROLL_ACTION\" > env.txt\n";
  fs::permissions(t.path() / "hook.sh", fs::perms::owner_all);
  CommandOptions o = In(t);
  std::string logged;
  o.on_output = [&](const std::string& what, const std::string&) { logged = what; };
  auto app = NewCommandAppController("./hook.sh '$(touch pwned)'", "", o);
  ASSERT_TRUE(app->Deploy(Ctx()).ok());
  EXPECT_EQ(Slurp(t.path() / "env.txt"), "$(touch pwned) 7 v2 v1 v2 0002 deploy\n");
  EXPECT_FALSE(fs::exists(t.path() / "pwned"));
  EXPECT_EQ(logged.rfind("app_deploy hook `./hook.sh '$(touch pwned)'` exited with 0 (", 0), 0u) << logged;
  EXPECT_TRUE(app->Revert(Ctx()).ok());  // no revert hook configured: nothing to do
}

TEST(CommandAppControllerTest, FailingHookReportsExitCodeAndLastLines) {
  TempDir t;
  CommandOptions o = In(t);
  auto app = NewCommandAppController("", "sh -c 'for i in 1 2 3 4 5 6 7 8 9 10 11 12; do echo line$i; done; exit 3'", o);
  Status s = app->Revert(Ctx());
  ASSERT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_NE(s.message().find("app_revert hook `sh -c 'for i in"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("exited with 3 ("), std::string::npos);
  const std::string tail = s.message().substr(s.message().find("last lines:\n"));
  EXPECT_EQ(tail, "last lines:\nline3\nline4\nline5\nline6\nline7\nline8\nline9\nline10\nline11\nline12");
}

TEST(CommandAppControllerTest, HookThatHangsIsKilledAtItsTimeout) {
  TempDir t;
  CommandOptions o = In(t, milliseconds(300));
  auto app = NewCommandAppController("sh -c 'echo starting; sleep 30'", "", o);
  const auto t0 = std::chrono::steady_clock::now();
  Status s = app->Deploy(Ctx());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(5));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("timed out after 300 ms and was killed"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find("last lines:\nstarting"), std::string::npos) << s.message();
}

TEST(CommandAppControllerTest, IgnoredSigchldEndsTheWaitInsteadOfHanging) {
  // With SIGCHLD ignored the kernel reaps the hook and waitpid() fails with
  // ECHILD: the wait loop used to spin forever.
  TempDir t;
  CommandOptions o = In(t, milliseconds(20000));
  auto app = NewCommandAppController("true", "", o);
  ::signal(SIGCHLD, SIG_IGN);
  const auto t0 = std::chrono::steady_clock::now();
  Status s = app->Deploy(Ctx());
  ::signal(SIGCHLD, SIG_DFL);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("ended, but its exit status is lost because SIGCHLD is ignored"), std::string::npos)
      << s.message();
}

TEST(CommandAppControllerTest, RequestStopForwardsTheSignalToTheHooksProcessGroup) {
  TempDir t;
  CommandOptions o = In(t);
  const std::string pid_file = (t.path() / "child.pid").string();
  // The shell starts a child (in the hook's process group) and waits for it.
  auto app = NewCommandAppController("sh -c 'sleep 30 & echo $! > " + pid_file + "; wait'", "", o);
  long long seen_pgid = 0;
  DeployContext ctx = Ctx();
  ctx.on_hook_start = [&](long long pgid) {
    if (pgid != 0) seen_pgid = pgid;
  };
  std::thread stopper([&] {
    for (int i = 0; i < 200 && Slurp(pid_file).empty(); ++i) std::this_thread::sleep_for(milliseconds(20));
    RequestStop(SIGTERM);
  });
  const auto t0 = std::chrono::steady_clock::now();
  Status s = app->Deploy(ctx);
  stopper.join();
  internal::ResetStopForTest();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_GT(seen_pgid, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.message().find("was stopped: dbroll got signal 15 and passed it on"), std::string::npos) << s.message();
  const pid_t child = std::atoi(Slurp(pid_file).c_str());
  ASSERT_GT(child, 0);
  // The grandchild got the signal too: the whole group was told.
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = kill(child, 0) != 0;
    if (!gone) std::this_thread::sleep_for(milliseconds(20));
  }
  EXPECT_TRUE(gone);
}

TEST(CheckNoShellSyntaxTest, RefusesShellOperatorsOutsideQuotes) {
  EXPECT_TRUE(CheckNoShellSyntax("[deploy] app_deploy", "./deploy.sh --tag 'a && b' \"x|y\"").ok());
  Status s = CheckNoShellSyntax("[deploy] app_deploy", "echo a && false");
  EXPECT_EQ(s.code(), Code::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "[deploy] app_deploy = \"echo a && false\": \"&&\" is shell syntax, but hooks do not run in a shell -- "
            "put the commands in a script, or set [deploy] shell = true to run every hook with /bin/sh -c");
  for (const char* bad : {"a; b", "a | b", "a > f", "echo $HOME", "echo `id`", "ls *.sh", "(a)"}) {
    EXPECT_FALSE(CheckNoShellSyntax("k", bad).ok()) << bad;
  }
}

TEST(CommandAppControllerTest, HookThatLeavesADaemonRunningStillFinishes) {
  TempDir t;
  CommandOptions o = In(t, milliseconds(5000));
  // The daemon inherits the output pipe; the hook is done when it exits.
  auto app = NewCommandAppController("sh -c 'sleep 3 & echo started'", "", o);
  const auto t0 = std::chrono::steady_clock::now();
  EXPECT_TRUE(app->Deploy(Ctx()).ok());
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
}

TEST(CommandAppControllerTest, MissingProgramIsAClearError) {
  CommandOptions o;
  auto app = NewCommandAppController("/nonexistent/deploy-app", "", o);
  EXPECT_EQ(app->Deploy(Ctx()).message(), "app_deploy hook: cannot run /nonexistent/deploy-app: No such file or directory");
}

TEST(CommandNotifierTest, EventArrivesAsJsonOnStdin) {
  TempDir t;
  CommandOptions o = In(t);
  auto n = NewCommandNotifier("sh -c 'cat > event.json'", o);
  DeployEvent e;
  e.kind = "deploy-rolled-back";
  e.deploy.id = 3;
  e.deploy.release = "v2";
  e.deploy.target_release = "v1";
  e.deploy.reason = "the health gate failed";
  e.deploy.failed_check = "HTTP 503";
  e.steps = {StepTiming{"migrate", milliseconds(12), true}};
  ASSERT_TRUE(n->Notify(e).ok());
  const std::string got = Slurp(t.path() / "event.json");
  EXPECT_NE(got.find("\"event\":\"deploy-rolled-back\""), std::string::npos) << got;
  EXPECT_NE(got.find("\"text\":\"dbroll: deploy 3 of v2 was ROLLED BACK to v1 (schema none): the health gate "
                     "failed: HTTP 503 [migrate 12 ms]\""),
            std::string::npos)
      << got;
}

class HttpServer {
 public:
  HttpServer() {
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(milliseconds(5));
  }
  ~HttpServer() {
    server_.stop();
    thread_.join();
  }
  httplib::Server& server() { return server_; }
  std::string Url(const std::string& path) const { return "http://127.0.0.1:" + std::to_string(port_) + path; }

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

TEST(HttpHealthGateTest, NeedsConsecutiveHealthyAnswers) {
  std::atomic<int> hits{0};
  HttpServer http;
  // 200, 503, 200, 200: the streak restarts after the 503.
  http.server().Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
    res.status = ++hits == 2 ? 503 : 200;
  });
  auto gate = NewHttpHealthGate({http.Url("/healthz"), milliseconds(5000), milliseconds(50), 2});
  ASSERT_TRUE(gate->Check(Ctx()).ok());
  EXPECT_EQ(hits.load(), 4);
}

TEST(HttpHealthGateTest, NeverHealthyFailsWithTheLastAnswerAndNoSecrets) {
  HttpServer http;
  http.server().Get("/healthz", [&](const httplib::Request&, httplib::Response& res) {
    res.status = 503;
    res.set_content("db down", "text/plain");
  });
  std::string url = http.Url("/healthz");
  url.insert(7, "user:s3cret@");
  auto gate = NewHttpHealthGate({url + "?token=s3cret", milliseconds(400), milliseconds(100), 2});
  Status s = gate->Check(Ctx());
  ASSERT_EQ(s.code(), Code::kCheckFailed);
  EXPECT_EQ(s.message().find("s3cret"), std::string::npos) << s.message();
  EXPECT_NE(s.message().find(http.Url("/healthz") + " was not healthy within 400 ms: last answer HTTP 503 \"db down\" "
                                                    "(0/2 consecutive 2xx after "),
            std::string::npos)
      << s.message();
}

TEST(WebhookNotifierTest, PostsSlackCompatibleJsonAndNeverPrintsTheUrl) {
  HttpServer http;
  std::string body, type;
  http.server().Post("/hooks/T000/s3cret", [&](const httplib::Request& req, httplib::Response& res) {
    body = req.body;
    type = req.get_header_value("Content-Type");
    res.status = 200;
  });
  DeployEvent e;
  e.kind = "deploy-succeeded";
  e.deploy.id = 1;
  e.deploy.release = "v1";
  ASSERT_TRUE(NewWebhookNotifier(http.Url("/hooks/T000/s3cret"), milliseconds(2000))->Notify(e).ok());
  EXPECT_EQ(type, "application/json");
  EXPECT_EQ(body.rfind("{", 0), 0u);
  EXPECT_NE(body.find("\"text\":\"dbroll: deploy 1 of v1 succeeded"), std::string::npos) << body;
  EXPECT_NE(body.find("\"release\":\"v1\""), std::string::npos);

  Status s = NewWebhookNotifier(http.Url("/hooks/T000/wrong-s3cret"), milliseconds(2000))->Notify(e);
  EXPECT_EQ(s.message(), "webhook notification failed: HTTP 404");
  Status down = NewWebhookNotifier("http://127.0.0.1:1/hooks/s3cret", milliseconds(1000))->Notify(e);
  EXPECT_FALSE(down.ok());
  EXPECT_EQ(down.message().find("s3cret"), std::string::npos) << down.message();
}

}  // namespace
}  // namespace dbroll
