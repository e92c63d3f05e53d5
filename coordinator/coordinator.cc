#include "dbroll/coordinator.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "coordinator/internal.h"
#include "dbroll/deploy_hooks.h"
#include "engine/history.h"

namespace dbroll {

using internal::Gone;
using internal::HasStep;
using internal::HostName;
using internal::IsBlueGreen;
namespace {

using Clock = std::chrono::steady_clock;

std::string Label(const DeployRecord& d) { return "deploy " + std::to_string(d.id) + " of " + d.release; }

std::string OrNone(const std::string& s) { return s.empty() ? "none" : s; }

}  // namespace

namespace internal {

bool IsBlueGreen(const DeployRecord& d) { return d.strategy == "blue-green"; }

// Steps are persisted with the record ("migrate=12,switch=40"), so they also
// tell a resumed rollback how far a blue-green deploy got.
bool HasStep(const DeployRecord& d, const std::string& step) {
  const std::string key = step + "=";
  return d.steps.rfind(key, 0) == 0 || d.steps.find("," + key) != std::string::npos;
}

}  // namespace internal

Coordinator::Coordinator(Engine* engine, CoordinatorParts parts, CoordinatorOptions options)
    : engine_(engine), parts_(std::move(parts)), options_(std::move(options)) {
  if (options_.who.empty()) options_.who = DefaultActor();
}

Result<DeployRecord> Coordinator::Newest() {
  auto list = engine_->deploys().List(1);
  if (!list.ok()) return list.status();
  if (list->empty()) return Status(Code::kNotFound, "no deploys are recorded on this database")
                             .set_remedy(Remedy::kInspectDeploys);
  return std::move(list->front());
}

Status Coordinator::Preflight() {
  auto freeze = engine_->deploys().GetFreeze();
  if (!freeze.ok()) return freeze.status();
  if (freeze->has_value()) {
    const FreezeRecord& f = **freeze;
    return Status(Code::kFrozen, "deploys are frozen since " + f.at + " by " + f.by + ": " + f.reason +
                                     " -- fix the cause, then unfreeze")
        .set_remedy(Remedy::kUnfreeze);
  }
  auto newest = Newest();
  if (newest.ok() && newest->state == DeployState::kAwaitingApproval) return AwaitingApproval(*newest);
  if (newest.ok() && IsUnfinished(newest->state)) {
    return Status(Code::kDirty, Label(*newest) + " stopped in state " + DeployStateName(newest->state) + " at " +
                                    newest->updated_at +
                                    " -- resume it to continue, or roll it back to undo it")
        .set_remedy(Remedy::kResumeOrRollbackDeploy, std::to_string(newest->id));
  }
  if (!newest.ok() && newest.status().code() != Code::kNotFound) return newest.status();
  auto problems = engine_->Validate();
  if (!problems.ok()) return problems.status();
  std::string blocking;
  for (const Problem& p : problems.value()) {
    // Applied versions whose files are gone are the normal state of an older
    // checkout; everything else means the files and the database disagree.
    if (p.kind == ProblemKind::kFilesMissing) continue;
    blocking += (blocking.empty() ? "" : "\n") + p.message;
  }
  if (!blocking.empty()) {
    return Status(Code::kCheckFailed, blocking + "\nnothing was deployed").set_remedy(Remedy::kValidate);
  }
  if (parts_.preflight_check) {
    Status lint = CheckPending(parts_.preflight_check);
    if (!lint.ok()) {
      return Status(lint.code(), lint.message() +
                                     "\nlint errors in the pending migrations -- fix them, or suppress one with "
                                     "`-- dbroll:allow <rule> <reason>`; nothing was deployed");
    }
  }
  return Status::Ok();
}

Status Coordinator::CheckPending(MigrationCheck* check) {
  auto status = engine_->GetStatus();
  if (!status.ok()) return status.status();
  std::vector<VersionStatus> pending;
  for (const VersionStatus& v : status->versions) {
    if (v.state == VersionState::kPending) pending.push_back(v);
  }
  if (pending.empty()) return Status::Ok();
  return check->Check(pending);
}

std::string Coordinator::Clean(const std::string& text) const { return options_.redact ? options_.redact(text) : text; }

Status Coordinator::Deploy(const std::string& release) {
  DBROLL_RETURN_IF_ERROR(ValidateReleaseTag(release));
  if (!parts_.app) return Status(Code::kInvalidArgument, "Coordinator::Deploy needs an AppController");
  const bool ungated = options_.strategy != "blue-green" && parts_.gates.empty();
  if (ungated && options_.require_health_gate) {
    return Status(Code::kInvalidArgument,
                  "[deploy] require_health_gate = true, but no health gate is configured -- set [deploy] "
                  "health_url or [deploy.metrics]; nothing was deployed");
  }
  DBROLL_RETURN_IF_ERROR(ClaimSlot());
  struct Release {
    Coordinator* c;
    ~Release() { c->ReleaseSlot(); }
  } release_slot{this};
  DBROLL_RETURN_IF_ERROR(Preflight());
  if (options_.strategy == "blue-green") DBROLL_RETURN_IF_ERROR(CheckBlueGreen());
  // The release running now has stayed healthy since its deploy ended.
  PurgeAfterHealthy();
  auto status = engine_->GetStatus();
  if (!status.ok()) return status.status();
  auto history = engine_->deploys().List(0);
  if (!history.ok()) return history.status();
  DeployRecord d;
  d.release = release;
  d.previous_release = status->current_release;
  for (const DeployRecord& r : history.value()) {
    if (r.state == DeployState::kSucceeded) {
      d.previous_release = r.release;
      break;
    }
  }
  d.schema_from = status->current_version;
  d.target_release = d.previous_release;
  d.target_schema = d.schema_from;
  d.strategy = options_.strategy;
  d.started_at = d.updated_at = internal::NowUtc();
  d.started_by = options_.who;
  d.gated = !ungated;
  auto id = engine_->deploys().Create(d);
  if (!id.ok()) return id.status();
  d.id = id.value();
  (void)engine_->deploys().UpdateSlot(DeploySlot{slot_token_, "", "", 0, "", d.id});
  Log(d, "deploy:start", Status::Ok(),
      "previous release " + OrNone(d.previous_release) + ", schema " + OrNone(d.schema_from));
  if (parts_.observer) parts_.observer->OnState(d);
  if (ungated) {
    const std::string warning =
        "no health gate is configured ([deploy] health_url, [deploy.metrics]): nothing will check this deploy "
        "before it is called succeeded; it is recorded as ungated ([deploy] require_health_gate = true refuses "
        "such deploys)";
    Log(d, "deploy:ungated", Status::Ok(), warning);
    if (parts_.observer) parts_.observer->OnWarning(d, warning);
  }
  std::vector<StepTiming> steps;
  return Run(d, steps);
}

Status Coordinator::Resume(const std::string& release) {
  auto newest = Newest();
  if (!newest.ok()) return newest.status();
  DeployRecord d = std::move(newest).value();
  if (!release.empty() && release != d.release) {
    return Status(Code::kInvalidArgument, "the newest deploy is " + Label(d) + ", not of " + release +
                                              " -- resuming continues the newest deploy")
        .set_remedy(Remedy::kResumeDeploy);
  }
  if (!IsUnfinished(d.state)) {
    return Status(Code::kInvalidArgument, Label(d) + " is " + DeployStateName(d.state) + ": nothing to resume");
  }
  if (d.state != DeployState::kRollingBack) {
    auto freeze = engine_->deploys().GetFreeze();
    if (!freeze.ok()) return freeze.status();
    if (freeze->has_value()) {
      return Status(Code::kFrozen, "deploys are frozen since " + (*freeze)->at + " by " + (*freeze)->by + ": " +
                                       (*freeze)->reason + " -- unfreeze to resume, or roll back to undo " +
                                       Label(d))
          .set_remedy(Remedy::kUnfreeze);
    }
  }
  if (!parts_.app) return Status(Code::kInvalidArgument, "Coordinator::Resume needs an AppController");
  DBROLL_RETURN_IF_ERROR(ClaimSlot());
  struct Release {
    Coordinator* c;
    ~Release() { c->ReleaseSlot(); }
  } release_slot{this};
  // The slot may have been free while the hook of a killed dbroll still runs.
  auto fresh = engine_->deploys().Get(d.id);
  if (!fresh.ok()) return fresh.status();
  d = std::move(fresh).value();
  if (d.hook_pgid != 0 && !Gone(-d.hook_pgid)) {
    if (d.hook_host == HostName()) {
      return Status(Code::kDeployInProgress,
                    Label(d) + ": the hook started by the interrupted dbroll still runs as process group " +
                        std::to_string(d.hook_pgid) + " -- wait for it to end (or kill -TERM -" +
                        std::to_string(d.hook_pgid) + "), then resume again; nothing was done")
          .set_remedy(Remedy::kResumeDeploy);
    }
  }
  (void)engine_->deploys().UpdateSlot(DeploySlot{slot_token_, "", "", 0, "", d.id});
  Log(d, "deploy:resume", Status::Ok(), std::string("from state ") + DeployStateName(d.state));
  std::vector<StepTiming> steps;
  return Run(d, steps);
}

Status Coordinator::Rollback(const RollbackOptions& o) {
  if (!parts_.app) return Status(Code::kInvalidArgument, "Coordinator::Rollback needs an AppController");
  // The deploy may move on while this rollback starts (its own process
  // declaring success, say): the step into rolling-back is conditional, and
  // a lost race is looked at again.
  for (int attempt = 0;; ++attempt) {
    auto newest = Newest();
    if (!newest.ok()) {
      if (newest.status().code() == Code::kNotFound) {
        return Status(Code::kNotFound,
                      "no deploys are recorded on this database, so there is nothing to roll back -- "
                      "a migration rollback (down) moves the schema alone")
            .set_remedy(Remedy::kRunDown);
      }
      return newest.status();
    }
    DeployRecord d = std::move(newest).value();
    if (d.state == DeployState::kRolledBack || d.state == DeployState::kFailed) {
      return Status(Code::kInvalidArgument,
                    Label(d) + " is already " + DeployStateName(d.state) + ": nothing to roll back");
    }
    if (o.to_release) {
      DBROLL_RETURN_IF_ERROR(ValidateReleaseTag(*o.to_release));
      if (*o.to_release == d.release) {
        return Status(Code::kInvalidArgument, "--to-release " + d.release + " is the release being rolled back");
      }
      auto version = engine_->ReleaseVersion(*o.to_release);
      if (!version.ok()) return version.status();
      d.target_release = *o.to_release;
      d.target_schema = version.value();
    }
    std::string reason = o.reason;
    if (reason.empty()) {
      reason = IsUnfinished(d.state) && d.state != DeployState::kRollingBack
                   ? std::string("manual rollback of a deploy interrupted in state ") + DeployStateName(d.state)
                   : "manual rollback";
    }
    if (d.state == DeployState::kRollingBack || d.state == DeployState::kRollbackFailed) {
      // Finishing an earlier rollback: its reason is the one the team must see.
      if (!d.reason.empty()) reason = d.reason;
    }
    if (d.state != DeployState::kRollingBack) {
      const DeployState expected = d.state;
      d.reason = Clean(reason);
      d.finished_at.clear();
      d.state = DeployState::kRollingBack;
      d.updated_at = internal::NowUtc();
      auto won = engine_->deploys().UpdateIf(d, expected);
      if (!won.ok()) return won.status();
      if (!won.value()) {
        if (attempt < 3) continue;
        d.state = expected;
        return Overtaken(d, expected);
      }
      Log(d, "deploy:rolling-back", Status::Ok(), d.reason);
      if (parts_.observer) parts_.observer->OnState(d);
    }
    Log(d, "deploy:rollback", Status::Ok(), "requested: " + reason);
    std::vector<StepTiming> steps;
    Status s = RollBack(d, steps, reason, d.failed_check, options_.freeze_on_rollback);
    // Asked for by a person and done: that is success for this command.
    return s.code() == Code::kRolledBack ? Status::Ok() : s;
  }
}

Status Coordinator::Run(DeployRecord& d, std::vector<StepTiming>& steps) {
  for (;;) {
    switch (d.state) {
      case DeployState::kStarted: {
        Status s = Step(d, steps, "migrate", [&] {
          MigrateOptions m;
          m.release = d.release;
          return engine_->Migrate(m);
        });
        if (!s.ok()) {
          // The app was not touched. Versions this run did apply before the
          // failing one go back down, so the schema matches the running app.
          auto now = engine_->GetStatus();
          Status undo;
          if (now.ok() && now->current_version != d.target_schema) {
            undo = Step(d, steps, "schema-down", [&] {
              DownOptions down;
              down.to = d.target_schema.empty() ? std::string("0") : d.target_schema;
              down.release = d.target_release;
              return engine_->Down(down);
            });
          }
          d.reason = "migration failed: " + s.message();
          if (!undo.ok()) d.reason += "; putting the schema back failed: " + undo.message();
          d.finished_at = internal::NowUtc();
          DBROLL_RETURN_IF_ERROR(Save(d, undo.ok() ? DeployState::kFailed : DeployState::kRollbackFailed));
          Notify(undo.ok() ? "deploy-failed" : "rollback-failed", d, steps);
          if (!undo.ok()) return Status(Code::kDirty, Label(d) + ": " + d.reason + " -- a person must decide");
          return s.Prepend(Label(d) + " failed, the app was not touched: ");
        }
        auto now = engine_->GetStatus();
        if (!now.ok()) return now.status();
        d.schema_to = now->current_version;
        DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kMigrated));
        break;
      }
      case DeployState::kMigrated: {
        Status s;
        if (IsBlueGreen(d)) {
          if (!parts_.blue_green) return Status(Code::kInvalidArgument, Label(d) + " is blue-green: configure its hooks");
          s = Step(d, steps, "green-deploy", [&] { return parts_.blue_green->DeployGreen(MakeContext(d, "deploy")); });
          if (!s.ok()) return RollBack(d, steps, "green deploy failed: " + s.message(), "", options_.freeze_on_rollback);
        } else {
          s = Step(d, steps, "app-deploy", [&] { return parts_.app->Deploy(MakeContext(d, "deploy")); });
          if (!s.ok()) {
            return RollBack(d, steps, "app deploy failed: " + s.message(), "", options_.freeze_on_rollback);
          }
        }
        DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kAppDeployed));
        break;
      }
      case DeployState::kAppDeployed:
        DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kVerifying));
        break;
      case DeployState::kVerifying:
        return Verify(d, steps);
      case DeployState::kAwaitingApproval:
        return AwaitingApproval(d);
      case DeployState::kRollingBack:
        return RollBack(d, steps, d.reason, d.failed_check, options_.freeze_on_rollback);
      default:
        return Status(Code::kInvalidArgument, Label(d) + " is " + DeployStateName(d.state) + ": nothing to run");
    }
  }
}

