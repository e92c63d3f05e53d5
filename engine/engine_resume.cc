// Statement-by-statement runs: intent before work, progress with the work,
// and deciding on resume whether an interrupted statement took effect.
#include <chrono>
#include <thread>

#include "engine/checksum.h"
#include "engine/engine_impl.h"
#include "engine/intent.h"
#include "engine/preflight.h"

namespace dbroll::internal {
namespace {

using Clock = std::chrono::steady_clock;

long long MsSince(Clock::time_point t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - t).count();
}

std::string At(const Statement& s) {
  return s.path + ":" + std::to_string(s.line) + ":" + std::to_string(s.column) + ": ";
}

// Tables dbroll owns all start with this (dbroll_history -> "dbroll_").
std::string OwnPrefix(const std::string& history_table) {
  const std::string suffix = "_history";
  if (history_table.size() > suffix.size() &&
      history_table.compare(history_table.size() - suffix.size(), suffix.size(), suffix) == 0) {
    return history_table.substr(0, history_table.size() - suffix.size() + 1);
  }
  return history_table;
}

}  // namespace

bool EngineImpl::CommitsWithProgress(const Statement& s) const {
  if (driver_->TransactionalDdl()) return !NonTransactionalReason(*driver_, s);
  return !IsImplicitCommit(s);
}

std::string EngineImpl::FingerprintSql(const Statement& s, FingerprintScope scope) const {
  return driver_->CatalogFingerprintSql(TargetObjects(s.text, driver_->dialect()), OwnPrefix(options_.history_table),
                                        scope);
}

std::optional<std::pair<HistoryRow, std::string>> EngineImpl::ChainedIntent(const Migration& next,
                                                                          const std::string& release) const {
  // Keep-data adds archive statements (engine_run.cc WithArchives): such a
  // migration writes its own intent.
  if (next.up.directives.keep_data || options_.keep_data || next.up.text.find("dbroll:keep-data") != std::string::npos) {
    return std::nullopt;
  }
  auto split = Split(next.up);
  if (!split.ok() || split->empty() || RunsInTransaction(next.up, *split) || CommitsWithProgress(split->front())) {
    return std::nullopt;
  }
  const Statement& s = split->front();
  std::string fp = FingerprintSql(s, ScopeFor(s.text, driver_->dialect()));
  if (fp.empty()) fp = "''";
  HistoryRow r = RowFor(next, *split, release);
  r.state = HistoryState::kRunning;
  r.statements_done = 0;
  r.session_id = driver_->SessionId();
  r.error.reset();
  return std::make_pair(std::move(r), std::move(fp));
}

Result<Script> EngineImpl::StoredDown(const HistoryRow& r) const {
  Script down;
  down.path = "stored down of " + r.version + "_" + r.name;
  if (!r.down_script) {
    return Status(Code::kNotFound, "version " + r.version + " has no down script stored -- restore its down.sql");
  }
  down.text = *r.down_script;
  down.checksum = Sha256Hex(down.text);
  if (down.checksum != r.down_checksum) {
    return Status(Code::kCheckFailed,
                  "version " + r.version + ": the down script stored in " + options_.history_table +
                      " does not match its stored checksum (" + r.down_checksum.substr(0, 12) + " -> " +
                      down.checksum.substr(0, 12) +
                      "): it was edited after apply -- nothing was run; restore the migration's down.sql and use "
                      "--down-source file, or undo the version by hand and mark it rolled back")
        .set_remedy(Remedy::kMarkRolledBack, r.version);
  }
  down.directives = ParseDirectives(down.path, down.text, nullptr);
  if (r.down_no_transaction) down.directives.no_transaction = true;
  return down;
}

