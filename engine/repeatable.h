// Repeatable migrations: views, functions and procedures kept as one file
// each (`<migrations>/repeatable/<name>.sql`, or Flyway's `R__<name>.sql` in
// the migrations directory), re-applied after the versioned migrations
// whenever their text changes. Recorded in the `<prefix>_repeatable` table
// beside the history: the text now applied (release_tag '') and the text each
// release reached, so a rollback to a release re-applies that release's text.
#ifndef DBROLL_ENGINE_REPEATABLE_H_
#define DBROLL_ENGINE_REPEATABLE_H_

#include <string>
#include <vector>

#include "dbroll/driver.h"
#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// True for an entry of the migrations directory that holds repeatable
// migrations rather than versioned ones: the `repeatable/` directory and
// Flyway's `R__<name>.sql` files. The versioned lister skips these.
bool IsRepeatableMigrationEntry(const std::string& name, bool is_dir);

struct Repeatable {
  std::string name;  // "v_things" for repeatable/v_things.sql and R__v_things.sql
  Script script;     // as read; placeholders are replaced when it runs
};

// The repeatable migrations in `dir` (the migrations directory) for
// `dialect`, sorted by name: `repeatable/<name>.sql` (a
// `repeatable/<name>.<dialect>.sql` wins for its dialect) and `R__<name>.sql`.
// None when there are none (or no such directory). kInvalidArgument naming
// the file for one that is not `<name>.sql`, unreadable, or a name given twice.
Result<std::vector<Repeatable>> ListRepeatables(const std::string& dir, const std::string& display_root,
                                                Dialect dialect);

// One row of the repeatable table.
struct RepeatableRow {
  std::string release;  // "" for the text applied now
  std::string name, checksum, script, applied_at, applied_by;
  bool no_transaction = false;
};

// The repeatable table `<prefix>_repeatable` beside the history table.
class RepeatableStore {
 public:
  RepeatableStore(Driver* driver, const std::string& schema, const std::string& history_table);
  Result<bool> Exists();
  // Creates the table when missing. Idempotent.
  Status Ensure();
  // The rows of `release` ("" for the texts applied now), by name.
  Result<std::vector<RepeatableRow>> Read(const std::string& release);
  // Statements that replace the row (release, name) with `row`.
  std::vector<std::string> PutSql(const RepeatableRow& row) const;
  // A statement that removes every row of `release`.
  std::string ClearSql(const std::string& release) const;

 private:
  Driver* driver_;
  std::string schema_, name_, table_;
};

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_REPEATABLE_H_
