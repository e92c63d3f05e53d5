// fleet migrate | down | status | verify: dbroll::Fleet over [fleet] targets.
#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.h"
#include "cli/events.h"
#include "cli/exit_codes.h"
#include "cli/usage.h"
#include "dbroll/fleet.h"

namespace dbroll::cli {
namespace {

using nlohmann::ordered_json;

struct FleetFlags {
  FleetOptions options;
  std::string to;
  bool all = false;
};

std::string Shown(const std::string& version, const std::string& newest) {
  return version.empty() ? std::string(newest.empty() ? 1 : newest.size(), '0') : version;
}

const char* Tag(const std::string& outcome) {
  if (outcome == "ok") return "ok  ";
  if (outcome == "rolled-back") return "back";
  return "FAIL";
}

void AddRunFlags(CLI::App* cmd, FleetFlags* f, bool rollout) {
  cmd->add_option("--parallel,-j", f->options.parallel, "Targets at once (default: the machine's cores)")
      ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 1); }, "N>=1"));
  cmd->add_option("--max-failures", f->options.max_failures,
                  "Stop starting targets after this many failed (default: never stop)")
      ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 1); }, "N>=1"));
  if (!rollout) return;
  cmd->add_option("--canary", f->options.canary,
                  "Run the first K targets alone; go on only when they and [fleet] canary_gate pass")
      ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 1); }, "N>=1"));
  cmd->add_option("--wave-size", f->options.wave_size, "Start at most W targets per wave (default: one wave)")
      ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 1); }, "N>=1"));
}

// Runs one fleet action with a line per target and a summary; the exit code.
int RunFleet(Context& ctx, const std::string& action, FleetFlags& f,
             const std::function<Result<FleetReport>(Fleet&, const FleetOptions&)>& run) {
  ctx.stream_events = true;
  if (Status s = ctx.RequireFormat({"text", "json"}, "fleet " + action); !s.ok()) return ctx.Fail(s);
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  auto fleet = Fleet::Open(cfg.value());
  if (!fleet.ok()) return ctx.Fail(fleet.status());
  RunObserver* events = ctx.events();
  const bool json = events->is_json();
  FleetOptions o = f.options;
  if (const std::string gate = cfg->Get("fleet", "canary_gate"); !gate.empty() && o.canary > 0) {
    o.canary_gate = NewFleetCanaryGate(gate, cfg->engine.base_dir);
  }
  o.on_notice = [&](const std::string& m) { events->OnNotice(m); };
  o.on_target = [&](const FleetTargetResult& r) {
    if (json) {
      EmitFleetTarget(*events, action, r);
      return;
    }
    std::printf("%s %s  %s -> %s  %lld ms%s%s\n", Tag(r.outcome), r.target.c_str(),
                Shown(r.from_version, r.to_version).c_str(), Shown(r.to_version, r.from_version).c_str(), r.ms,
                r.error.empty() ? "" : "  ", r.error.c_str());
    std::fflush(stdout);
  };
  const auto t0 = std::chrono::steady_clock::now();
  auto report = run(**fleet, o);
  if (!report.ok()) return ctx.Fail(report.status());
  const auto [ok, failed, skipped, back] = CountFleetRun(report.value());
  const long long ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - t0).count();
  if (!report->stop_reason.empty()) events->OnNotice(report->stop_reason);
  if (json) {
    EmitFleetSummary(*events, action, report.value(), (*fleet)->targets().size(), ms);
  } else {
    std::cout << "fleet " << action << ": " << ok << " ok, " << failed << " failed, " << skipped << " skipped"
              << (back > 0 ? ", " + std::to_string(back) + " rolled back" : std::string()) << " of "
              << (*fleet)->targets().size() << " target(s) in " << ms << " ms (run " << report->run_id << ")\n";
  }
  if (report->ok()) return kExitOk;
  if (action == "verify") return kExitCheckFailed;
  return kExitFleetFailed;
}

