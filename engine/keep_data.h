// Keep-data: the archive that makes destructive statements reversible with
// their data. Before a statement destroys data the engine copies what it
// destroys into a dbroll-owned archive table (in the same transaction where
// the database allows); the rollback of that version restores it by primary
// key after the user's down.sql re-created the structure. The archive and
// restore steps are ordinary statements of the run, so the history's
// progress and resume rules cover them.
#ifndef DBROLL_ENGINE_KEEP_DATA_H_
#define DBROLL_ENGINE_KEEP_DATA_H_

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/keep_data.h"
#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// What a statement destroys, as the small recogniser sees it.
struct Destruction {
  enum class Kind { kNone, kDropColumn, kDropTable, kAlterType, kTruncate, kDelete, kUpdate };
  Kind kind = Kind::kNone;
  std::vector<std::string> tables;   // as written (quotes and schema kept), one per table
  std::vector<std::string> columns;  // as written: dropped / retyped / SET columns
  std::string where;                 // DELETE / UPDATE: the WHERE condition as written, "" for none
  bool cascade = false;              // DROP TABLE ... CASCADE
  bool unsupported = false;          // DELETE/UPDATE the archive cannot follow (USING, JOIN, alias)
};

// Recognises DROP COLUMN, DROP TABLE, ALTER COLUMN TYPE (PostgreSQL) /
// MODIFY / CHANGE (MySQL), TRUNCATE, DELETE and UPDATE.
Destruction RecognizeDestruction(const std::string& text);

// An identifier as written, unquoted and (unless quoted, when `fold`)
// lower-cased, schema dropped. MySQL table names keep their case.
std::string BareName(const std::string& written, bool fold = true);

// "schema.table" as written -> {"schema", "table"}, quotes kept; the schema
// is "" when the name is unqualified.
std::pair<std::string, std::string> SplitQualified(const std::string& written);

class KeepData {
 public:
  KeepData(Driver* driver, const std::string& schema, const std::string& history_table);

  // The catalog table, qualified and quoted ("dbroll_archives").
  const std::string& catalog() const { return catalog_; }
  Status EnsureCatalog();
  Result<bool> CatalogExists();

  // `stmts` with archive statements before each statement that destroys data
  // and is covered: every recognised DROP / TRUNCATE / type change when
  // `whole_script` (the directive or [migrations] keep_data), and DELETE /
  // UPDATE preceded by a `-- dbroll:keep-data` comment in `script`. The
  // generated statements depend only on the statement texts, so a resumed
  // run generates the same ones. kInvalidArgument "path:line:col: ..." when a
  // covered table has no primary key (checked only when `check_keys`).
  Result<std::vector<Statement>> ArchiveUp(const std::string& version, const Script& script,
                                           const std::vector<Statement>& stmts, bool whole_script,
                                           bool check_keys);

  // Tables above this many rows (estimated) are refused by ArchiveUp when it
  // checks keys; 0: no bound.
  void set_max_rows(long long max_rows) { max_rows_ = max_rows; }
  // The server's estimate of the rows of `table` (SQLite: the count).
  Result<long long> EstimatedRows(const std::string& table);

  // The archives of `version` (all versions when empty).
  Result<std::vector<ArchiveInfo>> List(const std::string& version);

  // Statements that put the archived data of `version` back and remove the
  // archive, to run after the down statements: three per archive (restore,
  // drop the archive, forget it), placeholders for parts already done, so a
  // resumed run counts the same statements. With `without_data` only the
  // catalog rows are removed. A missing archive is an error unless
  // `resuming` (an interrupted rollback dropped it already).
  Result<std::vector<Statement>> RestoreDown(const std::string& version, const std::string& path,
                                             bool without_data, bool resuming);

  // The columns that identify a row of `table`: its primary key's, or when
  // it has none those of its first unique key (by name) whose columns are all
  // NOT NULL (no expressions, no partial index, no INCLUDE columns); empty
  // when neither exists.
  Result<std::vector<std::string>> RowKey(const std::string& table);
  Result<std::vector<std::string>> Columns(const std::string& table);

  std::string Quote(const std::string& ident) const;
  std::string NowSql() const;

  // The archive table of an archive, qualified and quoted: a table renamed
  // aside lives in the archive schema on PostgreSQL (indexes, constraints and
  // owned sequences move with it, so their names are free for the down).
  std::string ArchiveRef(const std::string& kind, const std::string& archive) const;

 private:
  std::string ArchiveName(const std::string& version, int seq) const;
  // DROP TABLE: whether `table` is renamed aside to `archive` instead of
  // copied -- when nothing else refers to it (views, foreign keys, ...; see
  // keep_data_rename.cc). A resumed run decides as the interrupted one did,
  // from the catalog row or the archive table it left.
  Result<bool> RenamesAside(const std::string& version, int seq, const std::string& table, const std::string& archive);
  // The statements that rename `table` aside to `archive`.
  std::vector<std::string> RenameAsideSql(const std::string& table, const std::string& archive) const;
  // The two statements that put a table renamed aside back after the down
  // (replacing the table the down re-created): `cols` lists the archive's
  // columns, quoted.
  std::pair<std::string, std::string> RenameBackSql(const ArchiveInfo& a, const std::string& cols) const;

  Driver* driver_;
  Dialect dialect_;
  std::string schema_;
  std::string catalog_name_;  // unqualified
  std::string catalog_;       // qualified and quoted
  std::string prefix_;        // "dbroll_archive_"
  std::string archive_schema_;  // PostgreSQL: where tables renamed aside go ("dbroll_archive")
  long long max_rows_ = 0;
};

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_KEEP_DATA_H_
