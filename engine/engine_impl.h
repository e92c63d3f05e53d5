// The Engine implementation, shared by engine.cc (reads, checks, repair) and
// engine_run.cc (migrate and down).
#ifndef DBROLL_ENGINE_ENGINE_IMPL_H_
#define DBROLL_ENGINE_ENGINE_IMPL_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "dbroll/engine.h"
#include "engine/history.h"
#include "engine/keep_data.h"
#include "engine/repeatable.h"

namespace dbroll::internal {

class EngineImpl : public Engine {
 public:
  EngineImpl(std::unique_ptr<Driver> driver, std::unique_ptr<MigrationSource> source,
             EngineOptions options, Observer* observer);

  Result<StatusReport> GetStatus() override;
  Result<std::vector<PlannedMigration>> PlanMigrate(const MigrateOptions& options) override;
  Result<std::vector<PlannedMigration>> PlanDown(const DownOptions& options) override;
  Status Migrate(const MigrateOptions& options) override;
  Status Down(const DownOptions& options) override;
  Result<std::vector<Problem>> Validate() override;
  Result<std::vector<LogEntry>> History(int limit) override;
  Status Baseline(const std::string& version, const std::string& release) override;
  Status Repair(const RepairOptions& options) override;
  Result<AdoptReport> Adopt(const AdoptOptions& options) override;  // engine/adopt.cc
  Result<std::string> ReleaseVersion(const std::string& release) override;
  Status AppendLog(const LogEntry& entry) override;
  DeployStore& deploys() override { return *deploys_; }
  Driver& driver() override { return *driver_; }
  const EngineOptions& options() const override { return options_; }

  // Verify's scratch engine on a database dbroll created empty for this
  // process alone (engine/scratch.cc): the history tables, once ensured,
  // stay; the keep-data catalog exists only once this engine created it; and
  // no audit-log row is written (nobody reads the scratch database's log).
  // The rows a migrate reads back to confirm it serve the next run's load.
  // Saves four to six round trips per engine run.
  void set_private_scratch() { private_scratch_ = true; }

 private:
  // Holds the one-runner lock for a scope.
  class LockScope {
   public:
    explicit LockScope(EngineImpl* e) : e_(e) {}
    ~LockScope() {
      if (held_) (void)e_->driver_->Unlock();
    }
    Status Acquire();
    // Releases the lock at the end of a run that returns `result`. A run that
    // succeeded fails when the release does: the SQLite fleet setting makes
    // the run durable when it releases the lock.
    Status Finish(Status result);

   private:
    EngineImpl* e_;
    bool held_ = false;
  };