Status Coordinator::RollBack(DeployRecord& d, std::vector<StepTiming>& steps, const std::string& reason,
                             const std::string& failed_check, bool freeze) {
  // Stopped by a signal: the step failed because its hook was stopped. No
  // rollback starts unasked; the state stays for --resume or rollback.
  if (!interrupted_.ok()) return interrupted_;
  if (d.state != DeployState::kRollingBack || d.reason.empty()) {
    d.reason = reason;
    d.failed_check = failed_check;
  }
  if (d.state != DeployState::kRollingBack) d.finished_at.clear();
  DBROLL_RETURN_IF_ERROR(Save(d, DeployState::kRollingBack));
  // Schema first: the release being returned to must find the schema it
  // was built for when it starts. The stored down scripts make this work
  // from any checkout.
  std::string failed_step;
  Status s;
  if (IsBlueGreen(d) && !HasStep(d, "retire-blue")) {
    s = RollBackBlueGreen(d, steps, &failed_step);
  } else {
    s = Step(d, steps, "schema-down", [&] { return SchemaDown(d); });
    if (!s.ok()) failed_step = "schema-down";
    if (s.ok()) {
      s = Step(d, steps, "app-revert", [&] { return parts_.app->Revert(MakeContext(d, "revert")); });
      if (!s.ok()) failed_step = "app-revert";
    }
    for (size_t i = 0; s.ok() && i < parts_.gates.size(); ++i) {
      s = Step(d, steps, "health-after-revert", [&] { return parts_.gates[i]->Check(MakeContext(d, "revert")); });
      if (!s.ok()) failed_step = "health-after-revert";
    }
  }
  const std::string why = d.reason + (d.failed_check.empty() ? "" : ": " + d.failed_check);
  if (!s.ok()) d.reason += "; the rollback failed at " + failed_step + ": " + s.message();
  d.finished_at = internal::NowUtc();
  DBROLL_RETURN_IF_ERROR(Save(d, s.ok() ? DeployState::kRolledBack : DeployState::kRollbackFailed));
  bool frozen = false;
  if (freeze) {
    FreezeRecord f{options_.who, internal::NowUtc(),
                   Clean(Label(d) + (s.ok() ? " was rolled back: " : " failed to roll back: ") + why), d.id};
    Status fs = engine_->deploys().SetFreeze(f);
    Log(d, "freeze", fs, f.reason);
    frozen = fs.ok();
  }
  Notify(s.ok() ? "deploy-rolled-back" : "rollback-failed", d, steps);
  const std::string tail = frozen ? "; deploys are frozen -- fix the cause, then unfreeze" : "";
  if (s.ok()) {
    return Status(Code::kRolledBack,
                  Label(d) + " was rolled back to " + OrNone(d.target_release) + " (schema " +
                      OrNone(d.target_schema) + "): " + why + tail)
        .set_remedy(frozen ? Remedy::kUnfreeze : Remedy::kNone);
  }
  return Status(Code::kDirty, Label(d) + " could not be rolled back: " + d.reason +
                                  " -- fix it and roll back again" + tail)
      .set_remedy(Remedy::kRollbackDeploy);
}

