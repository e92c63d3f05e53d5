// The history, log and meta tables: their SQL per dialect. Everything is
// rendered as literal SQL so that a driver can send a migration and its
// bookkeeping in as few round trips as it likes.
#ifndef DBROLL_ENGINE_HISTORY_H_
#define DBROLL_ENGINE_HISTORY_H_

#include <string>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/engine.h"

namespace dbroll::internal {

// Format of the history tables this dbroll writes; stored in the meta table.
inline constexpr int kHistoryFormat = 1;

std::string QuoteIdent(Dialect d, const std::string& name);
std::string QuoteLiteral(Dialect d, const std::string& value);
std::string NowUtc();  // "2026-11-26T08:55:01.123Z"

class History {
 public:
  // `table` is the history table; log and meta tables derive from it.
  History(Driver* driver, const std::string& schema, const std::string& table);

  const std::string& table() const { return history_; }
  Result<bool> Exists();
  // Creates the tables when missing and checks the stored format version.
  Status Ensure();
  Result<std::vector<HistoryRow>> Read(bool with_scripts);
  Result<std::vector<LogEntry>> ReadLog(int limit);
  // schema_version of the newest successful log entry with this release.
  Result<std::string> ReleaseVersion(const std::string& release);
  Result<std::string> CurrentRelease();

  // A first apply: no row exists for the version (plain INSERT, cheaper than an upsert).
  std::string InsertSql(const HistoryRow& row) const;
  std::string UpsertSql(const HistoryRow& row) const;
  std::string DeleteSql(const std::string& version) const;
  std::string ProgressSql(const std::string& version, int statements_done) const;
  std::string LogSql(const LogEntry& e) const;

 private:
  std::string Values(const HistoryRow& row) const;
  std::string Lit(const std::string& v) const { return QuoteLiteral(dialect_, v); }
  std::string Lit(const std::optional<std::string>& v) const {
    return v ? Lit(*v) : std::string("NULL");
  }

  Driver* driver_;
  Dialect dialect_;
  std::string schema_;
  std::string history_name_, log_name_, meta_name_;  // unqualified
  std::string history_, log_, meta_;                 // qualified and quoted
};

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_HISTORY_H_
