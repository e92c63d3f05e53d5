// serve: the Alertmanager webhook receiver (cpp-httplib) in front of an
// AlertReceiver; also rejects blue-green deploys whose approval timed out.
#include <httplib.h>
#include <signal.h>

#include <CLI/CLI.hpp>
#include <atomic>
#include <condition_variable>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "dbroll/alerts.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll::cli {
namespace {

// The handler and the logger of one request run on the same worker thread;
// this tells the logger the handler has already audited the request.
thread_local bool t_audited = false;

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
    while (!token.empty() && (token.back() == '\n' || token.back() == '\r' || token.back() == ' ')) token.pop_back();
  }
  if (token.empty()) {
    if (const char* env = std::getenv("DBROLL_ALERTS_TOKEN")) token = env;
  }
  if (token.empty()) {
    return Status(Code::kInvalidArgument,
                  "dbroll serve needs a bearer token: [alerts] token, [alerts] token_file or DBROLL_ALERTS_TOKEN");
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
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  auto listen = ParseListen(listen_flag.empty() ? cfg->Get("alerts", "listen", "127.0.0.1:9095") : listen_flag);
  if (!listen.ok()) return ctx.Fail(listen.status());
  auto token = Token(cfg.value());
  if (!token.ok()) return ctx.Fail(token.status());
  auto engine = ctx.OpenEngine(cfg.value());
  if (!engine.ok()) return ctx.Fail(engine.status());
  Engine* e = engine.value().get();
  auto kit = DeployKitFromConfig(cfg.value(), HookOutputToAuditLog(e));
  if (!kit.ok()) return ctx.Fail(kit.status());
  Coordinator coordinator(e, kit->Parts(nullptr), kit->options);

  AlertReceiverOptions options;
  options.token = token.value();
  auto match = cfg->sections.find("alerts.match");
  if (match != cfg->sections.end()) options.match = match->second;
  const std::string max_body = cfg->Get("alerts", "max_body");
  if (!max_body.empty()) {
    const long long n = std::atoll(max_body.c_str());
    if (n < 1) return ctx.Fail(Status(Code::kInvalidArgument, "[alerts] max_body must be at least 1, not " + max_body));
    options.max_body = static_cast<size_t>(n);
  }
  AlertReceiver receiver(e, &coordinator, options);

  httplib::Server server;
  // One worker: alerts are handled in arrival order, and the receiver's
  // mutex would serialise them anyway.
  server.new_task_queue = [] { return new httplib::ThreadPool(1); };
  server.set_payload_max_length(options.max_body);
  server.set_read_timeout(10, 0);
  auto handle = [&receiver](const httplib::Request& req, httplib::Response& res) {
    AlertReply r = receiver.Handle(req.get_header_value("Authorization"), req.body,
                                   req.remote_addr + " " + req.path);
    t_audited = true;
    res.status = r.http_status;
    if (r.http_status == 401) res.set_header("WWW-Authenticate", "Bearer");
    res.set_content(r.body + "\n", "application/json");
  };
  for (const char* path : {"/", "/alerts", "/api/v1/alerts", "/webhook"}) server.Post(path, handle);
  server.set_logger([&receiver](const httplib::Request& req, const httplib::Response& res) {
    if (!t_audited) receiver.Audit(req.method + " " + req.path + " from " + req.remote_addr, res.status);
    t_audited = false;
  });

  // SIGINT / SIGTERM stop the server from a normal thread: stop() is not
  // async-signal-safe.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  if (!server.bind_to_port(listen->first, listen->second)) {
    return ctx.Fail(Status(Code::kInvalidArgument, "cannot listen on " + listen->first + ":" +
                                                       std::to_string(listen->second) + " -- is the port in use?"));
  }
  std::atomic<bool> done{false};
  std::mutex mu;
  std::condition_variable cv;
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    if (!done) server.stop();
  });
  std::thread ticker([&] {
    std::unique_lock<std::mutex> lock(mu);
    while (!cv.wait_for(lock, std::chrono::seconds(1), [&] { return done.load(); })) {
      Status s = receiver.Tick();
      if (!s.ok()) ctx.Notice("approval timeout check failed: " + s.message());
    }
  });
  ctx.Notice("dbroll serve: receiving Alertmanager webhooks on http://" + listen->first + ":" +
             std::to_string(listen->second) + "/alerts");
  const bool ok = server.listen_after_bind();
  {
    std::lock_guard<std::mutex> lock(mu);
    done = true;
  }
  cv.notify_all();
  ticker.join();
  // Wake the signal thread if the server stopped on its own.
  if (stopper.joinable()) {
    pthread_kill(stopper.native_handle(), SIGTERM);
    stopper.join();
  }
  return ok ? kExitOk : ctx.Fail(Status(Code::kInternal, "the HTTP server stopped unexpectedly"));
}

}  // namespace

void RegisterServe(CLI::App& app, Context& ctx, int* rc) {
  auto* serve = app.add_subcommand("serve", "Receive Alertmanager webhooks: a matching alert rolls back and freezes");
  auto listen = std::make_shared<std::string>();
  serve->add_option("--listen", *listen, "HOST:PORT (default: [alerts] listen, else 127.0.0.1:9095)");
  serve->callback([&ctx, rc, listen] { *rc = Serve(ctx, *listen); });
}

}  // namespace dbroll::cli
