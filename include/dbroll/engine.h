// The migration engine: the only part that knows both the migration source
// and the database driver.
#ifndef DBROLL_ENGINE_H_
#define DBROLL_ENGINE_H_

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/deploy_store.h"
#include "dbroll/driver.h"
#include "dbroll/migration.h"
#include "dbroll/observer.h"
#include "dbroll/options.h"
#include "dbroll/source.h"
#include "dbroll/status.h"

namespace dbroll {

enum class VersionState {
  kApplied,          // applied, files match
  kPending,          // files present, not applied
  kMissingFile,      // applied, files gone (an older checkout): the stored down is used
  kChecksumChanged,  // applied, up.sql differs from what was applied
  kFailed,           // a non-transactional run stopped at failed_statement
  kRunning,          // a run was interrupted (process killed) at statements_done
};
const char* VersionStateName(VersionState s);  // "applied", "pending", ...

// The state of a history row; stored as its name ("applied", "running",
// "failed", "down-running", "down-failed").
enum class HistoryState {
  kApplied,      // the up ran to its end
  kRunning,      // a statement-by-statement up was interrupted before statement statements_done + 1 finished
  kFailed,       // statement statements_done + 1 of the up failed with an error and did not take effect
  kDownRunning,  // a statement-by-statement down was interrupted (the row leaves when the down ends)
  kDownFailed,   // down statement statements_done + 1 failed with an error and did not take effect
};
const char* HistoryStateName(HistoryState s);
// The state named `name`, or nullopt for a name this dbroll does not know.
std::optional<HistoryState> ParseHistoryState(const std::string& name);

// One row of dbroll_history.
struct HistoryRow {
  std::string version, name, up_checksum, down_checksum;
  std::optional<std::string> down_script;  // the exact down.sql text at apply time
  bool down_no_transaction = false;
  std::optional<std::string> irreversible;  // reason, for irreversible ups
  std::string applied_at, applied_by;       // ISO 8601 UTC, user@host
  std::optional<std::string> release;
  long long duration_ms = 0;
  HistoryState state = HistoryState::kApplied;
  int statements_done = 0;  // for statement-by-statement runs
  std::optional<std::string> error;
  std::string statement_checksums;  // comma-separated, one per up statement
  // The intent recorded before statement statements_done + 1 of a
  // statement-by-statement run (format 2). session_id: the connection that
  // runs it (nullopt: unknown, e.g. a row written by format 1). catalog_before:
  // the catalog fingerprint taken before a statement that cannot commit with
  // its progress; nullopt when the statement commits together with its
  // progress (so an interrupted one did not take effect).
  std::optional<std::string> session_id;
  std::optional<std::string> catalog_before;
};

struct VersionStatus {
  std::string version, name;
  VersionState state = VersionState::kPending;
  std::optional<HistoryRow> row;  // present when applied / failed / running
  std::string file_checksum;      // "" when the files are missing
  std::string up_path;
};

struct StatusReport {
  std::vector<VersionStatus> versions;
  std::string current_version;  // newest applied, "" when none
  std::string current_release;  // release of the last successful migrate, "" when none
};

// One row of the audit log (dbroll_log).
struct LogEntry {
  long long id = 0;
  std::string at, by, action;  // action: migrate | down | baseline | repair | deploy ...
  std::string versions;        // comma-separated versions touched
  std::optional<std::string> release;
  std::string schema_version;  // newest applied version after the action
  std::string outcome;         // ok | failed | ...
  std::string message;
};

struct MigrateOptions {
  std::optional<std::string> to;  // stop after this version; default: all
  std::string release;            // recorded on rows and in the log; default: none (see ValidateReleaseTag)
  bool dry_run = false;           // emit SQL through Observer::OnSql, change nothing
};

enum class DownSource { kFile, kStored };
struct DownOptions {
  int steps = 1;                          // default: one version
  std::optional<std::string> to;          // keep this version and older applied
  std::optional<std::string> to_release;  // back to the schema that release reached
  bool all = false;
  bool dry_run = false;
  DownSource down_source = DownSource::kFile;  // when file and stored copy differ
  std::string release;                    // recorded in the log; default: none (see ValidateReleaseTag)
  // Roll back versions whose keep-data archive was purged (their data is
  // not restored) instead of refusing. Default: false.
  bool without_data = false;
};

struct RepairOptions {
  std::optional<std::string> mark_applied;      // a person finished this version by hand
  std::optional<std::string> mark_rolled_back;  // a person undid this version by hand
  // An interrupted statement-by-statement run of this version: its next
  // statement did take effect (mark_statement_done) / did not and must run
  // again (retry_statement). The next migrate (or down) continues from there.
  std::optional<std::string> mark_statement_done;
  std::optional<std::string> retry_statement;
  std::string reason;
};

// What a Problem is about; Migrate decides by this what blocks it.
enum class ProblemKind {
  kOther,               // informational: reported by validate only
  kChecksumChanged,     // an applied up.sql changed (blocks migrate)
  kPendingOlder,        // a pending version older than the newest applied (blocks migrate)
  kUnfinished,          // a version is running / failed / down-running / down-failed
  kFilesMissing,        // an applied version has no files (migrate prints a notice)
  kStoredDownTampered,  // the stored down script does not match its stored checksum
  kUnreadable,          // the migrations could not be listed or read
};

// Take over another tool's history (docs/adopt.md).
struct AdoptOptions {
  // The tool: golang-migrate, dbmate, goose, flyway, sql-migrate, diesel or popx.
  std::string from;
  // Its history table. Default: the tool's own (schema_migrations,
  // goose_db_version, flyway_schema_history, gorp_migrations,
  // __diesel_schema_migrations, schema_migration).
  std::string table;
  bool dry_run = false;  // report what would be recorded; change nothing
};

struct AdoptReport {
  std::string tool, table;          // as read
  std::vector<std::string> versions;  // recorded (or, dry run, to record) as applied, oldest first
  std::vector<std::string> names;     // the migration name of each version
  // Repeatable migrations taken over as applied (Flyway's, when the file
  // still has the checksum Flyway recorded).
  std::vector<std::string> repeatables;
};

// A problem found by Validate().
struct Problem {
  std::string version;
  std::string path;
  std::string message;
  ProblemKind kind = ProblemKind::kOther;
};

// One migration a migrate or down would run, with its statements.
struct PlannedMigration {
  std::string version, name;
  Direction direction = Direction::kUp;
  std::vector<std::string> statements;  // as split, without delimiters
};

class Engine {
 public:
  // Opens the driver for options.url and the migrations directory.
  static Result<std::unique_ptr<Engine>> Open(const EngineOptions& options,
                                              Observer* observer = nullptr);
  // With a given driver and source (tests, embedding).
  static Result<std::unique_ptr<Engine>> Open(std::unique_ptr<Driver> driver,
                                              std::unique_ptr<MigrationSource> source,
                                              const EngineOptions& options,
                                              Observer* observer = nullptr);
  virtual ~Engine() = default;