Result<int> EngineImpl::ResumeAt(const Migration& m, Direction d, const std::vector<Statement>& stmts,
                                 const HistoryRow& row) {
  const int n = static_cast<int>(stmts.size());
  int start = row.statements_done;
  if (start >= n) return n;
  const Statement& s = stmts[start];
  const std::string what = "statement " + std::to_string(start + 1) + " of " + s.path;
  const std::string unknown_fix = " retry the statement if it did not take effect, or mark it done if it did";
  const bool running = row.state == HistoryState::kRunning || row.state == HistoryState::kDownRunning;
  if (running && !row.session_id) {
    return Status(Code::kDirty, At(s) + what +
                                    " was interrupted by a dbroll that recorded no intent (history format 1), "
                                    "so whether it took effect is unknown -- check the database, then" +
                                    unknown_fix)
        .set_remedy(Remedy::kDecideStatement, m.version);
  }
  // PostgreSQL: an interrupted or failed CREATE INDEX CONCURRENTLY leaves an
  // INVALID index behind that makes every retry fail with "already exists".
  if (driver_->dialect() == Dialect::kPostgres) {
    if (auto cic = ParseCreateIndexConcurrently(s.text)) {
      std::string sql =
          "SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) FROM pg_catalog.pg_index i"
          " JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid JOIN pg_catalog.pg_class t ON t.oid = i.indrelid"
          " JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid"
          " AND n.nspname = current_schema() AND " +
          (cic->name.empty() ? "t.relname = " + history_.Literal(cic->table)
                             : "c.relname = " + history_.Literal(cic->name));
      auto invalid = driver_->Query(sql);
      if (!invalid.ok()) return invalid.status();
      for (const auto& r : invalid.value()) {
        if (!r[0]) continue;
        Status drop = driver_->RunStatement(Statement{"DROP INDEX CONCURRENTLY IF EXISTS " + *r[0], "", 1, 1, 0});
        if (!drop.ok()) {
          return Status(drop.code(), At(s) + what + " left the invalid index " + *r[0] + " and dropping it failed: " +
                                         drop.message() + " -- drop it by hand and migrate again")
              .set_remedy(Remedy::kRunMigrate);
        }
        observer_->OnNotice(At(s) + what + " was interrupted and left the invalid index " + *r[0] +
                            "; dropped it (DROP INDEX CONCURRENTLY) and running the statement again");
      }
      if (!invalid->empty()) return start;
    }
  }
  if (!running || !row.catalog_before) return start;  // it failed, or it commits with its progress
  // It cannot commit with its progress: find out whether it took effect.
  if (*row.session_id != driver_->SessionId()) {
    const auto deadline = Clock::now() + options_.lock_timeout;
    auto wait = std::chrono::milliseconds(50);
    for (;;) {
      auto alive = driver_->SessionAlive(*row.session_id);
      if (!alive.ok()) {
        return Status(Code::kDirty, At(s) + what + " was interrupted, and whether its session " + *row.session_id +
                                        " still runs it cannot be checked (" + alive.status().message() +
                                        "), so whether it took effect is unknown -- check the database, then" +
                                        unknown_fix)
            .set_remedy(Remedy::kDecideStatement, m.version);
      }
      if (!alive.value()) break;
      if (Clock::now() >= deadline) {
        return Status(Code::kLockTimeout, At(s) + what + " is still running in session " + *row.session_id +
                                              " of the dbroll that was interrupted -- wait for it to end (or kill "
                                              "that session) and migrate again; nothing was changed")
            .set_remedy(Remedy::kRunMigrate);
      }
      std::this_thread::sleep_for(wait);
      wait = std::min(wait * 2, std::chrono::milliseconds(500));
    }
  }
  // Fingerprint now what was fingerprinted then, whatever this dbroll would choose today.
  const bool existence = row.catalog_before->rfind("fpx:", 0) == 0;
  const std::string fp = FingerprintSql(s, existence ? FingerprintScope::kExistence : FingerprintScope::kStructure);
  if (fp.empty() || (!existence && row.catalog_before->rfind("fp:", 0) != 0)) {
    return Status(Code::kDirty, At(s) + what +
                                    " was interrupted and no catalog fingerprint was recorded before it, "
                                    "so whether it took effect is unknown -- check the database, then" +
                                    unknown_fix)
        .set_remedy(Remedy::kDecideStatement, m.version);
  }
  auto now = driver_->Query("SELECT " + fp);
  if (!now.ok() || now->empty() || !now->front()[0]) {
    return Status(Code::kDirty, At(s) + what + " was interrupted and the catalog cannot be read (" +
                                    (now.ok() ? std::string("no fingerprint") : now.status().message()) +
                                    "), so whether it took effect is unknown -- check the database, then" +
                                    unknown_fix)
        .set_remedy(Remedy::kDecideStatement, m.version);
  }
  const std::string label = m.version + "_" + m.name;
  if (*now->front()[0] == *row.catalog_before) {
    observer_->OnNotice(label + ": " + what +
                        " was interrupted before it took effect (the catalog is as before it); "
                        "running it again");
    return start;
  }
  observer_->OnNotice(label + ": " + what +
                      " took effect before the interruption (the catalog changed); recording it " +
                      (d == Direction::kUp ? "applied" : "done") + " and continuing");
  return start + 1;
}

