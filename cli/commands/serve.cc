// serve: the Alertmanager webhook receiver (dbroll::AlertServer) until
// SIGINT / SIGTERM; also rejects blue-green deploys whose approval timed out.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <thread>

#include "cli/commands/commands.h"
#include "cli/exit_codes.h"
#include "dbroll/alert_server.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll::cli {
namespace {

int Serve(Context& ctx, const std::string& listen_flag) {
  ::signal(SIGCHLD, SIG_DFL);  // hooks are waited for; an inherited SIG_IGN would lose their exit codes
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  if (!listen_flag.empty()) {
    if (auto listen = ParseListenAddress(listen_flag); !listen.ok()) {
      return ctx.Fail(Status(listen.status()).Prepend("--listen "));
    }
    cfg->sections["alerts"]["listen"] = listen_flag;
  }
  auto options = AlertServerOptionsFromConfig(cfg.value());
  if (!options.ok()) return ctx.Fail(options.status());
  const std::string& token = options->receiver.token;
  ctx.AddSecret(token);
  auto engine = ctx.OpenEngine(cfg.value());
  if (!engine.ok()) return ctx.Fail(engine.status());
  Engine* e = engine.value().get();
  auto kit = DeployKitWithAuditLog(cfg.value(), e, token);
  if (!kit.ok()) return ctx.Fail(kit.status());
  kit->redactor.Add(token);
  kit->options.redact = kit->redactor.Function();
  options->receiver.redact = kit->redactor.Function();
  options->on_notice = [&ctx](const std::string& m) { ctx.Notice(m); };
  Coordinator coordinator(e, kit->Parts(nullptr), kit->options);
  AlertServer server(e, &coordinator, options.value());
  // SIGINT / SIGTERM stop the server from a normal thread, blocked here
  // before any thread starts so every thread inherits the mask.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);
  Status bound = server.Bind();
  if (!bound.ok()) return ctx.Fail(bound);
  std::thread stopper([&] {
    int sig = 0;
    sigwait(&stop_signals, &sig);
    server.Stop();
  });
  ctx.Notice("dbroll serve: receiving Alertmanager webhooks on http://" + options->host + ":" +
             std::to_string(options->port) + "/alerts (GET /healthz for probes)");
  server.Serve();
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
