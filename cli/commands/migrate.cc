#include <CLI/CLI.hpp>

#include "cli/commands/commands.h"
#include "cli/commands/schema_support.h"
#include "cli/usage.h"
#include "dbroll/project.h"
#include "dbroll/run_events.h"

namespace dbroll::cli {
namespace {

struct WaitFlags {
  bool wait = false;
  std::string timeout = "60s";
};

void AddWaitFlags(CLI::App* cmd, WaitFlags* w) {
  cmd->add_flag("--wait", w->wait, "First wait until the database answers (see dbroll wait)");
  cmd->add_option("--wait-timeout", w->timeout, "How long --wait keeps trying (default: 60s)");
}

std::function<Status(const Config&)> WaitStep(Context& ctx, const WaitFlags& w) {
  if (!w.wait) return nullptr;
  return [&ctx, &w](const Config& cfg) -> Status {
    auto t = ParseWaitTimeout("--wait-timeout", w.timeout);
    if (!t.ok()) return t.status();
    return WaitForDatabase(ctx, cfg, t.value());
  };
}

}  // namespace

void RegisterMigrate(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("migrate", "Apply pending migrations in order (alias: up)");
  cmd->alias("up");
  auto opts = std::make_shared<MigrateOptions>();
  auto to = std::make_shared<std::string>();
  cmd->add_option("--to", *to, "Stop after this version");
  cmd->add_option("--release", opts->release, "Release tag to record (e.g. v1.4.2)");
  cmd->add_flag("--dry-run", opts->dry_run, "Print the SQL that would run; change nothing");
  auto check_drift = std::make_shared<bool>(false);
  cmd->add_flag("--check-drift", *check_drift, "Run dbroll drift first; apply nothing if the schema drifted");
  auto wait = std::make_shared<WaitFlags>();
  AddWaitFlags(cmd, wait.get());
  cmd->callback([&ctx, rc, opts, to, check_drift, wait] {
    if (!to->empty()) opts->to = *to;
    ctx.read_only = opts->dry_run;
    ctx.dry_run = opts->dry_run;
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "migrate"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    *rc = WithEngine(ctx, [&](Engine& e, const Config& cfg) -> Status {
      if (*check_drift) {
        Status d = RunDrift(ctx, e, "");
        if (!d.ok()) return d.Prepend("nothing was applied: ");
      }
      Status s = RunReported(e, *ctx.events(), "migrate", opts->dry_run, [&] { return e.PlanMigrate(*opts); },
                             [&] { return e.Migrate(*opts); });
      if (opts->dry_run) return s;
      Status f = UpdateSchemaFile(e, cfg);
      return s.ok() ? f : s;
    }, WaitStep(ctx, *wait));
  });
}

void RegisterDown(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("down", "Roll back applied migrations, newest first (default: one)");
  auto opts = std::make_shared<DownOptions>();
  auto to = std::make_shared<std::string>();
  auto to_release = std::make_shared<std::string>();
  auto source = std::make_shared<std::string>("file");
  auto* steps = cmd->add_option("--steps,-n", opts->steps, "How many versions to roll back")
                    ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 1); }, "N>=1"));
  auto* t = cmd->add_option("--to", *to, "Roll back every version newer than this one (0: all)");
  auto* r = cmd->add_option("--to-release", *to_release, "Roll back to the schema that release reached");
  auto* all = cmd->add_flag("--all", opts->all, "Roll back every applied version");
  steps->excludes(t)->excludes(r)->excludes(all);
  t->excludes(r)->excludes(all);
  r->excludes(all);
  cmd->add_flag("--dry-run", opts->dry_run, "Print the SQL that would run; change nothing");
  cmd->add_option("--down-source", *source, "When down.sql differs from the stored copy: file or stored")
      ->check(CLI::IsMember({"file", "stored"}));
  cmd->add_option("--release", opts->release, "Release tag to record in the log");
  cmd->add_flag("--without-data", opts->without_data,
                "Roll back versions whose keep-data archive was purged, without their data");
  auto wait = std::make_shared<WaitFlags>();
  AddWaitFlags(cmd, wait.get());
  cmd->callback([&ctx, rc, opts, to, to_release, source, wait] {
    if (!to->empty()) opts->to = *to;
    if (!to_release->empty()) opts->to_release = *to_release;
    opts->down_source = *source == "stored" ? DownSource::kStored : DownSource::kFile;
    ctx.read_only = opts->dry_run;
    ctx.dry_run = opts->dry_run;
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "down"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    *rc = WithEngine(ctx, [&](Engine& e, const Config& cfg) -> Status {
      Status s = RunReported(e, *ctx.events(), "down", opts->dry_run, [&] { return e.PlanDown(*opts); },
                             [&] { return e.Down(*opts); });
      if (opts->dry_run) return s;
      Status f = UpdateSchemaFile(e, cfg);
      return s.ok() ? f : s;
    }, WaitStep(ctx, *wait));
  });
}

void RegisterBaseline(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("baseline", "Mark an existing database as being at VERSION");
  auto version = std::make_shared<std::string>();
  auto release = std::make_shared<std::string>();
  cmd->add_option("version", *version, "Newest version the database already has")->required();
  cmd->add_option("--release", *release, "Release tag to record");
  cmd->callback([&ctx, rc, version, release] {
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "baseline"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) -> Status {
      return RunSummarized(e, *ctx.events(), "baseline", [&] { return e.Baseline(*version, *release); },
                      "baseline recorded: every version up to " + *version + " is applied");
    });
  });
}

void RegisterRepair(CLI::App& app, Context& ctx, int* rc) {
  auto* cmd = app.add_subcommand("repair", "Clear a failed state after a person fixed the database");
  auto applied = std::make_shared<std::string>();
  auto rolled = std::make_shared<std::string>();
  auto done = std::make_shared<std::string>();
  auto retry = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto* a = cmd->add_option("--mark-applied", *applied, "VERSION was finished by hand");
  auto* r = cmd->add_option("--mark-rolled-back", *rolled, "VERSION was undone by hand")->excludes(a);
  auto* d = cmd->add_option("--mark-statement-done", *done,
                            "the interrupted statement of VERSION did take effect: continue after it")
                ->excludes(a)
                ->excludes(r);
  cmd->add_option("--retry-statement", *retry,
                  "the interrupted statement of VERSION did not take effect: run it again")
      ->excludes(a)
      ->excludes(r)
      ->excludes(d);
  cmd->add_option("--reason", *reason, "Why (kept in the audit log)");
  cmd->callback([&ctx, rc, applied, rolled, done, retry, reason] {
    RepairOptions o;
    if (!applied->empty()) o.mark_applied = *applied;
    if (!rolled->empty()) o.mark_rolled_back = *rolled;
    if (!done->empty()) o.mark_statement_done = *done;
    if (!retry->empty()) o.retry_statement = *retry;
    o.reason = *reason;
    ctx.stream_events = true;
    if (Status f = ctx.RequireFormat({"text", "json"}, "repair"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    *rc = WithEngine(ctx, [&](Engine& e, const Config&) -> Status {
      return RunSummarized(e, *ctx.events(), "repair", [&] { return e.Repair(o); }, "");
    });
  });
}

}  // namespace dbroll::cli
