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
