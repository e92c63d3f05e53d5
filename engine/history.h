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
// Format 2 added the intent columns session_id and catalog_before.
inline constexpr int kHistoryFormat = 2;

std::string QuoteIdent(Dialect d, const std::string& name);
std::string QuoteLiteral(Dialect d, const std::string& value);
std::string NowUtc();  // "2026-11-26T08:55:01.123Z"

// Whether table `table` exists, asked of the catalog (a probe query that fails
// would abort a PostgreSQL transaction). PostgreSQL looks in `schema` (the
// current schema when ""), or in every schema of the search path when
// `search_path`; MySQL in the current database.
Result<bool> CatalogHasTable(Driver& driver, const std::string& table, const std::string& schema,
                             bool search_path = false);

class History {
 public:
  // `table` is the history table; log and meta tables derive from it.
  History(Driver* driver, const std::string& schema, const std::string& table);

  const std::string& table() const { return history_; }
  Result<bool> Exists();
  // Creates the tables when missing, completes a half-created set (MySQL
  // creates them one implicit commit at a time), upgrades format 1 to 2 and
  // checks the stored format version. Idempotent.
  Status Ensure();
  // Every row. A state this dbroll does not know is an error naming the
  // version, unless `unknown` is given: then such rows are read as kFailed
  // and their versions listed there.
  Result<std::vector<HistoryRow>> Read(bool with_scripts, std::vector<std::string>* unknown = nullptr);
  Result<std::vector<LogEntry>> ReadLog(int limit);
  // schema_version of the newest successful log entry with this release.
  Result<std::string> ReleaseVersion(const std::string& release);
  Result<std::string> CurrentRelease();

  // A first apply: no row exists for the version (plain INSERT, cheaper than an upsert).
  // `catalog_sql`, when given, is an SQL expression stored as catalog_before
  // instead of row.catalog_before.
  std::string InsertSql(const HistoryRow& row, const std::string* catalog_sql = nullptr) const;
  std::string UpsertSql(const HistoryRow& row, const std::string* catalog_sql = nullptr) const;
  // Both rows in one statement, so both or neither are written; `second_catalog_sql` as above, for `second`.
  std::string UpsertSql(const HistoryRow& first, const HistoryRow& second, const std::string* second_catalog_sql) const;
  std::string DeleteSql(const std::string& version) const;
  // Sets state, statements_done and the intent columns of an existing row;
  // `catalog_sql` is an SQL expression ("NULL" for none).
  std::string StateSql(const std::string& version, HistoryState state, int statements_done,
                       const std::optional<std::string>& session_id, const std::string& catalog_sql = "NULL",
                       const std::optional<std::string>& error = std::nullopt, long long duration_ms = -1) const;
  std::string Literal(const std::string& v) const { return Lit(v); }
  std::string LogSql(const LogEntry& e) const;

 private:
  // INSERT-or-replace of the rows `vals` ("a, b, ...), (c, d, ..." without the outer parentheses).
  std::string Upsert(const std::string& vals) const;
  std::string Values(const HistoryRow& row, const std::string* catalog_sql) const;
  // Adds a column a format-1 table lacks; nothing when it is there.
  Status AddColumnIfMissing(const std::string& column, const std::string& type);
  // Creates the history tables, then runs `then` (in the same transaction
  // where DDL is transactional).
  Status CreateTables(const std::vector<std::string>& then);
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