Status Coordinator::SchemaDown(const DeployRecord& d) {
  DownOptions down;
  down.to = d.target_schema.empty() ? std::string("0") : d.target_schema;
  down.release = d.target_release;
  return engine_->Down(down);
}

Status Coordinator::Save(DeployRecord& d, DeployState state) {
  // Conditional on the state this process last saw, so one deploy has one
  // outcome: a rollback done meanwhile by `dbroll serve` wins over success.
  const DeployState expected = d.state;
  d.state = state;
  d.updated_at = internal::NowUtc();
  d.reason = Clean(d.reason);
  d.failed_check = Clean(d.failed_check);
  auto won = engine_->deploys().UpdateIf(d, expected);
  if (!won.ok()) {
    d.state = expected;
    return Status(won.status()).Prepend(Label(d) + ": could not record state " + DeployStateName(state) + ": ");
  }
  if (!won.value()) {
    d.state = expected;
    return Overtaken(d, expected);
  }
  Log(d, std::string("deploy:") + DeployStateName(state), Status::Ok(), d.reason);
  if (parts_.observer) parts_.observer->OnState(d);
  return Status::Ok();
}

Status Coordinator::Step(DeployRecord& d, std::vector<StepTiming>& steps, const std::string& name,
                         const std::function<Status()>& fn) {
  // Re-read before every step: another process may have rolled this deploy
  // back, and then nothing more may be done in its name.
  if (d.id != 0) DBROLL_RETURN_IF_ERROR(StillOurs(d));
  // The state stays where it is, for --resume or rollback; no rollback starts unasked.
  auto interrupted = [&](const std::string& when) {
    return interrupted_ = Status(Code::kDirty, Label(d) + " was interrupted by signal " + std::to_string(StopSignal()) +
                                                   " " + when + " " + name + ", in state " + DeployStateName(d.state) +
                                                   " -- resume it to continue, or roll it back to undo it")
                              .set_remedy(Remedy::kResumeOrRollbackDeploy, std::to_string(d.id));
  };
  if (StopSignal() != 0) return interrupted("before");
  const auto t0 = Clock::now();
  const std::string started_at = internal::NowUtc();
  Status s = fn();
  if (!s.ok()) s = Status(s.code(), Clean(s.message()));
  StepTiming t{name, std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0), s.ok(), started_at};
  steps.push_back(t);
  d.steps += (d.steps.empty() ? "" : ",") + name + "=" + std::to_string(t.took.count());
  {
    nlohmann::json log = nlohmann::json::parse(d.step_log.empty() ? std::string("[]") : d.step_log, nullptr, false);
    if (!log.is_array()) log = nlohmann::json::array();
    log.push_back(
        {{"name", name}, {"started_at", started_at}, {"ms", t.took.count()}, {"outcome", s.ok() ? "ok" : "failed"}});
    d.step_log = log.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  Log(d, "deploy:" + name, s, (s.ok() ? std::string() : s.message() + " ") + "(" + std::to_string(t.took.count()) + " ms)");
  if (parts_.observer) parts_.observer->OnStep(d, t, s);
  // dbroll was asked to stop: the hook got the signal too.
  if (StopSignal() != 0) return interrupted("during");
  return s;
}

