// The events of a run as `dbroll ... --format json` streams them (docs/cli.md,
// "JSON lines"), for any program that wants the same stream: the engine's
// Observer events plus a run's plan, summary, wait attempts and error.
#ifndef DBROLL_RUN_EVENTS_H_
#define DBROLL_RUN_EVENTS_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/coordinator.h"
#include "dbroll/database_admin.h"
#include "dbroll/engine.h"
#include "dbroll/fleet.h"
#include "dbroll/observer.h"

namespace dbroll {

// The version of the JSON documents and events dbroll prints ("format").
inline constexpr int kJsonFormat = 1;

struct RunSummary {
  std::string command;  // migrate, down, baseline, repair, wait, create, drop
  bool ok = true;
  long long ms = 0;                    // wall time of the whole command
  std::optional<std::string> version;  // schema version afterwards; nullopt: unknown
  std::string message;                 // for commands without migrations ("database shop created")
};

// An Observer that also hears what a command around the engine calls does.
class RunObserver : public Observer {
 public:
  // What a migrate or down is about to run (called only when is_json()).
  virtual void OnPlan(const std::string& command, const std::vector<PlannedMigration>& plan) = 0;
  virtual void OnSummary(const RunSummary& summary) = 0;
  // A connection attempt failed and will be retried.
  virtual void OnWaitAttempt(const WaitAttempt& attempt) = 0;
  // The command failed with `error`; the process exits with `exit_code`.
  virtual void OnError(const Status& error, int exit_code) = 0;
  // True for the JSON event stream. Emit writes one more event there:
  // `fields` is a JSON object's text whose members follow "format" and
  // "event"; a text that is no JSON object adds no member. Others ignore it.
  virtual bool is_json() const = 0;
  virtual void Emit(const std::string& event, const std::string& fields) = 0;
  // Migrations finished (up or down) since the observer was made.
  virtual int done() const = 0;
  // The version of the last migration finished ("" when none).
  virtual const std::string& last_version() const = 0;
};

struct JsonEventOptions {
  // Receives each event: one JSON object, without a newline. Required.
  std::function<void(const std::string&)> write;
  // Applied to every message. Default: none.
  std::function<std::string(const std::string&)> redact;
  // A dry run: finished migrations are not counted. Default: false.
  bool dry_run = false;
  // What an error event lists as "next" (commands to run). Default: none.
  std::function<std::vector<std::string>(const Status&)> next;
};

// The JSON-lines writer: every object has "format" (kJsonFormat) and
// "event" first; invalid UTF-8 in names and messages becomes U+FFFD.
std::unique_ptr<RunObserver> NewJsonEventWriter(JsonEventOptions options);

// A deploy's progress as events through `events` (JSON only): deploy_state,
// deploy_step (ok / failed, ms, message) and warning, every message passed
// through `redact` (default: none). `events` must outlive the observer.
std::unique_ptr<DeployObserver> NewDeployEventWriter(RunObserver* events,
                                                     std::function<std::string(const std::string&)> redact);

// A fleet run's events through `events` (JSON only): fleet_target for each
// finished target, then fleet_summary (CountFleetRun's counts of `report`,
// over `targets` targets, `ms` long).
void EmitFleetTarget(RunObserver& events, const std::string& action, const FleetTargetResult& target);
void EmitFleetSummary(RunObserver& events, const std::string& action, const FleetReport& report, size_t targets,
                      long long ms);

// A migrate or down reported around `run`: the plan first (JSON only), the
// summary last with the schema version afterwards (none for a dry run).
// Returns run's Status (or plan's error, before anything ran).
Status RunReported(Engine& engine, RunObserver& events, const std::string& command, bool dry_run,
                   const std::function<Result<std::vector<PlannedMigration>>()>& plan,
                   const std::function<Status()>& run);

// A command without migrations (baseline, repair): on success its summary
// with `done_message` (default "<command> done") -- in text only when
// `done_message` is given.
Status RunSummarized(Engine& engine, RunObserver& events, const std::string& command,
                     const std::function<Status()>& run, const std::string& done_message);

}  // namespace dbroll

#endif  // DBROLL_RUN_EVENTS_H_
