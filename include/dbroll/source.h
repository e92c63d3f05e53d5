// Where migrations come from. The engine reads them through this interface;
// tests supply in-memory sources.
#ifndef DBROLL_SOURCE_H_
#define DBROLL_SOURCE_H_

#include <memory>
#include <string>
#include <vector>

#include "dbroll/migration.h"
#include "dbroll/status.h"

namespace dbroll {

// How MigrationSource::Directory reads a directory (docs/guide.md "Layouts").
struct DirectoryOptions {
  // [migrations] layout: "auto" decides from the files; "dbroll",
  // "golang-migrate", "popx", "diesel", "dbmate", "goose", "sql-migrate" or
  // "flyway" accepts only that tool's form. Default: "auto".
  std::string layout = "auto";
  // [migrations] no_transaction: versions whose up and down run outside a
  // transaction, as if both began with `-- dbroll:no-transaction`. Default: none.
  std::vector<std::string> no_transaction;
};

class MigrationSource {
 public:
  virtual ~MigrationSource() = default;

  // All migrations, sorted by version, with the dialect-specific files chosen
  // for `dialect`. Errors: kInvalidArgument naming the path (duplicate
  // version, up without down, down without up, unreadable file, bad directive).
  virtual Result<std::vector<Migration>> List(Dialect dialect) = 0;

  // Directory layout `<dir>/<version>_<name>/up.sql` + `down.sql` (or
  // `up.<dialect>.sql`), golang-migrate's and popx's flat
  // `<version>_<name>[.<dialect>][.autocommit|.notx].up.sql`, diesel,
  // dbmate, goose, sql-migrate and Flyway directories (docs/guide.md
  // "Layouts"). `display_root` is stripped from paths shown to the user.
  static std::unique_ptr<MigrationSource> Directory(std::string dir, std::string display_root = "",
                                                    DirectoryOptions options = {});
};

}  // namespace dbroll

#endif  // DBROLL_SOURCE_H_