int RunFleetStatus(Context& ctx, FleetFlags& f) {
  ctx.read_only = true;
  if (Status s = ctx.RequireFormat({"text", "json"}, "fleet status"); !s.ok()) return ctx.Fail(s);
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  auto fleet = Fleet::Open(cfg.value());
  if (!fleet.ok()) return ctx.Fail(fleet.status());
  auto report = (*fleet)->GetStatus(f.options);
  if (!report.ok()) return ctx.Fail(report.status());
  const FleetStatusSummary sum = SummarizeFleetStatus(report.value());
  const std::string& newest = report->newest_version;
  if (ctx.globals.format == "json") {
    ordered_json versions = ordered_json::object();
    for (auto it = sum.versions.rbegin(); it != sum.versions.rend(); ++it) versions[Shown(it->first, newest)] = it->second;
    ordered_json stragglers = ordered_json::array(), failed = ordered_json::array(), all = ordered_json::array();
    for (const auto* t : sum.stragglers) {
      stragglers.push_back({{"target", t->target}, {"version", t->to_version}, {"pending", t->pending}});
    }
    for (const auto* t : sum.failed) {
      failed.push_back({{"target", t->target}, {"version", t->to_version}, {"error", t->error}});
    }
    for (const auto& t : report->targets) {
      all.push_back({{"target", t.target}, {"version", t.to_version}, {"pending", t.pending},
                     {"error", t.error.empty() ? ordered_json(nullptr) : ordered_json(t.error)}});
    }
    ordered_json doc = {{"format", kJsonFormat},   {"newest_version", newest},
                        {"targets", all.size()},   {"versions", versions},
                        {"stragglers", stragglers}, {"failed", failed},
                        {"per_target", all}};
    std::cout << doc.dump(2, ' ', false, ordered_json::error_handler_t::replace) << "\n";
  } else {
    std::cout << "fleet: " << report->targets.size() << " target(s), newest version "
              << (newest.empty() ? "(none)" : newest) << "\n";
    for (auto it = sum.versions.rbegin(); it != sum.versions.rend(); ++it) {
      std::printf("  %-16s %6d target(s)\n", Shown(it->first, newest).c_str(), it->second);
    }
    if (!sum.stragglers.empty()) {
      std::cout << "behind " << newest << " (" << sum.stragglers.size() << "):\n";
      for (const auto* t : sum.stragglers) {
        std::printf("  %s  at %s, %d pending\n", t->target.c_str(), Shown(t->to_version, newest).c_str(), t->pending);
      }
    }
    if (!sum.failed.empty()) {
      std::cout << "failed (" << sum.failed.size() << "):\n";
      for (const auto* t : sum.failed) std::printf("  %s  %s\n", t->target.c_str(), t->error.c_str());
    }
  }
  return sum.failed.empty() ? kExitOk : kExitFleetFailed;
}

}  // namespace

void RegisterFleet(CLI::App& app, Context& ctx, int* rc) {
  auto* fleet = app.add_subcommand("fleet", "Migrate, roll back, check many databases ([fleet] targets)");
  fleet->require_subcommand(1);

  auto* mig = fleet->add_subcommand("migrate", "Apply pending migrations on every target");
  auto mf = std::make_shared<FleetFlags>();
  AddRunFlags(mig, mf.get(), true);
  mig->add_option("--to", mf->to, "Stop after this version");
  mig->add_flag("--rollback-on-failure", mf->options.rollback_on_failure,
                "After a failure, roll back (stored downs) the targets this run migrated, newest first");
  mig->callback([&ctx, rc, mf] {
    if (!mf->to.empty()) mf->options.migrate.to = mf->to;
    *rc = RunFleet(ctx, "migrate", *mf, [](Fleet& f, const FleetOptions& o) { return f.Migrate(o); });
  });

  auto* down = fleet->add_subcommand("down", "Roll back on every target (default: one version each)");
  auto df = std::make_shared<FleetFlags>();
  AddRunFlags(down, df.get(), true);
  auto* steps = down->add_option("--steps,-n", df->options.down.steps, "How many versions to roll back")
                    ->check(CLI::Validator([](std::string& v) { return CheckWholeNumber(v, 1); }, "N>=1"));
  auto* to = down->add_option("--to", df->to, "Roll back every version newer than this one");
  auto* all = down->add_flag("--all", df->all, "Roll back every applied version");
  steps->excludes(to)->excludes(all);
  to->excludes(all);
  down->callback([&ctx, rc, df] {
    if (!df->to.empty()) df->options.down.to = df->to;
    df->options.down.all = df->all;
    *rc = RunFleet(ctx, "down", *df, [](Fleet& f, const FleetOptions& o) { return f.Down(o); });
  });

  auto* st = fleet->add_subcommand("status", "Targets per version, those behind, the failed");
  auto sf = std::make_shared<FleetFlags>();
  AddRunFlags(st, sf.get(), false);
  st->callback([&ctx, rc, sf] { *rc = RunFleetStatus(ctx, *sf); });

  auto* ver = fleet->add_subcommand("verify", "Validate and check drift on every target");
  auto vf = std::make_shared<FleetFlags>();
  AddRunFlags(ver, vf.get(), false);
  ver->callback([&ctx, rc, vf] {
    ctx.read_only = true;
    *rc = RunFleet(ctx, "verify", *vf, [](Fleet& f, const FleetOptions& o) { return f.Verify(o); });
  });
}

}  // namespace dbroll::cli
