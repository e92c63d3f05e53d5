// Migrate and down: the paths that change the database.
#include <algorithm>
#include <chrono>
#include <thread>

#include "dbroll/project.h"
#include "engine/engine_impl.h"
#include "engine/preflight.h"
#include "engine/splitter.h"

namespace dbroll::internal {
namespace {

using Clock = std::chrono::steady_clock;

long long MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::vector<std::string> SplitCsv(const std::string& csv) {
  std::vector<std::string> out;
  size_t b = 0;
  while (b <= csv.size() && !csv.empty()) {
    size_t e = csv.find(',', b);
    out.push_back(csv.substr(b, e == std::string::npos ? std::string::npos : e - b));
    if (e == std::string::npos) break;
    b = e + 1;
  }
  return out;
}

}  // namespace

bool EngineImpl::RunsInTransaction(const Script& script, const std::vector<Statement>& stmts) const {
  if (script.directives.no_transaction) return false;
  if (driver_->TransactionalDdl()) return true;
  // MySQL commits DDL implicitly: only a data-only script can be atomic.
  return std::none_of(stmts.begin(), stmts.end(), IsImplicitCommit);
}

std::string EngineImpl::Locate(const std::vector<Statement>& stmts, const Status& s) const {
  std::string where;
  if (auto i = s.statement_index(); i && *i >= 0 && static_cast<size_t>(*i) < stmts.size()) {
    const Statement& st = stmts[*i];
    int line = st.line, col = st.column;
    if (auto p = s.position()) {
      int rl = 1, rc = 1;
      LineColumnAt(st.text, *p, &rl, &rc);
      if (rl == 1) {
        col = st.column + rc - 1;
      } else {
        line = st.line + rl - 1;
        col = rc;
      }
    }
    where = st.path + ":" + std::to_string(line) + ":" + std::to_string(col) + ": ";
  }
  std::string msg = where + s.message();
  if (!s.sqlstate().empty() && msg.find(s.sqlstate()) == std::string::npos) msg += " (SQLSTATE " + s.sqlstate() + ")";
  return msg;
}

Status EngineImpl::RunTransactionWithRetry(const std::string& label, const std::vector<Statement>& stmts,
                                           const std::vector<std::string>& bookkeeping) {
  auto backoff = options_.lock_retry_backoff;
  for (int attempt = 0;; ++attempt) {
    Status s = driver_->RunTransaction(stmts, bookkeeping);
    if (s.code() != Code::kLockTimeout || attempt >= lock_retries_) return s;
    observer_->OnNotice(label + ": could not get a lock in time (attempt " + std::to_string(attempt + 1) + " of " +
                        std::to_string(lock_retries_ + 1) + "), nothing applied; retrying in " +
                        std::to_string(backoff.count()) + " ms");
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

Status EngineImpl::RunStatementWithRetry(const std::string& label, const Statement& stmt) {
  auto backoff = options_.lock_retry_backoff;
  for (int attempt = 0;; ++attempt) {
    Status s = driver_->RunStatement(stmt);
    if (s.code() != Code::kLockTimeout || attempt >= lock_retries_) return s;
    observer_->OnNotice(label + ": could not get a lock in time (attempt " + std::to_string(attempt + 1) + " of " +
                        std::to_string(lock_retries_ + 1) + "); retrying in " + std::to_string(backoff.count()) +
                        " ms");
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

Status EngineImpl::Failed(const Migration& m, Direction d, Code code, const std::string& message, const Status& cause,
                          std::optional<Remedy> remedy) {
  Status out(code, message);
  out.set_sqlstate(cause.sqlstate());
  if (!remedy && cause.remedy() != Remedy::kNone) {
    out.set_remedy(cause.remedy(), cause.remedy_subject());  // a cause that says its own next step keeps it
  } else {
    out.set_remedy(remedy.value_or(d == Direction::kUp ? Remedy::kRunMigrate : Remedy::kRunDown));
  }
  observer_->OnMigrationFailed(m, d, out);
  return out;
}

Result<std::vector<Statement>> EngineImpl::WithArchives(const Migration& m, std::vector<Statement> stmts,
                                                        bool dry_run, bool resuming) {
  const bool whole = m.up.directives.keep_data || options_.keep_data;
  if (!whole && m.up.text.find("dbroll:keep-data") == std::string::npos) return stmts;
  auto out = keep_.ArchiveUp(m.version, m.up, stmts, whole, !dry_run && !resuming);
  if (!out.ok()) return out.status();
  if (out->size() != stmts.size() && !dry_run) {
    DBROLL_RETURN_IF_ERROR(keep_.EnsureCatalog());
    archives_created_ = true;
  }
  return out;
}

void EngineImpl::NoticeArchives(const std::string& label, const std::vector<ArchiveInfo>& archives, bool restored) {
  for (const auto& a : archives) {
    const std::string what = BareName(a.table) + (a.columns.empty() ? std::string() : "." + a.columns);
    if (restored) {
      observer_->OnNotice(label + ": keep-data restored " + what + " from " + a.archive + " (" +
                          std::to_string(a.rows) + " rows) and removed the archive");
    } else if (a.kind == "renamed") {
      observer_->OnNotice(label + ": keep-data renamed " + what + " aside to " + a.archive + " (" +
                          std::to_string(a.rows) + " rows); a rollback renames it back, a purge drops it");
    } else {
      observer_->OnNotice(label + ": keep-data archived " + what + " in " + a.archive + " (" +
                          std::to_string(a.rows) + " rows); a rollback restores it, a purge removes it");
    }
  }
}

Status EngineImpl::ApplyUp(const Migration& m, const HistoryRow* resume, const std::string& release, bool dry_run) {
  auto split = Split(m.up);
  if (!split.ok()) return split.status();
  auto kept = WithArchives(m, split.value(), dry_run, resume != nullptr);
  if (!kept.ok()) return kept.status();
  const bool archives = kept->size() != split->size();
  auto notice_archives = [&] {
    if (!archives || dry_run) return;
    if (auto list = keep_.List(m.version); list.ok()) NoticeArchives(m.version + "_" + m.name, list.value(), false);
  };
  const std::vector<Statement>& stmts = kept.value();
  const std::string label = m.version + "_" + m.name;
  const bool tx = RunsInTransaction(m.up, stmts);
  if (tx && !resume) {
    for (const auto& s : stmts) {
      if (auto why = NonTransactionalReason(*driver_, s)) {
        return Status(Code::kInvalidArgument,
                      s.path + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": " + *why +
                          " cannot run inside a transaction -- add `-- dbroll:no-transaction` at the top of " +
                          m.up.path + "; nothing was applied");
      }
    }
  }
  int start = 0;
  if (resume) {
    // Resume a statement-by-statement run after the statements that already
    // ran, but only when they are still the same statements.
    start = resume->statements_done;
    std::vector<std::string> was = SplitCsv(resume->statement_checksums);
    std::vector<std::string> now = SplitCsv(StatementChecksums(stmts));
    for (int i = 0; i < start; ++i) {
      if (static_cast<size_t>(i) >= was.size() || static_cast<size_t>(i) >= now.size() || was[i] != now[i]) {
        const std::string where =
            static_cast<size_t>(i) < stmts.size()
                ? stmts[i].path + ":" + std::to_string(stmts[i].line) + ":" + std::to_string(stmts[i].column) + ": "
                : m.up.path + ": ";
        return Status(Code::kDirty,
                      where + "statement " + std::to_string(i + 1) +
                          " already ran in the database but has changed since -- "
                          "restore its text (only statements from " +
                          std::to_string(start + 1) +
                          " on may change), or undo it by hand and mark it rolled back")
            .set_remedy(Remedy::kMarkRolledBack, m.version);
      }
    }
    if (start > 0) {
      observer_->OnNotice(label + ": resuming at statement " + std::to_string(start + 1) + " of " +
                          std::to_string(stmts.size()) + "; statements 1.." + std::to_string(start) +
                          " already ran");
    }
  }
  observer_->OnMigrationStart(m, Direction::kUp);
  if (dry_run) {
    for (size_t i = start; i < stmts.size(); ++i) observer_->OnSql(m, Direction::kUp, stmts[i].text);
    observer_->OnMigrationDone(m, Direction::kUp, std::chrono::milliseconds(0));
    return Status::Ok();
  }
  const auto t0 = Clock::now();
  HistoryRow row = RowFor(m, stmts, release);
  if (tx && !resume) {
    row.statements_done = static_cast<int>(stmts.size());
    // duration is unknown until commit; the bookkeeping row carries the time so far.
    Status s = RunTransactionWithRetry(label, stmts, {history_.InsertSql(row)});
    if (!s.ok()) {
      if (s.code() == Code::kConnectionLost) {
        return Failed(m, Direction::kUp, Code::kConnectionLost,
                      Locate(stmts, s) +
                          " -- the connection was lost, so the transaction was rolled back; "
                          "migrate again when the database is reachable",
                      s);
      }
      if (s.code() == Code::kCommitUnknown) {
        return Failed(m, Direction::kUp, Code::kCommitUnknown,
                      m.up.path + ": " + s.message() +
                          " -- the migration and its history row commit together, so the history tells which: "
                          "migrate again",
                      s);
      }
      return Failed(
          m, Direction::kUp, s.code() == Code::kLockTimeout ? s.code() : Code::kMigrationFailed,
          Locate(stmts, s) + " -- fix the migration and migrate again; the database was not changed", s);
    }
    observer_->OnMigrationDone(m, Direction::kUp, std::chrono::milliseconds(MsSince(t0)));
    notice_archives();
    return Status::Ok();
  }
  // Statement by statement: always so when resuming, whatever mode the
  // edited file would choose now, so no statement that ran runs again.
  if (resume) {
    auto at = ResumeAt(m, Direction::kUp, stmts, *resume);
    if (!at.ok()) return Failed(m, Direction::kUp, at.status().code(), at.status().message(), at.status());
    start = at.value();
  }
  Status s = RunStepwise(m, Direction::kUp, m.up, stmts, std::move(row), start, resume != nullptr);
  if (s.ok()) notice_archives();
  return s;
}

Status EngineImpl::WaitForReplicas(const Migration& m) {
  Status s = driver_->WaitForReplicas([this](const std::string& message) { observer_->OnNotice(message); });
  if (s.ok()) return s;
  return Status(s.code(), m.version + "_" + m.name + " is done; " + s.message());
}

Status EngineImpl::ConfirmApplied(const std::vector<Migration>& migrations, std::vector<std::string>* applied) {
  // A run that reported success must be one the history shows: whatever
  // left a write uncommitted (a transaction the file opened and never ended,
  // a history table the file changed), migrate never exits 0 with a version
  // in any state but applied.
  auto rows = history_.Read(private_scratch_);
  if (!rows.ok()) return rows.status();
  std::map<std::string, HistoryState> state;
  for (const auto& r : rows.value()) state[r.version] = r.state;
  for (size_t i = 0; i < applied->size(); ++i) {
    const std::string v = (*applied)[i];
    auto it = state.find(v);
    if (it != state.end() && it->second == HistoryState::kApplied) continue;
    auto m = std::find_if(migrations.begin(), migrations.end(), [&](const Migration& x) { return x.version == v; });
    const std::string path = m == migrations.end() ? "version " + v : m->up.path;
    const std::string found =
        it == state.end() ? "no history row" : std::string("a history row in state ") + HistoryStateName(it->second);
    Status out(Code::kDirty, path + ": version " + v + " ran to its end, yet " + options_.history_table + " holds " +
                                 found +
                                 " for it, not applied -- check the migration status to see what the database holds, "
                                 "then migrate again (or repair the history row)");
    out.set_remedy(Remedy::kInspectStatus);
    if (m != migrations.end()) observer_->OnMigrationFailed(*m, Direction::kUp, out);
    applied->resize(i);
    return out;
  }
  // What follows in this run writes no history row (repeatables have their
  // own table; a private scratch writes no log).
  if (private_scratch_) rows_cache_ = std::move(rows).value();
  return Status::Ok();
}

Result<EngineImpl::State> EngineImpl::LockAndLoad(LockScope* lock, bool dry_run, bool with_scripts) {
  // A dry run neither waits for other runners nor creates the history tables.
  if (!dry_run) {
    DBROLL_RETURN_IF_ERROR(lock->Acquire());
    if (!history_ensured_) DBROLL_RETURN_IF_ERROR(history_.Ensure());
    history_ensured_ = private_scratch_;
  }
  return Load(with_scripts);
}

Status EngineImpl::Migrate(const MigrateOptions& o) {
  if (!o.release.empty()) DBROLL_RETURN_IF_ERROR(ValidateReleaseTag(o.release));
  LockScope lock(this);
  auto st = LockAndLoad(&lock, o.dry_run, false);
  if (!st.ok()) return st.status();
  if (o.to && !st->rows.count(*o.to) &&
      std::none_of(st->migrations.begin(), st->migrations.end(),
                   [&](const Migration& m) { return CompareVersions(m.version, *o.to) == 0; })) {
    return Status(Code::kNotFound, "version " + *o.to +
                                       " is not among the migration files -- the target must be an existing "
                                       "version; nothing was applied")
        .set_remedy(Remedy::kInspectStatus);
  }
  std::string refusal;
  for (const auto& p : Check(st.value())) {
    const bool blocking = p.kind == ProblemKind::kChecksumChanged || p.kind == ProblemKind::kPendingOlder;
    if (blocking)
      refusal += (refusal.empty() ? "" : "\n") + p.message;
    else if (p.kind == ProblemKind::kFilesMissing)
      observer_->OnNotice(p.message);
  }
  if (!refusal.empty()) {
    return Status(Code::kCheckFailed, refusal + "\nnothing was applied").set_remedy(Remedy::kValidate);
  }
  // A down that was interrupted (not one that failed) is finished first: it
  // needs the stored down scripts.
  bool down_running = false;
  for (const auto& [v, r] : st->rows) down_running = down_running || r.state == HistoryState::kDownRunning;
  if (down_running) {
    auto rows = history_.Read(true);
    if (!rows.ok()) return rows.status();
    for (auto& r : rows.value()) st->rows[r.version] = std::move(r);
  }
  // The migrations this run applies, with placeholders replaced; by version.
  std::map<std::string, Migration> prepared;
  {
    // Plan before touching: every migration this run will apply is checked
    // (dry runs too, so a plan shows what a real run refuses).
    std::vector<PlannedUp> pending;
    for (const auto& raw : st->migrations) {
      if (o.to && CompareVersions(raw.version, *o.to) > 0) break;
      auto it = st->rows.find(raw.version);
      const bool fresh = it == st->rows.end();
      if (!fresh && it->second.state == HistoryState::kApplied) continue;
      if (!fresh && it->second.state == HistoryState::kDownFailed) break;
      auto p = Prepare(raw);
      if (!p.ok()) return p.status();
      const Migration& m = prepared.emplace(raw.version, std::move(p).value()).first->second;
      // An interrupted down is finished first and the up then runs afresh.
      pending.push_back({&m, !fresh && it->second.state != HistoryState::kDownRunning});
    }
    DBROLL_RETURN_IF_ERROR(CheckUpPlan(pending, *driver_, o.release, Who()));
  }
  std::vector<std::string> applied;
  Status result;
  pre_intent_version_.clear();
  for (const auto& raw : st->migrations) {
    if (o.to && CompareVersions(raw.version, *o.to) > 0) break;
    auto pm = prepared.find(raw.version);
    const Migration& m = pm == prepared.end() ? raw : pm->second;
    auto it = st->rows.find(m.version);
    const HistoryRow* resume = nullptr;
    if (it != st->rows.end()) {
      const HistoryRow& r = it->second;
      if (r.state == HistoryState::kApplied) continue;
      if (r.state == HistoryState::kDownFailed) {
        result = Status(Code::kDirty, m.up.path + ": the rollback of version " + m.version + " stopped at down statement " +
                                          std::to_string(r.statements_done + 1) + " with an error" +
                                          (r.error ? " (" + *r.error + ")" : std::string()) +
                                          " -- fix the down script and roll back again to finish the rollback");
        result.set_remedy(Remedy::kRunDown);
        break;
      }
      if (r.state == HistoryState::kDownRunning) {
        observer_->OnNotice(m.version + "_" + m.name + ": its rollback was interrupted at down statement " +
                            std::to_string(r.statements_done + 1) + "; finishing the rollback, then applying it again");
        Script down;
        if (m.down) {
          down = *m.down;
        } else {
          auto stored = StoredDown(r);
          if (!stored.ok()) {
            result = stored.status();
            break;
          }
          down = stored.value();
        }
        result = ApplyDown(m, r, down, o.dry_run);
        if (!result.ok()) break;
      } else {
        resume = &r;
      }
    }
    // The next migration, when it will run fresh right after this one.
    // (As it will run: with its placeholders substituted.)
    next_up_ = nullptr;
    if (!o.dry_run && &raw + 1 < st->migrations.data() + st->migrations.size()) {
      const Migration& n_raw = *(&raw + 1);
      auto pn = prepared.find(n_raw.version);
      const Migration& n = pn == prepared.end() ? n_raw : pn->second;
      if ((!o.to || CompareVersions(n.version, *o.to) <= 0) && !st->rows.count(n.version)) next_up_ = &n;
    }
    result = ApplyUp(m, resume, o.release, o.dry_run);
    next_up_ = nullptr;
    if (!result.ok()) break;
    applied.push_back(m.version);
    if (!o.dry_run) {
      result = WaitForReplicas(m);
      if (!result.ok()) break;
    }
  }
  if (!o.dry_run && result.ok() && !applied.empty()) result = ConfirmApplied(st->migrations, &applied);
  // Repeatable migrations run after the versioned ones, only when all of those succeeded.
  std::vector<std::string> repeated;
  Status versioned = result;
  if (result.ok()) result = ApplyRepeatables(o.release, o.dry_run, &repeated);
  // A migrate that found nothing to do changed nothing: no log row (a
  // pipeline running it every few minutes would flood the log). With
  // --release it still records which schema that release runs on, for
  // down --to-release and rollbacks.
  if (!o.dry_run) {
    std::map<std::string, HistoryRow> rows = st->rows;
    for (const auto& v : applied) rows[v].state = HistoryState::kApplied;
    const auto release = o.release.empty() ? std::nullopt : std::optional(o.release);
    if (!(versioned.ok() && applied.empty() && o.release.empty())) {
      Log("migrate", applied, release, NewestApplied(rows), versioned);
    }
    if (versioned.ok() && (!repeated.empty() || !result.ok())) {
      Log("repeatable", repeated, release, NewestApplied(rows), result);
    }
  }
  if (result.ok() && applied.empty() && repeated.empty()) {
    observer_->OnNotice("nothing to migrate: the database is up to date");
  }
  return lock.Finish(result);
}

Status EngineImpl::ApplyDown(const Migration& m, const HistoryRow& row, const Script& down, bool dry_run,
                             bool without_data) {
  auto split = Split(down);
  if (!split.ok()) return split.status();
  const bool resuming = row.state == HistoryState::kDownFailed || row.state == HistoryState::kDownRunning;
  // Keep-data: after the down re-created the structure, put the archived
  // data back and remove the archive, as statements of the same run.
  std::vector<Statement> stmts = split.value();
  // A private scratch database has no archive this engine did not make.
  auto restore = private_scratch_ && !archives_created_
                     ? Result<std::vector<Statement>>(std::vector<Statement>{})
                     : keep_.RestoreDown(m.version, down.path, without_data, resuming);
  if (!restore.ok()) return restore.status();
  std::vector<ArchiveInfo> archives;
  if (!restore->empty()) {
    if (auto list = keep_.List(m.version); list.ok()) archives = list.value();
    stmts.insert(stmts.end(), restore->begin(), restore->end());
  }
  const std::string label = m.version + "_" + m.name;
  observer_->OnMigrationStart(m, Direction::kDown);
  int start = resuming ? row.statements_done : 0;
  if (dry_run) {
    for (size_t i = start; i < stmts.size(); ++i) observer_->OnSql(m, Direction::kDown, stmts[i].text);
    observer_->OnMigrationDone(m, Direction::kDown, std::chrono::milliseconds(0));
    return Status::Ok();
  }
  const auto t0 = Clock::now();
  bool tx = RunsInTransaction(down, stmts) && !resuming;
  if (tx) {
    for (const auto& s : stmts) {
      if (auto why = NonTransactionalReason(*driver_, s)) {
        return Status(Code::kInvalidArgument,
                      s.path + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": " + *why +
                          " cannot run inside a transaction -- add `-- dbroll:no-transaction` at the top of " +
                          down.path + "; nothing was rolled back");
      }
    }
    Status s = RunTransactionWithRetry(label, stmts, {history_.DeleteSql(m.version)});
    if (!s.ok()) {
      if (s.code() == Code::kCommitUnknown) {
        return Failed(m, Direction::kDown, Code::kCommitUnknown,
                      down.path + ": " + s.message() +
                          " -- the rollback and its history row commit together, so the history tells which: "
                          "check the migration status",
                      s, Remedy::kInspectStatus);
      }
      return Failed(
          m, Direction::kDown,
          s.code() == Code::kConnectionLost || s.code() == Code::kLockTimeout ? s.code() : Code::kMigrationFailed,
          Locate(stmts, s) + " -- fix the down script and roll back again; the database was not changed", s);
    }
    observer_->OnMigrationDone(m, Direction::kDown, std::chrono::milliseconds(MsSince(t0)));
    if (!without_data) NoticeArchives(label, archives, true);
    return Status::Ok();
  }
  if (resuming) {
    auto at = ResumeAt(m, Direction::kDown, stmts, row);
    if (!at.ok()) return Failed(m, Direction::kDown, at.status().code(), at.status().message(), at.status());
    start = at.value();
  }
  Status s = RunStepwise(m, Direction::kDown, down, stmts, row, start, true);
  if (s.ok() && !without_data) NoticeArchives(label, archives, true);
  return s;
}

Status EngineImpl::Down(const DownOptions& o) {
  if (!o.release.empty()) DBROLL_RETURN_IF_ERROR(ValidateReleaseTag(o.release));
  LockScope lock(this);
  auto st = LockAndLoad(&lock, o.dry_run, true);
  if (!st.ok()) return st.status();
  std::vector<const HistoryRow*> rows;
  for (const auto& [v, r] : st->rows) rows.push_back(&r);
  std::sort(rows.begin(), rows.end(),
            [](const HistoryRow* a, const HistoryRow* b) { return CompareVersions(a->version, b->version) > 0; });
  for (const HistoryRow* r : rows) {
    if (r->state == HistoryState::kFailed || r->state == HistoryState::kRunning) {
      return Status(Code::kDirty, "version " + r->version + " is partly applied (" + HistoryStateName(r->state) +
                                      " after statement " + std::to_string(r->statements_done) +
                                      ") -- finish it first by migrating again; nothing was rolled back")
          .set_remedy(Remedy::kRunMigrate);
    }
  }
  std::optional<std::string> keep;  // versions newer than this are rolled back
  if (o.to) keep = *o.to;
  std::optional<std::string> release_tag;
  if (o.to_release) {
    auto v = history_.ReleaseVersion(*o.to_release);
    if (!v.ok()) return v.status();
    keep = v.value();
    release_tag = *o.to_release;
  }
  if (!o.release.empty()) release_tag = o.release;
  if (o.to && *o.to != "0" && !st->rows.count(*o.to)) {
    return Status(Code::kNotFound,
                  "version " + *o.to + " is not applied -- the target of a rollback is an applied version (or 0 for none)")
        .set_remedy(Remedy::kInspectStatus);
  }
  std::vector<const HistoryRow*> targets;
  for (const HistoryRow* r : rows) {
    if (keep) {
      if (!keep->empty() && CompareVersions(r->version, *keep) <= 0) break;
    } else if (!o.all && static_cast<int>(targets.size()) >= o.steps) {
      break;
    }
    targets.push_back(r);
  }
  std::map<std::string, const Migration*> files;
  for (const auto& m : st->migrations) files[m.version] = &m;
  // Check the whole plan before touching anything.
  struct Step {
    Migration m;
    const HistoryRow* row;
    Script down;
  };
  std::vector<Step> plan;
  for (const HistoryRow* r : targets) {
    Step step{Migration{}, r, Script{}};
    auto f = files.find(r->version);
    if (f != files.end()) step.m = *f->second;
    step.m.version = r->version;
    step.m.name = r->name;
    std::optional<std::string> irreversible = r->irreversible;
    if (f != files.end() && f->second->up.directives.irreversible) irreversible = f->second->up.directives.irreversible;
    if (irreversible) {
      return Status(Code::kIrreversible,
                    "version " + r->version + "_" + r->name + " is irreversible: \"" + *irreversible +
                        "\" -- the rollback stops here; nothing was rolled back. Restore from a backup, "
                        "or write a new forward migration");
    }
    const bool have_file = f != files.end() && f->second->down;
    const bool have_stored = r->down_script.has_value();
    const bool use_file = have_file && (o.down_source == DownSource::kFile || !have_stored);
    std::optional<Script> file_down;  // with placeholders replaced
    if (have_file) {
      auto p = PrepareDown(*f->second->down);
      if (p.ok()) file_down = std::move(p).value();
      else if (use_file) return p.status();
    }
    if (file_down && have_stored && file_down->checksum != r->down_checksum) {
      observer_->OnNotice(f->second->down->path + ": differs from the down script stored when " + r->version +
                          " was applied; using the " + (o.down_source == DownSource::kFile ? "file" : "stored copy") +
                          " (--down-source file|stored)");
    }
    if (use_file) {
      step.down = *file_down;
    } else if (have_stored) {
      auto stored = StoredDown(*r);
      if (!stored.ok()) {
        return Status(stored.status().code(), stored.status().message() + "; nothing was rolled back")
            .set_remedy(stored.status().remedy(), stored.status().remedy_subject());
      }
      step.down = stored.value();
      if (!have_file) {
        observer_->OnNotice(r->version + "_" + r->name +
                            ": files not on disk; using the down script stored at apply time");
      }
    } else {
      return Status(Code::kNotFound, "version " + r->version +
                                         " has no down.sql on disk and none stored -- "
                                         "restore its files; nothing was rolled back");
    }
    plan.push_back(std::move(step));
  }
  if (!plan.empty() && !(private_scratch_ && !archives_created_)) {
    // A version whose keep-data archive was purged would come back without
    // its data: only with --without-data.
    auto archives = keep_.List("");
    if (!archives.ok()) return archives.status();
    for (const auto& step : plan) {
      for (const auto& a : archives.value()) {
        if (a.version != step.m.version || !a.purged_at || o.without_data) continue;
        return Status(Code::kIrreversible,
                      "version " + step.m.version + "_" + step.m.name + ": its keep-data archive of " +
                          BareName(a.table) + (a.columns.empty() ? std::string() : "." + a.columns) +
                          " was purged at " + *a.purged_at +
                          ", so the rollback would re-create the structure without the data -- roll back without "
                          "data to accept that, or restore from a backup; nothing was rolled back")
            .set_remedy(Remedy::kRunDownWithoutData);
      }
    }
  }
  {
    // Every down script this rollback needs, file or stored copy, is checked
    // before the first one runs.
    std::vector<PlannedDown> checks;
    for (const auto& step : plan) {
      checks.push_back({&step.m, &step.down,
                      step.row->state == HistoryState::kDownFailed || step.row->state == HistoryState::kDownRunning});
    }
    DBROLL_RETURN_IF_ERROR(CheckDownPlan(checks, *driver_, o.release));
  }
  std::vector<std::string> done;
  Status result;
  for (const auto& step : plan) {
    result = ApplyDown(step.m, *step.row, step.down, o.dry_run, o.without_data);
    if (!result.ok()) break;
    done.push_back(step.m.version);
    if (!o.dry_run) {
      result = WaitForReplicas(step.m);
      if (!result.ok()) break;
    }
  }
  // Back at a release: its texts of the repeatable migrations.
  std::vector<std::string> restored;
  Status versioned = result;
  if (result.ok() && o.to_release) result = RestoreRepeatables(*o.to_release, o.dry_run, &restored);
  if (!o.dry_run) {
    std::map<std::string, HistoryRow> left = st->rows;
    for (const auto& v : done) left.erase(v);
    Log("down", done, release_tag, NewestApplied(left), versioned);
    if (versioned.ok() && (!restored.empty() || !result.ok())) {
      Log("repeatable", restored, release_tag, NewestApplied(left), result);
    }
  }
  if (result.ok() && plan.empty()) observer_->OnNotice("nothing to roll back");
  return lock.Finish(result);
}

namespace {

// Records what a dry run would do; notices still reach the user's observer.
class PlanCollector : public Observer {
 public:
  PlanCollector(std::vector<PlannedMigration>* out, Observer* user) : out_(out), user_(user) {}
  void OnMigrationStart(const Migration& m, Direction d) override {
    out_->push_back(PlannedMigration{m.version, m.name, d, {}});
  }
  void OnSql(const Migration&, Direction, const std::string& sql) override { out_->back().statements.push_back(sql); }
  void OnNotice(const std::string& message) override { user_->OnNotice(message); }

 private:
  std::vector<PlannedMigration>* out_;
  Observer* user_;
};

}  // namespace

Result<std::vector<PlannedMigration>> EngineImpl::Collect(const std::function<Status()>& run) {
  std::vector<PlannedMigration> plan;
  PlanCollector collector(&plan, observer_);
  Observer* user = observer_;
  observer_ = &collector;
  Status s = run();
  observer_ = user;
  if (!s.ok()) return s;
  return plan;
}

Result<std::vector<PlannedMigration>> EngineImpl::PlanMigrate(const MigrateOptions& options) {
  MigrateOptions o = options;
  o.dry_run = true;
  return Collect([&] { return Migrate(o); });
}

Result<std::vector<PlannedMigration>> EngineImpl::PlanDown(const DownOptions& options) {
  DownOptions o = options;
  o.dry_run = true;
  return Collect([&] { return Down(o); });
}

}  // namespace dbroll::internal
