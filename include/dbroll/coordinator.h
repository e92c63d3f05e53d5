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

struct StepTiming {
  std::string step;  // "migrate", "app-deploy", "health", "schema-down", "app-revert", ...
  std::chrono::milliseconds took{0};
  bool ok = true;
};

// What notifiers receive.
struct DeployEvent {
  std::string kind;  // deploy-succeeded | deploy-failed | deploy-rolled-back | rollback-failed
  DeployRecord deploy;
  std::vector<StepTiming> steps;  // this run's steps, in order
  bool frozen = false;            // deploys are frozen after this event
};
// The event as JSON: {"text": "<one line for humans>", "event": ..., "deploy_id": ...,
// "release": ..., "state": ..., "reason": ..., "failed_check": ..., "steps": [...]}.
// Slack-compatible: Slack shows "text" and ignores the rest.
std::string DeployEventJson(const DeployEvent& event);
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
};

struct CoordinatorOptions {
  // Freeze further deploys after a rollback (successful or not). Default: true.
  bool freeze_on_rollback = true;
  // Recorded on each deploy. Default: "rolling".
  std::string strategy = "rolling";
  // Recorded as who deployed or froze. Default: $USER@hostname.
  std::string who;
};

// The pieces a Coordinator drives; it owns none of them.
struct CoordinatorParts {
  AppController* app = nullptr;      // required
  std::vector<HealthGate*> gates;    // all must pass, in order; empty: none
  std::vector<Notifier*> notifiers;  // all are told; empty: none
  DeployObserver* observer = nullptr;
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
  Status Deploy(const std::string& release);
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
                  const std::string& failed_check);
  Status Preflight();
  Status Save(DeployRecord& d, DeployState state);
  Status Step(DeployRecord& d, std::vector<StepTiming>& steps, const std::string& name,
              const std::function<Status()>& fn);
  DeployContext MakeContext(const DeployRecord& d, const std::string& action);
  void Notify(const std::string& kind, const DeployRecord& d, const std::vector<StepTiming>& steps);
  void Log(const DeployRecord& d, const std::string& action, const Status& outcome, const std::string& detail);
  Result<DeployRecord> Newest();

  Engine* engine_;
  CoordinatorParts parts_;
  CoordinatorOptions options_;
};

// True for a release tag made of [A-Za-z0-9._+-], 1..128 long, not starting
// with '-' or '.'. Tags reach hook environments and logs, so nothing else passes.
Status ValidateReleaseTag(const std::string& tag);

}  // namespace dbroll

#endif  // DBROLL_COORDINATOR_H_