DeployContext Coordinator::MakeContext(DeployRecord& d, const std::string& action) {
  DeployContext c;
  c.deploy_id = d.id;
  c.release = d.release;
  c.previous_release = d.previous_release;
  c.target_release = action == "deploy" || action == "switch" ? d.release : d.target_release;
  auto st = engine_->GetStatus();
  if (st.ok()) c.schema_version = st->current_version;
  c.action = action;
  c.stop = [this, &d] { return StopRequested(d); };
  if (d.id != 0) {
    c.on_hook_start = [this, &d](long long pgid) {
      DeployRecord& r = d;
      r.hook_pgid = pgid;
      r.hook_host = pgid == 0 ? std::string() : HostName();
      // Same state: only the hook columns change, and only while still ours.
      (void)engine_->deploys().UpdateIf(r, r.state);
    };
  }
  return c;
}

void Coordinator::Notify(const std::string& kind, const DeployRecord& d, const std::vector<StepTiming>& steps) {
  DeployEvent e;
  e.kind = kind;
  e.deploy = d;
  e.steps = steps;
  auto freeze = engine_->deploys().GetFreeze();
  e.frozen = freeze.ok() && freeze->has_value();
  for (Notifier* n : parts_.notifiers) {
    const auto t0 = Clock::now();
    Status s = n->Notify(e);
    // A lost notification must not turn a good deploy into a failed one;
    // it is recorded and shown instead.
    Log(d, "deploy:notify", s, kind);
    if (parts_.observer) {
      parts_.observer->OnStep(
          d, StepTiming{"notify", std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t0), s.ok(), ""},
          s);
    }
  }
}

