// serve: the Alertmanager webhook receiver (a bounded HTTP server, see
// http_server.h) in front of an AlertReceiver; also rejects blue-green
// deploys whose approval timed out.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <cctype>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <set>
#include <sstream>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/commands/http_server.h"
#include "cli/exit_codes.h"
#include "dbroll/alerts.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll::cli {
namespace {

Result<std::string> Token(const Config& cfg) {
  std::string token = cfg.Get("alerts", "token");
  const std::string file = cfg.Get("alerts", "token_file");
  if (token.empty() && !file.empty()) {
    std::filesystem::path p(file);
    if (p.is_relative() && !cfg.engine.base_dir.empty()) p = std::filesystem::path(cfg.engine.base_dir) / p;
    std::ifstream in(p);
    if (!in) return Status(Code::kInvalidArgument, "[alerts] token_file " + p.string() + " cannot be read");
    std::stringstream ss;
    ss << in.rdbuf();
    token = ss.str();
    while (!token.empty() && std::isspace(static_cast<unsigned char>(token.back()))) token.pop_back();
  }
  if (token.empty()) {
    if (const char* env = std::getenv("DBROLL_ALERTS_TOKEN")) token = env;
  }
  if (token.empty()) {
    return Status(Code::kInvalidArgument,
                  "dbroll serve needs a bearer token: [alerts] token, [alerts] token_file or DBROLL_ALERTS_TOKEN");
  }
  if (token.find_first_not_of(" \t\r\n\f\v") == std::string::npos) {
    return Status(Code::kInvalidArgument,
                  "[alerts] token is only whitespace, which any sender could guess -- set a random token, e.g. "
                  "openssl rand -hex 32");
  }
  if (token.find_first_of(" \t\r\n") != std::string::npos) {
    return Status(Code::kInvalidArgument,
                  "[alerts] token contains whitespace, which an Authorization header cannot carry intact -- use a "
                  "token without spaces, e.g. openssl rand -hex 32");
  }
  return token;
}

Result<std::pair<std::string, int>> ParseListen(const std::string& listen) {
  const size_t colon = listen.rfind(':');
  int port = colon == std::string::npos ? 0 : std::atoi(listen.c_str() + colon + 1);
  if (colon == std::string::npos || colon == 0 || port <= 0 || port > 65535) {
    return Status(Code::kInvalidArgument, "--listen " + listen + ": use HOST:PORT, e.g. 127.0.0.1:9095");
  }
  return std::make_pair(listen.substr(0, colon), port);
}

int Serve(Context& ctx, const std::string& listen_flag) {
  ::signal(SIGCHLD, SIG_DFL);  // hooks are waited for; an inherited SIG_IGN would lose their exit codes
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  auto listen = ParseListen(listen_flag.empty() ? cfg->Get("alerts", "listen", "127.0.0.1:9095") : listen_flag);
  if (!listen.ok()) return ctx.Fail(listen.status());
  auto token = Token(cfg.value());
  if (!token.ok()) return ctx.Fail(token.status());
  ctx.AddSecret(token.value());
  AlertReceiverOptions options;
  options.token = token.value();
  auto match = cfg->sections.find("alerts.match");
  if (match != cfg->sections.end()) options.match = match->second;
  if (options.match.empty()) {
    // Without a rule any alert (a full disk, a certificate about to expire)
    // would roll back the last deploy.
    return ctx.Fail(Status(Code::kInvalidArgument,
                           "[alerts.match] is missing: dbroll serve rolls back only for alerts carrying the labels "
                           "it names, e.g. [alerts.match] alertname = \"HighErrorRate\" (or match = { release = "
                           "\"...\" }) -- add it to dbroll.toml; see docs/alerts.md"));
  }
  const std::string max_body = cfg->Get("alerts", "max_body");
  if (!max_body.empty()) {
    const long long n = std::atoll(max_body.c_str());
    if (n < 1) return ctx.Fail(Status(Code::kInvalidArgument, "[alerts] max_body must be at least 1, not " + max_body));
    options.max_body = static_cast<size_t>(n);
  }
  auto engine = ctx.OpenEngine(cfg.value());
  if (!engine.ok()) return ctx.Fail(engine.status());
  Engine* e = engine.value().get();
  Redactor secrets = RedactorFromConfig(cfg.value());
  secrets.Add(token.value());
  auto kit = DeployKitFromConfig(cfg.value(), HookOutputToAuditLog(e, secrets.Function()));
  if (!kit.ok()) return ctx.Fail(kit.status());
  kit->redactor.Add(token.value());
  kit->options.redact = kit->redactor.Function();
  options.redact = kit->redactor.Function();
  Coordinator coordinator(e, kit->Parts(nullptr), kit->options);
  AlertReceiver receiver(e, &coordinator, options);

  HttpServerOptions http;
  http.max_body = options.max_body;
  HttpServer server(http);
  // SIGINT / SIGTERM stop the server from a normal thread, blocked here
  // before any thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Status bound = server.Bind(listen->first, listen->second);
  if (!bound.ok()) return ctx.Fail(bound);
  std::atomic<bool> done{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  std::thread ticker([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(1), [&] { return done.load(); })) {
      Status s = receiver.Tick();
      if (!s.ok()) ctx.Notice("approval timeout check failed: " + s.message());
    }
  });
  ctx.Notice("dbroll serve: receiving Alertmanager webhooks on http://" + listen->first + ":" +
             std::to_string(listen->second) + "/alerts (GET /healthz for probes)");
  const std::set<std::string> alert_paths = {"/", "/alerts", "/api/v1/alerts", "/webhook"};
  server.Serve(
      [&](const HttpRequest& req) {
        HttpResponse res;
        if (req.path == "/healthz") {
          // For load balancers and probes: no token, no database.
          if (req.method != "GET" && req.method != "HEAD") {
            res.status = 405;
            res.body = "{\"status\": \"method-not-allowed\"}\n";
            return res;
          }
          res.body = "{\"status\": \"ok\"}\n";
          return res;
        }
        if (!alert_paths.count(req.path)) {
          receiver.Audit(req.method + " " + req.path + " from " + req.peer, 404);
          res.status = 404;
          res.body = "{\"status\": \"not-found\", \"detail\": \"POST alerts to /alerts\"}\n";
          return res;
        }
        if (req.method != "POST") {
          receiver.Audit(req.method + " " + req.path + " from " + req.peer, 405);
          res.status = 405;
          res.body = "{\"status\": \"method-not-allowed\", \"detail\": \"POST alerts to /alerts\"}\n";
          return res;
        }
        AlertReply r = receiver.Handle(req.authorization, req.body, req.peer + " " + req.path);
        res.status = r.http_status;
        if (r.http_status == 401) res.headers.emplace_back("WWW-Authenticate", "Bearer");
        res.body = r.body + "\n";
        return res;
      },
      [&](int status, const std::string& what) { receiver.Audit(what, status); });
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  ticker.join();
  receiver.FlushSummary();
  // Wake the signal thread if the server stopped on its own.
  pthread_kill(stopper.native_handle(), SIGTERM);
  stopper.join();
  return kExitOk;
}

}  // namespace

void RegisterServe(CLI::App& app, Context& ctx, int* rc) {
  auto* serve = app.add_subcommand("serve", "Receive Alertmanager webhooks: a matching alert rolls back and freezes");
  auto listen = std::make_shared<std::string>();
  serve->add_option("--listen", *listen, "HOST:PORT (default: [alerts] listen, else 127.0.0.1:9095)");
  serve->callback([&ctx, rc, listen] { *rc = Serve(ctx, *listen); });
}

}  // namespace dbroll::cli
