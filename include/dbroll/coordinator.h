// Coordinated deploy and rollback over an Engine: schema first, then the app,
// then the health gates; on failure the schema goes back before the app is
// reverted, deploys are frozen and the team is told. The app, the gates and
// the notifiers are interfaces, so an orchestrator can supply its own; the
// CLI's implementations are in deploy_hooks.h.
#ifndef DBROLL_COORDINATOR_H_
#define DBROLL_COORDINATOR_H_

#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/deploy_store.h"
#include "dbroll/engine.h"
#include "dbroll/keep_data.h"
#include "dbroll/project.h"  // ValidateReleaseTag: tags reach hook environments and logs
#include "dbroll/status.h"

namespace dbroll {

// What a hook or a gate is told about the deploy it serves.
struct DeployContext {
  long long deploy_id = 0;
  std::string release;           // the release being deployed (or rolled back)
  std::string previous_release;  // the release running before it; "" when none
  std::string target_release;    // what the app should run once the hook is done
  std::string schema_version;    // newest applied version right now; "" when none
  std::string action;            // "deploy" or "revert"
  // Gates poll it between checks and give up (kCheckFailed) once it is true:
  // dbroll is stopping, or another process rolled the deploy back. May be empty.
  std::function<bool()> stop;
  // A hook runner calls it with the hook's process group id once it started
  // (and with 0 once it ended), so the deploy record names it. May be empty.
  std::function<void(long long pgid)> on_hook_start;
};

class AppController {
 public:
  virtual ~AppController() = default;
  // Puts ctx.target_release (the new release) into service. A non-ok Status
  // is a failed step; its message says why (exit code, last output lines).
  virtual Status Deploy(const DeployContext& ctx) = 0;
  // Puts ctx.target_release (the release to return to) back into service.
  // Called after the schema is back at that release's version.
  virtual Status Revert(const DeployContext& ctx) = 0;
};

class HealthGate {
 public:
  virtual ~HealthGate() = default;
  // Blocks until the app is healthy (ok) or the gate gives up: kCheckFailed
  // whose message names the failing check and its last answer.
  virtual Status Check(const DeployContext& ctx) = 0;
};

// Blue-green: the new release (green) runs beside the old one (blue) until a
// person approves the switch. Hooks, so the contract is only about traffic.
class BlueGreenController {
 public:
  virtual ~BlueGreenController() = default;
  // Starts ctx.release beside the running release; traffic stays on blue.
  virtual Status DeployGreen(const DeployContext& ctx) = 0;
  // Sends all traffic to ctx.target_release: green when ctx.action is
  // "switch", blue again when it is "switch-back" (a failed approval).
  virtual Status Switch(const DeployContext& ctx) = 0;
  // Stops blue; called once green serves the public URL healthily.
  virtual Status RetireBlue(const DeployContext& ctx) = 0;
  // Stops green; traffic is on blue when this is called.
  virtual Status DiscardGreen(const DeployContext& ctx) = 0;
};

// Looks at pending migrations before a deploy applies them.
class MigrationCheck {
 public:
  virtual ~MigrationCheck() = default;
  // Ok when `pending` may run; kCheckFailed whose message lists each
  // offending statement (path:line:col) and what to do instead.
  virtual Status Check(const std::vector<VersionStatus>& pending) = 0;
};

struct StepTiming {
  std::string step;  // "migrate", "app-deploy", "health", "schema-down", "app-revert", ...
  std::chrono::milliseconds took{0};
  bool ok = true;
  std::string started_at;  // ISO 8601 UTC
};

// What notifiers receive.
struct DeployEvent {
  std::string kind;  // deploy-succeeded | deploy-failed | deploy-rolled-back | rollback-failed
  DeployRecord deploy;
  std::vector<StepTiming> steps;  // this run's steps, in order
  bool frozen = false;            // deploys are frozen after this event
};
// The event as JSON (docs/coordinator.md, "JSON schema"): {"schema_version": 1,
// "text": "<one line for humans>", "event": ..., and the deploy as DeployJson}.
// Slack-compatible: Slack shows "text" and ignores the rest.
std::string DeployEventJson(const DeployEvent& event);
// One deploy as a JSON object, the same in `deploys --format json` and in
// the webhook: ids, releases, state, times, "duration_ms" (null while
// running), "gated", and "steps": [{name, started_at, ms, outcome}].
std::string DeployJson(const DeployRecord& deploy);
// The one line in "text", e.g. "dbroll: deploy 4 of v2 rolled back to v1: ...".
std::string DeployEventText(const DeployEvent& event);

class Notifier {
 public:
  virtual ~Notifier() = default;
  // Delivers `event`. A failure is reported and logged but never changes the
  // deploy's outcome.
  virtual Status Notify(const DeployEvent& event) = 0;
};

// Progress, for printing. Default: ignore.
class DeployObserver {
 public:
  virtual ~DeployObserver() = default;
  virtual void OnState(const DeployRecord& deploy) { (void)deploy; }
  virtual void OnStep(const DeployRecord& deploy, const StepTiming& step, const Status& outcome) {
    (void)deploy; (void)step; (void)outcome;
  }
  // Something the person deploying must know, e.g. that no gate checks the deploy.
  virtual void OnWarning(const DeployRecord& deploy, const std::string& text) { (void)deploy; (void)text; }
  // [deploy] purge_after: the keep-data archives purged because `healthy`
  // (the newest succeeded deploy) has been healthy long enough. Never empty.
  virtual void OnPurge(const DeployRecord& healthy, const std::vector<ArchiveInfo>& purged) {
    (void)healthy; (void)purged;
  }
};

struct CoordinatorOptions {
  // Freeze further deploys after a rollback (successful or not). Default: true.
  bool freeze_on_rollback = true;
  // Recorded on each deploy. Default: "rolling".
  std::string strategy = "rolling";
  // Recorded as who deployed or froze. Default: $USER@hostname.
  std::string who;
  // Blue-green: how long a deploy may wait in awaiting-approval before the
  // next look at it rejects it. Zero: forever. Default: 24 h.
  std::chrono::milliseconds approval_timeout{std::chrono::hours(24)};
  // Refuse a rolling deploy that no health gate would check. Default: false
  // (such a deploy runs with a warning and is recorded as ungated).
  bool require_health_gate = false;
  // Take the deploy slot even from a live-looking holder on another host
  // (`deploy --take-over`, for a deployer known to be gone). Default: false.
  bool take_over = false;
  // Applied to every text the coordinator records or sends (reasons, the
  // audit log, notifications), so known secrets never leave. Default: none.
  std::function<std::string(const std::string&)> redact;
  // Purge the keep-data archives of versions the releases before the current
  // one applied, once the current release (the newest deploy, succeeded) has
  // been healthy this long; checked when a deploy succeeds and before every
  // later deploy (docs/coordinator.md). Default: none (never purge).
  std::optional<std::chrono::milliseconds> purge_after;
  // Wall clock for purge_after. Default: std::chrono::system_clock::now.
  std::function<std::chrono::system_clock::time_point()> now;
};

// The pieces a Coordinator drives; it owns none of them.
struct CoordinatorParts {
  AppController* app = nullptr;      // required
  std::vector<HealthGate*> gates;    // all must pass, in order; empty: none
  std::vector<Notifier*> notifiers;  // all are told; empty: none
  DeployObserver* observer = nullptr;
  // Blue-green (strategy "blue-green") only:
  BlueGreenController* blue_green = nullptr;  // required for blue-green
  std::vector<HealthGate*> green_gates;       // on green before approval
  std::vector<HealthGate*> public_gates;      // through the public URL after the switch
  MigrationCheck* blue_green_check = nullptr;  // backward compatibility; null: none
  MigrationCheck* preflight_check = nullptr;   // every deploy (lint errors); null: none
};

struct RollbackOptions {
  // Release to return to; default: the deploy's previous release.
  std::optional<std::string> to_release;
  // Why, recorded and sent. Default: "manual rollback".
  std::string reason;
};

class Coordinator {
 public:
  Coordinator(Engine* engine, CoordinatorParts parts, CoordinatorOptions options);

