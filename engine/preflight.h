// Plan before you touch: every script a migrate or down will run (and every
// down script a migrate will store) is read, split and checked before the
// first statement runs -- bytes (NUL, UTF-8), transaction control, the
// no-transaction rules, the driver's parser, and the sizes of what the history
// stores. Everything here is in memory: no round trip to the database.
#ifndef DBROLL_ENGINE_PREFLIGHT_H_
#define DBROLL_ENGINE_PREFLIGHT_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// Transaction control at the top level of a statement (COMMIT, BEGIN, END,
// SAVEPOINT, SET autocommit, ...), which dbroll refuses in every file.
struct TransactionControl {
  std::string keyword;  // as written, upper-case: "COMMIT", "ROLLBACK TO SAVEPOINT", "SET autocommit"
  std::string reason;   // why it breaks the migration's promise
  std::string fix;      // what to do instead
};

// The transaction control `s` is in `dialect`, or nullopt. `in_transaction`:
// whether dbroll runs the file in one transaction (the reason differs).
// Compound statements are not transaction control: BEGIN ATOMIC bodies and DO
// blocks (PostgreSQL), BEGIN NOT ATOMIC (MariaDB), trigger and routine bodies.
std::optional<TransactionControl> FindTransactionControl(const Statement& s, Dialect dialect,
                                                         bool in_transaction);

// The first PostgreSQL major version that runs ALTER TYPE ... ADD VALUE inside
// a transaction block.
inline constexpr int kPgAddValueInTransactionSince = 12;

// The one rule for ALTER TYPE ... ADD VALUE, applied by migrate's preflight
// (to the server's version) and by lint (to its target version): PostgreSQL
// before 12 refuses it inside a transaction block (SQLSTATE 25001); 12 and
// later run it there (only using the new value before that transaction
// commits fails, 55P04). Why `s` must run outside a transaction on PostgreSQL
// `major`, or nullopt (other statements and dialects too). `major` 0 is an
// unknown version, taken as a current one.
std::optional<std::string> AddEnumValueOutsideTransaction(const Statement& s, Dialect dialect, int major);

// The major version in Driver::ServerVersion() ("PostgreSQL 15.4" -> 15,
// "MariaDB 10.11.6" -> 10), or 0 when it names none.
int ServerMajorVersion(const std::string& server_version);

// Why `s` cannot run inside a transaction block on `driver`'s server: the
// driver's own list (CREATE INDEX CONCURRENTLY, VACUUM, ...) and the rules
// that depend on the server version (AddEnumValueOutsideTransaction). Every
// place the engine decides this asks here.
std::optional<std::string> NonTransactionalReason(const Driver& driver, const Statement& s);

// A file that steps out of the migration's transaction on purpose, as real
// projects do around work a transaction block refuses: a bare COMMIT (or END)
// as its first statement and a bare BEGIN (or START TRANSACTION) as its last,
// with statements between (`COMMIT; CREATE INDEX CONCURRENTLY ...; BEGIN;`).
struct StepOut {
  size_t commit = 0;  // index of the opening COMMIT
  size_t begin = 0;   // index of the closing BEGIN
};
std::optional<StepOut> FindStepOut(const std::vector<Statement>& statements, Dialect dialect);

// Why a file that dbroll would run in one transaction must not step out of it,
// naming the one directive that makes it work (message and fix, as
// TransactionControl).
TransactionControl StepOutProblem(const Statement& commit, const Statement& begin);

// The statements dbroll runs for `script`: in a `-- dbroll:no-transaction`
// file that steps out (FindStepOut), all but that COMMIT and BEGIN, which are
// no-ops when each statement runs on its own. Every run, resume and checksum
// of the engine uses these.
std::vector<Statement> RunnableStatements(const Script& script, std::vector<Statement> statements, Dialect dialect);

// Whether dbroll runs `script` in one transaction: not with
// `-- dbroll:no-transaction`, and on MySQL only when no statement commits
// implicitly (DDL).
bool RunsInOneTransaction(const Script& script, const std::vector<Statement>& statements,
                          bool transactional_ddl);

// Byte offset of the first NUL in `text`, or npos.
size_t FindNul(std::string_view text);
// Byte offset of the first byte that does not belong to well-formed UTF-8
// (overlong forms, surrogates and code points past U+10FFFF included), or npos.
size_t FindInvalidUtf8(std::string_view text);
// 3 when `text` starts with a UTF-8 byte order mark, else 0.
size_t Utf8BomLength(std::string_view text);

// Sizes of the history columns the engine fills from user input.
inline constexpr size_t kMaxVersionChars = 64;   // version VARCHAR(64)
inline constexpr size_t kMaxNameChars = 255;     // name, release_tag, applied_by VARCHAR(255)

// One migration a migrate will apply: `resume` when a history row says it
// stopped part-way (it then continues statement by statement).
struct PlannedUp {
  const Migration* migration = nullptr;
  bool resume = false;
};

// One down script a rollback will run (the file or the stored copy).
struct PlannedDown {
  const Migration* migration = nullptr;  // version and name
  const Script* script = nullptr;
  bool resume = false;  // a down-failed/down-running row: continues statement by statement
};

// Checks every up of the plan and every down a migrate will store, in order,
// before anything runs. Returns the problems, one per line, each starting
// with path:line:col and ending with "nothing was applied". `release` and
// `applied_by` go into the history and are checked against the column sizes.
Status CheckUpPlan(const std::vector<PlannedUp>& plan, const Driver& driver, const std::string& release,
                   const std::string& applied_by);

// The same for the down scripts a rollback will run; `release` is logged.
Status CheckDownPlan(const std::vector<PlannedDown>& plan, const Driver& driver, const std::string& release);

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_PREFLIGHT_H_
