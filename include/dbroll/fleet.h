// A fleet: the same migrations over many databases (a database or schema per
// tenant). Each target runs the ordinary Engine, so its state is its own
// history and an interrupted fleet run resumes by running again.
#ifndef DBROLL_FLEET_H_
#define DBROLL_FLEET_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "dbroll/options.h"
#include "dbroll/status.h"

namespace dbroll {

// The database URLs [fleet] in `config` names, in order, each once:
// `targets` (URLs), `targets_glob` (SQLite files relative to the project
// dir), `targets_command` (run by /bin/sh in the project dir; one URL per
// output line, blank lines and # comments ignored), and `schemas_url` with
// `schemas` or `schemas_query` (one target per PostgreSQL schema: that
// database with search_path set to it). kInvalidArgument when [fleet] names
// none, or a command fails.
Result<std::vector<std::string>> ResolveFleetTargets(const Config& config);

// What happened to one target.
struct FleetTargetResult {
  std::string target;  // the URL, password redacted
  // ok | failed | skipped (not started: a stop) | rolled-back | rollback-failed
  std::string outcome;
  std::string from_version, to_version;  // newest applied before / after; "" for none
  int pending = 0;                       // status: versions not applied yet
  long long ms = 0;
  std::string error;  // "" unless failed; redacted
};

struct FleetReport {
  std::string run_id;             // "" for status (not recorded)
  std::string action;             // migrate | down | status | verify
  std::string started, finished;  // ISO 8601 UTC
  std::vector<FleetTargetResult> targets;  // in the order they finished
  std::string newest_version;              // the newest version the migrations hold
  std::string stop_reason;                 // why targets were skipped; "" when none were
  int failed() const;
  bool ok() const { return failed() == 0 && stop_reason.empty(); }
};

// `fleet status`, aggregated: targets per version, those behind, the failed.
struct FleetStatusSummary {
  std::map<std::string, int> versions;  // current version ("" none) -> targets
  std::vector<const FleetTargetResult*> stragglers;  // behind newest_version, no error
  std::vector<const FleetTargetResult*> failed;      // with an error
};
FleetStatusSummary SummarizeFleetStatus(const FleetReport& report);

// A migrate, down or verify run counted per target: a target rolled back
// after it succeeded counts as rolled back, not ok; "failed" is any outcome
// other than ok, skipped and rolled-back.
struct FleetRunCounts {
  int ok = 0, failed = 0, skipped = 0, rolled_back = 0;
};
FleetRunCounts CountFleetRun(const FleetReport& report);

struct FleetOptions {
  // Targets run at once. Default (0): the machine's cores.
  int parallel = 0;
  // Run the first K targets alone first; continue only when all succeeded and
  // canary_gate (when set) passes. Default: 0 (no canary).
  int canary = 0;
  // Start at most this many targets per wave; the next wave starts when a
  // wave ended. Default: 0 (one wave).
  int wave_size = 0;
  // Stop starting targets after this many failed. Default: 0 (never stop).
  int max_failures = 0;
  // After a failure, roll back with their stored downs the targets this run
  // migrated, newest first. Default: false.
  bool rollback_on_failure = false;
  MigrateOptions migrate;  // for Migrate()
  DownOptions down;        // for Down()
  // Runs after the canary; not ok stops the run. Default: none (see
  // NewFleetCanaryGate).
  std::function<Status()> canary_gate;
  // Called (one call at a time) as each target finishes or rolls back.
  std::function<void(const FleetTargetResult&)> on_target;
  // Called for phases: "canary: 2 target(s) first", "canary gate passed".
  std::function<void(const std::string&)> on_notice;
};

class Fleet {
 public:
  // The targets of config's [fleet]; migrations are read once, from the
  // config's directory, for every target. The run record goes to
  // [fleet] state_url (default: sqlite .dbroll-fleet.db beside dbroll.toml).
  static Result<std::unique_ptr<Fleet>> Open(const Config& config);
  // With explicit targets (tests, orchestrators).
  static Result<std::unique_ptr<Fleet>> Open(const Config& config, std::vector<std::string> targets);
  virtual ~Fleet() = default;

  // The Result is an error only when the run could not start (bad options,
  // unreadable migrations, the run record); a target's failure is in the report.
  virtual Result<FleetReport> Migrate(const FleetOptions& options) = 0;
  virtual Result<FleetReport> Down(const FleetOptions& options) = 0;
  // Per target: current version, pending count, error. Changes nothing.
  virtual Result<FleetReport> GetStatus(const FleetOptions& options) = 0;
  // Per target: validate (checksums, files) and drift (the live schema
  // against a replay of its applied migrations).
  virtual Result<FleetReport> Verify(const FleetOptions& options) = 0;
  // The recorded runs, newest first (run record targets included).
  virtual Result<std::vector<FleetReport>> Runs(int limit) = 0;
  virtual const std::vector<std::string>& targets() const = 0;
};

// [fleet] canary_gate: an http(s) URL that must answer 2xx, or a shell
// command (run in `dir`) that must exit 0. kCheckFailed otherwise.
std::function<Status()> NewFleetCanaryGate(const std::string& gate, const std::string& dir);

}  // namespace dbroll

#endif  // DBROLL_FLEET_H_