  virtual Result<StatusReport> GetStatus() = 0;
  // What Migrate / Down with these options would run, in order; changes
  // nothing and takes no lock. Same refusals as the real run.
  virtual Result<std::vector<PlannedMigration>> PlanMigrate(const MigrateOptions& options) = 0;
  virtual Result<std::vector<PlannedMigration>> PlanDown(const DownOptions& options) = 0;
  // Applies pending ups in order. Refuses (kCheckFailed) on checksum drift,
  // and on a failed version whose applied statements were edited.
  virtual Status Migrate(const MigrateOptions& options) = 0;
  // Rolls back newest first with file or stored down scripts.
  virtual Status Down(const DownOptions& options) = 0;
  // Checksum drift, missing files, unpaired files. Empty when all is well.
  virtual Result<std::vector<Problem>> Validate() = 0;
  virtual Result<std::vector<LogEntry>> History(int limit) = 0;
  // Records every version up to `version` as applied without running it.
  virtual Status Baseline(const std::string& version, const std::string& release) = 0;
  virtual Status Repair(const RepairOptions& options) = 0;
  // Records every version another tool applied (read from its history
  // table, left untouched) as applied by dbroll, with the down scripts and
  // checksums from the files, running nothing. Refuses (kDirty) when the
  // tool's state is dirty or failed, (kNotFound) when an applied version has
  // no files, and (kInvalidArgument) when dbroll's history has rows already.
  virtual Result<AdoptReport> Adopt(const AdoptOptions& options) = 0;
  // The schema version that `release` reached, from the log.
  virtual Result<std::string> ReleaseVersion(const std::string& release) = 0;
  // Appends to the audit log (coordinator steps use this too).
  virtual Status AppendLog(const LogEntry& entry) = 0;
  // Deploy records and the deploy freeze, stored beside the history tables.
  virtual DeployStore& deploys() = 0;

  virtual Driver& driver() = 0;
  virtual const EngineOptions& options() const = 0;
};

}  // namespace dbroll

#endif  // DBROLL_ENGINE_H_