  // Preflight, migrate, app deploy, health gates. Ok when healthy;
  // kRolledBack when it went wrong and was rolled back; kFrozen while frozen;
  // kCheckFailed on checksum drift; kDirty when an unfinished deploy or a
  // failed rollback needs a person; the migrate error when migration failed.
  // With options.strategy "blue-green": the pending migrations must pass
  // blue_green_check (kCheckFailed, nothing done), then migrate, green
  // deploy, green gates, and kAwaitingApproval: Approve or Reject decides.
  Status Deploy(const std::string& release);
  // Blue-green: switch traffic to green, public gates, success, retire blue.
  // Ok when green serves; kRolledBack when the switch or a gate failed and
  // traffic, green and schema went back; kInvalidArgument unless deploy `id`
  // awaits approval.
  Status Approve(long long id);
  // Blue-green: keeps traffic on blue, discards green, rolls this release's
  // migrations back, notifies. Does not freeze: a person decided.
  Status Reject(long long id, const std::string& reason);
  // Rejects the newest deploy when it has awaited approval longer than
  // approval_timeout. True when it did; errors as Reject.
  Result<bool> ExpireApproval();
  // Continues the newest deploy from the state it stopped in.
  // kInvalidArgument when it is finished; `release`, when not empty, must match.
  Status Resume(const std::string& release);
  // Rolls back the newest deploy (finishing an interrupted rollback):
  // schema down first, app revert, health gates, freeze, notify. Ok when
  // rolled back; kDirty when a step failed.
  Status Rollback(const RollbackOptions& options);
  Status Freeze(const std::string& reason);
  Status Unfreeze();