Status EngineImpl::RunStepwise(const Migration& m, Direction d, const Script& script,
                               const std::vector<Statement>& stmts, HistoryRow row, int start, bool row_exists) {
  const bool up = d == Direction::kUp;
  const HistoryState running = up ? HistoryState::kRunning : HistoryState::kDownRunning;
  const int n = static_cast<int>(stmts.size());
  const int original_done = row.statements_done;
  const bool fresh = start == 0 && (up ? !row_exists : row.state == HistoryState::kApplied);
  const bool had_row = row_exists;
  const std::string session = driver_->SessionId();
  const std::string label = m.version + "_" + m.name;
  const std::string again = up ? "migrate again" : "roll back again";
  const auto t0 = Clock::now();
  // The row of a finished up: applied, every statement done, no intent left.
  auto applied_row = [&]() {
    HistoryRow r = row;
    r.state = HistoryState::kApplied;
    r.statements_done = n;
    r.error.reset();
    r.session_id.reset();
    r.catalog_before.reset();
    r.duration_ms = MsSince(t0);
    return r;
  };
  // The write that ends the run: the applied row, or no row after a down.
  auto finish_sql = [&]() {
    if (!up) return history_.DeleteSql(m.version);
    const HistoryRow r = applied_row();
    if (!row_exists) return history_.InsertSql(r);
    // A row this run inserted holds everything else already: update it (an
    // upsert of a resumed row also refreshes its checksums and down script).
    if (!had_row)
      return history_.StateSql(m.version, HistoryState::kApplied, n, std::nullopt, "NULL", std::nullopt, r.duration_ms);
    return history_.UpsertSql(r);
  };
  // Statements 1..done ran; the next one has not started, or commits with its progress.
  auto progress_sql = [&](int done, const std::string& catalog_sql) {
    if (row_exists) return history_.StateSql(m.version, running, done, session, catalog_sql);
    HistoryRow r = row;
    r.state = running;
    r.statements_done = done;
    r.session_id = session;
    r.error.reset();
    return history_.InsertSql(r, &catalog_sql);
  };
  auto done_ok = [&]() {
    observer_->OnMigrationDone(m, d, std::chrono::milliseconds(MsSince(t0)));
    return Status::Ok();
  };
  if (start >= n) {
    Status f = driver_->RunStatement(Statement{finish_sql(), "", 1, 1, 0});
    if (!f.ok())
      return Failed(
          m, d, f.code(),
          script.path + ": recording the end of the run failed: " + f.message() + " -- " + again, f);
    return done_ok();
  }
  bool alone = false;  // run statement i on its own although the driver did not say it must
  for (int i = start; i < n; ++i) {
    const Statement& s = stmts[i];
    const bool last = i + 1 == n;
    const bool atomic = !alone && CommitsWithProgress(s);
    alone = false;
    Status st;
    if (atomic) {
      st = RunTransactionWithRetry(label, {s}, {last ? finish_sql() : progress_sql(i + 1, "NULL")});
      if (!st.ok() && st.sqlstate() == "25001" && st.statement_index().value_or(0) == 0) {
        // "cannot run inside a transaction block": a statement the driver
        // does not know; nothing ran, so run it on its own.
        alone = true;
        --i;
        continue;
      }
      if (st.ok()) {
        row_exists = true;
        if (last) return done_ok();
        continue;
      }
      if (auto idx = st.statement_index(); idx && *idx > 0) {
        // The statement ran; its progress update failed, and both rolled back.
        return Failed(m, d, st.code() == Code::kConnectionLost ? st.code() : Code::kDirty,
                      At(s) + "statement " + std::to_string(i + 1) + " ran, but recording it in " +
                          options_.history_table + " failed, so both were rolled back: " + st.message() + " -- " +
                          again + " to run it again",
                      st);
      }
      if (st.code() == Code::kCommitUnknown) {
        const std::string next = up || !last ? again
                                             : "check the migration status: if version " + m.version +
                                                   " is still listed, rolling back again finishes its rollback";
        return Failed(m, d, Code::kCommitUnknown,
                      At(s) + st.message() + " -- statement " + std::to_string(i + 1) +
                          " commits together with its progress, so the history tells which: " + next,
                      st, up || !last ? std::nullopt : std::optional<Remedy>(Remedy::kInspectStatus));
      }
    } else {
      // The intent: which session runs statement i+1 and the catalog before it
      // (already written together with the previous migration's end, or now).
      std::string fp = FingerprintSql(s, ScopeFor(s.text, driver_->dialect()));
      if (fp.empty()) fp = "''";
      const bool chained = up && i == 0 && !row_exists && pre_intent_version_ == m.version;
      pre_intent_version_.clear();
      Status w = chained ? Status::Ok() : driver_->RunStatement(Statement{progress_sql(i, fp), "", 1, 1, 0});
      if (!w.ok()) {
        return Failed(m, d, w.code() == Code::kConnectionLost ? w.code() : Code::kDirty,
                      At(s) + "could not record the intent to run statement " + std::to_string(i + 1) + " in " +
                          options_.history_table + ": " + w.message() + " -- statement " + std::to_string(i + 1) +
                          " did not run; " + again,
                      w);
      }
      row_exists = true;
      st = RunStatementWithRetry(label, s);
      if (st.ok()) {
        Status p;
        const Migration* next = up && last ? next_up_ : nullptr;
        if (next) {
          if (auto intent = ChainedIntent(*next, row.release.value_or(""))) {
            const HistoryRow r = applied_row();
            p = driver_->RunStatement(Statement{history_.UpsertSql(r, intent->first, &intent->second), "", 1, 1, 0});
            if (p.ok()) {
              pre_intent_version_ = next->version;
              return done_ok();
            }
          } else {
            next = nullptr;
          }
        }
        // Neither row was written; a connection that still works records this one alone.
        if (!next || (!p.ok() && p.code() != Code::kConnectionLost)) {
          p = driver_->RunStatement(Statement{last ? finish_sql() : progress_sql(i + 1, "NULL"), "", 1, 1, 0});
        }
        if (!p.ok()) {
          return Failed(m, d, p.code() == Code::kConnectionLost ? p.code() : Code::kDirty,
                        At(s) + "statement " + std::to_string(i + 1) + " ran, but recording that in " +
                            options_.history_table + " failed: " + p.message() + " -- " + again +
                            ": it sees from the catalog that the statement took effect and continues",
                        p);
        }
        if (last) return done_ok();
        continue;
      }
    }
    // Statement i+1 failed.
    st.set_statement_index(i);
    const std::string where = Locate(stmts, st);
    if (st.code() == Code::kConnectionLost) {
      return Failed(m, d, Code::kConnectionLost,
                    where + " -- the connection was lost while statement " + std::to_string(i + 1) + " of " +
                        script.path + " ran; the history holds the intent, so the next " + (up ? "migrate" : "rollback") +
                        " (run it when the database is reachable) finds out whether it took effect and continues",
                    st);
    }
    if (st.code() == Code::kLockTimeout && !(fresh && i == 0 && !atomic)) {
      return Failed(m, d, Code::kLockTimeout,
                    where + " -- statement " + std::to_string(i + 1) +
                        " did not get its locks in time and did not "
                        "run; " +
                        again + " to continue there",
                    st);
    }
    if (fresh && i == 0) {
      // Nothing of this run took effect: leave the history as it was.
      Status undo = row_exists
                        ? driver_->RunStatement(Statement{
                              up ? history_.DeleteSql(m.version)
                                 : history_.StateSql(m.version, HistoryState::kApplied, original_done, std::nullopt),
                              "", 1, 1, 0})
                        : Status::Ok();
      return Failed(m, d, st.code() == Code::kLockTimeout ? st.code() : Code::kMigrationFailed,
                    where + " -- fix the " + (up ? "migration" : "down script") + " and " + again +
                        "; the first statement failed, so nothing was " + (up ? "applied" : "rolled back") +
                        (undo.ok() ? std::string()
                                   : " (its intent row stays, and the next run checks it: " + undo.message() + ")"),
                    st);
    }
    const HistoryState failed = up ? HistoryState::kFailed : HistoryState::kDownFailed;
    Status rec =
        driver_->RunStatement(Statement{history_.StateSql(m.version, failed, i, session, "NULL", where), "", 1, 1, 0});
    return Failed(m, d, Code::kDirty,
                  where + " -- " + (up ? "statements 1.." : "down statements 1..") + std::to_string(i) + " of " +
                      script.path + " ran and stay " + (up ? "applied" : "rolled back") +
                      " (they ran one by one). Fix statement " + std::to_string(i + 1) + " and " + (up ? "migrate" : "roll back") +
                      " again to resume there" +
                      (rec.ok() ? std::string()
                                : " (recording the failure failed: " + rec.message() + "; the next run"
                                      " checks the statement before it runs it again)"),
                  st);
  }
  return done_ok();
}

}  // namespace dbroll::internal
