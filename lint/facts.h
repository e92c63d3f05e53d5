// What the linter knows about each statement, independent of dialect. The
// PostgreSQL parse-tree walker and the MySQL/SQLite recogniser both produce
// Ops, so every rule is written once and sees the same facts.
#ifndef DBROLL_LINT_FACTS_H_
#define DBROLL_LINT_FACTS_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "dbroll/lint.h"
#include "dbroll/migration.h"

namespace dbroll::lint {

enum class OpKind {
  kCreateTable, kDropTable, kRenameTable,
  kAddColumn, kDropColumn, kRenameColumn, kAlterColumnType, kSetNotNull, kDropNotNull,
  kAddConstraint, kDropConstraint,
  kCreateIndex, kDropIndex, kReindex,
  kCreateSchema, kDropSchema, kCreateDatabase, kDropDatabase,
  kCreateType, kDropType, kAddEnumValue, kRenameEnumValue, kEnumValueRemoved,
  kCreateObject, kDropObject,  // views, sequences, functions, triggers, ...: `object_type` says which
  kTruncate, kDelete, kUpdate, kInsert,
  kTransactionControl, kSetLockTimeout, kSetStatementTimeout,
  kOtherDdl, kOther,
};

struct Op {
  OpKind kind = OpKind::kOther;
  std::string object_type;  // "table", "index", "view", "sequence", ... for create/drop
  std::string table;        // table (or schema, type, ...) the op works on, unqualified, lower-case
  std::string name;         // column, index, constraint, enum value, SET value, function volatility; lower-case
  std::string new_name;     // rename target
  std::string type;         // new column type, normalised ("int4", "varchar(20)", ...)
  std::string old_type;     // MySQL MODIFY/CHANGE gives no old type; empty then
  std::string constraint;   // "check", "foreign", "unique", "primary", "exclusion"
  std::vector<std::string> columns;  // created table's columns (for rebuild detection)
  std::vector<std::string> column_types;  // parallel to `columns`
  std::vector<std::string> primary_key;   // created table's / added column's primary-key columns
  bool declares_key = false;  // CREATE TABLE declares a PRIMARY KEY (MySQL/SQLite recogniser) or a
                              // UNIQUE key on NOT NULL columns (both)
  std::vector<std::string> values;   // enum labels (CREATE TYPE ... AS ENUM, MySQL ENUM(...))
  bool if_exists = false;
  bool concurrently = false;
  bool cascade = false;
  bool has_where = true;          // DELETE/UPDATE
  bool not_null = false;          // added column
  bool has_default = false;       // added column
  bool volatile_default = false;  // default calls a volatile function
  std::vector<std::string> default_calls;  // functions the added column's default calls, lower-case
  bool generated = false;         // identity / generated column: filled by the server
  bool not_valid = false;         // constraint added NOT VALID
  bool using_index = false;       // UNIQUE/PRIMARY KEY USING INDEX
  bool in_do_block = false;
  std::string lock;       // MySQL LOCK= value, upper-case
  std::string algorithm;  // MySQL ALGORITHM= value, upper-case
  int line = 0;           // position inside the file when finer than the statement's; 0 = statement's
  int column = 0;
};

struct StatementFacts {
  Statement stmt;
  std::vector<Op> ops;
  bool parsed = true;
  std::string parse_error;
  int error_line = 0, error_column = 0;
  // Same-migration memory: index of this statement, and for each table the
  // index of the statement that created it in this script (shared, not copied
  // per statement, so a 60,000-statement file stays linear).
  int index = 0;
  std::shared_ptr<const std::map<std::string, int>> created_at;
};

struct ScriptFacts {
  const Script* script = nullptr;
  std::vector<StatementFacts> statements;
  bool split_failed = false;
  std::string split_error;
  bool blank = false;
  // Tables renamed in this script (from / to), so rebuild checks stay linear.
  std::set<std::string> renamed_from, renamed_to;
};

struct MigrationFacts {
  const Migration* migration = nullptr;
  ScriptFacts up;
  bool has_down = false;
  ScriptFacts down;
};

// Builds facts for one script. Never fails: problems are recorded in the facts.
ScriptFacts AnalyzeScript(const Script& script, const LintTarget& target);

// PostgreSQL: parses one statement with libpg_query into ops.
void AnalyzePostgres(StatementFacts* facts);
// MySQL/MariaDB/SQLite: recognises the statements the rules need.
void AnalyzeOtherDialect(StatementFacts* facts, Dialect dialect);

// True when the op is destructive in a way that cannot be undone by a down.
bool IsDataLoss(const Op& op);
// Lower-case ASCII.
std::string Lower(std::string s);

}  // namespace dbroll::lint

#endif  // DBROLL_LINT_FACTS_H_