 private:
  Status Run(DeployRecord& d, std::vector<StepTiming>& steps);
  Status RollBack(DeployRecord& d, std::vector<StepTiming>& steps, const std::string& reason,
                  const std::string& failed_check, bool freeze);
  Status RollBackBlueGreen(DeployRecord& d, std::vector<StepTiming>& steps, std::string* failed_step);
  Status Verify(DeployRecord& d, std::vector<StepTiming>& steps);
  Status SchemaDown(const DeployRecord& d);
  Status CheckBlueGreen();
  // Runs `check` over the pending migrations (ok when none are pending).
  Status CheckPending(MigrationCheck* check);
  Status AwaitingApproval(const DeployRecord& d) const;
  Status Preflight();
  // [deploy] purge_after: purges what the newest healthy deploy can no
  // longer roll back to. Never fails the deploy: problems are warnings.
  void PurgeAfterHealthy();
  Status Save(DeployRecord& d, DeployState state);
  Status Step(DeployRecord& d, std::vector<StepTiming>& steps, const std::string& name,
              const std::function<Status()>& fn);
  DeployContext MakeContext(DeployRecord& d, const std::string& action);
  void Notify(const std::string& kind, const DeployRecord& d, const std::vector<StepTiming>& steps);
  void Log(const DeployRecord& d, const std::string& action, const Status& outcome, const std::string& detail);
  Result<DeployRecord> Newest();
  // The deploy slot: one process at a time deploys, resumes, approves or rejects.
  Status ClaimSlot();
  void ReleaseSlot();
  // After a conditional write lost: what the other process did to `d`.
  Status Overtaken(DeployRecord& d, DeployState expected);
  // Ok while the stored state of `d` is still d.state.
  Status StillOurs(DeployRecord& d);
  bool StopRequested(DeployRecord& d);
  std::string Clean(const std::string& text) const;

  Engine* engine_;
  CoordinatorParts parts_;
  CoordinatorOptions options_;
  std::string slot_token_;  // "" when this coordinator does not hold the slot
  Status interrupted_;      // set once a stop signal ended a step
  std::chrono::steady_clock::time_point last_stop_check_{};
};

}  // namespace dbroll

#endif  // DBROLL_COORDINATOR_H_