void Coordinator::Log(const DeployRecord& d, const std::string& action, const Status& outcome,
                      const std::string& detail) {
  LogEntry e;
  e.by = options_.who;
  e.action = action;
  if (!d.release.empty()) e.release = d.release;
  e.versions = d.schema_to;
  e.schema_version = "";
  auto st = engine_->GetStatus();
  if (st.ok()) e.schema_version = st->current_version;
  e.outcome = outcome.ok() ? "ok" : CodeName(outcome.code());
  e.message = Clean(d.id == 0 ? detail : "deploy " + std::to_string(d.id) + (detail.empty() ? "" : ": " + detail));
  // The deploy record is the source of truth; the audit log is best effort
  // (its tables do not exist before the first migrate on a fresh database).
  (void)engine_->AppendLog(e);
}

Status Coordinator::Freeze(const std::string& reason) {
  if (reason.empty()) return Status(Code::kInvalidArgument, "freeze needs a reason -- say why deploys stop");
  FreezeRecord f{options_.who, internal::NowUtc(), Clean(reason), 0};
  Status s = engine_->deploys().SetFreeze(f);
  DeployRecord none;
  Log(none, "freeze", s, reason);
  return s;
}

Status Coordinator::Unfreeze() {
  auto freeze = engine_->deploys().GetFreeze();
  if (!freeze.ok()) return freeze.status();
  Status s = engine_->deploys().ClearFreeze();
  DeployRecord none;
  Log(none, "unfreeze", s,
      freeze->has_value() ? "was frozen by " + (*freeze)->by + " at " + (*freeze)->at + ": " + (*freeze)->reason
                          : "was not frozen");
  return s;
}

}  // namespace dbroll