  struct State {
    std::vector<Migration> migrations;
    std::map<std::string, HistoryRow> rows;  // by version
  };
  // Lists migrations and reads the history (empty when the tables do not exist).
  Result<State> Load(bool with_scripts);
  // Reads the history back after a migrate that reported success: kDirty
  // naming the first of `*applied` whose row is not applied (and drops it and
  // what follows from `*applied`), else Ok.
  Status ConfirmApplied(const std::vector<Migration>& migrations, std::vector<std::string>* applied);
  // After migration `m` (up or down) committed: the driver's replica-lag wait.
  Status WaitForReplicas(const Migration& m);
  // Takes the lock and ensures the history tables (unless dry_run), then Load().
  Result<State> LockAndLoad(LockScope* lock, bool dry_run, bool with_scripts);
  // Validate() on an already loaded state.
  std::vector<Problem> Check(const State& st) const;
  Result<std::vector<Statement>> Split(const Script& script) const;
  bool RunsInTransaction(const Script& script, const std::vector<Statement>& stmts) const;
  // "path:line:col: message (SQLSTATE x)" for a failed statement.
  std::string Locate(const std::vector<Statement>& stmts, const Status& s) const;
  Status RunTransactionWithRetry(const std::string& label, const std::vector<Statement>& stmts,
                                 const std::vector<std::string>& bookkeeping);
  Status RunStatementWithRetry(const std::string& label, const Statement& stmt);
  // `m` with placeholders replaced (engine/placeholders.h): the up's text
  // (its checksum stays the file's), the down's text and checksum. Ok `m`
  // itself when placeholders are off.
  Result<Migration> Prepare(const Migration& m) const;
  // A down script with placeholders replaced, its checksum of the new text.
  Result<Script> PrepareDown(const Script& down) const;
  HistoryRow RowFor(const Migration& m, const std::vector<Statement>& up_stmts,
                    const std::string& release) const;
  // Tells the observer that `m` failed and returns the error, keeping the
  // cause's SQLSTATE.
  // The remedy defaults to running the same direction again.
  Status Failed(const Migration& m, Direction d, Code code, const std::string& message, const Status& cause,
                std::optional<Remedy> remedy = std::nullopt);
  Status ApplyUp(const Migration& m, const HistoryRow* resume, const std::string& release,
                 bool dry_run);
  // With `without_data` the version's keep-data archives are forgotten, not restored.
  Status ApplyDown(const Migration& m, const HistoryRow& row, const Script& down, bool dry_run,
                   bool without_data = false);
  // `stmts` with keep-data archive statements added where the up asks for
  // them; creates the archive catalog when needed (not in a dry run).
  Result<std::vector<Statement>> WithArchives(const Migration& m, std::vector<Statement> stmts, bool dry_run,
                                              bool resuming);
  // Notices naming what a version archived / restored.
  void NoticeArchives(const std::string& label, const std::vector<ArchiveInfo>& archives, bool restored);
  // Whether `s` can commit in one transaction with its progress update.
  bool CommitsWithProgress(const Statement& s) const;
  // Runs statements [start, n) of `script` one at a time (engine_resume.cc):
  // the intent (state running / down-running, statements_done = k, and for a
  // statement that cannot commit with its progress the session id and a
  // catalog fingerprint) is written before statement k+1, the progress with
  // it or after it. `row` is the row to write (up: the new row; down: the
  // applied row); `row_exists` whether the history has it.
  Status RunStepwise(const Migration& m, Direction d, const Script& script, const std::vector<Statement>& stmts,
                     HistoryRow row, int start, bool row_exists);
  // Where to resume an interrupted or failed statement-by-statement run of
  // `row`: decides whether statement statements_done + 1 took effect (waits
  // for its session, drops an invalid index it left, compares the catalog).
  Result<int> ResumeAt(const Migration& m, Direction d, const std::vector<Statement>& stmts, const HistoryRow& row);
  // The fingerprint expression for what `s` touches ("" when unknown).
  std::string FingerprintSql(const Statement& s, FingerprintScope scope) const;
  // The stored down script of `r` as a Script, or an error when it does not
  // match its stored checksum.
  Result<Script> StoredDown(const HistoryRow& r) const;
  std::string NewestApplied(const std::map<std::string, HistoryRow>& rows) const;
  // `note` is the message of a successful action (a repair's reason); a
  // failure's message is its error, with the note after it.
  void Log(const std::string& action, const std::vector<std::string>& versions,
           const std::optional<std::string>& release, const std::string& schema_version,
           const Status& outcome, const std::string& note = "");
  const std::string& Who() const;
  // The migrations directory, resolved against base_dir.
  std::string MigrationsDir() const;
  // Runs one repeatable migration (engine/repeatable.cc) and records it as
  // applied now, and for `release` when one is given.
  Status RunRepeatable(const std::string& name, const Script& script, const std::string& checksum,
                       const std::string& release, bool dry_run);
  // After a migrate: re-applies every repeatable whose text changed and
  // records the texts `release` reached; names the applied ones in *applied.
  Status ApplyRepeatables(const std::string& release, bool dry_run, std::vector<std::string>* applied);
  // After a rollback to `release`: re-applies that release's stored text of
  // each repeatable that differs now.
  Status RestoreRepeatables(const std::string& release, bool dry_run, std::vector<std::string>* applied);
  // Runs `run` as a dry run with an observer that records the plan.
  Result<std::vector<PlannedMigration>> Collect(const std::function<Status()>& run);

  // Chained intent (migrate only): the migration that will run right after
  // the current one, fresh; when both run statement by statement, the write
  // that records the current one applied also records the intent of the
  // next one's first statement (one round trip instead of two), and
  // `pre_intent_version_` names the version whose intent is already written.
  const Migration* next_up_ = nullptr;
  std::string pre_intent_version_;
  // The intent row and fingerprint of `next`'s first statement when it will
  // run on its own (statement by statement, not with its progress).
  std::optional<std::pair<HistoryRow, std::string>> ChainedIntent(const Migration& next, const std::string& release) const;

  std::unique_ptr<Driver> driver_;
  std::unique_ptr<MigrationSource> source_;
  EngineOptions options_;
  Observer* observer_;
  Observer null_observer_;
  internal::History history_;
  RepeatableStore repeatables_;
  std::unique_ptr<DeployStore> deploys_;
  KeepData keep_;
  int lock_retries_;
  mutable std::string who_;
  bool private_scratch_ = false;
  bool history_ensured_ = false;   // private scratch: history_.Ensure() succeeded
  bool archives_created_ = false;  // private scratch: this engine created the keep-data catalog
  // Private scratch: the history rows (with scripts) a successful migrate
  // read back last; the next Load takes them instead of reading again.
  std::optional<std::vector<HistoryRow>> rows_cache_;
};

// Comma-joined 16-hex-digit checksums, one per statement.
std::string StatementChecksums(const std::vector<Statement>& stmts);
// True for statements MySQL commits implicitly (DDL and friends).
bool IsImplicitCommit(const Statement& s);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_ENGINE_IMPL_H_
