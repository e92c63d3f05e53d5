#include <pwd.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "engine/open_options.h"
#include "engine/checksum.h"
#include "engine/deploy_store.h"
#include "engine/engine_impl.h"
#include "engine/preflight.h"
#include "engine/splitter.h"

namespace dbroll {

const char* VersionStateName(VersionState s) {
  switch (s) {
    case VersionState::kApplied: return "applied";
    case VersionState::kPending: return "pending";
    case VersionState::kMissingFile: return "applied-file-missing";
    case VersionState::kChecksumChanged: return "checksum-changed";
    case VersionState::kFailed: return "failed";
    case VersionState::kRunning: return "interrupted";
  }
  return "?";
}

const char* HistoryStateName(HistoryState s) {
  switch (s) {
    case HistoryState::kApplied: return "applied";
    case HistoryState::kRunning: return "running";
    case HistoryState::kFailed: return "failed";
    case HistoryState::kDownRunning: return "down-running";
    case HistoryState::kDownFailed: return "down-failed";
  }
  return "?";
}

std::optional<HistoryState> ParseHistoryState(const std::string& name) {
  for (HistoryState s : {HistoryState::kApplied, HistoryState::kRunning, HistoryState::kFailed,
                         HistoryState::kDownRunning, HistoryState::kDownFailed}) {
    if (name == HistoryStateName(s)) return s;
  }
  return std::nullopt;
}

namespace internal {

DriverOptions DriverOptionsOf(const EngineOptions& options) {
  DriverOptions d;
  d.url = options.url;
  d.base_dir = options.base_dir;
  d.schema = options.schema;
  d.history_table = options.history_table;
  d.settings = options.driver_settings;
  d.read_only = options.read_only;
  return d;
}

std::string MigrationsDirOf(const EngineOptions& options) {
  std::filesystem::path dir = options.migrations_dir;
  if (dir.is_relative() && !options.base_dir.empty()) dir = std::filesystem::path(options.base_dir) / dir;
  return dir.string();
}

std::unique_ptr<MigrationSource> MigrationDirectoryOf(const EngineOptions& options) {
  return MigrationSource::Directory(MigrationsDirOf(options), options.base_dir,
                                    {options.migrations_layout, options.no_transaction_versions});
}

}  // namespace internal

Result<std::unique_ptr<Engine>> Engine::Open(const EngineOptions& options, Observer* observer) {
  auto driver = OpenDriver(internal::DriverOptionsOf(options));
  if (!driver.ok()) return driver.status();
  return Open(std::move(driver).value(), internal::MigrationDirectoryOf(options), options, observer);
}

Result<std::unique_ptr<Engine>> Engine::Open(std::unique_ptr<Driver> driver,
                                             std::unique_ptr<MigrationSource> source,
                                             const EngineOptions& options, Observer* observer) {
  if (!driver || !source) return Status(Code::kInvalidArgument, "Engine::Open needs a driver and a source");
  return std::unique_ptr<Engine>(
      new internal::EngineImpl(std::move(driver), std::move(source), options, observer));
}

std::string DefaultActor() {
  const char* user = std::getenv("USER");
  if (!user || !*user) user = std::getenv("LOGNAME");
  if (!user || !*user) {
    if (const passwd* pw = getpwuid(geteuid())) user = pw->pw_name;
  }
  char host[256] = {0};
  gethostname(host, sizeof host - 1);
  return std::string(user && *user ? user : "unknown") + "@" + host;
}

namespace internal {

std::string StatementChecksums(const std::vector<Statement>& stmts) {
  std::string out;
  for (const auto& s : stmts) {
    if (!out.empty()) out += ',';
    out += Sha256Hex(s.text).substr(0, 16);
  }
  return out;
}

bool IsImplicitCommit(const Statement& s) {
  size_t b = 0;
  while (b < s.text.size() && !std::isalpha(static_cast<unsigned char>(s.text[b]))) ++b;
  size_t e = b;
  while (e < s.text.size() && std::isalpha(static_cast<unsigned char>(s.text[e]))) ++e;
  std::string w = s.text.substr(b, e - b);
  for (char& c : w) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  static const char* kDml[] = {"SELECT", "INSERT", "UPDATE", "DELETE", "REPLACE", "SET",
                               "DO", "WITH", "VALUES", "TABLE"};
  return std::none_of(std::begin(kDml), std::end(kDml), [&](const char* k) { return w == k; });
}

EngineImpl::EngineImpl(std::unique_ptr<Driver> driver, std::unique_ptr<MigrationSource> source,
                       EngineOptions options, Observer* observer)
    : driver_(std::move(driver)),
      source_(std::move(source)),
      options_(std::move(options)),
      observer_(observer ? observer : &null_observer_),
      history_(driver_.get(), options_.schema, options_.history_table),
      repeatables_(driver_.get(), options_.schema, options_.history_table),
      deploys_(NewSqlDeployStore(driver_.get(), options_.schema, options_.history_table)),
      keep_(driver_.get(), options_.schema, options_.history_table),
      lock_retries_(options_.lock_retries) {
  auto it = options_.driver_settings.find(std::string(DialectName(driver_->dialect())) + ".lock_retries");
  if (it != options_.driver_settings.end()) lock_retries_ = std::atoi(it->second.c_str());
  keep_.set_max_rows(options_.keep_data_max_rows);
}

Status EngineImpl::LockScope::Acquire() {
  // Every path that writes takes the lock first: a read-only engine stops here.
  if (e_->options_.read_only) {
    return Status(Code::kInvalidArgument,
                  "this command opened the database read-only, so it cannot change it -- nothing was changed");
  }
  Status s = e_->driver_->Lock(e_->options_.lock_timeout);
  if (s.ok()) {
    held_ = true;
    return s;
  }
  if (s.code() == Code::kLockTimeout) {
    return Status(Code::kLockTimeout,
                  "another dbroll is migrating this database (waited " +
                      std::to_string(e_->options_.lock_timeout.count() / 1000.0).substr(0, 4) +
                      " s for its lock) -- wait for it to finish, or raise --lock-timeout");
  }
  return s;
}

Status EngineImpl::LockScope::Finish(Status result) {
  if (!held_) return result;
  held_ = false;
  Status released = e_->driver_->Unlock();
  return result.ok() ? released : result;
}

Result<EngineImpl::State> EngineImpl::Load(bool with_scripts) {
  State st;
  auto migrations = source_->List(driver_->dialect());
  if (!migrations.ok()) return migrations.status();
  st.migrations = std::move(migrations).value();
  // Taken once: whatever runs next may write.
  std::optional<std::vector<HistoryRow>> cached = std::move(rows_cache_);
  rows_cache_.reset();
  auto exists = history_ensured_ ? Result<bool>(true) : history_.Exists();
  if (!exists.ok()) return exists.status();
  if (exists.value()) {
    auto rows = cached ? Result<std::vector<HistoryRow>>(std::move(*cached)) : history_.Read(with_scripts);
    if (!rows.ok()) return rows.status();
    for (auto& r : rows.value()) st.rows.emplace(r.version, std::move(r));
  }
  return st;
}

Result<std::vector<Statement>> EngineImpl::Split(const Script& script) const {
  auto split = SplitStatements(script.path, script.text, driver_->dialect());
  if (!split.ok()) return split.status();
  return RunnableStatements(script, std::move(split).value(), driver_->dialect());
}

std::string EngineImpl::NewestApplied(const std::map<std::string, HistoryRow>& rows) const {
  std::string best;
  for (const auto& [v, r] : rows) {
    if (r.state != HistoryState::kApplied) continue;
    if (best.empty() || CompareVersions(v, best) > 0) best = v;
  }
  return best;
}

const std::string& EngineImpl::Who() const {
  // Looked up once: every history row and log entry carries it.
  if (who_.empty()) who_ = options_.applied_by.empty() ? DefaultActor() : options_.applied_by;
  return who_;
}

void EngineImpl::Log(const std::string& action, const std::vector<std::string>& versions,
                     const std::optional<std::string>& release, const std::string& schema_version,
                     const Status& outcome, const std::string& note) {
  if (private_scratch_) return;
  LogEntry e;
  e.by = Who();
  e.action = action;
  for (const auto& v : versions) e.versions += (e.versions.empty() ? "" : ",") + v;
  e.release = release;
  e.schema_version = schema_version;
  e.outcome = outcome.ok() ? "ok" : CodeName(outcome.code());
  e.message = outcome.ok() ? note : outcome.ToString() + (note.empty() ? "" : " (" + note + ")");
  // The log must never hide the real outcome: a failure to write it is only a notice.
  Status s = AppendLog(e);
  if (!s.ok()) observer_->OnNotice("could not write the audit log: " + s.ToString());
}

Status EngineImpl::AppendLog(const LogEntry& entry) {
  if (options_.read_only) {
    return Status(Code::kInvalidArgument, "the audit log cannot be written through a read-only engine");
  }
  LogEntry e = entry;
  if (e.by.empty()) e.by = Who();
  return driver_->RunStatement(Statement{history_.LogSql(e), "", 1, 1, 0});
}

Result<StatusReport> EngineImpl::GetStatus() {
  auto st = Load(false);
  if (!st.ok()) return st.status();
  StatusReport report;
  std::map<std::string, HistoryRow>& rows = st->rows;
  for (const auto& m : st->migrations) {
    VersionStatus vs;
    vs.version = m.version;
    vs.name = m.name;
    vs.file_checksum = m.up.checksum;
    vs.up_path = m.up.path;
    auto it = rows.find(m.version);
    if (it == rows.end()) {
      vs.state = VersionState::kPending;
    } else {
      const HistoryRow& r = it->second;
      if (r.state == HistoryState::kApplied) {
        vs.state = r.up_checksum == m.up.checksum ? VersionState::kApplied : VersionState::kChecksumChanged;
      } else if (r.state == HistoryState::kRunning || r.state == HistoryState::kDownRunning) {
        vs.state = VersionState::kRunning;
      } else {
        vs.state = VersionState::kFailed;
      }
      vs.row = r;
      rows.erase(it);
    }
    report.versions.push_back(std::move(vs));
  }
  const bool orphans = !rows.empty();
  for (auto& [v, r] : rows) {
    VersionStatus vs;
    vs.version = v;
    vs.name = r.name;
    vs.state = r.state == HistoryState::kApplied ? VersionState::kMissingFile
               : (r.state == HistoryState::kRunning || r.state == HistoryState::kDownRunning) ? VersionState::kRunning
                                                                                              : VersionState::kFailed;
    vs.row = r;
    report.versions.push_back(std::move(vs));
  }
  if (orphans) {  // rows without files go between the others; files alone come sorted
    std::sort(report.versions.begin(), report.versions.end(),
              [](const VersionStatus& a, const VersionStatus& b) { return CompareVersions(a.version, b.version) < 0; });
  }
  for (const auto& v : report.versions) {
    if (v.row && v.row->state == HistoryState::kApplied) report.current_version = v.version;
  }
  if (!st->rows.empty() || !report.current_version.empty()) {
    auto rel = history_.CurrentRelease();
    if (rel.ok()) report.current_release = rel.value();
  }
  return report;
}

Result<std::vector<Problem>> EngineImpl::Validate() {
  auto st = Load(true);
  if (!st.ok()) {
    if (st.status().code() != Code::kInvalidArgument) return st.status();
    return std::vector<Problem>{Problem{"", "", st.status().message(), ProblemKind::kUnreadable}};
  }
  return Check(st.value());
}

std::vector<Problem> EngineImpl::Check(const State& st) const {
  std::vector<Problem> problems;
  std::string newest = NewestApplied(st.rows);
  std::map<std::string, const Migration*> files;
  for (const auto& m : st.migrations) {
    files[m.version] = &m;
    auto it = st.rows.find(m.version);
    if (it == st.rows.end()) {
      if (!newest.empty() && CompareVersions(m.version, newest) < 0) {
        problems.push_back({m.version, m.up.path,
                            m.up.path + ": version " + m.version + " is pending but older than the applied " +
                                newest + " -- give it a version newer than " + newest,
                            ProblemKind::kPendingOlder});
      }
      continue;
    }
    const HistoryRow& r = it->second;
    if (r.state == HistoryState::kApplied && r.up_checksum != m.up.checksum) {
      problems.push_back({m.version, m.up.path,
                          m.up.path + ": changed since it was applied on " + r.applied_at + " by " +
                              r.applied_by + " (checksum " + r.up_checksum.substr(0, 12) + " -> " +
                              m.up.checksum.substr(0, 12) +
                              ") -- restore the applied text and put the change in a new migration",
                          ProblemKind::kChecksumChanged});
    } else if (r.state != HistoryState::kApplied) {
      const bool down = r.state == HistoryState::kDownRunning || r.state == HistoryState::kDownFailed;
      problems.push_back({m.version, m.up.path,
                          m.up.path + ": version " + m.version + " is " + HistoryStateName(r.state) +
                              " after statement " + std::to_string(r.statements_done) +
                              (r.error ? ": " + *r.error : std::string()) + " -- " +
                              (r.state == HistoryState::kDownFailed ? "roll back again" : "migrate again") + " to " +
                              (down ? "finish the rollback" : "resume"),
                          ProblemKind::kUnfinished});
    }
  }
  for (const auto& [v, r] : st.rows) {
    if (r.down_script) {
      auto stored = StoredDown(r);
      if (!stored.ok() && stored.status().code() == Code::kCheckFailed) {
        problems.push_back({v, "", stored.status().message(), ProblemKind::kStoredDownTampered});
      }
    }
    if (files.count(v)) continue;
    problems.push_back({v, "", "version " + v + " (" + r.name +
                                   ") is applied but its files are missing -- restore them; "
                                   "a rollback still works from the stored down script",
                        ProblemKind::kFilesMissing});
  }
  return problems;
}

Result<std::vector<LogEntry>> EngineImpl::History(int limit) {
  auto exists = history_.Exists();
  if (!exists.ok()) return exists.status();
  if (!exists.value()) return std::vector<LogEntry>{};
  return history_.ReadLog(limit);
}

Result<std::string> EngineImpl::ReleaseVersion(const std::string& release) {
  auto exists = history_.Exists();
  if (!exists.ok()) return exists.status();
  if (!exists.value()) return Status(Code::kNotFound, "release " + release + " was never migrated on this database");
  return history_.ReleaseVersion(release);
}

HistoryRow EngineImpl::RowFor(const Migration& m, const std::vector<Statement>& up_stmts,
                              const std::string& release) const {
  HistoryRow r;
  r.version = m.version;
  r.name = m.name;
  r.up_checksum = m.up.checksum;
  if (m.down) {
    r.down_checksum = m.down->checksum;
    r.down_script = m.down->text;
    r.down_no_transaction = m.down->directives.no_transaction;
  }
  r.irreversible = m.up.directives.irreversible;
  r.applied_at = NowUtc();
  r.applied_by = Who();
  if (!release.empty()) r.release = release;
  r.statement_checksums = StatementChecksums(up_stmts);
  return r;
}

Status EngineImpl::Baseline(const std::string& version, const std::string& release) {
  LockScope lock(this);
  DBROLL_RETURN_IF_ERROR(lock.Acquire());
  DBROLL_RETURN_IF_ERROR(history_.Ensure());
  auto st = Load(true);
  if (!st.ok()) return st.status();
  if (!st->rows.empty()) {
    return Status(Code::kInvalidArgument, "baseline is for a database with no dbroll history, and " +
                                              history_.table() + " has " + std::to_string(st->rows.size()) +
                                              " rows -- repair single versions instead")
        .set_remedy(Remedy::kRepairVersion);
  }
  std::vector<std::string> book, versions;
  for (const auto& raw : st->migrations) {
    if (CompareVersions(raw.version, version) > 0) break;
    auto prepared = Prepare(raw);
    if (!prepared.ok()) return prepared.status();
    const Migration& m = prepared.value();
    auto stmts = Split(m.up);
    if (!stmts.ok()) return stmts.status();
    HistoryRow r = RowFor(m, stmts.value(), release);
    r.statements_done = static_cast<int>(stmts->size());
    book.push_back(history_.UpsertSql(r));
    versions.push_back(m.version);
  }
  if (versions.empty() || versions.back() != version) {
    return Status(Code::kNotFound, "version " + version + " is not among the migration files -- baseline names an existing version");
  }
  Status s = driver_->RunTransaction({}, book);
  Log("baseline", versions, release.empty() ? std::nullopt : std::optional(release), version, s);
  return s;
}

Status EngineImpl::Repair(const RepairOptions& o) {
  LockScope lock(this);
  DBROLL_RETURN_IF_ERROR(lock.Acquire());
  DBROLL_RETURN_IF_ERROR(history_.Ensure());
  State loaded;
  {
    auto migrations = source_->List(driver_->dialect());
    if (!migrations.ok()) return migrations.status();
    loaded.migrations = std::move(migrations).value();
    // A row with a state this dbroll does not know is still repairable.
    std::vector<std::string> unknown;
    auto rows = history_.Read(true, &unknown);
    if (!rows.ok()) return rows.status();
    for (auto& r : rows.value()) loaded.rows.emplace(r.version, std::move(r));
  }
  State* st = &loaded;
  std::vector<std::string> book, versions;
  const std::string why = o.reason.empty() ? std::string() : ": " + o.reason;
  std::string note;  // what the log says was done, with the reason
  if (o.mark_statement_done || o.retry_statement) {
    const std::string& v = o.mark_statement_done ? *o.mark_statement_done : *o.retry_statement;
    auto it = st->rows.find(v);
    if (it == st->rows.end()) return Status(Code::kNotFound, "version " + v + " has no history row -- nothing to repair");
    const HistoryRow& r = it->second;
    if (r.state == HistoryState::kApplied) {
      return Status(Code::kInvalidArgument, "version " + v +
                                                " is applied -- --mark-statement-done and --retry-statement are for "
                                                "an interrupted or failed run")
          .set_remedy(Remedy::kInspectStatus);
    }
    const bool down = r.state == HistoryState::kDownRunning || r.state == HistoryState::kDownFailed;
    int done = r.statements_done + (o.mark_statement_done ? 1 : 0);
    int total = -1;
    auto m = std::find_if(st->migrations.begin(), st->migrations.end(), [&](const Migration& x) { return x.version == v; });
    if (!down) {
      total = r.statement_checksums.empty()
                  ? 0
                  : static_cast<int>(std::count(r.statement_checksums.begin(), r.statement_checksums.end(), ',')) + 1;
    } else {
      Script script;
      if (m != st->migrations.end() && m->down) {
        auto prepared = PrepareDown(*m->down);
        if (!prepared.ok()) return prepared.status();
        script = std::move(prepared).value();
      } else {
        auto stored = StoredDown(r);
        if (!stored.ok()) return stored.status();
        script = stored.value();
      }
      auto stmts = Split(script);
      if (!stmts.ok()) return stmts.status();
      total = static_cast<int>(stmts->size());
      // keep-data restore steps run after the down's own statements.
      auto restore = keep_.RestoreDown(v, script.path, false, true);
      if (!restore.ok()) return restore.status();
      total += static_cast<int>(restore->size());
    }
    const std::string row_note = std::string(o.mark_statement_done ? "statement " + std::to_string(done) + " marked done"
                                                               : "statement " + std::to_string(done + 1) +
                                                                     " marked for retry") +
                             " by hand" + why;
    note = "version " + v + " " + row_note;
    if (done >= total && down) {
      book.push_back(history_.DeleteSql(v));
    } else if (done >= total) {
      book.push_back(history_.StateSql(v, HistoryState::kApplied, total, std::nullopt, "NULL", row_note));
    } else {
      // A session id with no catalog fingerprint: the next run continues at
      // statement done + 1 without checking it.
      book.push_back(history_.StateSql(v, r.state, done, std::string("repair"), "NULL", row_note));
    }
    versions.push_back(v);
  } else if (o.mark_applied) {
    const std::string& v = *o.mark_applied;
    auto m = std::find_if(st->migrations.begin(), st->migrations.end(),
                          [&](const Migration& x) { return x.version == v; });
    if (m == st->migrations.end()) {
      return Status(Code::kNotFound, "version " + v + " has no migration files -- --mark-applied needs them to record checksums");
    }
    auto prepared = Prepare(*m);
    if (!prepared.ok()) return prepared.status();
    auto stmts = Split(prepared->up);
    if (!stmts.ok()) return stmts.status();
    HistoryRow r = RowFor(prepared.value(), stmts.value(), "");
    r.statements_done = static_cast<int>(stmts->size());
    r.error = "marked applied by hand" + why;
    note = "version " + v + " " + *r.error;
    book.push_back(history_.UpsertSql(r));
    versions.push_back(v);
  } else if (o.mark_rolled_back) {
    const std::string& v = *o.mark_rolled_back;
    if (!st->rows.count(v)) return Status(Code::kNotFound, "version " + v + " has no history row -- nothing to mark rolled back");
    book.push_back(history_.DeleteSql(v));
    note = "version " + v + " marked rolled back by hand" + why;
    versions.push_back(v);
  } else {
    for (const auto& [v, r] : st->rows) {
      if (r.state == HistoryState::kApplied) continue;
      if (r.state == HistoryState::kRunning || r.state == HistoryState::kDownRunning) {
        return Status(Code::kDirty, "version " + v + " is " + HistoryStateName(r.state) + " at statement " +
                                        std::to_string(r.statements_done + 1) +
                                        " (interrupted) -- migrate again: it finds out whether that statement "
                                        "took effect and finishes the run")
            .set_remedy(Remedy::kRunMigrate);
      }
      if (r.statements_done > 0 || r.state == HistoryState::kDownFailed) {
        return Status(Code::kDirty,
                      "version " + v + " is " + HistoryStateName(r.state) + " after " + std::to_string(r.statements_done) +
                          " statement(s), so part of it is in the database -- finish or undo it by hand, then record "
                          "which: mark it applied or rolled back")
            .set_remedy(Remedy::kMarkAppliedOrRolledBack, v);
      }
      book.push_back(history_.DeleteSql(v));
      versions.push_back(v);
    }
    if (versions.empty()) {
      observer_->OnNotice("nothing to repair: no failed versions");
      return Status::Ok();
    }
    note = "removed failed row(s) whose first statement failed" + why;
  }
  Status s = driver_->RunTransaction({}, book);
  auto after = history_.Read(false);
  std::map<std::string, HistoryRow> rows;
  if (after.ok()) for (auto& r : after.value()) rows.emplace(r.version, r);
  Log("repair", versions, std::nullopt, NewestApplied(rows), s, note);
  return s;
}

}  // namespace internal
}  // namespace dbroll
