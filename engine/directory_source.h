// The migrations directory, listed once for everything that reads it: the
// engine (through MigrationSource::Directory) and the linter.
#ifndef DBROLL_ENGINE_DIRECTORY_SOURCE_H_
#define DBROLL_ENGINE_DIRECTORY_SOURCE_H_

#include <string>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/source.h"
#include "dbroll/status.h"

namespace dbroll::internal {

// True for an entry of the migrations directory that holds repeatable
// migrations rather than versioned ones: the `repeatable/` subdirectory
// (dbroll's layout) and Flyway's `R__<desc>.sql` files. The lister skips
// these entries (they are neither a migration nor an error); the repeatable
// runner reads them. `name` is the entry's name inside the migrations
// directory, `is_dir` whether it is a directory.
bool IsRepeatableEntry(const std::string& name, bool is_dir);

// Every migration in `dir` with the files for `dialect`, as
// MigrationSource::Directory lists them: every entry is a migration, an
// ignorable file (dotfiles, README*, LICENSE*, *.md, *.txt, *~, dbroll.toml)
// or a kInvalidArgument naming it. `require_down`: an up without a down (and
// without `-- dbroll:irreversible`) is an error; the linter passes false and
// reports it as a finding instead. `options`: the layout and the
// no-transaction versions of dbroll.toml.
Result<std::vector<Migration>> ListMigrationDirectory(const std::string& dir, const std::string& display_root,
                                                      Dialect dialect, bool require_down,
                                                      const DirectoryOptions& options = {});

}  // namespace dbroll::internal

#endif  // DBROLL_ENGINE_DIRECTORY_SOURCE_H_
