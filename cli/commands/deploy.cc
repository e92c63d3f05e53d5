// deploy, rollback, freeze, unfreeze, deploys: thin wrappers over the Coordinator.
#include <signal.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <nlohmann/json.hpp>

#include "cli/commands/commands.h"
#include "cli/events.h"
#include "cli/exit_codes.h"
#include "dbroll/coordinator.h"
#include "dbroll/deploy_hooks.h"

namespace dbroll::cli {
namespace {

// Deploy progress as notices on stderr (JSON: NewDeployEventWriter).
class PrintingDeployObserver : public DeployObserver {
 public:
  PrintingDeployObserver(const Context* ctx, std::function<std::string(const std::string&)> redact)
      : ctx_(ctx), redact_(std::move(redact)) {}
  void OnState(const DeployRecord& d) override {
    ctx_->Notice("deploy " + std::to_string(d.id) + " of " + d.release + ": " + DeployStateName(d.state));
  }
  void OnStep(const DeployRecord& d, const StepTiming& step, const Status& outcome) override {
    ctx_->Notice(redact_("deploy " + std::to_string(d.id) + ": " + step.step + " " + (outcome.ok() ? "ok" : "FAILED") +
                         " (" + std::to_string(step.took.count()) + " ms)" +
                         (outcome.ok() ? std::string() : ": " + outcome.message())));
  }
  void OnWarning(const DeployRecord& d, const std::string& text) override {
    ctx_->Notice("warning: deploy " + std::to_string(d.id) + ": " + text);
  }
  void OnPurge(const DeployRecord& d, const std::vector<ArchiveInfo>& purged) override {
    for (const ArchiveInfo& a : purged) {
      ctx_->Notice("deploy " + std::to_string(d.id) + " of " + d.release + " healthy since " + d.finished_at +
                   " ([deploy] purge_after): purged keep-data archive " + a.version + ": " + a.table +
                   (a.columns.empty() ? "" : "." + a.columns) + " (" + std::to_string(a.rows) + " rows, " +
                   a.archive + ")");
    }
  }

