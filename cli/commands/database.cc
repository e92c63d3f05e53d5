// The database itself: wait for it, create it, drop it (and --wait on
// migrate and down).
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>

#include "cli/commands/commands.h"
#include "cli/events.h"
#include "cli/exit_codes.h"
#include "dbroll/database_admin.h"

namespace dbroll::cli {
namespace {

using std::chrono::milliseconds;

std::string Seconds(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

// Runs a command without migrations and reports its summary (or error).
void RunSimple(Context& ctx, int* rc, const std::string& command,
               const std::function<Result<std::string>(const Config&)>& fn) {
  ctx.stream_events = true;
  if (Status f = ctx.RequireFormat({"text", "json"}, command); !f.ok()) {
    *rc = ctx.Fail(f);
    return;
  }
  const auto t0 = std::chrono::steady_clock::now();
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) {
    *rc = ctx.Fail(cfg.status());
    return;
  }
  auto message = fn(cfg.value());
  if (!message.ok()) {
    *rc = ctx.Fail(message.status());
    return;
  }
  RunSummary s;
  s.command = command;
  s.ms = std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0).count();
  s.message = ctx.Redact(message.value());
  ctx.events()->OnSummary(s);
  *rc = kExitOk;
}

}  // namespace

Status WaitForDatabase(Context& ctx, const Config& cfg, milliseconds timeout) {
  return WaitForDatabase(DriverOptionsFor(cfg.engine), timeout,
                         [&ctx](const WaitAttempt& a) { ctx.events()->OnWaitAttempt(a); });
}

Result<milliseconds> ParseWaitTimeout(const std::string& flag, const std::string& text) {
  auto d = ParseDuration(text);
  if (!d.ok()) return Status(Code::kInvalidArgument, flag + ": " + d.status().message());
  return d.value();
}

void RegisterWait(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("wait", "Wait until the database answers (retrying with backoff), then exit 0");
  auto timeout = std::make_shared<std::string>("60s");
  cmd->add_option("--timeout", *timeout, "How long to keep trying (default: 60s)");
  cmd->callback([&ctx, rc, timeout] {
    RunSimple(ctx, rc, "wait", [&](const Config& cfg) -> Result<std::string> {
      auto t = ParseWaitTimeout("--timeout", *timeout);
      if (!t.ok()) return t.status();
      const auto t0 = std::chrono::steady_clock::now();
      if (Status s = WaitForDatabase(ctx, cfg, t.value()); !s.ok()) return s;
      return RedactUrl(cfg.engine.url) + " answers (after " +
             Seconds(std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - t0)) + ")";
    });
  });
}

void RegisterCreate(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("create", "Create the database the URL names (SQLite: the file); exists: no-op");
  cmd->callback([&ctx, rc] {
    RunSimple(ctx, rc, "create", [&](const Config& cfg) -> Result<std::string> {
      bool existed = false;
      if (Status s = CreateDatabase(DriverOptionsFor(cfg.engine), &existed); !s.ok()) return s;
      return RedactUrl(cfg.engine.url) + (existed ? " already exists: nothing to do" : ": database created");
    });
  });
}

void RegisterDrop(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("drop", "Drop the database the URL names, with all its data (needs --yes)");
  auto yes = std::make_shared<bool>(false);
  cmd->add_flag("--yes", *yes, "Yes, drop it: every table and row is lost");
  cmd->callback([&ctx, rc, yes] {
    RunSimple(ctx, rc, "drop", [&](const Config& cfg) -> Result<std::string> {
      if (!*yes) {
        return Status(Code::kInvalidArgument, "drop deletes " + RedactUrl(cfg.engine.url) +
                                                  " with all its data -- run dbroll drop --yes if you mean it; "
                                                  "nothing was dropped");
      }
      bool existed = false;
      if (Status s = DropDatabase(DriverOptionsFor(cfg.engine), &existed); !s.ok()) return s;
      return RedactUrl(cfg.engine.url) + (existed ? ": database dropped" : " does not exist: nothing to do");
    });
  });
}

}  // namespace dbroll::cli