 private:
  const Context* ctx_;
  std::function<std::string(const std::string&)> redact_;
};

void ForwardStop(int sig) { RequestStop(sig); }

// SIGTERM / SIGINT reach the running hook's process group, and the deploy
// stops where it is (for --resume or rollback) instead of orphaning it.
void InstallStopHandlers() {
  struct sigaction sa {};
  sa.sa_handler = ForwardStop;
  sigemptyset(&sa.sa_mask);
  sa.sa_flags = SA_RESTART;
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
  // A parent that ignores SIGCHLD passes SIG_IGN on; hooks must be waited for.
  ::signal(SIGCHLD, SIG_DFL);
}

// Loads the config, opens the engine, builds the hooks from [deploy] and
// [notify] and runs `fn` on a Coordinator; returns the exit code.
int WithCoordinator(Context& ctx, const std::function<Status(Coordinator&)>& fn, const std::string& strategy = "",
                    bool take_over = false) {
  ctx.stream_events = true;
  if (Status f = ctx.RequireFormat({"text", "json"}, "this command"); !f.ok()) return ctx.Fail(f);
  InstallStopHandlers();
  auto cfg = ctx.LoadConfig();
  if (!cfg.ok()) return ctx.Fail(cfg.status());
  Redactor secrets = RedactorFromConfig(cfg.value());
  ctx.AddSecret(cfg->Get("alerts", "token"));
  ctx.AddSecret(cfg->Get("notify", "webhook"));
  auto engine = ctx.OpenEngine(cfg.value());
  if (!engine.ok()) return ctx.Fail(engine.status());
  Engine* e = engine.value().get();
  auto kit = DeployKitWithAuditLog(cfg.value(), e);
  if (!kit.ok()) return ctx.Fail(Status(kit.status().code(), secrets.Apply(kit.status().message()))
                                     .set_remedy(kit.status().remedy(), kit.status().remedy_subject()));
  PrintingDeployObserver text(&ctx, secrets.Function());
  auto redact = [&](const std::string& t) { return ctx.Redact(secrets.Apply(t)); };
  auto json = ctx.events()->is_json() ? NewDeployEventWriter(ctx.events(), redact) : nullptr;
  if (!strategy.empty()) kit->options.strategy = strategy;
  kit->options.take_over = take_over;
  Coordinator coordinator(e, kit->Parts(json ? json.get() : &text), kit->options);
  // An approval that timed out is rejected by whichever command looks at
  // the deploys next, so no daemon is needed for it.
  auto expired = coordinator.ExpireApproval();
  if (!expired.ok()) return ctx.Fail(expired.status());
  if (expired.value()) ctx.Notice("the deploy awaiting approval timed out and was rejected");
  Status s = fn(coordinator);
  return s.ok() ? kExitOk
                : ctx.Fail(Status(s.code(), secrets.Apply(s.message())).set_remedy(s.remedy(), s.remedy_subject()));
}

std::string Duration(const DeployRecord& d) {
  const std::optional<long long> took = DeployMillis(d);
  if (!took) return "";
  return *took < 10000 ? std::to_string(*took) + " ms" : std::to_string(*took / 1000) + " s";
}

int PrintDeploys(Context& ctx, Engine& e) {
  auto list = e.deploys().List(0);
  if (!list.ok()) return ctx.Fail(list.status());
  auto freeze = e.deploys().GetFreeze();
  if (!freeze.ok()) return ctx.Fail(freeze.status());
  if (ctx.globals.format == "json") {
    nlohmann::json out = {{"frozen", nullptr}, {"deploys", nlohmann::json::array()}};
    if (freeze->has_value()) {
      out["frozen"] = {{"by", (*freeze)->by}, {"at", (*freeze)->at}, {"reason", (*freeze)->reason},
                       {"deploy_id", (*freeze)->deploy_id}};
    }
    out["schema_version"] = 1;
    for (const DeployRecord& d : list.value()) {
      // The same object the webhook sends (DeployJson), so one schema serves both.
      nlohmann::json one = nlohmann::json::parse(DeployJson(d), nullptr, false);
      one.erase("schema_version");
      out["deploys"].push_back(std::move(one));
    }
    std::cout << ctx.Redact(out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace)) << "\n";
    return kExitOk;
  }
  if (ctx.globals.format != "text") {
    return ctx.Fail(Status(Code::kInvalidArgument, "--format " + ctx.globals.format + ": deploys prints text or json"));
  }
  if (freeze->has_value()) {
    std::cout << "FROZEN since " << (*freeze)->at << " by " << (*freeze)->by << ": " << ctx.Redact((*freeze)->reason)
              << "\n\n";
  }
  if (list->empty()) {
    std::cout << "no deploys yet\n";
    return kExitOk;
  }
  std::printf("%-5s %-16s %-16s %-16s %-24s %-9s %s\n", "ID", "RELEASE", "PREVIOUS", "STATE", "STARTED", "TOOK",
              "SCHEMA / REASON");
  // An ungated deploy says so: nothing checked it before it was called succeeded.
  for (const DeployRecord& d : list.value()) {
    std::string reason = d.reason.substr(0, d.reason.find('\n'));  // one line per deploy; json has it all
    std::string schema = (d.schema_from.empty() ? "-" : d.schema_from) + " -> " + (d.schema_to.empty() ? "-" : d.schema_to);
    std::printf("%-5lld %-16s %-16s %-16s %-24s %-9s %s%s%s\n", d.id, d.release.c_str(),
                d.previous_release.empty() ? "-" : d.previous_release.c_str(), DeployStateName(d.state),
                d.started_at.c_str(), Duration(d).c_str(), schema.c_str(),
                (d.gated ? std::string() : "  (ungated)").c_str(),
                reason.empty() ? "" : ("  " + ctx.Redact(reason)).c_str());
  }
  return kExitOk;
}

}  // namespace

void RegisterDeploy(CLI::App& app, Context& ctx, int* rc) {
  auto* deploy = app.add_subcommand("deploy", "Migrate, deploy the app, check health; roll back when unhealthy");
  auto release = std::make_shared<std::string>();
  auto resume = std::make_shared<bool>(false);
  auto strategy = std::make_shared<std::string>("rolling");
  auto take_over = std::make_shared<bool>(false);
  auto* rel = deploy->add_option("--release", *release, "Release tag being deployed (A-Z a-z 0-9 . _ + -)");
  deploy->add_flag("--resume", *resume, "Continue the newest deploy from the state it stopped in");
  deploy->add_flag("--take-over", *take_over,
                   "Take the deploy slot from a holder on another host that is known to be gone");
  deploy->add_option("--strategy", *strategy, "rolling (default) or blue-green (waits for dbroll approve)")
      ->check(CLI::IsMember({"rolling", "blue-green"}));
  deploy->callback([&ctx, rc, release, resume, rel, strategy, take_over] {
    if (!*resume && rel->count() == 0) {
      *rc = ctx.Fail(Status(Code::kInvalidArgument, "deploy needs --release TAG (or --resume)"));
      return;
    }
    *rc = WithCoordinator(
        ctx, [&](Coordinator& c) { return *resume ? c.Resume(*release) : c.Deploy(*release); }, *strategy, *take_over);
  });

  auto* approve = app.add_subcommand("approve", "Blue-green: switch traffic to green, check, retire blue");
  auto approve_id = std::make_shared<long long>(0);
  approve->add_option("id", *approve_id, "Deploy id (see dbroll deploys)")->required();
  approve->callback([&ctx, rc, approve_id] {
    *rc = WithCoordinator(ctx, [&](Coordinator& c) { return c.Approve(*approve_id); });
  });

  auto* reject = app.add_subcommand("reject", "Blue-green: keep blue, discard green, roll the migrations back");
  auto reject_id = std::make_shared<long long>(0);
  auto reject_reason = std::make_shared<std::string>();
  reject->add_option("id", *reject_id, "Deploy id (see dbroll deploys)")->required();
  reject->add_option("--reason", *reject_reason, "Why (recorded and sent to the team)")->required();
  reject->callback([&ctx, rc, reject_id, reject_reason] {
    *rc = WithCoordinator(ctx, [&](Coordinator& c) { return c.Reject(*reject_id, *reject_reason); });
  });

  auto* rollback = app.add_subcommand("rollback", "Roll back the newest deploy: schema first, then the app");
  auto to_release = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  rollback->add_option("--to-release", *to_release, "Release to return to (default: the deploy's previous release)");
  rollback->add_option("--reason", *reason, "Why (recorded and sent to the team)");
  rollback->callback([&ctx, rc, to_release, reason] {
    RollbackOptions o;
    if (!to_release->empty()) o.to_release = *to_release;
    o.reason = *reason;
    *rc = WithCoordinator(ctx, [&](Coordinator& c) { return c.Rollback(o); });
  });

  auto* freeze = app.add_subcommand("freeze", "Refuse deploys until dbroll unfreeze");
  auto freeze_reason = std::make_shared<std::string>();
  freeze->add_option("--reason", *freeze_reason, "Why (shown to whoever tries to deploy)")->required();
  freeze->callback([&ctx, rc, freeze_reason] {
    *rc = WithCoordinator(ctx, [&](Coordinator& c) { return c.Freeze(*freeze_reason); });
  });

  auto* unfreeze = app.add_subcommand("unfreeze", "Allow deploys again");
  unfreeze->callback([&ctx, rc] { *rc = WithCoordinator(ctx, [&](Coordinator& c) { return c.Unfreeze(); }); });

  auto* deploys = app.add_subcommand("deploys", "Deploy history with states and durations (text or json)");
  deploys->callback([&ctx, rc] {
    if (Status f = ctx.RequireFormat({"text", "json"}, "deploys"); !f.ok()) {
      *rc = ctx.Fail(f);
      return;
    }
    auto cfg = ctx.LoadConfig();
    if (!cfg.ok()) {
      *rc = ctx.Fail(cfg.status());
      return;
    }
    auto engine = Engine::Open(cfg->engine);
    if (!engine.ok()) {
      *rc = ctx.Fail(engine.status());
      return;
    }
    // Listing is looking: an expired approval is rejected first, so the
    // list shows what is true. No progress printer: stdout is the listing.
    auto kit = DeployKitFromConfig(cfg.value());
    if (!kit.ok()) {
      *rc = ctx.Fail(kit.status());
      return;
    }
    Coordinator coordinator(engine.value().get(), kit->Parts(nullptr), kit->options);
    auto expired = coordinator.ExpireApproval();
    if (!expired.ok()) {
      *rc = ctx.Fail(expired.status());
      return;
    }
    if (expired.value()) ctx.Notice("the deploy awaiting approval timed out and was rejected");
    *rc = PrintDeploys(ctx, *engine.value());
  });
}

}  // namespace dbroll::cli
